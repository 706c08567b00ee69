import LatheEntity

extension Interpreter {
    /// Whether ops of `format` are computations `evaluatePure` can run: no effect beyond a possible trap.
    public static func isPureFormat(_ format: InstructionFormat) -> Bool {
        switch format {
        case .binary, .unary, .intCompare, .floatCompare, .ternary, .shuffle, .extractLane, .insertLane: true
        default: false
        }
    }

    /// The type the interpreter evaluates `d` in: the result type for ops that carry it, else the controlling operand's.
    @inline(__always)
    static func evaluationType(_ d: InstructionData, resultType: IRType, _ dfg: DataFlowGraph) -> IRType {
        d.opcode.control == .result ? resultType : dfg.type(of: Value(index: Int(d.opcode == .select ? d.b : d.a)))
    }

    /// Computes instruction `inst` of `dfg` from the bits of its operands (in operand order; unused ones zero)
    /// exactly as the interpreter does: the result's bits, or the trap it would raise.
    ///
    /// nil when `inst` is not a pure computation (`isPureFormat`) with one result. This is the entry
    /// point for constant folding, so folded code and interpreted code cannot disagree.
    public static func evaluatePure(_ inst: Inst, in dfg: DataFlowGraph, _ a: SIMD4<UInt64>, _ b: SIMD4<UInt64> = .zero,
                                    _ c: SIMD4<UInt64> = .zero) -> Result<SIMD4<UInt64>, TrapCode>? {
        let d = dfg[inst]
        guard isPureFormat(d.opcode.format), dfg.resultCount(inst) == 1, let r = dfg.firstResult(inst) else { return nil }
        let rt = dfg.type(of: r)
        return pure(d, evaluationType(d, resultType: rt, dfg), a, b, c, rt, dfg)
    }

    /// Evaluates an op without side effects beyond trapping. `t` is the controlling type, `rt` the result type.
    static func pure(_ d: InstructionData, _ t: IRType, _ a: SIMD4<UInt64>, _ b: SIMD4<UInt64>, _ c: SIMD4<UInt64>,
                     _ rt: IRType, _ dfg: DataFlowGraph) -> Result<SIMD4<UInt64>, TrapCode> {
        let op = d.opcode
        var out = SIMD4<UInt64>(repeating: 0)
        func scalar(_ x: UInt64) -> Result<SIMD4<UInt64>, TrapCode> { .success(SIMD4(x, 0, 0, 0)) }
        /// Lane count and width for a lane-wise op; bitwise ops on vectors work on 64-bit chunks.
        func shape(bitwise: Bool = false) -> (Int, Int) {
            if !t.isVector { return (1, t.bits) }
            return bitwise ? (t.bits / 64, 64) : (t.laneCount, t.laneBits)
        }
        switch op {
        case .iadd, .isub, .imul, .sdiv, .udiv, .srem, .urem, .band, .bor, .bxor, .bandNot, .ishl, .sshr, .ushr, .rotl, .rotr,
             .smin, .smax, .umin, .umax, .saddSat, .uaddSat, .ssubSat, .usubSat, .avgrU:
            let isBitwise = [.band, .bor, .bxor, .bandNot].contains(op)
            let isShift = [.ishl, .sshr, .ushr, .rotl, .rotr].contains(op)
            let (n, w) = shape(bitwise: isBitwise)
            for i in 0..<n {
                let y = isShift && t.isVector ? b[0] & 0xffff_ffff : Lanes.get(b, i, w)
                switch Semantics.intBinary(op, Lanes.get(a, i, w), y, w) {
                case .success(let r): Lanes.set(&out, i, w, r)
                case .failure(let code): return .failure(code)
                }
            }
            return .success(out)
        case .bnot, .clz, .ctz, .popcnt, .ineg, .iabs, .sext8, .sext16, .sext32:
            let (n, w) = shape(bitwise: op == .bnot)
            for i in 0..<n { Lanes.set(&out, i, w, Semantics.intUnary(op, Lanes.get(a, i, w), w)) }
            return .success(out)
        case .eqz: return scalar(a[0] == 0 ? 1 : 0)
        case .fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .fcopysign:
            let (n, w) = shape()
            for i in 0..<n { Lanes.set(&out, i, w, Semantics.floatBinary(op, Lanes.get(a, i, w), Lanes.get(b, i, w), w)) }
            return .success(out)
        case .sqrt, .fneg, .fabs, .ceil, .floor, .trunc, .nearest:
            let (n, w) = shape()
            for i in 0..<n { Lanes.set(&out, i, w, Semantics.floatUnary(op, Lanes.get(a, i, w), w)) }
            return .success(out)
        case .icmp, .fcmp:
            let (n, w) = shape()
            for i in 0..<n {
                let x = Lanes.get(a, i, w), y = Lanes.get(b, i, w)
                let r = op == .icmp ? Semantics.intCompare(d.intCC, x, y, w) : Semantics.floatCompare(d.floatCC, x, y, w)
                Lanes.set(&out, i, w, r ? (t.isVector ? Semantics.mask(w) : 1) : 0)
            }
            return .success(out)
        case .sextend: return scalar(UInt64(bitPattern: Semantics.signed(a[0], 32)))
        case .uextend, .ireduce: return scalar(a[0] & 0xffff_ffff)
        case .fcvtToSint, .fcvtToUint, .fcvtToSintSat, .fcvtToUintSat:
            let source = dfg.type(of: Value(index: Int(d.a)))
            let signed = op == .fcvtToSint || op == .fcvtToSintSat
            let saturating = op == .fcvtToSintSat || op == .fcvtToUintSat
            for i in 0..<rt.laneCount {
                switch Semantics.floatToInt(Lanes.get(a, i, source.laneBits), from: source.laneBits, to: rt.laneBits, signed: signed, saturating: saturating) {
                case .success(let r): Lanes.set(&out, i, rt.laneBits, r)
                case .failure(let code): return .failure(code)
                }
            }
            return .success(out)
        case .fcvtFromSint, .fcvtFromUint:
            let source = dfg.type(of: Value(index: Int(d.a)))
            for i in 0..<rt.laneCount {
                let r = Semantics.intToFloat(Lanes.get(a, i, source.laneBits), from: source.laneBits, to: rt.laneBits, signed: op == .fcvtFromSint)
                Lanes.set(&out, i, rt.laneBits, r)
            }
            return .success(out)
        case .fpromote: return scalar(Semantics.promote(a[0]))
        case .fdemote: return scalar(Semantics.demote(a[0]))
        case .bitcast: return .success(Lanes.truncate(a, rt.bits))
        case .select: return .success(a[0] & 0xffff_ffff != 0 ? b : c)
        case .bitselect: return .success(Lanes.truncate((b & a) | (c & ~a), t.bits))
        case .splat:
            for i in 0..<rt.laneCount { Lanes.set(&out, i, rt.laneBits, a[0]) }
            return .success(out)
        case .extractlane: return scalar(Lanes.get(a, d.lane, t.laneBits))
        case .sextractlane: return scalar(UInt64(bitPattern: Semantics.signed(Lanes.get(a, d.lane, t.laneBits), t.laneBits)) & 0xffff_ffff)
        case .insertlane:
            out = a
            Lanes.set(&out, d.lane, t.laneBits, b[0])
            return .success(out)
        case .shuffle:
            let mask = dfg.constants[ConstRef(index: Int(d.c))]
            for (i, m) in mask.enumerated() {
                let k = Int(m)
                Lanes.set(&out, i, 8, k < t.bytes ? Lanes.get(a, k, 8) : Lanes.get(b, k - t.bytes, 8))
            }
            return .success(out)
        case .vanyTrue: return scalar(Lanes.truncate(a, t.bits) == SIMD4(repeating: 0) ? 0 : 1)
        case .vallTrue:
            for i in 0..<t.laneCount where Lanes.get(a, i, t.laneBits) == 0 { return scalar(0) }
            return scalar(1)
        case .vbitmask:
            var m: UInt64 = 0
            for i in 0..<t.laneCount { m |= (Lanes.get(a, i, t.laneBits) >> UInt64(t.laneBits - 1)) << UInt64(i) }
            return scalar(m)
        case .refIsNull: return scalar(a[0] == RuntimeValue.nullBits ? 1 : 0)
        default:
            guard let r = vectorOp(op, t, a, b, c, rt) else { preconditionFailure("\(op.name) is not a pure op") }
            return .success(r)
        }
    }
}
