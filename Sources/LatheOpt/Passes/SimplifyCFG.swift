import LatheEntity
import LatheIR

/// `simplify-cfg`: folds constant and one-way branches, forwards edges past empty blocks, threads
/// jumps through blocks that only branch on a value the jump passes as a constant, removes blocks
/// unreachable from the entry and merges each block into its only predecessor when that
/// predecessor ends in an unconditional jump to it; repeated until nothing changes.
///
/// A merged block's parameters become the jump's arguments. A block that is its own predecessor or
/// the entry block is never merged.
public struct SimplifyCFG: FunctionPass {
    public init() {}
    public var name: String { "simplify-cfg" }
    public var summary: String { "Folds constant branches, forwards edges past empty blocks, threads jumps, removes unreachable blocks, merges straight lines." }
    public var preserves: Analyses { .none }

    /// Rounds of the rewrite loop; each round costs a CFG and a dominator tree, and almost every
    /// function settles in two or three.
    static let maxRounds = 8

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        var changed = false
        for _ in 0..<Self.maxRounds {
            var round = foldBranches(&f)
            if round { analyses.invalidate() }
            if removeUnreachable(&f, analyses.dominators(f)) { round = true; analyses.invalidate() }
            var edits = EdgeEdits(f, analyses.cfg(f), analyses.dominators(f))
            // Threading first: it reads the round's dominator tree for loop headers, which forwarding would change.
            if edits.threadJumps(&f) { round = true }
            if edits.forwardEmptyBlocks(&f) { round = true }
            if round { analyses.invalidate() }
            if removeUnreachable(&f, analyses.dominators(f)) { round = true; analyses.invalidate() }
            if mergeStraightLines(&f, entry: entry, analyses.cfg(f)) { round = true; analyses.invalidate() }
            guard round else { break }
            changed = true
        }
        return changed
    }

    /// Turns each `brif`/`br_table` that always takes the same edge into a `jump` along it.
    ///
    /// Precondition per rewrite: the condition (index) is an `iconst`, so the interpreter's choice
    /// is known (`brif`: nonzero takes the first edge; `br_table`: an index past the table takes
    /// the default); or every edge names the same block with the same arguments, so whichever is
    /// taken does the same. The condition has no effect of its own, so dropping its use is safe.
    func foldBranches(_ f: inout Function) -> Bool {
        var changed = false
        var block = f.layout.entryBlock
        while let b = block {
            block = f.layout.nextBlock(b)
            guard let term = f.layout.lastInst(b) else { continue }
            let d = f.dfg[term]
            guard d.opcode == .brif || d.opcode == .brTable else { continue }
            let count = f.dfg.blockCallCount(term)
            var taken: Int? = nil
            let condition = Value(index: Int(d.a))
            if let bits = f.intConstant(condition) {
                let value = bits & Semantics.mask(f.dfg.type(of: f.dfg.resolve(condition)).bits)
                taken = d.opcode == .brif ? (value != 0 ? 0 : 1) : SCCPSolver.tableEdge(index: value, count: count)
            } else {
                let first = f.dfg.blockCall(term, edge: 0)
                let firstArgs = f.dfg.blockCallArgs(first).map { f.dfg.resolve($0) }
                if (1..<count).allSatisfy({ edge in
                    let call = f.dfg.blockCall(term, edge: edge)
                    return f.dfg.blockCallTarget(call) == f.dfg.blockCallTarget(first) && f.dfg.blockCallArgs(call).map { f.dfg.resolve($0) } == firstArgs
                }) { taken = 0 }
            }
            guard let edge = taken else { continue }
            let call = f.dfg.blockCall(term, edge: edge)
            // A `br_table`'s list may be shared with another table; a fresh copy belongs to this jump alone.
            let own = d.opcode == .brTable ? f.dfg.makeBlockCall(f.dfg.blockCallTarget(call), f.dfg.blockCallArgs(call)) : call
            f.dfg[term] = InstructionData(opcode: .jump, a: own.handle)
            changed = true
        }
        return changed
    }

    /// Deletes every block the entry cannot reach, with its instructions.
    func removeUnreachable(_ f: inout Function, _ dom: DominatorTree) -> Bool {
        var changed = false
        for b in f.layout.blocks where !dom.isReachable(b) {
            while let i = f.layout.lastInst(b) { f.layout.removeInst(i) }
            f.layout.removeBlock(b)
            changed = true
        }
        return changed
    }

    /// Merges `jump`-connected pairs whose target has that jump as its only incoming edge.
    func mergeStraightLines(_ f: inout Function, entry: Block, _ cfg: ControlFlowGraph) -> Bool {
        // Predecessor edge counts; merging `s` into `p` makes `p` the source of `s`'s edges, so counts stay right.
        var incoming = SecondaryMap<Block, Int32>(default: 0)
        for b in f.layout.blocks { incoming[b] = Int32(cfg.predecessors[b].count) }
        var merged = false
        var block = f.layout.entryBlock
        while let p = block {
            while let term = f.layout.lastInst(p), f.dfg[term].opcode == .jump {
                let call = f.dfg.blockCall(term, edge: 0)
                let s = f.dfg.blockCallTarget(call)
                guard s != p, s != entry, incoming[s] == 1 else { break }
                for (param, arg) in zip(f.dfg.params(s), f.dfg.blockCallArgs(call)) { f.dfg.makeAlias(param, of: arg) }
                f.layout.removeInst(term)
                while let i = f.layout.firstInst(s) {
                    f.layout.removeInst(i)
                    f.layout.appendInst(i, to: p)
                }
                f.layout.removeBlock(s)
                merged = true
            }
            block = f.layout.nextBlock(p)
        }
        // Later passes and the lowerer read operands directly, so replace the parameters' aliases.
        if merged { f.dfg.resolveAllAliases() }
        return merged
    }
}
