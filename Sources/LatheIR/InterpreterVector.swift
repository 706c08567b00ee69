import LatheEntity

extension Interpreter {
    /// Evaluates a wasm SIMD lane-shape or relaxed op; nil if `op` is not one. `t` is the first operand's type, `rt` the result type.
    ///
    /// Relaxed ops take one behaviour wasm allows (docs/IR.md): swizzle and conversions as their
    /// strict forms, `relaxed_madd` unfused (two roundings), `relaxed_laneselect` as `bitselect`,
    /// `relaxed_fmin`/`fmax` as `fmin`/`fmax`, `relaxed_q15mulr` saturating, and the dot products
    /// with signed second operands and 16-bit intermediate sums that wrap.
    static func vectorOp(_ op: Opcode, _ t: IRType, _ a: SIMD4<UInt64>, _ b: SIMD4<UInt64>, _ c: SIMD4<UInt64>, _ rt: IRType) -> SIMD4<UInt64>? {
        var out = SIMD4<UInt64>(repeating: 0)
        let n = t.laneCount, w = t.laneBits, rn = rt.laneCount, rw = rt.laneBits
        func u(_ v: SIMD4<UInt64>, _ i: Int) -> UInt64 { Lanes.get(v, i, w) }
        func s(_ v: SIMD4<UInt64>, _ i: Int) -> Int64 { Semantics.signed(Lanes.get(v, i, w), w) }
        func put(_ i: Int, _ x: Int64) { Lanes.set(&out, i, rw, UInt64(bitPattern: x)) }
        func putBits(_ i: Int, _ x: UInt64) { Lanes.set(&out, i, rw, x) }
        switch op {
        case .swizzle, .relaxedSwizzle:
            for i in 0..<n {
                let k = u(b, i)
                put(i, k < UInt64(n) ? Int64(u(a, Int(k))) : 0)
            }
        case .snarrow, .unarrow:
            let lo: Int64 = op == .snarrow ? -(1 << Int64(rw - 1)) : 0
            let hi: Int64 = op == .snarrow ? (1 << Int64(rw - 1)) - 1 : (1 << Int64(rw)) - 1
            for i in 0..<n {
                put(i, min(max(s(a, i), lo), hi))
                put(n + i, min(max(s(b, i), lo), hi))
            }
        case .swidenLow, .swidenHigh, .uwidenLow, .uwidenHigh:
            let base = op == .swidenHigh || op == .uwidenHigh ? rn : 0
            let isSigned = op == .swidenLow || op == .swidenHigh
            for i in 0..<rn { put(i, isSigned ? s(a, base + i) : Int64(u(a, base + i))) }
        case .sextmulLow, .sextmulHigh, .uextmulLow, .uextmulHigh:
            let base = op == .sextmulHigh || op == .uextmulHigh ? rn : 0
            for i in 0..<rn {
                if op == .sextmulLow || op == .sextmulHigh { put(i, s(a, base + i) &* s(b, base + i)) }
                else { putBits(i, u(a, base + i) &* u(b, base + i)) }
            }
        case .sextaddPairwise, .uextaddPairwise:
            for i in 0..<rn {
                if op == .sextaddPairwise { put(i, s(a, 2 * i) + s(a, 2 * i + 1)) }
                else { putBits(i, u(a, 2 * i) + u(a, 2 * i + 1)) }
            }
        case .sdot, .relaxedDot:
            for i in 0..<rn { put(i, s(a, 2 * i) * s(b, 2 * i) + s(a, 2 * i + 1) * s(b, 2 * i + 1)) }
        case .relaxedDotAdd:
            for i in 0..<rn {
                let lo = Semantics.signed(UInt64(bitPattern: s(a, 4 * i) * s(b, 4 * i) + s(a, 4 * i + 1) * s(b, 4 * i + 1)) & 0xffff, 16)
                let hi = Semantics.signed(UInt64(bitPattern: s(a, 4 * i + 2) * s(b, 4 * i + 2) + s(a, 4 * i + 3) * s(b, 4 * i + 3)) & 0xffff, 16)
                put(i, lo + hi + Semantics.signed(Lanes.get(c, i, rw), rw))
            }
        case .q15mulrSat, .relaxedQ15mulr:
            for i in 0..<n { put(i, min(max((s(a, i) * s(b, i) + 0x4000) >> 15, -32768), 32767)) }
        case .fminPseudo, .fmaxPseudo:
            for i in 0..<n {
                let x = Semantics.toDouble(u(a, i), w), y = Semantics.toDouble(u(b, i), w)
                let takeB = op == .fminPseudo ? y < x : x < y
                putBits(i, takeB ? u(b, i) : u(a, i))
            }
        case .relaxedFmin, .relaxedFmax:
            for i in 0..<n { putBits(i, Semantics.floatBinary(op == .relaxedFmin ? .fmin : .fmax, u(a, i), u(b, i), w)) }
        case .relaxedMadd, .relaxedNmadd:
            for i in 0..<n {
                let x = op == .relaxedNmadd ? u(a, i) ^ Semantics.signBit(w) : u(a, i)
                putBits(i, Semantics.floatBinary(.fadd, Semantics.floatBinary(.fmul, x, u(b, i), w), u(c, i), w))
            }
        case .relaxedLaneselect:
            return Lanes.truncate((b & a) | (c & ~a), t.bits)
        case .fcvtToSintSatZero, .fcvtToUintSatZero, .relaxedFcvtToSint, .relaxedFcvtToUint, .relaxedFcvtToSintZero, .relaxedFcvtToUintZero:
            let isSigned = op == .fcvtToSintSatZero || op == .relaxedFcvtToSint || op == .relaxedFcvtToSintZero
            for i in 0..<n {
                if case .success(let r) = Semantics.floatToInt(u(a, i), from: w, to: rw, signed: isSigned, saturating: true) { putBits(i, r) }
            }
        case .fcvtFromSintLow, .fcvtFromUintLow:
            for i in 0..<rn { putBits(i, Semantics.intToFloat(u(a, i), from: w, to: rw, signed: op == .fcvtFromSintLow)) }
        case .fdemoteZero:
            for i in 0..<n { putBits(i, Semantics.demote(u(a, i))) }
        case .fpromoteLow:
            for i in 0..<rn { putBits(i, Semantics.promote(u(a, i))) }
        default:
            return nil
        }
        return out
    }

    /// Turns the bytes a vector load read (little-endian, low lanes first) into its result of type `t`.
    static func finishVectorLoad(_ op: Opcode, _ t: IRType, _ raw: SIMD4<UInt64>) -> SIMD4<UInt64> {
        var out = SIMD4<UInt64>(repeating: 0)
        if let source = Function.extendingLoadLaneBits(op) {
            let isSigned = op == .sload8x8 || op == .sload16x4 || op == .sload32x2
            for i in 0..<t.laneCount {
                let x = Lanes.get(raw, i, source)
                Lanes.set(&out, i, t.laneBits, isSigned ? UInt64(bitPattern: Semantics.signed(x, source)) : x)
            }
            return out
        }
        if op == .loadSplat {
            for i in 0..<t.laneCount { Lanes.set(&out, i, t.laneBits, raw[0]) }
            return out
        }
        return raw
    }
}
