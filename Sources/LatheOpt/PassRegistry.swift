import Foundation

/// Every function pass by name: what `--passes` and the pipelines can name, and what `lathe passes` lists.
public struct PassRegistry: Sendable {
    /// Registered passes in listing order.
    public private(set) var passes: [any FunctionPass] = []

    public init(_ passes: [any FunctionPass] = []) {
        for p in passes { register(p) }
    }

    /// The passes Lathe ships.
    public static let standard = PassRegistry([
        DeadCodeElimination(),
        SimplifyCFG(),
        SparseConditionalConstantPropagation(),
        InstCombine(),
    ])

    /// Adds a pass, replacing one registered under the same name.
    public mutating func register(_ pass: any FunctionPass) {
        if let k = passes.firstIndex(where: { $0.name == pass.name }) { passes[k] = pass } else { passes.append(pass) }
    }

    /// The pass registered as `name`.
    public func pass(named name: String) throws(OptError) -> any FunctionPass {
        guard let p = passes.first(where: { $0.name == name }) else { throw .unknownPass(name) }
        return p
    }

    /// The passes named, in order; the first unknown name is an error.
    public func resolve(_ names: [String]) throws(OptError) -> [any FunctionPass] {
        var out: [any FunctionPass] = []
        for n in names { out.append(try pass(named: n)) }
        return out
    }

    /// One line per pass: name, then its summary.
    public var listing: String {
        let width = passes.map(\.name.count).max() ?? 0
        return passes.map { $0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n")
    }
}
