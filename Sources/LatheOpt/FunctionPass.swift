import LatheIR

/// Analyses a pass can keep valid across its changes (see `AnalysisCache`).
public struct Analyses: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Predecessors and successors of each block.
    public static let cfg = Analyses(rawValue: 1 << 0)
    /// The dominator tree (also reachability from the entry); only valid together with `cfg`.
    public static let dominators = Analyses(rawValue: 1 << 1)

    /// The natural loops (`LoopForest`); only valid together with `dominators`.
    public static let loops = Analyses(rawValue: 1 << 2)
    /// What each block writes (`MemoryEffects`): lists of writing instructions and calls. Passes
    /// that never add, remove or move a memory or global write or a call may keep it.
    public static let memoryEffects = Analyses(rawValue: 1 << 3)
    public static let none: Analyses = []
    public static let all: Analyses = [.cfg, .dominators, .loops, .memoryEffects]
}

/// A transformation of one function at a time; holds no state, so one instance serves every thread.
public protocol FunctionPass: Sendable {
    /// The name used by `--passes` and in pipelines (`dce`, `simplify-cfg`).
    var name: String { get }
    /// One line saying what the pass does, for `lathe passes`.
    var summary: String { get }
    /// Analyses still valid after the pass changed a function (unchanged functions keep all of them).
    var preserves: Analyses { get }
    /// Transforms `f`; returns whether it changed anything. Analyses asked of `analyses` describe `f` as it was when computed.
    func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool
}
