import LatheIR
import LatheOpt
import Testing

/// A test-only pass that deletes the entry block's terminator, leaving IR the verifier rejects.
struct DropEntryTerminator: FunctionPass {
    var name: String { "drop-entry-terminator" }
    var summary: String { "Test only: removes the entry block's terminator." }
    var preserves: Analyses { .none }
    func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock, let last = f.layout.lastInst(entry) else { return false }
        f.layout.removeInst(last)
        return true
    }
}

/// A test-only pass that asks for the dominator tree and reports a change when told to.
struct UsesDominators: FunctionPass {
    var name: String
    var changes: Bool
    var preserves: Analyses
    var summary: String { "Test only: reads the dominator tree." }
    func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        _ = analyses.dominators(f)
        return changes
    }
}

func parseFunctions(_ text: String) throws -> [Function] { try parseModule(text).module.functions }

let sampleIR = """
    function %f(i32) -> i32 {
    block0(v0: i32):
        v1 = iconst.i32 3
        v2 = imul v0, v1
        v3 = iadd v0, v1
        jump block1(v3)

    block1(v4: i32):
        return v4

    block2:
        v5 = iconst.i32 0
        return v5
    }
    """

@Suite struct PassManagerTests {
    @Test func registryListsEveryPassWithItsSummary() throws {
        let steps = PassRegistry.standard.steps
        let names = steps.map(\.name)
        #expect(Set(names).count == names.count, "a name is registered twice")
        #expect(Set(names).isSuperset(of: ["dce", "simplify-cfg", "adce", "sroa", "inline", "directize", "merge-functions", "select", "gvn", "licm", "sccp", "instcombine"]))
        let listing = PassRegistry.standard.listing.split(separator: "\n")
        #expect(listing.count == names.count)
        for (line, pass) in zip(listing, steps) {
            #expect(line.hasPrefix(pass.name + " "))
            #expect(line.hasSuffix(pass.summary))
            #expect(!pass.summary.isEmpty && !pass.summary.contains("\n"))
        }
    }

    @Test func unknownPassIsAnErrorNamingIt() throws {
        #expect(throws: OptError.unknownPass("no-such-pass")) { try PassManager(pipeline: ["dce", "no-such-pass"]) }
        #expect(OptError.unknownPass("no-such-pass").description.contains("'no-such-pass'"))
        #expect(throws: OptError.emptyPassName("dce,,dce")) { try Pipelines.parse("dce,,dce") }
        #expect(throws: OptError.unknownLevel("4")) { try Pipelines.passes(forLevel: "4") }
        #expect(try Pipelines.parse(" dce , simplify-cfg") == ["dce", "simplify-cfg"])
    }

    @Test func everyPipelineNamesRegisteredPasses() throws {
        #expect(Pipelines.levels.map(\.level) == ["1", "2", "3", "s", "z"])
        for (level, names) in Pipelines.levels {
            #expect(!names.isEmpty, "-O\(level) is empty")
            let manager = try PassManager(pipeline: try Pipelines.passes(forLevel: level))
            #expect(manager.passes.map(\.name) == names)
        }
        #expect(try Pipelines.passes(forLevel: "0") == [])
    }

    @Test func verifyEachNamesThePassThatBrokeTheFunction() throws {
        var registry = PassRegistry.standard
        registry.register(DropEntryTerminator())
        var f = try parseFunctions(sampleIR)[0]
        let manager = try PassManager(pipeline: ["dce", "drop-entry-terminator", "simplify-cfg"], registry: registry, verifyEach: true)
        do {
            try manager.run(&f)
            Issue.record("the broken function was accepted")
        } catch {
            #expect(error.pass == "drop-entry-terminator")
            #expect(error.function == "f")
            #expect(!error.report.isEmpty)
            #expect(error.description.contains("'drop-entry-terminator'") && error.description.contains("'f'"))
        }
        // Without verification the pipeline runs to the end.
        var g = try parseFunctions(sampleIR)[0]
        let unchecked = try PassManager(pipeline: ["drop-entry-terminator"], registry: registry, verifyEach: false)
        try unchecked.run(&g)
        #expect(!g.verify().isValid)
    }

    @Test func verificationIsOnByDefaultInDebugBuilds() {
        #if DEBUG
        #expect(PassManager.verifiesByDefault)
        #endif
    }

    @Test func analysesAreCachedUntilAChangingPassInvalidatesThem() throws {
        var cache = AnalysisCache()
        let f = try parseFunctions(sampleIR)[0]
        _ = cache.dominators(f)
        _ = cache.dominators(f)
        _ = cache.cfg(f)
        #expect(cache.cfgComputations == 1 && cache.dominatorComputations == 1)
        cache.invalidate(keeping: .all)
        _ = cache.dominators(f)
        #expect(cache.dominatorComputations == 1)
        cache.invalidate(keeping: .cfg)
        _ = cache.dominators(f)
        #expect(cache.cfgComputations == 1 && cache.dominatorComputations == 2)
        // Keeping dominators without the CFG keeps neither.
        cache.invalidate(keeping: .dominators)
        #expect(cache.valid == .none)
        _ = cache.dominators(f)
        #expect(cache.cfgComputations == 2 && cache.dominatorComputations == 3)
    }

    @Test func passManagerInvalidatesWhatAChangingPassDoesNotPreserve() throws {
        var registry = PassRegistry()
        registry.register(UsesDominators(name: "reader", changes: false, preserves: .none))
        registry.register(UsesDominators(name: "keeper", changes: true, preserves: .all))
        registry.register(UsesDominators(name: "breaker", changes: true, preserves: .none))
        var f = try parseFunctions(sampleIR)[0]
        var cache = AnalysisCache()
        var stats = PipelineStatistics(passNames: [])
        // Unchanged and preserving passes keep the tree; "breaker" drops it, so the last "reader" recomputes.
        let manager = try PassManager(pipeline: ["reader", "reader", "keeper", "reader", "breaker", "reader"], registry: registry, verifyEach: false)
        stats = manager.emptyStatistics()
        try manager.run(&f, statistics: &stats, analyses: &cache)
        #expect(cache.dominatorComputations == 2)
        #expect(stats.passes.map(\.changed) == [0, 0, 1, 0, 1, 0])
    }

    @Test func statisticsCountInstructionsAndChangedFunctions() throws {
        var functions = try parseFunctions(sampleIR + "\n" + sampleIR.replacingOccurrences(of: "%f", with: "%g").replacingOccurrences(of: "imul", with: "iadd"))
        let manager = try PassManager(pipeline: ["dce", "simplify-cfg", "dce"], verifyEach: true, collectsStatistics: true)
        let stats = try manager.run(&functions, threads: 2)
        #expect(stats.passes.map(\.name) == ["dce", "simplify-cfg", "dce"])
        #expect(stats.passes.map(\.functions) == [2, 2, 2])
        #expect(stats.passes.map(\.changed) == [2, 2, 0])
        // 2 × 7 instructions; dce removes v2; simplify-cfg the unreachable block (2 instructions) and
        // the jump it merges away; the second dce finds nothing (v5 went with its block).
        #expect(stats.passes.map(\.instructionsIn) == [14, 12, 6])
        #expect(stats.passes.map(\.instructionsOut) == [12, 6, 6])
        #expect(stats.verifyNanoseconds > 0)
        #expect(functions.allSatisfy { $0.verify().isValid })
    }

    @Test func outputDoesNotDependOnTheThreadCount() throws {
        var text = ""
        for k in 0..<40 { text += sampleIR.replacingOccurrences(of: "%f", with: "%f\(k)").replacingOccurrences(of: "iconst.i32 3", with: "iconst.i32 \(k)") + "\n" }
        let manager = try PassManager(pipeline: try Pipelines.passes(forLevel: "2"), verifyEach: true, collectsStatistics: true)
        var one = try parseFunctions(text), four = one
        let s1 = try manager.run(&one, threads: 1)
        let s4 = try manager.run(&four, threads: 4)
        #expect(LatheIR.Module(functions: one).text == LatheIR.Module(functions: four).text)
        #expect(s1.passes.map(\.changed) == s4.passes.map(\.changed))
        #expect(s1.passes.map(\.instructionsOut) == s4.passes.map(\.instructionsOut))
        #expect(LatheIR.Module(functions: one).text != (try parseModule(text).module.text))
    }

    @Test func parallelMapKeepsIndexOrderAndGivesEachThreadItsOwnState() {
        let results = Parallel.map(count: 1000, threads: 3, state: { [Int]() }) { seen, i -> (square: Int, ordered: Bool) in
            seen.append(i)
            // Each thread has its own list, and claims indices in increasing order.
            return (i * i, seen.count < 2 || seen[seen.count - 2] < i)
        }
        #expect(results.map { $0.square } == (0..<1000).map { $0 * $0 })
        #expect(results.allSatisfy { $0.ordered })
        #expect(Parallel.map(count: 0, threads: 4, state: { () }) { _, i in i }.isEmpty)
    }
}

@Suite struct ProgramPipelineTests {
    static let program = """
        function %leaf(i32) -> i32 {
        block0(v0: i32):
            v1 = iconst.i32 3
            v2 = imul v0, v1
            return v2
        }

        function %main(i32) -> i32 {
            sig0 = (i32) -> i32
            fn0 = %leaf sig0
        block0(v0: i32):
            v1 = call fn0(v0)
            v2 = call fn0(v1)
            return v2
        }
        """

    /// Function passes before and after a module pass run on every function, and the result does not depend on the thread count.
    @Test func modulePassRunsBetweenFunctionPassesWhateverTheThreadCount() throws {
        var texts: [String] = []
        for threads in [1, 3] {
            var program = ProgramIR(try parseModule(Self.program).module)
            program.entries[0].isRoot = false
            let manager = try PassManager(pipeline: ["dce", "inline", "simplify-cfg", "dce"], verifyEach: true, collectsStatistics: true)
            var stats = manager.emptyStatistics()
            try manager.run(&program, threads: threads, statistics: &stats)
            #expect(manager.hasModulePasses)
            #expect(stats.passes.map(\.functions) == [2, 2, 1, 1], "the inlined leaf is removed before the last passes")
            #expect(stats.passes[1].changed == 2, "main changed, leaf removed")
            #expect(program.entries[0].isRemoved)
            texts.append(program.module.text)
        }
        #expect(texts[0] == texts[1])
        #expect(!texts[0].contains("call"))
    }
}
