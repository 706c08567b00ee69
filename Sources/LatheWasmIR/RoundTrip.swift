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
        let hints = module.callSiteInlineHints()
        let start = timed ? DispatchTime.now().uptimeNanoseconds : 0
        let results = Parallel.map(count: module.bodies.count, threads: threads, state: { WasmLowerer() }) { lowerer, i in
            process(module, i, lifter, hints, &lowerer, verify: verify, timed: timed, transform: transform)
        }
        var out = module
        var stats = Stats()
        var extras: [Extra?] = []
        extras.reserveCapacity(results.count)
        var lowered: [(Int, [(offset: UInt32, hint: UInt8)])] = []
        for (i, r) in results.enumerated() {
            if let body = r.body { out.bodies[i] = body; lowered.append((i, r.callHints)) }
            stats.add(r.stats)
            extras.append(r.extra)
        }
        updateCodeMetadata(module, &out, lowered)
        if timed { stats.wallNanoseconds = DispatchTime.now().uptimeNanoseconds - start }
        return (out, stats, extras)
    }

    /// Lifts every defined function and verifies it when asked: the lifted functions by defined index
    /// (nil where the function keeps its bytes) and statistics of the lift.
    ///
    /// With `lowerAll` this is `run` split in two, for optimizers that need every function as IR at once.
    public static func liftAll(_ module: LatheWasm.Module, verify: Bool = true, threads: Int = 1, timed: Bool = false) -> ([LiftedFunction?], Stats) {
        let lifter = WasmLifter(module: module)
        let hints = module.callSiteInlineHints()
        let start = timed ? DispatchTime.now().uptimeNanoseconds : 0
        let results = Parallel.map(count: module.bodies.count, threads: threads, state: { () }) { _, i -> (LiftedFunction?, Stats) in
            var stats = Stats()
            let lifted = liftOne(module, i, lifter, hints, verify: verify, timed: timed, &stats)
            return (lifted, stats)
        }
        var stats = Stats()
        for r in results { stats.add(r.1) }
        if timed { stats.wallNanoseconds = DispatchTime.now().uptimeNanoseconds - start }
        return (results.map(\.0), stats)
    }

    /// Lowers `lifted` (by defined-function index, nil keeps the body) into a copy of `module`.
    public static func lowerAll(_ module: LatheWasm.Module, _ lifted: [LiftedFunction?], threads: Int = 1, timed: Bool = false) -> (LatheWasm.Module, Stats) {
        precondition(lifted.count == module.bodies.count, "one entry per defined function")
        let start = timed ? DispatchTime.now().uptimeNanoseconds : 0
        let results = Parallel.map(count: module.bodies.count, threads: threads, state: { WasmLowerer() }) { lowerer, i -> (FunctionBody?, Stats, [(offset: UInt32, hint: UInt8)]) in
            var stats = Stats()
            guard let function = lifted[i] else {
                stats.outputCodeBytes += bodySize(module.bodies[i])
                return (nil, stats, [])
            }
            let body = lowerOne(module, i, function, &lowerer, timed: timed, &stats)
            return (body, stats, body == nil ? [] : lowerer.callHintOffsets)
        }
        var out = module
        var stats = Stats()
        var lowered: [(Int, [(offset: UInt32, hint: UInt8)])] = []
        for (i, r) in results.enumerated() {
            if let body = r.0 { out.bodies[i] = body; lowered.append((i, r.2)) }
            stats.add(r.1)
        }
        updateCodeMetadata(module, &out, lowered)
        if timed { stats.wallNanoseconds = DispatchTime.now().uptimeNanoseconds - start }
        return (out, stats)
    }

    /// Code metadata of the bodies that lowering changed (by defined index, with the inline hints of
    /// their calls): instruction-level items at the old offsets go; the call hints are written at the new ones.
    static func updateCodeMetadata(_ module: LatheWasm.Module, _ out: inout LatheWasm.Module, _ lowered: [(Int, [(offset: UInt32, hint: UInt8)])]) {
        // Call hints only come from code metadata: without such sections there is nothing to update.
        guard module.customSections.contains(where: { CodeMetadata.isCodeMetadata($0.name) }) else { return }
        let imported = UInt32(module.importedFunctionCount)
        var rewritten = Set<UInt32>()
        var hints: [UInt32: [(offset: UInt32, hint: UInt8)]] = [:]
        for (i, callHints) in lowered where out.bodies[i] != module.bodies[i] {
            rewritten.insert(imported + UInt32(i))
            if !callHints.isEmpty { hints[imported + UInt32(i)] = callHints }
        }
        out.dropStaleCodeMetadata(rewrittenFunctions: rewritten)
        out.replaceCallSiteInlineHints(hints)
    }

    /// Records in `stats` that defined function `i` keeps its bytes, and why; `failure` marks a bug worth reporting.
    static func recordKept(_ module: LatheWasm.Module, _ i: Int, _ reason: String, failure: String?, _ stats: inout Stats) {
        stats.kept[reason, default: 0] += 1
        if let failure {
            // Named only on failure: `module.names` parses the name section at each call.
            let index = module.importedFunctionCount + i
            let label = module.names?.functions[UInt32(index)].map { "function \(index) (\($0))" } ?? "function \(index)"
            stats.failures.append("\(label): \(failure)")
        }
    }

    /// Lifts and (when asked) verifies defined function `i`; nil when it keeps its bytes (recorded in `stats`).
    static func liftOne(_ module: LatheWasm.Module, _ i: Int, _ lifter: WasmLifter, _ hints: [UInt32: [UInt32: UInt8]], verify: Bool, timed: Bool, _ stats: inout Stats) -> LiftedFunction? {
        func now() -> UInt64 { timed ? DispatchTime.now().uptimeNanoseconds : 0 }
        stats.inputCodeBytes += bodySize(module.bodies[i])
        let t = now()
        let lifted: LiftedFunction
        let callHints = hints.isEmpty ? [:] : hints[UInt32(module.importedFunctionCount + i)] ?? [:]
        do { lifted = try lifter.lift(definedFunction: i, callHints: callHints) } catch {
            stats.liftNanoseconds += now() - t
            recordKept(module, i, error.reason, failure: nil, &stats)
            return nil
        }
        let t2 = now()
        stats.liftNanoseconds += t2 - t
        if verify {
            let report = lifted.function.verify()
            stats.verifyNanoseconds += now() - t2
            if !report.isValid {
                recordKept(module, i, "bug: verifier", failure: "verifier: \(report.errors.first.map { "\($0)" } ?? "")", &stats)
                return nil
            }
        }
        return lifted
    }

    /// Lowers defined function `i`; nil when lowering failed (a bug, recorded in `stats`; the body is kept).
    static func lowerOne(_ module: LatheWasm.Module, _ i: Int, _ lifted: LiftedFunction, _ lowerer: inout WasmLowerer, timed: Bool, _ stats: inout Stats) -> FunctionBody? {
        let t = timed ? DispatchTime.now().uptimeNanoseconds : 0
        let body = module.bodies[i]
        do {
            let lowered = try lowerer.lower(lifted)
            if timed { stats.lowerNanoseconds += DispatchTime.now().uptimeNanoseconds - t }
            stats.lifted += 1
            stats.outputCodeBytes += bodySize(lowered)
            stats.liftedInputBytes += bodySize(body)
            stats.liftedOutputBytes += bodySize(lowered)
            return lowered
        } catch {
            recordKept(module, i, "bug: lower", failure: "\(error)", &stats)
            stats.outputCodeBytes += bodySize(body)
            return nil
        }
    }

    /// Lift, verify, transform and lower one function: its new body (nil to keep the old one), statistics and transform result.
    static func process<Extra>(
        _ module: LatheWasm.Module, _ i: Int, _ lifter: WasmLifter, _ hints: [UInt32: [UInt32: UInt8]], _ lowerer: inout WasmLowerer, verify: Bool, timed: Bool,
        transform: (inout Function, Int) throws -> Extra
    ) -> (body: FunctionBody?, stats: Stats, extra: Extra?, callHints: [(offset: UInt32, hint: UInt8)]) {
        var stats = Stats()
        guard var lifted = liftOne(module, i, lifter, hints, verify: verify, timed: timed, &stats) else {
            stats.outputCodeBytes += bodySize(module.bodies[i])
            return (nil, stats, nil, [])
        }
        let t = timed ? DispatchTime.now().uptimeNanoseconds : 0
        let extra: Extra
        do { extra = try transform(&lifted.function, i) } catch {
            recordKept(module, i, "bug: pass", failure: "\(error)", &stats)
            stats.outputCodeBytes += bodySize(module.bodies[i])
            return (nil, stats, nil, [])
        }
        if timed { stats.transformNanoseconds += DispatchTime.now().uptimeNanoseconds - t }
        guard let body = lowerOne(module, i, lifted, &lowerer, timed: timed, &stats) else { return (nil, stats, nil, []) }
        return (body, stats, extra, lowerer.callHintOffsets)
    }
}
