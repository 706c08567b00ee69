import LatheEntity
import LatheIR

/// `merge-blocks`: merges identical blocks. Every edge into a block identical to an earlier one
/// (in layout order) goes to the earlier one, and the copy is deleted; repeated, since merging
/// successors can make their predecessors identical.
///
/// Two blocks are identical when they have the same parameter types and the same instructions in
/// order (opcode, immediates, result types), each operand the same value or the corresponding
/// parameter or earlier result of its own block, and the same terminator (same destinations, with
/// arguments mapped the same way). Such blocks do the same thing from the same inputs: exactly one
/// of them runs on each visit, so instructions with effects (stores, calls, traps) merge too.
/// Preconditions: the block is not the entry, is reachable, and no other block reads one of its
/// values (parameters or results): after the merge a reader could be reached from the other
/// block's predecessors. Operands defined outside are the same values in both blocks, so they
/// dominate both and therefore every predecessor of the kept one.
public struct MergeIdenticalBlocks: FunctionPass {
    public init() {}
    public var name: String { "merge-blocks" }
    public var summary: String { "Merges identical blocks (same instructions, operands and destinations): edges into a copy go to the first one." }
    public var preserves: Analyses { .none }

    /// Rounds at most; each merges at least one block and costs one pass over the function.
    static let maxRounds = 32

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        var changed = false
        for _ in 0..<Self.maxRounds {
            let dom = analyses.dominators(f)
            let escaping = f.valuesReadOutsideTheirBlock()
            var firstWithKey: [[UInt64]: Block] = [:]
            var replacement = SecondaryMap<Block, Block>(default: .reservedValue)
            var copies: [Block] = []
            for b in f.layout.blocks where b != entry && dom.isReachable(b) {
                guard let key = blockKey(f, b, escaping) else { continue }
                if let first = firstWithKey[key] {
                    replacement[b] = first
                    copies.append(b)
                } else {
                    firstWithKey[key] = b
                }
            }
            guard !copies.isEmpty else { break }
            redirect(&f, replacement)
            for b in copies {
                while let i = f.layout.lastInst(b) { f.layout.removeInst(i) }
                f.layout.removeBlock(b)
            }
            analyses.invalidate()
            changed = true
        }
        return changed
    }

    /// Points every destination naming a replaced block at its replacement (kept blocks are never
    /// replaced, so a table shared by several branches may be visited twice).
    func redirect(_ f: inout Function, _ replacement: SecondaryMap<Block, Block>) {
        var block = f.layout.entryBlock
        while let b = block {
            block = f.layout.nextBlock(b)
            guard let term = f.layout.lastInst(b) else { continue }
            for edge in 0..<f.dfg.blockCallCount(term) {
                let call = f.dfg.blockCall(term, edge: edge)
                let kept = replacement[f.dfg.blockCallTarget(call)]
                if !kept.isReserved { f.dfg.pool.set(call, 0, Value(index: kept.index)) }
            }
        }
    }

    /// A description of `b` equal for identical blocks only; nil when `b` may not merge (one of its
    /// values is read outside it).
    ///
    /// Operands are written as their own block's parameter number, the position of the earlier
    /// instruction defining them and its result number, or the value itself when defined outside.
    func blockKey(_ f: Function, _ b: Block, _ escaping: EntitySet<Value>) -> [UInt64]? {
        var key: [UInt64] = []
        var local: [Value: UInt64] = [:]
        let params = f.dfg.params(b)
        key.append(UInt64(params.count))
        for (k, p) in params.enumerated() {
            if escaping.contains(p) { return nil }
            key.append(UInt64(f.dfg.type(of: p).raw))
            local[p] = 1 << 62 | UInt64(k)
        }
        var position: UInt64 = 0
        var inst = f.layout.firstInst(b)
        while let i = inst {
            let d = f.dfg[i]
            let results = f.dfg.results(of: i)
            let fields = Self.immediateFields(d)
            key.append(UInt64(d.opcode.rawValue) | UInt64(d.imm8) << 8 | UInt64(d.imm16) << 16 | UInt64(results.count) << 32)
            key.append(UInt64(fields.a) | UInt64(fields.b) << 32)
            key.append(UInt64(fields.c))
            let operands = f.dfg.valueOperands(i)
            key.append(UInt64(operands.count))
            for v in operands {
                let r = f.dfg.resolve(v)
                key.append(local[r] ?? (3 << 62 | UInt64(r.raw)))
            }
            for edge in 0..<f.dfg.blockCallCount(i) {
                key.append(UInt64(f.dfg.blockCallTarget(f.dfg.blockCall(i, edge: edge)).raw))
            }
            for (n, r) in results.enumerated() {
                if escaping.contains(r) { return nil }
                key.append(UInt64(f.dfg.type(of: r).raw))
                local[r] = 2 << 62 | position << 16 | UInt64(n)
            }
            position += 1
            inst = f.layout.nextInst(i)
        }
        return key
    }

    /// The payload words of `d` that are not value operands or operand lists (those are compared
    /// through `valueOperands`); the others read as zero.
    static func immediateFields(_ d: InstructionData) -> (a: UInt32, b: UInt32, c: UInt32) {
        switch d.format {
        case .nullary, .intConst, .floatConst, .vectorConst, .memorySize, .globalGet, .tableSize, .refNull, .refFunc, .trap, .segmentDrop:
            return (d.a, d.b, d.c)
        case .unary, .extractLane, .load, .memoryGrow, .condTrap:
            return (0, d.b, d.c)
        case .binary, .intCompare, .floatCompare, .shuffle, .insertLane, .store, .memoryLane:
            return (0, 0, d.c)
        case .ternary, .memoryCopy, .memoryFill, .memoryInit, .tableInit, .tableCopy, .tableFill:
            return (0, 0, 0)
        case .globalSet, .tableGet:
            return (d.a, 0, d.c)
        case .tableSet, .tableGrow:
            return (d.a, 0, 0)
        case .call, .callIndirect, .callRef, .return:
            return (d.a, 0, d.c)
        case .jump, .branch, .branchTable:
            return (0, 0, 0)
        }
    }
}

extension Function {
    /// Values (aliases resolved) read by an instruction outside the block that defines them.
    func valuesReadOutsideTheirBlock() -> EntitySet<Value> {
        var escaping = EntitySet<Value>()
        var block = layout.entryBlock
        while let b = block {
            var inst = layout.firstInst(b)
            while let i = inst {
                for v in dfg.valueOperands(i) {
                    let r = dfg.resolve(v)
                    if definingBlock(r) != b { _ = escaping.insert(r) }
                }
                inst = layout.nextInst(i)
            }
            block = layout.nextBlock(b)
        }
        return escaping
    }
}
