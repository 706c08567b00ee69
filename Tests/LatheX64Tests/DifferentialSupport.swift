import Testing
import LatheIR
@testable import LatheX64

/// Deterministic random numbers for the differential tests.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

enum Edge {
    static let i32: [UInt64] = [0, 1, 2, 31, 32, 33, 0xffff_ffff, 0x8000_0000, 0x7fff_ffff, 0xffff_fffe, 0x1234_5678]
    static let i64: [UInt64] = [0, 1, 63, 64, 65, ~0, 1 << 63, (1 << 63) - 1, 0xffff_ffff, 0x1_0000_0000, 0x0123_4567_89ab_cdef]
    static let f32: [UInt64] = [0, 0x8000_0000, 0x3f80_0000, 0xbfc0_0000, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000,
                                0x7fa0_0001, 0xffc1_2345, 0x0000_0001, 0x7f7f_ffff, 0x4049_0fdb, 0xc2f6_e979]
    static let f64: [UInt64] = [0, 1 << 63, 0x3ff0_0000_0000_0000, 0xbff8_0000_0000_0000, 0x7ff0_0000_0000_0000,
                                0xfff0_0000_0000_0000, 0x7ff8_0000_0000_0000, 0x7ff4_0000_0000_0001, 0xfff8_0000_1234_5678,
                                1, 0x7fef_ffff_ffff_ffff, 0x4009_21fb_5444_2d18, 0xc05e_dd2f_1a9f_be77]

    /// A lane value of `laneType` (width `bits`): an edge value or random bits.
    static func lane(_ laneType: IRType, bits: Int, _ r: inout TestRandom) -> UInt64 {
        let pool: [UInt64] = laneType == .f32 ? f32 : laneType == .f64 ? f64 : bits == 64 ? i64 : i32
        let x = r.below(3) == 0 ? r.next() : pool[r.below(pool.count)]
        return bits == 64 ? x : x & ((1 << UInt64(bits)) - 1)
    }

    static func value(_ t: IRType, _ r: inout TestRandom) -> RuntimeValue {
        var bits = SIMD4<UInt64>(repeating: 0)
        let w = t.laneBits
        for i in 0..<t.laneCount {
            let x = lane(t.laneType, bits: w, &r)
            let bit = i * w
            bits[bit >> 6] |= x << UInt64(bit & 63)
        }
        return RuntimeValue(type: t, bits: bits)
    }
}

/// Compiles `functions` (checking the allocation) and compares each call with the interpreter bit for bit.
func expectSameAsInterpreter(_ functions: [Function], entry: String, inputs: [[RuntimeValue]],
                             memoryBytes: Int = 0, initialMemory: [UInt8] = [], options: JITOptions = JITOptions(),
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
    let jit = try JITModule(functions: functions, options: options, checkAllocation: true)
    let handle = try #require(jit.function(named: entry))
    for args in inputs {
        var interp = Interpreter(module: Module(functions: functions))
        if !initialMemory.isEmpty { _ = interp.writeMemory(0, at: 0, initialMemory) }
        guard case .success(let expected) = interp.call(entry, args) else {
            Issue.record("interpreter trapped on \(args)", sourceLocation: sourceLocation)
            continue
        }
        var memory = [UInt8](repeating: 0, count: memoryBytes)
        memory.replaceSubrange(0..<initialMemory.count, with: initialMemory)
        let got = memory.withUnsafeMutableBytes { handle.call(args, memory: memoryBytes > 0 ? $0.baseAddress : nil) }
        #expect(got == expected, "%\(entry)\(args)", sourceLocation: sourceLocation)
        if memoryBytes > 0 { #expect(memory == interp.memories[0], "memory after %\(entry)\(args)", sourceLocation: sourceLocation) }
    }
}

/// A function `name(params) -> result` whose body is built by `body` in one block.
func straightLine(_ name: String, _ params: [IRType], _ results: [IRType],
                  _ body: (inout FunctionBuilder, [Value]) -> [Value]) -> Function {
    var b = FunctionBuilder(name: name, signature: Signature(params: params, results: results))
    let entry = b.createBlock()
    let ps = b.appendFunctionParams(entry)
    b.switchToBlock(entry)
    b.sealBlock(entry)
    let rs = body(&b, ps)
    b.return(rs)
    return b.finalize()
}
