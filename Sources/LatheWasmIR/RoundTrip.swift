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
        /// Body bytes (locals and code) of the lifted functions only, before and after.
        public var liftedInputBytes = 0
        public var liftedOutputBytes = 0
        public var keptCount: Int { kept.values.reduce(0, +) }
        public init() {}
        public mutating func add(_ o: Stats) {
            lifted += o.lifted
            for (k, v) in o.kept { kept[k, default: 0] += v }
            failures += o.failures
            inputCodeBytes += o.inputCodeBytes
            outputCodeBytes += o.outputCodeBytes
            liftedInputBytes += o.liftedInputBytes
            liftedOutputBytes += o.liftedOutputBytes
        }
    }

    /// Encoded size of a body without its size prefix: local declarations (encoded as the writer does) plus code.
    public static func bodySize(_ body: FunctionBody) -> Int {
        var locals = ByteWriter()
        locals.u32(body.locals.count)
        for g in body.locals { locals.u32(g.count); locals.valType(g.type) }
        return locals.bytes.count + body.code.count
    }

    /// Encoded size of a code section's payload holding these bodies (count, then size-prefixed bodies).
    public static func codeSectionSize(_ bodies: [FunctionBody]) -> Int {
        bodies.reduce(ByteWriter.unsignedSize(UInt64(bodies.count))) { n, body in
            let b = bodySize(body)
            return n + ByteWriter.unsignedSize(UInt64(b)) + b
        }
    }

    /// Round-trips every defined function; functions that cannot be lifted keep their bytes.
    public static func run(_ module: LatheWasm.Module, verify: Bool = true) -> (LatheWasm.Module, Stats) {
        var out = module
        var stats = Stats()
        let lifter = WasmLifter(module: module)
        var lowerer = WasmLowerer()
        for i in module.bodies.indices {
            let body = module.bodies[i]
            stats.inputCodeBytes += bodySize(body)
            let lifted: LiftedFunction
            do { lifted = try lifter.lift(definedFunction: i) } catch {
                stats.kept[error.reason, default: 0] += 1
                stats.outputCodeBytes += bodySize(body)
                continue
            }
            if verify {
                let report = lifted.function.verify()
                if !report.isValid {
                    stats.failures.append("function \(module.importedFunctionCount + i): verifier: \(report.errors.first.map { "\($0)" } ?? "")")
                    stats.kept["bug: verifier", default: 0] += 1
                    stats.outputCodeBytes += bodySize(body)
                    continue
                }
            }
            do {
                let lowered = try lowerer.lower(lifted)
                out.bodies[i] = lowered
                stats.lifted += 1
                stats.outputCodeBytes += bodySize(lowered)
                stats.liftedInputBytes += bodySize(body)
                stats.liftedOutputBytes += bodySize(lowered)
            } catch {
                stats.failures.append("function \(module.importedFunctionCount + i): \(error)")
                stats.kept["bug: lower", default: 0] += 1
                stats.outputCodeBytes += bodySize(body)
            }
        }
        return (out, stats)
    }
}
