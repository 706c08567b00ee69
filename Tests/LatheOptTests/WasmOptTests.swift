import Foundation
import LatheIR
import LatheOpt
import LatheTestSupport
import LatheWasm
import LatheWasmIR
import XCTest

/// The optimizer on real modules: C programs (Tests/programs/wasm) keep their behaviour at -O2, the
/// output is the same for any thread count, verify-each failures name the pass, and the `lathe` CLI.
final class WasmOptTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let wasmDirectory = repositoryRoot.appendingPathComponent("Tests/programs/wasm")

    func load(_ name: String) throws -> (bytes: [UInt8], module: LatheWasm.Module) {
        let bytes = [UInt8](try Data(contentsOf: Self.wasmDirectory.appendingPathComponent(name)))
        let module = try ModuleReader.read(bytes)
        try ModuleValidator.validate(module)
        return (bytes, module)
    }

    /// Optimizes as `lathe opt` does: lift, run the pipeline, lower, on `threads` threads.
    func optimize(_ module: LatheWasm.Module, _ manager: PassManager, threads: Int) throws -> (LatheWasm.Module, WasmRoundTrip.Stats, PipelineStatistics) {
        let (out, report) = try WasmOptimizer.optimize(module, manager: manager, threads: threads, verifyLifted: true)
        return (out, report.roundTrip, report.passes)
    }

    func testO2KeepsTheBehaviourOfCPrograms() throws {
        let manager = try PassManager(pipeline: try Pipelines.passes(forLevel: "2"), verifyEach: true, collectsStatistics: true)
        var changedSomewhere = 0
        for file in ["interpreter.O0.wasm", "hash_words.O2.wasm", "sort_search.O0.wasm"] {
            let (bytes, module) = try load(file)
            let (out, stats, passStats) = try optimize(module, manager, threads: 2)
            XCTAssertEqual(stats.failures, [], file)
            XCTAssertEqual(stats.lifted, module.bodies.count, file)
            XCTAssertNoThrow(try ModuleValidator.validate(out), file)
            changedSomewhere += passStats.passes.map(\.changed).reduce(0, +)
            // Function passes here only remove code; inlining may add some, and so may instcombine (a
            // strength reduction needs a new constant while the old one stays used) and licm (a new
            // preheader ends in a jump).
            for (step, p) in zip(manager.passes, passStats.passes) where p.name != "instcombine" && p.name != "licm" {
                if case .function = step { XCTAssertLessThanOrEqual(p.instructionsOut, p.instructionsIn, "\(file): \(p.name)") }
            }
            let before = try WASIRunner.run(bytes, name: "\(file)-in")
            let after = try WASIRunner.run(ModuleWriter.write(out), name: "\(file)-O2")
            XCTAssertFalse(before.stdout.isEmpty, file)
            XCTAssertEqual(after, before, "\(file): behaviour changed at -O2")
        }
        XCTAssertGreaterThan(changedSomewhere, 0, "no pass changed any function")
    }

    /// Every C program prints the same at every level (the issue's correctness gate for C programs).
    func testEveryCProgramBehavesTheSameAtEveryLevel() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.wasmDirectory.path).filter { $0.hasSuffix(".wasm") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 12)
        for file in files {
            let (bytes, module) = try load(file)
            let before = try WASIRunner.run(bytes, name: "\(file)-in")
            XCTAssertFalse(before.stdout.isEmpty, file)
            for level in ["1", "2", "3", "s", "z"] {
                var manager = try PassManager(pipeline: try Pipelines.passes(forLevel: level), verifyEach: true)
                manager.moduleOptions = Pipelines.moduleOptions(forLevel: level)
                let (out, _, _) = try optimize(module, manager, threads: 2)
                XCTAssertNoThrow(try ModuleValidator.validate(out), "\(file) -O\(level)")
                let after = try WASIRunner.run(ModuleWriter.write(out), name: "\(file)-O\(level)")
                XCTAssertEqual(after, before, "\(file): behaviour changed at -O\(level)")
            }
        }
    }

    /// Every C program prints the same after inlining, `dse` and `remove-unused` run with little else around them.
    func testDeadStoresAndUnusedItemsKeepTheBehaviourOfCPrograms() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.wasmDirectory.path).filter { $0.hasSuffix(".wasm") }.sorted()
        let manager = try PassManager(pipeline: ["inline", "simplify-cfg", "gvn", "dse", "remove-unused", "dce"], verifyEach: true)
        for file in files {
            let (bytes, module) = try load(file)
            let (out, stats, _) = try optimize(module, manager, threads: 2)
            XCTAssertEqual(stats.failures, [], file)
            XCTAssertNoThrow(try ModuleValidator.validate(out), file)
            let before = try WASIRunner.run(bytes, name: "\(file)-in")
            let after = try WASIRunner.run(ModuleWriter.write(out), name: "\(file)-dse")
            XCTAssertEqual(after, before, "\(file): behaviour changed by dse/remove-unused")
        }
    }

    /// Block parameters of every block in the layout.
    static func blockParameterCount(_ f: Function) -> Int { f.layout.blocks.reduce(0) { $0 + f.dfg.paramCount($1) } }

    func testSroaAndAdceKeepTheBehaviourOfCPrograms() throws {
        let manager = try PassManager(pipeline: ["simplify-cfg", "sroa", "adce", "dce"], verifyEach: true)
        let baseline = try PassManager(pipeline: ["simplify-cfg", "dce"], verifyEach: false)
        for file in ["structs.O0.wasm", "hash_words.O2.wasm", "sort_search.O2.wasm", "bits64.O2.wasm", "float_math.O0.wasm"] {
            let (bytes, module) = try load(file)
            let (out, stats, counts) = WasmRoundTrip.run(module, threads: 2) { f, _ in
                var plain = f
                _ = try baseline.run(&plain)
                _ = try manager.run(&f)
                return (params: Self.blockParameterCount(f), baselineParams: Self.blockParameterCount(plain),
                        insts: f.instsInLayoutOrder.count, baselineInsts: plain.instsInLayoutOrder.count)
            }
            XCTAssertEqual(stats.failures, [], file)
            let before = try WASIRunner.run(bytes, name: "\(file)-in")
            let after = try WASIRunner.run(ModuleWriter.write(out), name: "\(file)-sroa-adce")
            XCTAssertFalse(before.stdout.isEmpty, file)
            XCTAssertEqual(after, before, "\(file): behaviour changed by sroa/adce")
            let sum = { (k: KeyPath<(params: Int, baselineParams: Int, insts: Int, baselineInsts: Int), Int>) in counts.compactMap { $0?[keyPath: k] }.reduce(0, +) }
            // sroa may add a parameter (one i64 becomes two i32) or i32 ops computing a half, but on these
            // programs the totals shrink.
            XCTAssertLessThanOrEqual(sum(\.params), sum(\.baselineParams), file)
            XCTAssertLessThanOrEqual(sum(\.insts), sum(\.baselineInsts), file)
            print("sroa+adce \(file): block parameters \(sum(\.baselineParams)) -> \(sum(\.params)), instructions \(sum(\.baselineInsts)) -> \(sum(\.insts))")
        }
    }

    func testOutputIsTheSameForAnyThreadCount() throws {
        let manager = try PassManager(pipeline: try Pipelines.passes(forLevel: "2"), verifyEach: false, collectsStatistics: true)
        let (_, module) = try load("interpreter.O2.wasm")
        let (one, _, s1) = try optimize(module, manager, threads: 1)
        let (four, _, s4) = try optimize(module, manager, threads: 4)
        XCTAssertEqual(ModuleWriter.write(one), ModuleWriter.write(four))
        XCTAssertEqual(s1.passes.map(\.changed), s4.passes.map(\.changed))
        XCTAssertEqual(s1.passes.map(\.instructionsOut), s4.passes.map(\.instructionsOut))
    }

    func testVerifyEachFailureNamesPassAndFunction() throws {
        var registry = PassRegistry.standard
        registry.register(DropEntryTerminator())
        let (_, module) = try load("bits64.O2.wasm")
        // Streaming (function passes only) and whole-program (with a module pass) runs both name the culprit.
        for names in [["dce", "drop-entry-terminator"], ["inline", "drop-entry-terminator"]] {
            let manager = try PassManager(pipeline: names, registry: registry, verifyEach: true)
            XCTAssertThrowsError(try optimize(module, manager, threads: 2)) { error in
                let failures = (error as? OptimizeError)?.failures ?? []
                let first = failures.first ?? ""
                XCTAssertTrue(first.contains("pass 'drop-entry-terminator' broke function"), first)
                if names[0] == "dce" {
                    XCTAssertEqual(failures.count, module.bodies.count)
                    XCTAssertTrue(first.hasPrefix("function \(module.importedFunctionCount)"), first)
                }
            }
        }
    }

    // MARK: the CLI

    var lathe: URL { LatheCLI.binary(repositoryRoot: Self.repositoryRoot) }

    func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) { try LatheCLI.run(lathe, args) }

    func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lathe-opt-\(getpid())-\(name)").path
    }

    func testPassesCommandListsRegistryAndPipelines() throws {
        let r = try run(["passes"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for p in PassRegistry.standard.steps { XCTAssertTrue(r.stdout.contains("\(p.name)  ") && r.stdout.contains(p.summary), r.stdout) }
        for (level, names) in Pipelines.levels { XCTAssertTrue(r.stdout.contains("-O\(level)  \(names.joined(separator: ","))"), r.stdout) }
    }

    func testOptCommandOptimizesWithPerfJSONAndSameBytesForAnyThreadCount() throws {
        let input = Self.wasmDirectory.appendingPathComponent("structs.O0.wasm").path
        let a = temporaryFile("a.wasm"), b = temporaryFile("b.wasm")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let r1 = try run(["opt", input, "-o", a, "-O2", "--threads", "1", "--perf=json"])
        XCTAssertEqual(r1.status, 0, r1.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r1.stderr.utf8)) as? [String: Any]
        let phases = (json?["phases"] as? [[String: Any]])?.compactMap { $0["phase"] as? String } ?? []
        for phase in ["read", "validate", "lift", "pass simplify-cfg", "pass dce", "lower", "write"] {
            XCTAssertTrue(phases.contains(phase), "\(phase) missing in \(phases)")
        }
        // -O2 has module passes: each parallel stage of function passes and each module pass has a wall time.
        let rows = json?["phases"] as? [[String: Any]] ?? []
        let stages = rows.filter { ($0["phase"] as? String)?.hasPrefix("parallel ") == true }
        XCTAssertGreaterThanOrEqual(stages.count, 2, "\(phases)")
        XCTAssertTrue(stages.allSatisfy { $0["wall_ns"] != nil && $0["thread_ns"] != nil }, "\(stages)")
        XCTAssertNotNil(rows.first { $0["phase"] as? String == "pass inline" }?["wall_ns"], "\(rows)")
        let o2 = try Pipelines.passes(forLevel: "2").joined(separator: ",")
        let r4 = try run(["opt", input, "-o", b, "--passes", o2, "--threads", "4", "--verify-each", "--perf"])
        XCTAssertEqual(r4.status, 0, r4.stderr)
        XCTAssertTrue(r4.stderr.contains("pass simplify-cfg") && r4.stderr.contains("thread ms"), r4.stderr)
        XCTAssertTrue(r4.stderr.contains("verify after passes"), r4.stderr)
        let outA = [UInt8](try Data(contentsOf: URL(fileURLWithPath: a)))
        XCTAssertEqual(outA, [UInt8](try Data(contentsOf: URL(fileURLWithPath: b))))
        let before = try WASIRunner.run([UInt8](try Data(contentsOf: URL(fileURLWithPath: input))), name: "cli-in")
        XCTAssertEqual(try WASIRunner.run(outA, name: "cli-O2"), before)
    }

    func testOptCommandRejectsUnknownPassesAndLevels() throws {
        let input = Self.wasmDirectory.appendingPathComponent("bits64.O2.wasm").path
        let out = temporaryFile("never.wasm")
        let cases: [([String], String)] = [
            (["--passes", "dce,bogus"], "unknown pass 'bogus'"),
            (["-O9"], "-O9: unknown optimization level"),
            (["-O2", "--passes", "dce"], "not both"),
        ]
        for (args, message) in cases {
            let r = try run(["opt", input, "-o", out] + args)
            XCTAssertEqual(r.status, 1, "\(args)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
