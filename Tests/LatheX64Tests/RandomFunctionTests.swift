import Foundation
import Testing
import LatheIR
@testable import LatheX64

/// Generates random IR functions (straight-line with many live values, and with a loop and a
/// diamond whose branch passes block arguments) and compares the JIT with the interpreter.
struct RandomFunctionGenerator {
    static let types: [IRType] = [.i32, .i64, .f32, .f64, .f32x8, .f64x2, .i32x4, .i32x8, .i64x2]
    var r: TestRandom
    var b: FunctionBuilder
    var pool: [IRType: [Value]] = [:]

    init(seed: UInt64, name: String) {
        r = TestRandom(seed: seed)
        b = FunctionBuilder(name: name, signature: Signature(params: Self.types, results: Self.resultTypes))
    }

    static let resultTypes: [IRType] = [.i32, .f64, .f32x8, .i64, .i32x4, .f32, .f64x2, .i32, .i64x2, .f64, .i32x8, .i64, .f32x8, .f32]

    mutating func any(_ t: IRType) -> Value {
        let vs = pool[t]!
        // prefer recent values, but reach back far enough to keep many alive
        return r.below(4) == 0 ? vs[r.below(vs.count)] : vs[max(0, vs.count - 1 - r.below(6))]
    }
    mutating func add(_ v: Value) { pool[b.dfg.type(of: v), default: []].append(v) }

    /// One random instruction whose operands come from the pool.
    mutating func step() {
        let t = Self.types[r.below(Self.types.count)]
        switch t {
        case .i32, .i64:
            let x = any(t), y = any(t)
            switch r.below(13) {
            case 12: add([b.smin(x, y), b.smax(x, y), b.umin(x, y), b.umax(x, y)][r.below(4)])
            case 0: add(b.iadd(x, y))
            case 1: add(b.isub(x, y))
            case 2: add(b.imul(x, y))
            case 3: add(b.bxor(b.band(x, y), b.bor(x, y)))
            case 4: add(b.bandNot(x, y))
            case 5: add([b.ishl(x, y), b.sshr(x, y), b.ushr(x, y)][r.below(3)])
            case 6: add([b.ineg(x), b.bnot(x), b.clz(x), b.ctz(x), b.popcnt(x)][r.below(5)])
            case 7: add(b.icmp(IntCC.allCases[r.below(10)], x, y))
            case 8: add(b.select(any(.i32), x, y))
            case 9: add(t == .i32 ? b.ireduce(.i32, any(.i64)) : b.sextend(.i64, any(.i32)))
            case 10: add(b.fcvtFromSint(r.below(2) == 0 ? .f32 : .f64, x))
            default: add(b.extractlane(any(t == .i32 ? .i32x4 : .i64x2), r.below(t == .i32 ? 4 : 2)))
            }
        case .f32, .f64:
            let x = any(t), y = any(t)
            switch r.below(9) {
            case 8: add([b.fcopysign(x, y), b.ceil(x), b.floor(x), b.trunc(x), b.nearest(x)][r.below(5)])
            case 0: add([b.fadd(x, y), b.fsub(x, y), b.fmul(x, y), b.fdiv(x, y)][r.below(4)])
            case 1: add([b.fmin(x, y), b.fmax(x, y)][r.below(2)])
            case 2: add([b.sqrt(x), b.fneg(x), b.fabs(x)][r.below(3)])
            case 3: add(b.fcmp(FloatCC.allCases[r.below(6)], x, y))
            case 4: add(t == .f32 ? b.fdemote(.f32, any(.f64)) : b.fpromote(.f64, any(.f32)))
            case 5: add(b.select(any(.i32), x, y))
            case 6: add(b.extractlane(any(t == .f32 ? .f32x8 : .f64x2), r.below(t == .f32 ? 8 : 2)))
            default: add(t == .f32 ? b.f32const(Float(bitPattern: UInt32(truncatingIfNeeded: Edge.f32[r.below(Edge.f32.count)]))) : b.f64const(Double(bitPattern: Edge.f64[r.below(Edge.f64.count)])))
            }
        case .f32x8, .f64x2:
            let x = any(t), y = any(t)
            switch r.below(8) {
            case 7: add([b.fcopysign(x, y), b.ceil(x), b.floor(x), b.trunc(x), b.nearest(x)][r.below(5)])
            case 0: add([b.fadd(x, y), b.fsub(x, y), b.fmul(x, y), b.fdiv(x, y)][r.below(4)])
            case 1: add([b.fmin(x, y), b.fmax(x, y)][r.below(2)])
            case 2: add([b.sqrt(x), b.fneg(x), b.fabs(x)][r.below(3)])
            case 3: add(b.fcmp(FloatCC.allCases[r.below(6)], x, y))
            case 4: add(b.splat(t, any(t.laneType)))
            case 5: add(b.insertlane(x, any(t.laneType), r.below(t.laneCount)))
            default: add(b.bitselect(b.bitcast(t, any(t.asIntShape)), x, y))
            }
        default:  // integer vectors
            let x = any(t), y = any(t)
            switch r.below(6) {
            case 5: add(t.laneBits == 32 ? [b.smin(x, y), b.umax(x, y)][r.below(2)] : b.vanyTrue(x))
            case 0: add([b.iadd(x, y), b.isub(x, y)][r.below(2)])
            case 1: add(t.laneBits == 32 ? b.imul(x, y) : b.bxor(x, y))
            case 2: add(b.icmp([IntCC.eq, .ne, .slt, .sgt, .sle, .sge][r.below(6)], x, y))
            case 3: add(b.vbitmask(x))
            default: add(b.splat(t, any(t.laneType)))
            }
        }
    }

    /// The results: values from all over the pool, so many stay live to the end.
    mutating func results() -> [Value] { Self.resultTypes.map { t in pool[t]![r.below(pool[t]!.count)] } }

    static func straightLine(seed: UInt64, steps: Int) -> Function {
        var g = RandomFunctionGenerator(seed: seed, name: "r")
        let e = g.b.createBlock()
        for p in g.b.appendFunctionParams(e) { g.add(p) }
        g.b.switchToBlock(e); g.b.sealBlock(e)
        for _ in 0..<steps { g.step() }
        g.b.return(g.results())
        return g.b.finalize()
    }

    /// Entry, a loop of three iterations whose variables change each time, then a diamond whose
    /// taken edge passes arguments to the merge block's parameters.
    static func withControlFlow(seed: UInt64, steps: Int) -> Function {
        var g = RandomFunctionGenerator(seed: seed, name: "r")
        let e = g.b.createBlock(), header = g.b.createBlock(), body = g.b.createBlock(), exit = g.b.createBlock()
        let right = g.b.createBlock(), merge = g.b.createBlock()
        for p in g.b.appendFunctionParams(e) { g.add(p) }
        g.b.switchToBlock(e); g.b.sealBlock(e)
        for _ in 0..<steps / 4 { g.step() }
        let vars = types.map { g.b.declareVar($0) }
        for (k, t) in types.enumerated() { g.b.defVar(vars[k], g.any(t)) }
        let counter = g.b.declareVar(.i32)
        g.b.defVar(counter, g.b.iconst(.i32, 0))
        let entryPool = g.pool
        g.b.jump(header)
        g.b.switchToBlock(header)
        g.b.brif(g.b.icmp(.slt, g.b.useVar(counter), g.b.iconst(.i32, 3)), body, [], exit, [])
        g.b.switchToBlock(body); g.b.sealBlock(body)
        for (k, t) in types.enumerated() { g.pool[t, default: []].append(g.b.useVar(vars[k])) }
        for _ in 0..<steps / 4 { g.step() }
        for (k, t) in types.enumerated() { g.b.defVar(vars[k], g.any(t)) }
        g.b.defVar(counter, g.b.iadd(g.b.useVar(counter), g.b.iconst(.i32, 1)))
        g.b.jump(header)
        g.b.sealBlock(header)
        g.b.switchToBlock(exit); g.b.sealBlock(exit)
        g.pool = entryPool
        for (k, t) in types.enumerated() { g.pool[t, default: []].append(g.b.useVar(vars[k])) }
        for _ in 0..<steps / 4 { g.step() }
        let mergeTypes: [IRType] = [.i32, .f32x8, .f64, .i64]
        let leftArgs = mergeTypes.map { g.any($0) }
        let exitPool = g.pool
        g.b.brif(g.any(.i32), merge, leftArgs, right, [])
        g.b.switchToBlock(right); g.b.sealBlock(right)
        for _ in 0..<steps / 4 { g.step() }
        g.b.jump(merge, mergeTypes.map { g.any($0) })
        g.b.switchToBlock(merge); g.b.sealBlock(merge)
        g.pool = exitPool
        for t in mergeTypes { g.pool[t, default: []].append(g.b.appendBlockParam(merge, t)) }
        for _ in 0..<4 { g.step() }
        g.b.return(g.results())
        return g.b.finalize()
    }
}

@Suite struct RandomFunctionTests {
    /// Seeds per test; `LATHE_JIT_RANDOM=N` runs more.
    static let seeds = 0..<(ProcessInfo.processInfo.environment["LATHE_JIT_RANDOM"].flatMap { Int($0) } ?? 40)

    static func inputs(seed: UInt64) -> [[RuntimeValue]] {
        var r = TestRandom(seed: seed)
        return (0..<6).map { _ in RandomFunctionGenerator.types.map { Edge.value($0, &r) } }
    }

    @Test(arguments: seeds)
    func straightLine(seed: Int) throws {
        let f = RandomFunctionGenerator.straightLine(seed: UInt64(seed), steps: 80)
        try #require(f.verify().isValid, "\(f.verify())")
        try expectSameAsInterpreter([f], entry: "r", inputs: Self.inputs(seed: UInt64(seed)))
    }

    @Test(arguments: seeds)
    func controlFlow(seed: Int) throws {
        let f = RandomFunctionGenerator.withControlFlow(seed: UInt64(1000 + seed), steps: 80)
        try #require(f.verify().isValid, "\(f.verify())")
        try expectSameAsInterpreter([f], entry: "r", inputs: Self.inputs(seed: UInt64(seed)))
    }

    /// Large functions spill: the allocator reports spilled vregs and the checker still passes.
    @Test func largeFunctionsSpill() throws {
        let f = RandomFunctionGenerator.straightLine(seed: 99, steps: 600)
        let mf = try InstructionSelector.select(f)
        let alloc = LinearScan.allocate(mf)
        #expect(alloc.spilled > 20)
        #expect(AllocationChecker.check(mf, alloc).isEmpty)
        try expectSameAsInterpreter([f], entry: "r", inputs: Self.inputs(seed: 5))
        let g = RandomFunctionGenerator.withControlFlow(seed: 98, steps: 400)
        let mg = try InstructionSelector.select(g)
        #expect(LinearScan.allocate(mg).spilled > 10)
        try expectSameAsInterpreter([g], entry: "r", inputs: Self.inputs(seed: 6))
    }

    /// Compile speed on a generated 4,000-instruction function (figures printed; debug builds are slow).
    @Test func compileSpeed() throws {
        let f = RandomFunctionGenerator.straightLine(seed: 7, steps: 4000)
        let clock = ContinuousClock()
        var module: JITModule? = nil
        let elapsed = try clock.measure { module = try JITModule(functions: [f]) }
        let s = try #require(module).statistics
        #expect(s.irInstructions > 4000)
        let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
        print("jit compile: \(s.irInstructions) IR instructions, \(s.machineInstructions) machine instructions, \(s.spilledVRegs) spilled, \(s.codeBytes) bytes in \(elapsed) (\(Int(Double(s.irInstructions) / seconds)) IR instructions/s)")
    }
}
