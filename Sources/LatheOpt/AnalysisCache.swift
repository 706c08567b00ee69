import LatheIR

/// Analyses of one function, computed when first asked for and kept until a pass invalidates them.
///
/// A pass that changes the control flow and then asks for an analysis again must call `invalidate`
/// first; the pass manager invalidates whatever a pass that changed the function does not preserve.
public struct AnalysisCache: Sendable {
    private var cfgStorage = ControlFlowGraph()
    private var dominatorStorage = DominatorTree()
    /// Analyses currently valid.
    public private(set) var valid: Analyses = []
    /// How many times each analysis was computed (to test caching and invalidation).
    public private(set) var cfgComputations = 0
    public private(set) var dominatorComputations = 0

    public init() {}

    /// The control flow graph of `f`.
    public mutating func cfg(_ f: Function) -> ControlFlowGraph {
        if !valid.contains(.cfg) {
            cfgStorage.compute(f)
            valid.insert(.cfg)
            cfgComputations += 1
        }
        return cfgStorage
    }

    /// The dominator tree of `f` (empty for a function without blocks).
    public mutating func dominators(_ f: Function) -> DominatorTree {
        if !valid.contains(.dominators) {
            let graph = cfg(f)
            if let entry = f.entryBlock { dominatorStorage.compute(cfg: graph, entry: entry) } else { dominatorStorage = DominatorTree() }
            valid.insert(.dominators)
            dominatorComputations += 1
        }
        return dominatorStorage
    }

    /// Forgets every analysis not in `preserved`; the dominator tree goes with the CFG.
    public mutating func invalidate(keeping preserved: Analyses = .none) {
        var keep = valid.intersection(preserved)
        if !keep.contains(.cfg) { keep.remove(.dominators) }
        valid = keep
    }
}
