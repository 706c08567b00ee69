import Dispatch
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
        /// Time in each phase summed over threads, and the wall time of the whole run (only when timed).
        public var liftNanoseconds: UInt64 = 0
        public var verifyNanoseconds: UInt64 = 0
        public var transformNanoseconds: UInt64 = 0
        public var lowerNanoseconds: UInt64 = 0
        public var wallNanoseconds: UInt64 = 0
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
            liftNanoseconds += o.liftNanoseconds
            verifyNanoseconds += o.verifyNanoseconds
            transformNanoseconds += o.transformNanoseconds
            lowerNanoseconds += o.lowerNanoseconds
            wallNanoseconds += o.wallNanoseconds
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
    public static func run(_ module: LatheWasm.Module, verify: Bool = true, threads: Int = 1) -> (LatheWasm.Module, Stats) {
        let (out, stats, _) = run(module, verify: verify, threads: threads) { @Sendable (_: inout Function, _: Int) in () }
        return (out, stats)
    }

    /// Lifts every defined function, verifies it, applies `transform`, and lowers it; functions that
    /// cannot be lifted keep their bytes, and so do functions whose transform throws (a failure).
    ///
    /// Functions are processed on up to `threads` threads; bodies, statistics and the transform's
    /// results (by defined-function index, nil where it did not run) come out in function order,
    /// so the output does not depend on the thread count.
    public static func run<Extra: Sendable>(
        _ module: LatheWasm.Module, verify: Bool = true, threads: Int = 1, timed: Bool = false,
        transform: @escaping @Sendable (_ function: inout Function, _ definedIndex: Int) throws -> Extra
    ) -> (LatheWasm.Module, Stats, [Extra?]) {
        let lifter = WasmLifter(module: module)
        let start = timed ? DispatchTime.now().uptimeNanoseconds : 0
        let results = Parallel.map(count: module.bodies.count, threads: threads, state: { WasmLowerer() }) { lowerer, i in
            process(module, i, lifter, &lowerer, verify: verify, timed: timed, transform: transform)
        }
        var out = module
        var stats = Stats()
        var extras: [Extra?] = []
        extras.reserveCapacity(results.count)
        for (i, r) in results.enumerated() {
            if let body = r.body { out.bodies[i] = body }
            stats.add(r.stats)
            extras.append(r.extra)
        }
        if timed { stats.wallNanoseconds = DispatchTime.now().uptimeNanoseconds - start }
        return (out, stats, extras)
    }

    /// Lift, verify, transform and lower one function: its new body (nil to keep the old one), statistics and transform result.
    static func process<Extra>(
        _ module: LatheWasm.Module, _ i: Int, _ lifter: WasmLifter, _ lowerer: inout WasmLowerer, verify: Bool, timed: Bool,
        transform: (inout Function, Int) throws -> Extra
    ) -> (body: FunctionBody?, stats: Stats, extra: Extra?) {
        var stats = Stats()
        func now() -> UInt64 { timed ? DispatchTime.now().uptimeNanoseconds : 0 }
        let body = module.bodies[i]
        let index = module.importedFunctionCount + i
        stats.inputCodeBytes += bodySize(body)
        func keep(_ reason: String, failure: String? = nil) -> (body: FunctionBody?, stats: Stats, extra: Extra?) {
            stats.kept[reason, default: 0] += 1
            if let failure {
                // Named only on failure: `module.names` parses the name section at each call.
                let label = module.names?.functions[UInt32(index)].map { "function \(index) (\($0))" } ?? "function \(index)"
                stats.failures.append("\(label): \(failure)")
            }
            stats.outputCodeBytes += bodySize(body)
            return (nil, stats, nil)
        }
        var t = now()
        var lifted: LiftedFunction
        do { lifted = try lifter.lift(definedFunction: i) } catch {
            stats.liftNanoseconds += now() - t
            return keep(error.reason)
        }
        var t2 = now()
        stats.liftNanoseconds += t2 - t
        if verify {
            let report = lifted.function.verify()
            t = now()
            stats.verifyNanoseconds += t - t2
            if !report.isValid {
                return keep("bug: verifier", failure: "verifier: \(report.errors.first.map { "\($0)" } ?? "")")
            }
            t2 = t
        }
        let extra: Extra
        do { extra = try transform(&lifted.function, i) } catch {
            return keep("bug: pass", failure: "\(error)")
        }
        t = now()
        stats.transformNanoseconds += t - t2
        do {
            let lowered = try lowerer.lower(lifted)
            stats.lowerNanoseconds += now() - t
            stats.lifted += 1
            stats.outputCodeBytes += bodySize(lowered)
            stats.liftedInputBytes += bodySize(body)
            stats.liftedOutputBytes += bodySize(lowered)
            return (lowered, stats, extra)
        } catch {
            return keep("bug: lower", failure: "\(error)")
        }
    }
}
