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

    /// Rewrites every such block into an `if` (see the extension's comment), in two linear passes.
    ///
    /// The first pass finds, for each `block` with no parameters or results, its first branch; the
    /// block qualifies when that is a `br_if` directly inside it and no `br_table` or `else` came
    /// between the block's start and that branch. The second pass rewrites: a branch in S to a label
    /// outside loses one level per qualifying block it leaves while still in that block's S, which a
    /// running count per open construct gives without walking the stack.
    mutating func blocksToIfs() {
        let n = entries.count
        struct Open { var position: Int; var awaitsFirstBranch: Bool; var poisonAtOpen: Int }
        var open: [Open] = []
        var poison = 0
        /// For a qualifying block at p, the position of its `br_if`; for that position, p.
        var skippingBranch = [Int32](repeating: -1, count: n)
        var blockOfIf = [Int32](repeating: -1, count: n)
        var any = false
        for q in 0..<n {
            let e = entries[q]
            switch e.opcode {
            case .block, .loop, .if:
                open.append(Open(position: q, awaitsFirstBranch: e.opcode == .block && e.shape == .emptyBlock, poisonAtOpen: poison))
            case .end:
                _ = open.popLast()
            case .br, .brIf:
                let t = open.count - 1 - Int(e.a)
                guard t >= 0, open[t].awaitsFirstBranch else { break }
                open[t].awaitsFirstBranch = false
                if e.opcode == .brIf, t == open.count - 1, open[t].poisonAtOpen == poison {
                    skippingBranch[open[t].position] = Int32(q)
                    blockOfIf[q] = Int32(open[t].position)
                    any = true
                }
            case .brTable, .else:
                poison += 1
            default: break
            }
        }
        guard any else { return }
        var removed = [Bool](repeating: false, count: n)
        var eqzBefore = [Bool](repeating: false, count: n)
        /// Per open construct: how many qualifying blocks still in their S part are open, it included.
        var inS: [Int] = []
        for s in 0..<n {
            let e = entries[s]
            switch e.opcode {
            case .block, .loop, .if:
                let qualifies = e.opcode == .block && skippingBranch[s] >= 0
                inS.append((inS.last ?? 0) + (qualifies ? 1 : 0))
                if qualifies { removed[s] = true }
            case .end:
                _ = inS.popLast()
            case .br, .brIf:
                let p = Int(blockOfIf[s])
                if p >= 0 {
                    // The block's own branch: it becomes the `if`, and the block's S part ends here.
                    inS[inS.count - 1] -= 1
                    entries[s] = Entry(opcode: .if, shape: .emptyBlock)
                    // The `if` runs T when the condition is zero: negate it (the previous instruction produced it).
                    let c = s - 1
                    if c > p, entries[c].opcode == .i32Eqz {
                        removed[c] = true
                    } else if c > p, entries[c].shape == .none, let neg = Self.negatedIntegerComparison(entries[c].opcode) {
                        entries[c].opcode = neg
                    } else {
                        eqzBefore[s] = true
                    }
                } else if let top = inS.last {
                    let t = inS.count - 1 - Int(e.a)
                    entries[s].a -= UInt32(top - (t >= 0 ? inS[t] : 0))
                }
            default: break
            }
        }
        var out: [Entry] = []
        out.reserveCapacity(n + 8)
        for p in 0..<n where !removed[p] {
            if eqzBefore[p] { out.append(Entry(opcode: .i32Eqz, shape: .none)) }
            out.append(entries[p])
        }
        entries = out
    }
}
