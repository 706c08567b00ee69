import ArgumentParser
import Foundation
import LatheIR
import LatheOpt
import LatheWasm
import LatheWasmIR

/// `lathe opt IN -o OUT [-O1|-O2|-O3|-Os|-Oz | --passes a,b,c]`: read, optimize and write a module.
struct OptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opt",
        abstract: "Optimize a module.",
        discussion: """
            Every function that can be lifted to the SSA IR goes through the passes and is lowered back; the \
            others keep their bytes. -O0 only reads, validates and writes. The output is written to a temporary \
            file and renamed, so on any failure the input and any existing output are untouched.
            """
    )

    @Argument(help: "Input module (.wasm or .wat).") var input: String
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Option(name: .customShort("O", allowingJoined: true), help: "Optimization level: 0, 1, 2, 3, s or z (`lathe passes` shows the pipelines).")
    var level: String?
    @Option(help: "Run these passes, comma-separated, instead of a level's pipeline.") var passes: String?
    @Flag(name: .customShort("S"), help: "Write the text format instead of binary.") var text = false
    @Flag(help: "Lift every function to the SSA IR, verify it and lower it back (no passes).") var roundtrip = false
    @Option(help: "Threads for the per-function work (default: one per core); the output is the same for any count.")
    var threads: Int?
    @Flag(help: "Verify the IR after every pass and name the pass that broke it (always on in debug builds).")
    var verifyEach = false
    @Flag(help: "Print time, instruction counts and changed functions per phase to stderr (--perf=json for JSON).")
    var perf = false
    @Flag(name: .customLong("perf-json"), help: "Print those figures as JSON (same as --perf=json).")
    var perfJSON = false
    @Option(name: .customLong("inline"), help: ArgumentHelp("Always inline this function (name from the name section, or index); repeatable.", valueName: "name"))
    var inlineNames: [String] = []
    @Option(name: .customLong("no-inline"), help: ArgumentHelp("Never inline this function; repeatable.", valueName: "name"))
    var noInlineNames: [String] = []

    /// The passes to run, or nil to leave function bodies alone (-O0).
    func pipeline() throws -> [String]? {
        if let passes {
            if level != nil { throw CLIError("give either -O<level> or --passes, not both") }
            if roundtrip { throw CLIError("--roundtrip runs no passes; drop --passes") }
            return try Pipelines.parse(passes)
        }
        if roundtrip {
            if let level, level != "0" { throw CLIError("--roundtrip runs no passes; drop -O\(level)") }
            return []
        }
        let l = level ?? "0"
        let names = try Pipelines.passes(forLevel: l)
        return l == "0" ? nil : names
    }

    func run() throws {
        do {
            let timed = perf || perfJSON
            let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
            guard threadCount >= 1 else { throw CLIError("--threads must be at least 1") }
            let names = try pipeline()
            var manager = try PassManager(pipeline: names ?? [], verifyEach: verifyEach || PassManager.verifiesByDefault, collectsStatistics: timed)
            manager.moduleOptions = Pipelines.moduleOptions(forLevel: level ?? "2")
            var perfReport = PerfReport(threads: threadCount)
            var clock = monotonicNanoseconds()
            func phase(_ name: String) {
                let now = monotonicNanoseconds()
                perfReport.rows.append(.init(phase: name, wall: now - clock, thread: now - clock))
                clock = now
            }

            let bytes = try loadBinary(input)
            phase("read")
            var module: LatheWasm.Module
            do { module = try ModuleReader.read(bytes, checkBodies: false) } catch { throw CLIError("\(input): \(error)") }
            phase("decode")
            try validateModule(module, path: input)
            phase("validate")
            if names != nil {
                let verifyLifted = manager.verifyEach || roundtrip
                let requests = inlineNames.map { WasmOptimizer.InlineRequest(function: $0, hint: .always) }
                    + noInlineNames.map { WasmOptimizer.InlineRequest(function: $0, hint: .never) }
                let (out, report): (LatheWasm.Module, WasmOptimizer.Report)
                do {
                    (out, report) = try WasmOptimizer.optimize(module, manager: manager, threads: threadCount, verifyLifted: verifyLifted, timed: timed, inlineRequests: requests)
                } catch {
                    throw CLIError("optimizing failed:\n\(error)")
                }
                let stats = report.roundTrip
                if let liftWall = report.liftWallNanoseconds {
                    perfReport.rows.append(.init(phase: "lift", wall: liftWall, thread: stats.liftNanoseconds + stats.verifyNanoseconds, functions: stats.lifted + stats.keptCount))
                    if verifyLifted { perfReport.rows.append(.init(phase: "verify lifted", nested: true, thread: stats.verifyNanoseconds)) }
                    perfReport.rows.append(.init(phase: "passes", wall: report.passesWallNanoseconds ?? 0, thread: report.passes.passes.reduce(0) { $0 + $1.nanoseconds } + report.passes.verifyNanoseconds))
                    perfReport.addPasses(report.passes)
                    if manager.verifyEach { perfReport.rows.append(.init(phase: "verify after passes", nested: true, thread: report.passes.verifyNanoseconds)) }
                    perfReport.rows.append(.init(phase: "lower", wall: report.lowerWallNanoseconds ?? 0, thread: report.lowerThreadNanoseconds, functions: stats.lifted))
                } else {
                    perfReport.rows.append(.init(phase: "lift+passes+lower", wall: stats.wallNanoseconds, thread: stats.liftNanoseconds + stats.verifyNanoseconds + stats.transformNanoseconds + stats.lowerNanoseconds, functions: module.bodies.count))
                    perfReport.rows.append(.init(phase: "lift", nested: true, thread: stats.liftNanoseconds, functions: stats.lifted + stats.keptCount))
                    if verifyLifted { perfReport.rows.append(.init(phase: "verify lifted", nested: true, thread: stats.verifyNanoseconds)) }
                    perfReport.addPasses(report.passes)
                    if manager.verifyEach { perfReport.rows.append(.init(phase: "verify after passes", nested: true, thread: report.passes.verifyNanoseconds)) }
                    perfReport.rows.append(.init(phase: "lower", nested: true, thread: stats.lowerNanoseconds, functions: stats.lifted))
                }
                clock = monotonicNanoseconds()
                try validateModule(out, path: output)
                phase("validate output")
                module = out
            }
            let outBytes = text ? Array(ModulePrinter.print(module).utf8) : ModuleWriter.write(module)
            phase("encode")
            try writeAtomically(outBytes, to: output)
            phase("write")
            if timed { FileHandle.standardError.write(Data((perfJSON ? perfReport.json : perfReport.table).utf8)) }
        } catch {
            throw ExitCode(report(error))
        }
    }
}
