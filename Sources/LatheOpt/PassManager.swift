import LatheIR

/// Runs a pipeline of passes over functions or whole programs, optionally verifying after each pass and collecting statistics.
///
/// Function passes run on each function independently (in parallel over a program); a module pass
/// sees the whole program, so it runs alone between the function passes around it.
public struct PassManager: Sendable {
    /// The pipeline, in order.
    public let passes: [PipelineStep]
    /// Verify each function after every pass and fail naming the pass that broke it.
    public var verifyEach: Bool
    /// Time each pass and count instructions before and after it.
    public var collectsStatistics: Bool
    /// Budgets and requests module passes read.
    public var moduleOptions = ModulePassOptions()

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

    /// Whether the pipeline has a module pass (then it needs the whole program, not one function at a time).
    public var hasModulePasses: Bool {
        passes.contains { if case .module = $0 { true } else { false } }
    }

    /// Empty statistics shaped like this pipeline.
    public func emptyStatistics() -> PipelineStatistics { PipelineStatistics(passNames: passes.map(\.name)) }

    /// Runs every function pass on `f` in order, adding to `stats` (module passes need a program and are not run).
    public func run(_ f: inout Function, statistics stats: inout PipelineStatistics) throws(PassVerificationFailure) {
        var analyses = AnalysisCache()
        try run(&f, statistics: &stats, analyses: &analyses)
    }

    /// Runs every function pass on `f` in order with the analyses in `analyses` (which must describe `f`), adding to `stats`.
    public func run(_ f: inout Function, statistics stats: inout PipelineStatistics, analyses: inout AnalysisCache) throws(PassVerificationFailure) {
        try runFunctionPasses(passes.indices, &f, &stats, &analyses)
    }

    /// Runs the function passes at `positions` on `f`, adding to `stats`.
    func runFunctionPasses(_ positions: Range<Int>, _ f: inout Function, _ stats: inout PipelineStatistics, _ analyses: inout AnalysisCache) throws(PassVerificationFailure) {
        var count = collectsStatistics ? f.layoutInstructionCount : 0
        for k in positions {
            guard case .function(let pass) = passes[k] else { continue }
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

    /// Runs the function passes on `f` alone and returns their statistics.
    @discardableResult
    public func run(_ f: inout Function) throws(PassVerificationFailure) -> PipelineStatistics {
        var stats = emptyStatistics()
        try run(&f, statistics: &stats)
        return stats
    }

    /// Runs the function passes on every function, spread over `threads` threads.
    ///
    /// Results and statistics are combined in function order, so they do not depend on the thread
    /// count; if passes break several functions, the failure of the first one is thrown.
    public func run(_ functions: inout [Function], threads: Int) throws(PassVerificationFailure) -> PipelineStatistics {
        var stats = emptyStatistics()
        try runFunctionPasses(passes.indices, &functions, threads: threads, &stats)
        return stats
    }

    func runFunctionPasses(_ positions: Range<Int>, _ functions: inout [Function], threads: Int, _ total: inout PipelineStatistics) throws(PassVerificationFailure) {
        let input = functions
        let results = Parallel.map(count: input.count, threads: threads, state: { () }) { _, i -> Result<(Function, PipelineStatistics), PassVerificationFailure> in
            var f = input[i]
            var stats = emptyStatistics()
            var analyses = AnalysisCache()
            do throws(PassVerificationFailure) { try runFunctionPasses(positions, &f, &stats, &analyses) } catch { return .failure(error) }
            return .success((f, stats))
        }
        for (i, r) in results.enumerated() {
            let (f, stats) = try r.get()
            functions[i] = f
            total.add(stats)
        }
    }

    /// Runs the whole pipeline on a program: each run of consecutive function passes in parallel over
    /// its functions with IR, each module pass alone. The result does not depend on `threads`.
    public func run(_ program: inout ProgramIR, threads: Int, statistics stats: inout PipelineStatistics) throws(PassVerificationFailure) {
        var k = 0
        while k < passes.count {
            switch passes[k] {
            case .function:
                var end = k
                while end < passes.count, case .function = passes[end] { end += 1 }
                let holders = program.entries.indices.filter { !program.entries[$0].isRemoved && program.entries[$0].function != nil }
                let start = collectsStatistics ? monotonicNanoseconds() : 0
                var functions = holders.map { program.entries[$0].function! }
                try runFunctionPasses(k..<end, &functions, threads: threads, &stats)
                for (slot, f) in zip(holders, functions) { program.entries[slot].function = f }
                if collectsStatistics { stats.stages.append(.init(positions: k..<end, wallNanoseconds: monotonicNanoseconds() - start)) }
                k = end
            case .module(let pass):
                let start = collectsStatistics ? monotonicNanoseconds() : 0
                let before = collectsStatistics ? program.instructionCount : 0
                let changed = pass.run(&program, options: moduleOptions)
                stats.passes[k].functions += program.entries.count { $0.function != nil }
                stats.passes[k].changed += changed.count
                if collectsStatistics {
                    let elapsed = monotonicNanoseconds() - start
                    stats.passes[k].nanoseconds += elapsed
                    stats.stages.append(.init(positions: k..<k + 1, wallNanoseconds: elapsed))
                    stats.passes[k].instructionsIn += before
                    stats.passes[k].instructionsOut += program.instructionCount
                }
                if verifyEach {
                    let start = collectsStatistics ? monotonicNanoseconds() : 0
                    for e in changed.sorted() {
                        guard let f = program.entries[e].function, !program.entries[e].isRemoved else { continue }
                        let report = f.verify()
                        if !report.isValid { throw PassVerificationFailure(pass: pass.name, function: f.name, report: report.render()) }
                    }
                    if collectsStatistics { stats.verifyNanoseconds += monotonicNanoseconds() - start }
                }
                k += 1
            }
        }
    }
}
