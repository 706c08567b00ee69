import LatheIR

/// Runs a pipeline of function passes over functions, optionally verifying after each pass and collecting statistics.
public struct PassManager: Sendable {
    /// The pipeline, in order.
    public let passes: [any FunctionPass]
    /// Verify each function after every pass and fail naming the pass that broke it.
    public var verifyEach: Bool
    /// Time each pass and count instructions before and after it.
    public var collectsStatistics: Bool

    /// Whether verification after each pass is on without `--verify-each` (debug builds and tests).
    public static var verifiesByDefault: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }

    /// Builds the pipeline of the passes named; an unknown name is an error naming it.
    public init(pipeline names: [String], registry: PassRegistry = .standard, verifyEach: Bool = PassManager.verifiesByDefault, collectsStatistics: Bool = false) throws(OptError) {
        passes = try registry.resolve(names)
        self.verifyEach = verifyEach
        self.collectsStatistics = collectsStatistics
    }

    /// Empty statistics shaped like this pipeline.
    public func emptyStatistics() -> PipelineStatistics { PipelineStatistics(passNames: passes.map(\.name)) }

    /// Runs every pass on `f` in order, adding to `stats`.
    public func run(_ f: inout Function, statistics stats: inout PipelineStatistics) throws(PassVerificationFailure) {
        var analyses = AnalysisCache()
        try run(&f, statistics: &stats, analyses: &analyses)
    }

    /// Runs every pass on `f` in order with the analyses in `analyses` (which must describe `f`), adding to `stats`.
    public func run(_ f: inout Function, statistics stats: inout PipelineStatistics, analyses: inout AnalysisCache) throws(PassVerificationFailure) {
        var count = collectsStatistics ? f.layoutInstructionCount : 0
        for (k, pass) in passes.enumerated() {
            let start = collectsStatistics ? monotonicNanoseconds() : 0
            let changed = pass.run(&f, &analyses)
            if changed { analyses.invalidate(keeping: pass.preserves) }
            stats.passes[k].functions += 1
            if changed { stats.passes[k].changed += 1 }
            if collectsStatistics {
                stats.passes[k].nanoseconds += monotonicNanoseconds() - start
                stats.passes[k].instructionsIn += count
                if changed { count = f.layoutInstructionCount }
                stats.passes[k].instructionsOut += count
            }
            if verifyEach {
                let start = collectsStatistics ? monotonicNanoseconds() : 0
                let report = f.verify()
                if collectsStatistics { stats.verifyNanoseconds += monotonicNanoseconds() - start }
                if !report.isValid { throw PassVerificationFailure(pass: pass.name, function: f.name, report: report.render()) }
            }
        }
    }

    /// Runs the pipeline on `f` alone and returns its statistics.
    @discardableResult
    public func run(_ f: inout Function) throws(PassVerificationFailure) -> PipelineStatistics {
        var stats = emptyStatistics()
        try run(&f, statistics: &stats)
        return stats
    }

    /// Runs the pipeline on every function, spread over `threads` threads.
    ///
    /// Results and statistics are combined in function order, so they do not depend on the thread
    /// count; if passes break several functions, the failure of the first one is thrown.
    public func run(_ functions: inout [Function], threads: Int) throws(PassVerificationFailure) -> PipelineStatistics {
        let input = functions
        let results = Parallel.map(count: input.count, threads: threads, state: { () }) { _, i -> Result<(Function, PipelineStatistics), PassVerificationFailure> in
            var f = input[i]
            var stats = emptyStatistics()
            do throws(PassVerificationFailure) { try run(&f, statistics: &stats) } catch { return .failure(error) }
            return .success((f, stats))
        }
        var total = emptyStatistics()
        for (i, r) in results.enumerated() {
            let (f, stats) = try r.get()
            functions[i] = f
            total.add(stats)
        }
        return total
    }
}
