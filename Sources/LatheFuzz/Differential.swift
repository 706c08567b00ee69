import LatheOpt
import LatheWasm
import WasmKit

/// What to compare a module against: the optimizer at a level, with given passes, or the bare round trip.
public struct FuzzConfiguration: Sendable {
    /// How the configuration is written on the command line (`-O3`, `--passes a,b`, `--roundtrip`).
    public var name: String
    public var passes: [String]
    /// The level whose module-pass budgets apply.
    public var level: String
    public var registry: PassRegistry
    /// Verify the IR after every pass (a broken function is then reported with the pass's name).
    public var verifyEach = true

    public init(name: String, passes: [String], level: String = "2", registry: PassRegistry = .standard) {
        self.name = name
        self.passes = passes
        self.level = level
        self.registry = registry
    }

    /// `-O<level>`.
    public static func level(_ l: String) throws -> FuzzConfiguration {
        FuzzConfiguration(name: "-O\(l)", passes: try Pipelines.passes(forLevel: l), level: l)
    }

    /// Lift, verify and lower with no passes.
    public static let roundTrip = FuzzConfiguration(name: "--roundtrip", passes: [])

    /// `--passes a,b` (run with `level`'s module budgets).
    public static func passes(_ list: String, level: String = "2", registry: PassRegistry = .standard) throws -> FuzzConfiguration {
        let names = try Pipelines.parse(list)
        _ = try registry.resolve(names)
        return FuzzConfiguration(name: "--passes \(list)", passes: names, level: level, registry: registry)
    }

    /// The optimized module, validated; throws a description when the optimizer fails or its output is invalid.
    public func optimize(_ module: LatheWasm.Module) throws(MismatchError) -> LatheWasm.Module {
        let out: LatheWasm.Module
        do {
            var manager = try PassManager(pipeline: passes, registry: registry, verifyEach: verifyEach)
            manager.moduleOptions = Pipelines.moduleOptions(forLevel: level)
            (out, _) = try WasmOptimizer.optimize(module, manager: manager, threads: 1, verifyLifted: verifyEach)
        } catch {
            throw MismatchError(kind: .optimizerFailed, detail: "\(error)")
        }
        do { try ModuleValidator.validate(out) } catch {
            throw MismatchError(kind: .invalidOutput, detail: "\(error)")
        }
        return out
    }
}

/// The optimizer failed or produced an invalid module.
public struct MismatchError: Error, Sendable {
    public var kind: Mismatch.Kind
    public var detail: String
}

/// A difference between a module and its optimized form.
public struct Mismatch: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case optimizerFailed = "optimizer failed"
        case invalidOutput = "invalid output"
        case instantiation = "instantiation differs"
        case result = "result differs"
        case trap = "trap differs"
        case state = "final memory or globals differ"
    }
    public var kind: Kind
    public var configuration: String
    /// The export called, and its arguments, when a call differs.
    public var export: String?
    public var arguments: String?
    public var expected: String
    public var got: String

    public var description: String {
        var s = "\(configuration): \(kind.rawValue)"
        if let export { s += " in \(export)(\(arguments ?? ""))" }
        return s + "\n  expected: \(expected)\n  got:      \(got)"
    }
}

/// What comparing one module under one configuration found.
public struct ComparisonResult: Sendable {
    public var mismatch: Mismatch?
    /// Calls compared (both sides ran them to an outcome that could be compared).
    public var callsCompared = 0
    /// The comparison stopped early: fuel or the call stack ran out on one side.
    public var inconclusive: String?
}

/// Runs a module before and after optimization and compares what it does.
public enum Differential {
    /// Compares `original` (whose run is `baseline`) with its optimization under `configuration`.
    ///
    /// Exhaustion of the call stack on one side only is not a mismatch: inlining legitimately
    /// changes how deep the interpreter's stack grows, so the comparison stops there, as it does
    /// when fuel runs out. Anything after such a call is not compared, final state included.
    public static func compare(_ original: LatheWasm.Module, baseline: Execution, plan: CallPlan, configuration: FuzzConfiguration) -> ComparisonResult {
        var result = ComparisonResult()
        let optimized: LatheWasm.Module
        do { optimized = try configuration.optimize(original) } catch {
            result.mismatch = Mismatch(kind: error.kind, configuration: configuration.name, expected: "a valid module", got: error.detail)
            return result
        }
        let after = Execution.run(ModuleWriter.write(optimized), plan: plan)
        result.mismatch = difference(baseline, after, plan: plan, configuration: configuration.name, result: &result)
        return result
    }

    /// The first difference between two runs of the same plan, counting compared calls into `result`.
    static func difference(_ a: Execution, _ b: Execution, plan: CallPlan, configuration: String, result: inout ComparisonResult) -> Mismatch? {
        if a.instantiation != nil || b.instantiation != nil {
            if a.instantiation == b.instantiation { return nil }
            return Mismatch(kind: .instantiation, configuration: configuration, expected: a.instantiation ?? "instantiated", got: b.instantiation ?? "instantiated")
        }
        for (i, call) in plan.calls.enumerated() {
            guard i < a.outcomes.count, i < b.outcomes.count else { return nil }
            let x = a.outcomes[i], y = b.outcomes[i]
            if x == .outOfFuel || y == .outOfFuel || x == .exhausted || y == .exhausted {
                if x != y { result.inconclusive = "\(call.export): \(x) before, \(y) after" }
                return nil
            }
            result.callsCompared += 1
            let args = call.arguments.map(Execution.describe).joined(separator: ", ")
            switch (x, y) {
            case (.values(let u), .values(let v)):
                if u.count != v.count || zip(u, v).contains(where: { !Execution.allowed($1, for: $0) }) {
                    return Mismatch(kind: .result, configuration: configuration, export: call.export, arguments: args, expected: x.description, got: y.description)
                }
            default:
                if x != y {
                    return Mismatch(kind: .trap, configuration: configuration, export: call.export, arguments: args, expected: x.description, got: y.description)
                }
            }
        }
        let memoriesDiffer = a.memories.count != b.memories.count || zip(a.memories, b.memories).contains { $0.size != $1.size || $0.hash != $1.hash }
        let globalsDiffer = a.globals.count != b.globals.count || zip(a.globals, b.globals).contains { !Execution.allowed($1, for: $0) }
        if memoriesDiffer || globalsDiffer {
            func state(_ e: Execution) -> String {
                "memory " + e.memories.map { "\($0.size) bytes, hash \(String($0.hash, radix: 16))" }.joined(separator: "; ")
                    + "; globals " + e.globals.map(Execution.describe).joined(separator: ", ")
            }
            return Mismatch(kind: .state, configuration: configuration, expected: state(a), got: state(b))
        }
        return nil
    }
}
