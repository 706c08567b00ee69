import Foundation

/// The pass pipeline of each optimization level, as lists of registered pass names.
///
/// Levels differ once more passes exist; for now every level cleans up the control flow left by
/// lifting, then removes the instructions that became dead.
public enum Pipelines {
    /// Level (the text after `-O`) and its passes, in order.
    public static let levels: [(level: String, passes: [String])] = [
        ("1", ["simplify-cfg", "dce"]),
        ("2", ["simplify-cfg", "dce"]),
        ("3", ["simplify-cfg", "dce"]),
        ("s", ["simplify-cfg", "dce"]),
        ("z", ["simplify-cfg", "dce"]),
    ]

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
