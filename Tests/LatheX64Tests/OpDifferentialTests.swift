import Testing
import LatheIR
@testable import LatheX64

/// Every supported op on every supported type against the interpreter, on edge values and random bits.
@Suite struct OpDifferentialTests {
    static func binary(_ b: inout FunctionBuilder, _ op: Opcode, _ x: Value, _ y: Value) -> Value {
        switch op {
        case .iadd: b.iadd(x, y)
        case .isub: b.isub(x, y)
        case .imul: b.imul(x, y)
        case .band: b.band(x, y)
        case .bor: b.bor(x, y)
        case .bxor: b.bxor(x, y)
        case .bandNot: b.bandNot(x, y)
        case .ishl: b.ishl(x, y)
        case .sshr: b.sshr(x, y)
        case .ushr: b.ushr(x, y)
        case .fadd: b.fadd(x, y)
        case .fsub: b.fsub(x, y)
        case .fmul: b.fmul(x, y)
        case .fdiv: b.fdiv(x, y)
        case .fmin: b.fmin(x, y)
        case .fmax: b.fmax(x, y)
        case .fcopysign: b.fcopysign(x, y)
        case .smin: b.smin(x, y)
        case .smax: b.smax(x, y)
        case .umin: b.umin(x, y)
        case .umax: b.umax(x, y)
        default: fatalError("\(op.name)")
        }
    }
    static func unary(_ b: inout FunctionBuilder, _ op: Opcode, _ x: Value) -> Value {
        switch op {
        case .ineg: b.ineg(x)
        case .bnot: b.bnot(x)
        case .clz: b.clz(x)
        case .ctz: b.ctz(x)
        case .popcnt: b.popcnt(x)
        case .eqz: b.eqz(x)
        case .sqrt: b.sqrt(x)
        case .fneg: b.fneg(x)
        case .fabs: b.fabs(x)
        case .ceil: b.ceil(x)
        case .floor: b.floor(x)
        case .trunc: b.trunc(x)
        case .nearest: b.nearest(x)
        default: fatalError("\(op.name)")
        }
    }

    static func inputs(_ types: [IRType], count: Int = 60, seed: UInt64 = 1) -> [[RuntimeValue]] {
        var r = TestRandom(seed: seed)
        return (0..<count).map { _ in types.map { Edge.value($0, &r) } }
    }

    static let intBinary: [Opcode] = [.iadd, .isub, .imul, .band, .bor, .bxor, .bandNot, .ishl, .sshr, .ushr]
    static let floatBinary: [Opcode] = [.fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .fcopysign]
    static let floatTypes: [IRType] = [.f32, .f64, .f32x4, .f32x8, .f64x2, .f64x4]

    @Test(arguments: [IRType.i32, .i64])
    func scalarIntegers(_ t: IRType) throws {
        for op in Self.intBinary {
            let f = straightLine("f", [t, t], [t]) { b, p in [Self.binary(&b, op, p[0], p[1])] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t, t]))
        }
        for op in [Opcode.smin, .smax, .umin, .umax] {
            let f = straightLine("f", [t, t], [t]) { b, p in [Self.binary(&b, op, p[0], p[1])] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t, t]))
        }
        for op in [Opcode.ineg, .bnot, .clz, .ctz, .popcnt, .eqz] {
            let f = straightLine("f", [t], [op == .eqz ? .i32 : t]) { b, p in [Self.unary(&b, op, p[0])] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t]))
        }
        for cc in IntCC.allCases {
            let f = straightLine("f", [t, t], [.i32]) { b, p in [b.icmp(cc, p[0], p[1])] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t, t]) + [[RuntimeValue(type: t, scalar: 5), RuntimeValue(type: t, scalar: 5)]])
        }
        let sel = straightLine("f", [.i32, t, t], [t]) { b, p in [b.select(p[0], p[1], p[2])] }
        try expectSameAsInterpreter([sel], entry: "f", inputs: Self.inputs([.i32, t, t]))
    }

    @Test(arguments: floatTypes)
    func floats(_ t: IRType) throws {
        for op in Self.floatBinary {
            let f = straightLine("f", [t, t], [t]) { b, p in [Self.binary(&b, op, p[0], p[1])] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t, t], count: 120))
        }
        for op in [Opcode.sqrt, .fneg, .fabs, .ceil, .floor, .trunc, .nearest] {
            let f = straightLine("f", [t], [t]) { b, p in [Self.unary(&b, op, p[0])] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t]))
        }
        for cc in FloatCC.allCases {
            let f = straightLine("f", [t, t], [t.isVector ? t.asIntShape : .i32]) { b, p in [b.fcmp(cc, p[0], p[1])] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t, t], count: 120))
        }
        let sel = straightLine("f", [.i32, t, t], [t]) { b, p in [b.select(p[0], p[1], p[2])] }
        try expectSameAsInterpreter([sel], entry: "f", inputs: Self.inputs([.i32, t, t]))
    }

    @Test(arguments: [IRType.f32x4, .f32x8, .f64x2, .f64x4, .i32x4, .i32x8, .i64x2, .i64x4, .i8x16, .i16x8, .i8x32, .i16x16])
    func vectors(_ t: IRType) throws {
        var ops: [Opcode] = [.band, .bor, .bxor, .bandNot]
        if t.isIntLike { ops += [.iadd, .isub] + (t.laneBits == 32 || t.laneBits == 16 ? [.imul] : []) }
        if t.isIntLike && t.laneBits < 64 { ops += [.smin, .smax, .umin, .umax] }
        for op in ops {
            let f = straightLine("f", [t, t], [t]) { b, p in [Self.binary(&b, op, p[0], p[1])] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t, t]))
        }
        let not = straightLine("f", [t], [t]) { b, p in [b.bnot(p[0])] }
        try expectSameAsInterpreter([not], entry: "f", inputs: Self.inputs([t]))
        if t.isIntLike {
            for cc in [IntCC.eq, .ne, .slt, .sgt, .sle, .sge] {
                let f = straightLine("f", [t, t], [t]) { b, p in [b.icmp(cc, p[0], p[1])] }
                try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs([t, t]))
            }
        }
        let bs = straightLine("f", [t, t, t], [t]) { b, p in [b.bitselect(p[0], p[1], p[2])] }
        try expectSameAsInterpreter([bs], entry: "f", inputs: Self.inputs([t, t, t]))
        // splat, every lane extracted and inserted, bitmask
        let lane = t.laneType
        let splat = straightLine("f", [lane], [t]) { b, p in [b.splat(t, p[0])] }
        try expectSameAsInterpreter([splat], entry: "f", inputs: Self.inputs([lane]))
        for k in 0..<t.laneCount {
            let ex = straightLine("f", [t], [lane]) { b, p in [b.extractlane(p[0], k)] }
            try expectSameAsInterpreter([ex], entry: "f", inputs: Self.inputs([t], count: 8))
            let ins = straightLine("f", [t, lane], [t]) { b, p in [b.insertlane(p[0], p[1], k)] }
            try expectSameAsInterpreter([ins], entry: "f", inputs: Self.inputs([t, lane], count: 8))
        }
        let any = straightLine("f", [t], [.i32]) { b, p in [b.vanyTrue(p[0])] }
        try expectSameAsInterpreter([any], entry: "f", inputs: Self.inputs([t]) + [[RuntimeValue(type: t, bits: .zero)]])
        if t.laneBits != 16 {
            let mask = straightLine("f", [t], [.i32]) { b, p in [b.vbitmask(p[0])] }
            try expectSameAsInterpreter([mask], entry: "f", inputs: Self.inputs([t]))
        }
    }

    @Test func conversionsAndConstants() throws {
        let cases: [([IRType], IRType, (inout FunctionBuilder, [Value]) -> Value)] = [
            ([.i32], .i64, { b, p in b.sextend(.i64, p[0]) }),
            ([.i32], .i64, { b, p in b.uextend(.i64, p[0]) }),
            ([.i64], .i32, { b, p in b.ireduce(.i32, p[0]) }),
            ([.f32], .f64, { b, p in b.fpromote(.f64, p[0]) }),
            ([.f64], .f32, { b, p in b.fdemote(.f32, p[0]) }),
            ([.i32], .f32, { b, p in b.fcvtFromSint(.f32, p[0]) }),
            ([.i64], .f32, { b, p in b.fcvtFromSint(.f32, p[0]) }),
            ([.i32], .f64, { b, p in b.fcvtFromSint(.f64, p[0]) }),
            ([.i64], .f64, { b, p in b.fcvtFromSint(.f64, p[0]) }),
            ([.i32], .f32, { b, p in b.bitcast(.f32, p[0]) }),
            ([.f64], .i64, { b, p in b.bitcast(.i64, p[0]) }),
            ([.f32x8], .i32x8, { b, p in b.bitcast(.i32x8, p[0]) }),
            ([.i32], .i32, { b, _ in b.iconst(.i32, -7) }),
            ([.i32], .i64, { b, _ in b.iconst(.i64, 0x1234_5678_9abc_def0) }),
            ([.i32], .f32, { b, _ in b.fconst(.f32, bits: 0x7fa0_0001) }),
            ([.i32], .f64, { b, _ in b.fconst(.f64, bits: 0xfff4_0000_0000_0001) }),
            ([.i32], .f32x8, { b, _ in b.vconst(.f32x8, bytes: (0..<32).map { UInt8($0 * 7) }) }),
            ([.i32], .i32x4, { b, _ in b.vconst(.i32x4, bytes: (0..<16).map { UInt8(255 - $0) }) }),
        ]
        for (params, result, body) in cases {
            let f = straightLine("f", params, [result]) { b, p in [body(&b, p)] }
            try expectSameAsInterpreter([f], entry: "f", inputs: Self.inputs(params))
        }
    }

    /// With canonicalization off, NaN results are still NaN but may keep x86's bits.
    @Test func nonCanonicalNaNsStayNaN() throws {
        let f = straightLine("f", [.f32, .f32], [.f32]) { b, p in [b.fadd(p[0], p[1])] }
        let jit = try JITModule(functions: [f], options: JITOptions(canonicalizeNaNs: false))
        let h = try #require(jit.function(named: "f"))
        let out = h.call([.f32(.infinity), .f32(-.infinity)])[0]
        #expect(Float(bitPattern: UInt32(out.scalar)).isNaN)
        #expect(out.scalar == 0xffc0_0000)  // x86's default NaN; the interpreter gives 0x7fc00000
    }
}
