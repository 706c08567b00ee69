import LatheWasm

/// Turns a `block` left only by a conditional branch around its tail into an `if`.
///
/// `block S; c; br_if 0; T; end` (nothing in S branches to the block) runs S, then T when `c` is
/// zero; `S; c; i32.eqz; if T end` does the same in fewer bytes (a `block` and a `br_if` are four,
/// an `if` two). Branches inside T to the block's label now name the `if`, whose end is the same
/// place. S moves out of the block, so its branches to enclosing labels lose one level.
extension LoweredCode {
    /// The integer comparison giving the opposite answer (exact for integers, unlike float comparisons with NaN).
    static func negatedIntegerComparison(_ o: LatheWasm.Opcode) -> LatheWasm.Opcode? {
        switch o {
        case .i32Eq: .i32Ne
        case .i32Ne: .i32Eq
        case .i32LtS: .i32GeS
        case .i32GeS: .i32LtS
        case .i32LtU: .i32GeU
        case .i32GeU: .i32LtU
        case .i32GtS: .i32LeS
        case .i32LeS: .i32GtS
        case .i32GtU: .i32LeU
        case .i32LeU: .i32GtU
        case .i64Eq: .i64Ne
        case .i64Ne: .i64Eq
        case .i64LtS: .i64GeS
        case .i64GeS: .i64LtS
        case .i64LtU: .i64GeU
        case .i64GeU: .i64LtU
        case .i64GtS: .i64LeS
        case .i64LeS: .i64GtS
        case .i64GtU: .i64LeU
        case .i64LeU: .i64GtU
        default: nil
        }
    }

    /// The position of the `br_if 0` that makes the block opened at `p` an `if`, or nil: it must be
    /// the first branch to the block, directly inside it, with no `br_table` before it.
    func skippingBranch(ofBlockAt p: Int, removed: [Bool]) -> Int? {
        var depth = 0
        var q = p + 1
        while q < entries.count {
            defer { q += 1 }
            if removed[q] { continue }
            let e = entries[q]
            switch e.opcode {
            case .block, .loop, .if: depth += 1
            case .end:
                if depth == 0 { return nil }
                depth -= 1
            case .br, .brIf:
                if Int(e.a) == depth { return e.opcode == .brIf && depth == 0 ? q : nil }
            case .brTable, .`else`: return nil
            default: break
            }
        }
        return nil
    }

    /// Rewrites every such block into an `if` (see the extension's comment).
    mutating func blocksToIfs() {
        let n = entries.count
        var removed = [Bool](repeating: false, count: n)
        var eqzBefore = [Bool](repeating: false, count: n)
        var any = false
        for p in 0..<n where entries[p].opcode == .block && entries[p].shape == .emptyBlock && !removed[p] {
            guard let q = skippingBranch(ofBlockAt: p, removed: removed) else { continue }
            // Branches in S to labels outside the block lose the block's level.
            var depth = 0
            for s in (p + 1)..<q where !removed[s] {
                switch entries[s].opcode {
                case .block, .loop, .if: depth += 1
                case .end: depth -= 1
                case .br, .brIf: if Int(entries[s].a) > depth { entries[s].a -= 1 }
                default: break
                }
            }
            removed[p] = true
            entries[q] = Entry(opcode: .if, shape: .emptyBlock)
            // The `if` runs T when the condition is zero: negate it (the previous instruction produced it).
            var c = q - 1
            while c > p && removed[c] { c -= 1 }
            if c > p, entries[c].opcode == .i32Eqz {
                removed[c] = true
            } else if c > p, entries[c].shape == .none, let neg = Self.negatedIntegerComparison(entries[c].opcode) {
                entries[c].opcode = neg
            } else {
                eqzBefore[q] = true
            }
            any = true
        }
        guard any else { return }
        var out: [Entry] = []
        out.reserveCapacity(n + 8)
        for p in 0..<n where !removed[p] {
            if eqzBefore[p] { out.append(Entry(opcode: .i32Eqz, shape: .none)) }
            out.append(entries[p])
        }
        entries = out
    }
}
