import Foundation

/// The pass pipeline of each optimization level, as lists of registered pass names.
///
/// -O1 works function by function; -O2 and up also run module passes (directize, inline,
/// merge-functions, remove-unused), so they hold the whole module as IR, and inline twice (the second
/// time after the scalar passes removed dead calls); -O3 runs the full scalar passes twice and
/// inlines small callees with several call sites; -Os and -Oz inline only smaller callees.
public enum Pipelines {
    /// Cleanup after lifting: the inliner then sees callees at their real size.
    static let early = ["simplify-cfg", "sccp", "instcombine", "dce"]
    /// Whole-program steps: direct calls where the table is constant, then inlining.
    static let interprocedural = ["directize", "inline"]
    /// Scalar work on the inlined code: constants through the inlined bodies, local rewrites, packed
    /// values forwarded, branches to selects, one copy of each value (loads included), rewrites the
    /// merging exposed, invariants out of loops, overwritten stores and everything dead dropped, then
    /// identical blocks shared and the branches that leaves folded.
    static let late = ["simplify-cfg", "sccp", "instcombine", "sroa", "select", "gvn", "instcombine", "licm", "dse", "adce",
                       "merge-blocks", "simplify-cfg"]
    /// A second inlining round: calls the scalar passes proved dead are gone (constants folded through
    /// forwarded loads), so callees left with one call site now inline.
    static let reinline = ["sccp", "inline"]
    /// A lighter scalar round over what the second inlining brought in.
    static let cleanup = ["simplify-cfg", "sccp", "instcombine", "gvn", "dse", "adce", "merge-blocks", "simplify-cfg"]
    /// Whole-program cleanup: one copy of identical functions, then what nothing reaches any more.
    static let final = ["merge-functions", "remove-unused"]

    /// Level (the text after `-O`) and its passes, in order.
    public static let levels: [(level: String, passes: [String])] = [
        ("1", ["simplify-cfg", "instcombine", "select", "gvn", "dse", "adce", "merge-blocks", "simplify-cfg"]),
        ("2", early + interprocedural + late + reinline + cleanup + final),
        ("3", early + interprocedural + late + reinline + late + final),
        ("s", early + interprocedural + late + reinline + cleanup + final),
        ("z", early + interprocedural + late + reinline + cleanup + final),
    ]

    /// The budgets of module passes at `-O<level>`: -O3 also inlines small callees with several
    /// call sites; -Os and -Oz inline only where code does not grow much (tiny callees, single sites).
    public static func moduleOptions(forLevel level: String) -> ModulePassOptions {
        var options = ModulePassOptions()
        switch level {
        case "3":
            options.inlinesMultiSiteCallees = true
        case "s":
            options.tinyCalleeSize = 8
        case "z":
            options.tinyCalleeSize = 4
        default:
            break
        }
        return options
    }

    /// The passes of `-O<level>`; `0` has none (the module is read, validated and written).
    public static func passes(forLevel level: String) throws(OptError) -> [String] {
        if level == "0" { return [] }
        guard let entry = levels.first(where: { $0.level == level }) else { throw .unknownLevel(level) }
        return entry.passes
    }

    /// Splits `--passes a,b,c` into names (checked against a registry when the pass manager is built).
    public static func parse(_ list: String) throws(OptError) -> [String] {
        let names = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if names.contains("") { throw .emptyPassName(list) }
        return names
    }
}
