import LatheEntity
import LatheIR

/// The size cost model for constants: rematerialized at each use, or computed once into a local.
///
/// A constant rematerialized costs its encoding at every use. Kept in a local it costs its
/// encoding once, a `local.set` (or a `local.tee` when it sits right before its first user) and a
/// `local.get` per use, plus possibly a local declaration. Constants are pure and their definition
/// dominates every use (the IR is in SSA form), so reading the local at each use gives the same
/// value as rematerializing it; only the byte count differs.
extension LowerState {
    /// Bytes of a `local.get`/`local.set`: an opcode and (assumed) a one-byte local index.
    static let localAccessBytes = 2
    /// Bytes charged for the local a kept constant may add to the declarations.
    static let localDeclarationBytes = 1

    /// Bytes of a signed LEB128 encoding of `v`.
    static func signedLEBSize(_ v: Int64) -> Int {
        var v = v, n = 1
        while !(v >= -64 && v < 64) { v >>= 7; n += 1 }
        return n
    }

    /// Encoded size of the constant instruction `i`, or nil when it is always rematerialized.
    func constantBytes(_ i: Inst) -> Int? {
        let d = data(i)
        switch d.opcode {
        case .iconst:
            let r = result(i, 0)
            let v = typeOf(r) == .i32 ? Int64(Int32(truncatingIfNeeded: d.imm64)) : Int64(bitPattern: d.imm64)
            return 1 + Self.signedLEBSize(v)
        case .fconst:
            return typeOf(result(i, 0)) == .f32 ? 5 : 9
        case .vconst:
            return 18
        default:
            return nil
        }
    }

    /// Whether `uses` reads of a constant of `bytes` bytes are smaller from a local than rematerialized.
    static func keepsConstantInLocal(bytes: Int, uses: Int) -> Bool {
        guard uses >= 2 else { return false }
        let remat = bytes * uses
        let kept = bytes + localAccessBytes + localAccessBytes * uses + localDeclarationBytes
        return kept < remat
    }

    /// Clears the rematerialize flag of the constants cheaper kept in a local (run after dead code is
    /// marked, so use counts are final, and before stackifying, which then treats them as ordinary values).
    mutating func keepCostlyConstants(_ order: [Block]) {
        var candidates: [Inst] = []
        for n in instList.indices {
            let i = instList[n]
            if isRemat(i), uses[result(i, 0)] >= 2, let bytes = constantBytes(i), bytes > Self.localAccessBytes { candidates.append(i) }
        }
        guard !candidates.isEmpty else { return }
        // Reads the emitted code makes: operands of live instructions, and edge arguments of used
        // parameters (an argument copied into an unused parameter is never emitted).
        var reads = ScratchMap<Value, Int>(default: 0)
        reads.grow(to: f.dfg.valueCount)
        for b in order {
            let range = instRange(b)
            for n in range where !has(instList[n], InstFlags.dead) {
                for k in stackOps(instList[n]) { reads[ops[k]] += 1 }
            }
            guard let last = range.last else { continue }
            let term = instList[last]
            for j in 0..<edgeCount(term) {
                let e = edge(term, j)
                let t = target(e)
                for k in 0..<paramCount(t) where uses[param(t, k)] > 0 { reads[arg(e, k)] += 1 }
            }
        }
        for i in candidates {
            guard let bytes = constantBytes(i) else { continue }
            if Self.keepsConstantInLocal(bytes: bytes, uses: reads[result(i, 0)]) { flags[i] &= ~InstFlags.remat }
        }
    }
}
