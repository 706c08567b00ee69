import LatheEntity
import LatheIR

/// `simplify-cfg`: removes blocks unreachable from the entry, then merges each block into its only
/// predecessor when that predecessor ends in an unconditional jump to it.
///
/// A merged block's parameters become the jump's arguments. A block that is its own predecessor or
/// the entry block is never merged.
public struct SimplifyCFG: FunctionPass {
    public init() {}
    public var name: String { "simplify-cfg" }
    public var summary: String { "Removes unreachable blocks; merges a block into its only predecessor when that one jumps straight to it." }
    public var preserves: Analyses { .none }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        let removed = removeUnreachable(&f, analyses.dominators(f))
        if removed { analyses.invalidate() }
        let merged = mergeStraightLines(&f, entry: entry, analyses.cfg(f))
        return removed || merged
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
