import LatheEntity
import LatheIR

/// Unpacks of an i32 packed from narrower pieces (`(a & 0xffff) | (b << 16)`, bytes or halves), for `sroa`.
///
/// `x = P | Q` (also `P ^ Q`, and `P + Q` when no bit can be set in both, so no carry occurs and
/// `+`, `^`, `|` agree). With `mayBeOne(v)` a mask of the bits that can be set in `v`:
/// - `x & M` is `P & M` when `Q & M` is 0, and that is `P` when P has no bit outside M.
/// - `x >>u k` and `x >>s k` read only bits k and up, which come from Q alone when P has no bit at
///   or above k: they are `Q >> k`; and `(b << k) >>u k` is `b` when b fits in 32-k bits,
///   `(b << 16) >>s 16` is `sext16 b`, `(b << 24) >>s 24` is `sext8 b`.
struct NarrowUnpacks {
    /// Deepest chain of ops `mayBeOne` follows (it is not memoized: a chain of binary ops costs up to 2^depth).
    static let maxDepth = 8

    /// Bits that can be one in the i32 `v` (all when unknown).
    static func mayBeOne(_ v: Value, _ f: Function, depth: Int = 0) -> UInt32 {
        guard depth < maxDepth, let inst = f.definingInst(v) else { return .max }
        let d = f.dfg[inst]
        func operand(_ x: UInt32) -> UInt32 { mayBeOne(Value(index: Int(x)), f, depth: depth + 1) }
        switch d.opcode {
        case .iconst: return d.b
        case .band: return operand(d.a) & operand(d.b)
        case .bor, .bxor: return operand(d.a) | operand(d.b)
        case .iadd:
            let a = operand(d.a), b = operand(d.b)
            return a & b == 0 ? a | b : .max
        case .ishl, .ushr:
            guard let k = f.intConstant(Value(index: Int(d.b))) else { return .max }
            let m = operand(d.a), s = UInt32(k & 31)
            return d.opcode == .ishl ? m << s : m >> s
        case .uload8: return 0xff
        case .uload16: return 0xffff
        case .icmp, .fcmp, .eqz: return 1
        default: return .max
        }
    }

    /// The two pieces of an i32 `x` built by `bor`, `bxor` or carry-free `iadd`.
    static func pieces(_ x: Value, _ f: Function) -> (Value, Value)? {
        guard let inst = f.definingInst(x), [.bor, .bxor, .iadd].contains(f.dfg[inst].opcode) else { return nil }
        let d = f.dfg[inst]
        let p = f.dfg.resolve(Value(index: Int(d.a))), q = f.dfg.resolve(Value(index: Int(d.b)))
        switch d.opcode {
        case .bor, .bxor: return (p, q)
        case .iadd: return mayBeOne(p, f) & mayBeOne(q, f) == 0 ? (p, q) : nil
        default: return nil
        }
    }

    /// A simpler value for the i32 unpack `inst` (`band` with a constant, shift right by a constant), inserted before it if needed.
    static func forward(_ inst: Inst, _ f: inout Function) -> Value? {
        let d = f.dfg[inst]
        guard let r = f.dfg.firstResult(inst), f.dfg.type(of: r) == .i32 else { return nil }
        let a = f.dfg.resolve(Value(index: Int(d.a))), b = f.dfg.resolve(Value(index: Int(d.b)))
        switch d.opcode {
        case .band:
            let (x, maskValue) = f.intConstant(b) != nil ? (a, b) : (b, a)
            guard let m = f.intConstant(maskValue).map({ UInt32(truncatingIfNeeded: $0) }), let pq = pieces(x, f) else { return nil }
            let (p, q) = pq
            for (kept, dropped) in [(p, q), (q, p)] where mayBeOne(dropped, f) & m == 0 {
                // x & M = (kept & M) | (dropped & M) = kept & M; that is kept when kept has no bit outside M.
                if mayBeOne(kept, f) & ~m == 0 { return kept }
                return f.insertValue(InstructionData(opcode: .band, a: kept.raw, b: maskValue.raw), before: inst)
            }
            return nil
        case .ushr, .sshr:
            guard let count = f.intConstant(b), let pq = pieces(a, f) else { return nil }
            let (p, q) = pq
            let k = UInt32(count & 31)
            guard k > 0 else { return nil }
            for (high, low) in [(q, p), (p, q)] where mayBeOne(low, f) >> k == 0 {
                // Only bits k and up of x are read, and low has none there, so x >> k = high >> k.
                if let shl = f.definingInst(high), f.dfg[shl].opcode == .ishl,
                   f.intConstant(Value(index: Int(f.dfg[shl].b))).map({ $0 & 31 }) == UInt64(k) {
                    let piece = f.dfg.resolve(Value(index: Int(f.dfg[shl].a)))
                    if d.opcode == .ushr && mayBeOne(piece, f) >> (32 - k) == 0 {
                        return piece  // (piece << k) >>u k keeps the low 32-k bits of piece: all of it.
                    }
                    if d.opcode == .sshr && (k == 16 || k == 24) {
                        // (piece << k) >>s k sign-extends the low 32-k bits of piece.
                        return f.insertValue(InstructionData(opcode: k == 16 ? .sext16 : .sext8, a: piece.raw), before: inst)
                    }
                }
                return f.insertValue(InstructionData(opcode: d.opcode, a: high.raw, b: b.raw), before: inst)
            }
            return nil
        default:
            return nil
        }
    }
}
