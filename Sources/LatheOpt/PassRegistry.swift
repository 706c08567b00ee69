import Foundation

/// One position of a pipeline: a pass over each function, or a pass over the whole program.
public enum PipelineStep: Sendable {
    case function(any FunctionPass)
    case module(any ModulePass)

    public var name: String {
        switch self {
        case .function(let p): p.name
        case .module(let p): p.name
        }
    }

    public var summary: String {
        switch self {
        case .function(let p): p.summary
        case .module(let p): p.summary
        }
    }
}

/// Every pass by name: what `--passes` and the pipelines can name, and what `lathe passes` lists.
public struct PassRegistry: Sendable {
    /// Registered function passes in listing order.
    public private(set) var passes: [any FunctionPass] = []
    /// Registered module passes in listing order (listed after the function passes).
    public private(set) var modulePasses: [any ModulePass] = []

    public init(_ passes: [any FunctionPass] = [], modulePasses: [any ModulePass] = []) {
        for p in passes { register(p) }
        for p in modulePasses { register(p) }
    }

    /// The passes Lathe ships.
    public static let standard = PassRegistry([
        DeadCodeElimination(),
        SimplifyCFG(),
        MergeIdenticalBlocks(),
        AggressiveDeadCodeElimination(),
        PackedScalarForwarding(),
        SelectConversion(),
        GlobalValueNumbering(),
        LoopInvariantCodeMotion(),
        SparseConditionalConstantPropagation(),
        InstCombine(),
        DeadStoreElimination(),
    ], modulePasses: [
        Inline(),
        Directize(),
        MergeFunctions(),
        RemoveUnusedModuleElements(),
    ])

    /// Adds a function pass, replacing any pass registered under the same name.
    public mutating func register(_ pass: any FunctionPass) {
        modulePasses.removeAll { $0.name == pass.name }
        if let k = passes.firstIndex(where: { $0.name == pass.name }) { passes[k] = pass } else { passes.append(pass) }
    }

    /// Adds a module pass, replacing any pass registered under the same name.
    public mutating func register(_ pass: any ModulePass) {
        passes.removeAll { $0.name == pass.name }
        if let k = modulePasses.firstIndex(where: { $0.name == pass.name }) { modulePasses[k] = pass } else { modulePasses.append(pass) }
    }

    /// Every registered pass as a pipeline step, function passes first.
    public var steps: [PipelineStep] { passes.map { .function($0) } + modulePasses.map { .module($0) } }

    /// The pass registered as `name`.
    public func pass(named name: String) throws(OptError) -> PipelineStep {
        if let p = passes.first(where: { $0.name == name }) { return .function(p) }
        if let p = modulePasses.first(where: { $0.name == name }) { return .module(p) }
        throw .unknownPass(name)
    }

    /// The passes named, in order; the first unknown name is an error.
    public func resolve(_ names: [String]) throws(OptError) -> [PipelineStep] {
        var out: [PipelineStep] = []
        for n in names { out.append(try pass(named: n)) }
        return out
    }

    /// One line per pass: name, then its summary (module passes say so).
    public var listing: String {
        let all = steps
        let width = all.map(\.name.count).max() ?? 0
        return all.map { step in
            let kind = if case .module = step { "(module) " } else { "" }
            return step.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + kind + step.summary
        }.joined(separator: "\n")
    }
}
