import Testing
import LatheIR
@testable import LatheX64

@Suite struct JITTests {
    /// The example of docs/JIT.md: sum of the integers in [from, to) with a loop.
    static func sumFunction() -> Function {
        var b = FunctionBuilder(name: "sum", signature: Signature(params: [.i32, .i32], results: [.i32]))
        let entry = b.createBlock(), header = b.createBlock(), body = b.createBlock(), exit = b.createBlock()
        let params = b.appendFunctionParams(entry)
        let i = b.declareVar(.i32), acc = b.declareVar(.i32)
        b.switchToBlock(entry); b.sealBlock(entry)
        b.defVar(i, params[0]); b.defVar(acc, b.iconst(.i32, 0))
        b.jump(header)
        b.switchToBlock(header)
        let more = b.icmp(.slt, b.useVar(i), params[1])
        b.brif(more, body, [], exit, [])
        b.switchToBlock(body); b.sealBlock(body)
        b.defVar(acc, b.iadd(b.useVar(acc), b.useVar(i)))
        b.defVar(i, b.iadd(b.useVar(i), b.iconst(.i32, 1)))
        b.jump(header)
        b.sealBlock(header)
        b.switchToBlock(exit); b.sealBlock(exit)
        b.return([b.useVar(acc)])
        return b.finalize()
    }

    @Test func documentedExample() throws {
        let f = Self.sumFunction()
        #expect(f.verify().isValid)
        let jit = try JITModule(functions: [f])
        let sum = try #require(jit.function(named: "sum"))
        #expect(sum.call(1, 101) == 5050)
        let native = sum.entryPoint(as: (@convention(c) (Int32, Int32) -> Int32).self)
        #expect(native(-10, 10) == -10)
        try expectSameAsInterpreter([f], entry: "sum", inputs: [[.i32(0), .i32(1000)], [.i32(5), .i32(-5)], [.i32(-3000), .i32(77)]])
    }

    @Test func executableMemoryRunsCode() throws {
        var asm = X64Assembler()
        asm.mov(.rax, imm: 42)
        asm.alu(.add, .rax, .rdi, is64: false)
        asm.ret()
        let mem = try ExecutableMemory(code: asm.finish())
        let f = unsafeBitCast(mem.base, to: (@convention(c) (Int32) -> Int32).self)
        #expect(f(8) == 50)
    }

    /// f32x8 tile kernel: out[i] = sqrt(x*x + y*y) - r over n vectors, through a pointer with offsets, in a loop.
    @Test func vectorLoopThroughMemory() throws {
        var b = FunctionBuilder(name: "tile", signature: Signature(params: [.i64, .i64, .f32], results: [.i32]))
        _ = b.declareMemory(MemoryDecl(minPages: 1, is64: true))
        let entry = b.createBlock(), loop = b.createBlock(), exit = b.createBlock()
        let p = b.appendFunctionParams(entry)
        let i = b.declareVar(.i64), mask = b.declareVar(.i32)
        b.switchToBlock(entry); b.sealBlock(entry)
        b.defVar(i, b.iconst(.i64, 0)); b.defVar(mask, b.iconst(.i32, 0))
        let r = b.splat(.f32x8, p[2])
        b.jump(loop)
        b.switchToBlock(loop)
        let addr = b.iadd(p[0], b.imul(b.useVar(i), b.iconst(.i64, 64)))
        let x = b.load(.f32x8, addr), y = b.load(.f32x8, addr, offset: 32)
        let d = b.fsub(b.sqrt(b.fadd(b.fmul(x, x), b.fmul(y, y))), r)
        b.store(d, addr, offset: 4096)
        let inside = b.vbitmask(b.fcmp(.lt, d, b.vconst(.f32x8, bytes: [UInt8](repeating: 0, count: 32))))
        b.defVar(mask, b.bor(b.useVar(mask), inside))
        b.defVar(i, b.iadd(b.useVar(i), b.iconst(.i64, 1)))
        b.brif(b.icmp(.ult, b.useVar(i), p[1]), loop, [], exit, [])
        b.sealBlock(loop)
        b.switchToBlock(exit); b.sealBlock(exit)
        b.return([b.useVar(mask)])
        let f = b.finalize()
        var rng = TestRandom(seed: 7)
        var initial: [UInt8] = []
        for _ in 0..<(16 * 16) {
            let v = Float(Int(rng.next() % 2000)) / 100 - 10
            withUnsafeBytes(of: v.bitPattern) { initial += $0 }
        }
        try expectSameAsInterpreter([f], entry: "tile", inputs: [[.i64(0), .i64(16), .f32(6.5)], [.i64(64), .i64(3), .f32(-1)]],
                                    memoryBytes: 65536, initialMemory: initial)
    }

    /// With a memory64 and a null base, addresses are raw pointers.
    @Test func rawPointers() throws {
        var b = FunctionBuilder(name: "p", signature: Signature(params: [.i64], results: [.f32]))
        _ = b.declareMemory(MemoryDecl(minPages: 0, is64: true))
        let e = b.createBlock()
        let p = b.appendFunctionParams(e)
        b.switchToBlock(e); b.sealBlock(e)
        let x = b.load(.f32, p[0], offset: 4)
        b.store(b.fadd(x, x), p[0], offset: 8)
        b.return([x])
        let jit = try JITModule(functions: [b.finalize()], checkAllocation: true)
        let f = try #require(jit.function(named: "p"))
        var data: [Float] = [1, 2.5, 0]
        let out = data.withUnsafeMutableBytes { f.call([.i64(Int64(Int(bitPattern: $0.baseAddress!)))], memory: nil) }
        #expect(out == [.f32(2.5)])
        #expect(data == [1, 2.5, 5])
    }

    /// Scalar loads and stores of every width through an i32 address.
    @Test func scalarMemoryOps() throws {
        var b = FunctionBuilder(name: "m", signature: Signature(params: [.i32, .i64, .f64], results: [.i64, .i32, .f32]))
        _ = b.declareMemory(MemoryDecl(minPages: 1))
        let e = b.createBlock()
        let p = b.appendFunctionParams(e)
        b.switchToBlock(e); b.sealBlock(e)
        b.store(p[1], p[0], offset: 8)
        b.istore8(p[1], p[0], offset: 3)
        b.istore16(p[1], p[0], offset: 20)
        b.istore32(p[1], p[0], offset: 24)
        b.store(p[2], p[0], offset: 40)
        let a = b.sload8(.i64, p[0], offset: 9), c = b.uload16(.i32, p[0], offset: 11)
        let d = b.sload32(.i64, p[0], offset: 12), g = b.load(.f32, p[0], offset: 44)
        let s = b.iadd(a, d)
        b.return([s, b.iadd(c, b.uload8(.i32, p[0], offset: 3)), g])
        let f = b.finalize()
        var r = TestRandom(seed: 3)
        let inputs = (0..<20).map { _ in [RuntimeValue.i32(Int32(r.below(1000))), Edge.value(.i64, &r), Edge.value(.f64, &r)] }
        try expectSameAsInterpreter([f], entry: "m", inputs: inputs, memoryBytes: 65536)
    }

    /// Many results: two in rax/rdx, two in xmm0/xmm1, the rest through the out-pointer.
    @Test func manyReturnValues() throws {
        let types: [IRType] = [.i32, .f32, .i64, .f64x4, .i32, .f32x8, .i64, .f64, .i32x4]
        let f = straightLine("many", types, types.reversed()) { _, p in p.reversed() }
        var r = TestRandom(seed: 11)
        try expectSameAsInterpreter([f], entry: "many", inputs: (0..<10).map { _ in types.map { Edge.value($0, &r) } })
    }

    @Test func unsupportedOpsAreErrors() throws {
        let f = straightLine("div", [.i32, .i32], [.i32]) { b, p in [b.sdiv(p[0], p[1])] }
        #expect(throws: JITError.self) { try JITModule(functions: [f]) }
    }

    /// The checker accepts the allocator's output and rejects a corrupted copy.
    @Test func checkerCatchesCorruptedAllocation() throws {
        let f = straightLine("c", [.i64, .i64], [.i64]) { b, p in
            let a = b.iadd(p[0], p[1]), m = b.imul(p[0], p[1])
            return [b.isub(a, m)]
        }
        let mf = try InstructionSelector.select(f)
        var alloc = LinearScan.allocate(mf)
        #expect(AllocationChecker.check(mf, alloc).isEmpty)
        // give the product the sum's register while the sum is still live
        let sum = mf.insts.first { $0.op == .iadd }!.dst, product = mf.insts.first { $0.op == .imul }!.dst
        alloc.locs[Int(product)] = alloc.locs[Int(sum)]
        let failures = AllocationChecker.check(mf, alloc)
        #expect(failures.count == 1)
        #expect(failures.first?.message.contains("reads v\(sum)") == true)
    }

    /// Incoming arguments are written at once, so a dead argument must not share a register with a live one.
    @Test func checkerCatchesSharedArgumentRegisters() throws {
        let f = straightLine("a", [.i32x4, .i32x8], [.i32x8]) { _, p in [p[1]] }
        let mf = try InstructionSelector.select(f)
        var alloc = LinearScan.allocate(mf)
        #expect(alloc.locs[0] != alloc.locs[1])
        #expect(AllocationChecker.check(mf, alloc).isEmpty)
        alloc.locs[0] = alloc.locs[1]
        #expect(AllocationChecker.check(mf, alloc).count == 1)
        try expectSameAsInterpreter([f], entry: "a", inputs: OpDifferentialTests.inputs([.i32x4, .i32x8]))
    }

    /// A corrupted edge: a loop-carried parameter placed where another live value sits.
    @Test func checkerFollowsLoops() throws {
        let f = Self.sumFunction()
        let mf = try InstructionSelector.select(f)
        let alloc = LinearScan.allocate(mf)
        #expect(AllocationChecker.check(mf, alloc).isEmpty)
        var found = false
        for b in 1..<mf.blocks.count {
            for (x, y) in zip(mf.params(b), mf.params(b).dropFirst()) {
                var bad = alloc
                bad.locs[Int(x)] = bad.locs[Int(y)]
                if !AllocationChecker.check(mf, bad).isEmpty { found = true }
            }
        }
        #expect(found)
    }
}
