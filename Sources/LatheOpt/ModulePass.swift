import LatheIR

/// Options module passes read: the optimization level's budgets and the user's inlining requests.
public struct ModulePassOptions: Sendable, Equatable {
    /// Inline small callees with several call sites (at -O3), under `inlineGrowthBudget`.
    public var inlinesMultiSiteCallees = false
    /// Largest callee (instructions) inlined at every call site whatever the count (tiny callees).
    public var tinyCalleeSize = 12
    /// Largest callee (instructions) inlined at its only call site.
    public var singleCallSiteSize = 2_000
    /// Largest callee (instructions) inlined at several call sites when `inlinesMultiSiteCallees`.
    public var multiSiteCalleeSize = 40
    /// Most instructions inlining may add to one caller, beyond tiny and hinted callees (bounds code growth).
    public var inlineGrowthBudget = 4_000

    public init() {}
}

/// A transformation of the whole program at once (it sees every function, so it runs alone, between function passes).
public protocol ModulePass: Sendable {
    /// The name used by `--passes` and in pipelines.
    var name: String { get }
    /// One line saying what the pass does, for `lathe passes`.
    var summary: String { get }
    /// Transforms `program`; returns the entry indices of the functions it changed (their analyses are dropped).
    func run(_ program: inout ProgramIR, options: ModulePassOptions) -> Set<Int>
}
