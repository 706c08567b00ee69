import LatheIR

/// Analyses of one function, computed when first asked for and kept until a pass invalidates them.
///
/// A pass that changes the control flow and then asks for an analysis again must call `invalidate`
/// first; the pass manager invalidates whatever a pass that changed the function does not preserve.
public struct AnalysisCache: Sendable {
    private var cfgStorage = ControlFlowGraph()
    private var dominatorStorage = DominatorTree()
    private var loopStorage = LoopForest()
    private var memoryEffectsStorage = MemoryEffects()
    private var loopEffectsStorage: [MemoryEffects.Summary] = []
    /// Whether `loopEffectsStorage` describes the current loops and memory effects.
    private var loopEffectsValid = false
    /// Analyses currently valid.
    public private(set) var valid: Analyses = []
    /// How many times each analysis was computed (to test caching and invalidation).
    public private(set) var cfgComputations = 0
    public private(set) var dominatorComputations = 0
    public private(set) var loopComputations = 0
    public private(set) var memoryEffectsComputations = 0
    public private(set) var loopEffectsComputations = 0

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

    /// The natural loops of `f`.
    public mutating func loops(_ f: Function) -> LoopForest {
        if !valid.contains(.loops) {
            let graph = cfg(f)
            let dom = dominators(f)
            loopStorage.compute(cfg: graph, dominators: dom)
            valid.insert(.loops)
            loopComputations += 1
        }
        return loopStorage
    }

    /// What each block of `f` writes (memory, globals, calls).
    public mutating func memoryEffects(_ f: Function) -> MemoryEffects {
        if !valid.contains(.memoryEffects) {
            memoryEffectsStorage.compute(f)
            valid.insert(.memoryEffects)
            memoryEffectsComputations += 1
        }
        return memoryEffectsStorage
    }

    /// What each natural loop of `f` writes, indexed like `loops(f).loops` (inner loops' writes included).
    public mutating func loopEffects(_ f: Function) -> [MemoryEffects.Summary] {
        if !loopEffectsValid || !valid.isSuperset(of: [.loops, .memoryEffects]) {
            let forest = loops(f)
            loopEffectsStorage = memoryEffects(f).loopSummaries(forest)
            loopEffectsValid = true
            loopEffectsComputations += 1
        }
        return loopEffectsStorage
    }

    /// Forgets every analysis not in `preserved`; the dominator tree goes with the CFG, the loops with the dominator tree.
    public mutating func invalidate(keeping preserved: Analyses = .none) {
        var keep = valid.intersection(preserved)
        if !keep.contains(.cfg) { keep.remove(.dominators) }
        if !keep.contains(.dominators) { keep.remove(.loops) }
        if !keep.isSuperset(of: [.loops, .memoryEffects]) { loopEffectsValid = false }
        valid = keep
    }
}
