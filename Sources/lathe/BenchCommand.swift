import ArgumentParser
import Foundation
import LatheWasm

/// `lathe bench`: corpus benchmarks against peer optimizers, their comparison, and their table and chart.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark Lathe against peer optimizers on a corpus, compare runs, render tables and charts.",
        subcommands: [BenchRunCommand.self, BenchCompareCommand.self, BenchRenderCommand.self],
        defaultSubcommand: BenchRunCommand.self
    )
}

/// `lathe bench [run] CORPUS ...`: optimizes every module at every level with Lathe and each peer and measures the outputs.
struct BenchRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Optimize a corpus with Lathe and peers; sizes, times, peak memory, hashes, counters, run times.",
        discussion: """
            CORPUS is a .wasm file or a directory of them. Every optimizer runs as a child process (Lathe runs \
            this binary's `opt`), so wall time and peak memory (ru_maxrss) are measured the same way for all. A \
            peer is NAME=CMD, a command template with {in}, {out} and {level}; without --peer, wasm-opt from \
            PATH is the peer. A WASI command module whose program (the file name up to the first dot) has \
            EXPECTED/NAME.txt runs under the engine after precompilation: the median of --runs runs is the \
            run time, and its stdout is checked. Progress goes to stderr.
            """
    )

    static let defaultPeer = "{wasm-opt} {in} -o {out} -O{level} --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int --enable-simd"

    @Argument(help: "A module or a directory of .wasm modules.") var corpus: String
    @Option(name: .customShort("O"), help: "Optimization levels, comma-separated (1, 2, 3, s, z).") var levels = "2,z"
    @Option(name: .customLong("peer"), help: ArgumentHelp("A peer optimizer NAME=CMD with {in} {out} {level}; repeatable.", valueName: "name=cmd"))
    var peers: [String] = []
    @Flag(help: "No peers unless given with --peer (by default wasm-opt from PATH).") var noDefaultPeer = false
    @Option(help: ArgumentHelp("The engine that runs WASI command modules: wasmtime=PATH (default: wasmtime from PATH).", valueName: "wasmtime=path"))
    var engine: String?
    @Flag(help: "Do not run the modules (sizes, times and counters only).") var noRun = false
    @Option(help: "Runs per module under the engine; the median is reported.") var runs = 3
    @Option(help: "Directory of expected outputs NAME.txt (default: CORPUS/../expected, else CORPUS/expected).") var expected: String?
    @Option(help: "The lathe binary to measure (default: this one).") var lathe: String?
    @Option(help: "Write the table as CSV.") var csv: String?
    @Option(help: "Write a Markdown table (sizes and run times relative to the reference peer).") var markdown: String?
    @Option(help: "Write an SVG bar chart of the same ratios.") var svg: String?
    @Option(help: "The peer ratios are relative to (default: wasm-opt, else the first peer).") var reference: String?

    func run() throws {
        do {
            guard runs >= 1 else { throw CLIError("--runs must be at least 1") }
            let levelList = levels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for l in levelList where !["1", "2", "3", "4", "s", "z"].contains(l) { throw CLIError("-O: unknown level '\(l)' (expected 1, 2, 3, s or z)") }
            guard !levelList.isEmpty else { throw CLIError("-O: no levels") }
            let modules = try corpusModules()
            let tools = try toolList()
            let engineArgv = try engineCommand()
            let expectedDir = expectedDirectory()
            var bench = try BenchRunner(tools: tools, levels: levelList, engine: engineArgv, runs: runs, expectedDirectory: expectedDir)
            defer { bench.cleanUp() }
            let rows = try bench.run(modules)
            try writeOutputs(rows)
            let failed = rows.filter { $0.status != "ok" || $0.output == "FAIL" }
            if !failed.isEmpty {
                for r in failed { note("!!! \(r.key): \(r.status != "ok" ? r.status : "output differs from the expected output")") }
                throw ExitCode(1)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw ExitCode(report(error))
        }
    }

    func writeOutputs(_ rows: [BenchRow]) throws {
        if let csv { try writeAtomically(Array(BenchCSV.text(rows).utf8), to: csv) }
        let ref = reference ?? BenchRender.defaultReference(rows)
        if let markdown { try writeAtomically(Array(BenchRender.markdown(rows, reference: ref).utf8), to: markdown) }
        if let svg { try writeAtomically(Array(BenchRender.svg(rows, reference: ref).utf8), to: svg) }
        if csv == nil && markdown == nil { print(BenchRender.markdown(rows, reference: ref), terminator: "") }
    }

    func corpusModules() throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: corpus, isDirectory: &isDir) else { throw CLIError("\(corpus): no such file or directory") }
        if !isDir.boolValue { return [corpus] }
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { $0.hasSuffix(".wasm") }.sorted()
        guard !names.isEmpty else { throw CLIError("\(corpus): no .wasm modules") }
        return names.map { (corpus as NSString).appendingPathComponent($0) }
    }

    /// Lathe first, then the peers whose program exists (a missing one is skipped with a note).
    func toolList() throws -> [BenchTool] {
        let latheBinary = lathe ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        guard FileManager.default.isExecutableFile(atPath: latheBinary) else { throw CLIError("\(latheBinary): not an executable lathe binary") }
        var tools = [BenchTool(name: "lathe", template: [latheBinary, "opt", "{in}", "-o", "{out}", "-O{level}"])]
        var specs = peers
        if specs.isEmpty && !noDefaultPeer {
            if let path = findExecutable("wasm-opt") {
                specs = ["wasm-opt=" + Self.defaultPeer.replacingOccurrences(of: "{wasm-opt}", with: path)]
            } else {
                note("note: no wasm-opt on PATH; no peer (bench/setup-peers.sh installs one)")
            }
        }
        for spec in specs {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else { throw CLIError("--peer \(spec): expected NAME=CMD") }
            let name = String(spec[..<eq])
            guard !["lathe", "input"].contains(name), !tools.contains(where: { $0.name == name }) else { throw CLIError("--peer \(spec): the name '\(name)' is taken") }
            let words = try splitCommand(String(spec[spec.index(after: eq)...]))
            guard let program = words.first else { throw CLIError("--peer \(spec): empty command") }
            guard words.contains(where: { $0.contains("{in}") }), words.contains(where: { $0.contains("{out}") }) else {
                throw CLIError("--peer \(spec): the command needs {in} and {out}")
            }
            guard findExecutable(program) != nil else { note("note: peer \(name) skipped: \(program) not found"); continue }
            tools.append(BenchTool(name: name, template: words))
        }
        return tools
    }

    func engineCommand() throws -> String? {
        if noRun { return nil }
        if let engine {
            let parts = engine.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "wasmtime" else { throw CLIError("--engine \(engine): expected wasmtime=PATH") }
            guard let path = findExecutable(parts[1]) else { note("note: engine \(parts[1]) not found; run times skipped"); return nil }
            return path
        }
        guard let path = findExecutable("wasmtime") else { note("note: no wasmtime on PATH; run times skipped (bench/setup-peers.sh)"); return nil }
        return path
    }

    func expectedDirectory() -> String? {
        if let expected { return expected }
        var isDir: ObjCBool = false
        let base = FileManager.default.fileExists(atPath: corpus, isDirectory: &isDir) && isDir.boolValue ? corpus : (corpus as NSString).deletingLastPathComponent
        for candidate in [((base as NSString).deletingLastPathComponent as NSString).appendingPathComponent("expected"), (base as NSString).appendingPathComponent("expected")] {
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), isDir.boolValue { return candidate }
        }
        return nil
    }
}

/// Prints a progress line or note to stderr.
func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

/// An optimizer: a name and its command template.
struct BenchTool {
    var name: String
    var template: [String]

    func command(input: String, output: String, level: String) -> [String] {
        template.map { $0.replacingOccurrences(of: "{in}", with: input).replacingOccurrences(of: "{out}", with: output).replacingOccurrences(of: "{level}", with: level) }
    }
}

/// Runs the tools over the modules and measures each output.
struct BenchRunner {
    var tools: [BenchTool]
    var levels: [String]
    var engine: String?
    var runs: Int
    var expectedDirectory: String?
    let scratch: String

    init(tools: [BenchTool], levels: [String], engine: String?, runs: Int, expectedDirectory: String?) throws {
        self.tools = tools; self.levels = levels; self.engine = engine; self.runs = runs; self.expectedDirectory = expectedDirectory
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-bench-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: scratch) }

    func run(_ modules: [String]) throws -> [BenchRow] {
        var rows: [BenchRow] = []
        let total = modules.count * (1 + levels.count * tools.count)
        var step = 0
        for path in modules {
            let file = (path as NSString).lastPathComponent
            let program = String(file.split(separator: ".").first ?? Substring(file))
            let expectedOutput = expectedDirectory.flatMap { FileManager.default.contents(atPath: ($0 as NSString).appendingPathComponent(program + ".txt")) }.map { [UInt8]($0) }
            var input = BenchRow(module: file, program: program, tool: "input", level: "-")
            let bytes = try readFile(path)
            step += 1
            let runnable = try measure(bytes, into: &input, expected: expectedOutput)
            progress(step, total, input)
            rows.append(input)
            for level in levels {
                for tool in tools {
                    step += 1
                    var row = BenchRow(module: file, program: program, tool: tool.name, level: level)
                    let out = scratch + "/out.\(tool.name).wasm"
                    try? FileManager.default.removeItem(atPath: out)
                    let result = try runChild(tool.command(input: path, output: out, level: level), scratch: scratch)
                    row.optMilliseconds = Double(result.wallNanoseconds) / 1e6
                    row.peakKiB = result.peakKiB
                    if result.status != 0 {
                        row.status = "failed: \(result.errorText)".replacingOccurrences(of: "\n", with: " ")
                    } else if let data = FileManager.default.contents(atPath: out) {
                        _ = try measure([UInt8](data), into: &row, expected: runnable ? expectedOutput : nil)
                    } else {
                        row.status = "failed: no output file"
                    }
                    progress(step, total, row)
                    rows.append(row)
                }
            }
        }
        return rows
    }

    func progress(_ step: Int, _ total: Int, _ row: BenchRow) {
        var line = "[\(step)/\(total)] \(row.module) \(row.tool)\(row.tool == "input" ? "" : " -O\(row.level)"): \(row.size) bytes"
        if let t = row.optMilliseconds { line += String(format: ", opt %.0f ms, %d KiB", t, row.peakKiB ?? 0) }
        if let t = row.runMilliseconds { line += String(format: ", run %.1f ms (CPU %.1f ms)", t, row.runCPUMilliseconds ?? 0) }
        if !row.output.isEmpty { line += ", output \(row.output)" }
        if row.status != "ok" { line += ", \(row.status)" }
        note(line)
    }

    /// Fills sizes, hash and counters, and runs the module when it is a WASI command with an expected output; returns whether it was runnable.
    func measure(_ bytes: [UInt8], into row: inout BenchRow, expected: [UInt8]?) throws -> Bool {
        row.size = bytes.count
        row.code = ModuleStats.sectionSizes(bytes).first { $0.name == "code" }?.size ?? 0
        row.gzip = gzipCompressedSize(bytes)
        row.sha256 = sha256Hex(bytes)
        let module: Module
        do {
            module = try ModuleReader.read(bytes)
            row.counters = try OpcodeCounters(module: module)
        } catch {
            row.status = "unreadable output: \(error)".replacingOccurrences(of: "\n", with: " ")
            return false
        }
        let isCommand = module.exports.contains { $0.name == "_start" && $0.kind == .function }
            && module.imports.contains { $0.module.hasPrefix("wasi_") }
        guard let engine, let expected, isCommand else { return false }
        let wasm = scratch + "/run.wasm", compiled = scratch + "/run.cwasm"
        try writeAtomically(bytes, to: wasm)
        try? FileManager.default.removeItem(atPath: compiled)
        let compile = try runChild([engine, "compile", wasm, "-o", compiled], scratch: scratch)
        let command = compile.status == 0 ? [engine, "run", "--allow-precompiled", compiled] : [engine, "run", wasm]
        var times: [Double] = [], cpuTimes: [Double] = []
        var ok = true
        for _ in 0..<runs {
            let r = try runChild(command, scratch: scratch)
            times.append(Double(r.wallNanoseconds) / 1e6)
            cpuTimes.append(Double(r.cpuNanoseconds) / 1e6)
            if r.status != 0 || r.stdout != expected { ok = false }
        }
        times.sort()
        cpuTimes.sort()
        row.runMilliseconds = times[times.count / 2]
        row.runCPUMilliseconds = cpuTimes[cpuTimes.count / 2]
        row.output = ok ? "ok" : "FAIL"
        return true
    }
}
