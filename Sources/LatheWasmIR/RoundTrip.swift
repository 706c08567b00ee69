import LatheIR
import LatheWasm

/// Lifts every defined function of a module to IR, verifies it, and lowers it back.
public enum WasmRoundTrip {
    /// What happened to each function.
    public struct Stats: Sendable {
        public var lifted = 0
        /// Functions kept byte for byte, by reason.
        public var kept: [String: Int] = [:]
        /// Lifted functions the verifier rejected or the lowerer could not lower (bugs; those are kept too).
        public var failures: [String] = []
        public var inputCodeBytes = 0
        public var outputCodeBytes = 0
        public var keptCount: Int { kept.values.reduce(0, +) }
        public init() {}
        public mutating func add(_ o: Stats) {
            lifted += o.lifted
            for (k, v) in o.kept { kept[k, default: 0] += v }
            failures += o.failures
            inputCodeBytes += o.inputCodeBytes
            outputCodeBytes += o.outputCodeBytes
        }
    }

    /// Round-trips every defined function; functions that cannot be lifted keep their bytes.
    public static func run(_ module: LatheWasm.Module, verify: Bool = true) -> (LatheWasm.Module, Stats) {
        var out = module
        var stats = Stats()
        let lifter = WasmLifter(module: module)
        for i in module.bodies.indices {
            let body = module.bodies[i]
            stats.inputCodeBytes += body.code.count
            let lifted: LiftedFunction
            do { lifted = try lifter.lift(definedFunction: i) } catch {
                stats.kept[error.reason, default: 0] += 1
                stats.outputCodeBytes += body.code.count
                continue
            }
            if verify {
                let report = lifted.function.verify()
                if !report.isValid {
                    stats.failures.append("function \(module.importedFunctionCount + i): verifier: \(report.errors.first.map { "\($0)" } ?? "")")
                    stats.kept["bug: verifier", default: 0] += 1
                    stats.outputCodeBytes += body.code.count
                    continue
                }
            }
            do {
                let lowered = try WasmLowerer.lower(lifted)
                out.bodies[i] = lowered
                stats.lifted += 1
                stats.outputCodeBytes += lowered.code.count
            } catch {
                stats.failures.append("function \(module.importedFunctionCount + i): \(error)")
                stats.kept["bug: lower", default: 0] += 1
                stats.outputCodeBytes += body.code.count
            }
        }
        return (out, stats)
    }
}
