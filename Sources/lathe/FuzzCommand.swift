import ArgumentParser
import Foundation
import LatheFuzz
import LatheOpt

/// `lathe fuzz`: differential fuzzing of the optimizer on generated modules or a corpus.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Check the optimizer against the unoptimized module on generated or given modules.",
        discussion: """
            Each module runs on WasmKit before and after optimization: every export with argument tuples \
            derived from the seed; results (NaN payloads as the spec allows), traps and the final memory \
            and globals must agree. A mismatch is reduced and written to --out as .wat with a report. \
            Module k of a run uses seed S+k, so `--seed S --count 1` reproduces a reported seed. \
            -O and --passes may be repeated and combined with --roundtrip; the default is -O2. \
            Exits 1 on any mismatch or invalid generated module.

            --mutate checks reader robustness instead: mutants of the given modules (bit flips, \
            truncation, LEB128 tricks, section shuffles and splices) are read, validated and, when valid, \
            optimized (-O LEVEL, default 2) and validated again. Rejection with an error is expected; an \
            optimizer failure, invalid output or an input slower than --hang-seconds is a finding (exit 1). Each \
            input is written to --out/current-input.wasm before it runs, so a crash leaves it on disk.
            """
    )

    @Option(help: "First seed (module k uses seed+k).") var seed: UInt64 = 1
    @Option(help: "Number of modules (default 100 unless --time is given).") var count: Int?
    @Option(help: "Stop starting modules after this many seconds.") var time: Double?
    @Option(name: .customShort("O", allowingJoined: true), help: "Optimization level to check: 1, 2, 3, s or z (repeatable).")
    var levels: [String] = []
    @Option(help: "Check these passes, comma-separated (repeatable).") var passes: [String] = []
    @Flag(help: "Check the lift and lower round trip with no passes.") var roundtrip = false
    @Option(help: "Write mismatching modules (original and reduced .wat) and reports here.") var out: String?
    @Option(help: "Check every .wasm and .wat file of this directory instead of generated modules.") var corpus: String?
    @Flag(help: "Do not reduce mismatching modules.") var noReduce = false
    @Flag(help: "Generate modules without SIMD.") var noSimd = false
    @Option(help: "Modules checked in parallel (default: one per core).") var threads: Int?
    @Flag(help: "Do not verify the IR after every pass (faster; the output is still validated and run).") var noVerify = false
    @Flag(help: "Mutate the given modules and check that read, validate and optimize never crash, hang or break.") var mutate = false
    @Option(help: "With --mutate: seconds after which an input counts as a hang (a debug build is ~20x slower than release).") var hangSeconds: Double = 2
    @Argument(help: "With --mutate: seed modules (.wasm, .wat, .wast) or directories of them.") var inputs: [String] = []

    func run() throws {
        if mutate { return try runMutation() }
        if !inputs.isEmpty { throw ExitCode(report(CLIError("module arguments are for --mutate; use --corpus DIR to check given modules"))) }
        var options = FuzzOptions()
        options.seed = seed
        options.count = count ?? (time == nil ? 100 : nil)
        options.seconds = time
        options.outputDirectory = out
        options.reduce = !noReduce
        options.generator.simd = !noSimd
        options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        do {
            for l in levels {
                guard l != "0" else { throw CLIError("-O0 runs nothing; use --roundtrip or a level from 1") }
                options.configurations.append(try FuzzConfiguration.level(l))
            }
            for p in passes { options.configurations.append(try FuzzConfiguration.passes(p)) }
        } catch let e as CLIError {
            throw ExitCode(report(e))
        } catch {
            throw ExitCode(report(CLIError("\(error)")))
        }
        if roundtrip { options.configurations.append(.roundTrip) }
        if options.configurations.isEmpty { options.configurations = [try FuzzConfiguration.level("2")] }
        if noVerify { for i in options.configurations.indices { options.configurations[i].verifyEach = false } }
        let progress: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let summary: FuzzSummary
        if let corpus {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: corpus, isDirectory: &isDir), isDir.boolValue else {
                throw ExitCode(report(CLIError("\(corpus): not a directory")))
            }
            summary = Fuzzer.runCorpus(directory: corpus, options, progress: progress)
        } else {
            summary = Fuzzer.run(options, progress: progress)
        }
        print(summary)
        if !summary.mismatches.isEmpty || !summary.invalid.isEmpty { throw ExitCode(1) }
    }

    /// `--mutate`: reader and optimizer robustness on mutants of the input modules.
    func runMutation() throws {
        guard !inputs.isEmpty else { throw ExitCode(report(CLIError("--mutate needs seed modules or directories"))) }
        for path in inputs where !FileManager.default.fileExists(atPath: path) {
            throw ExitCode(report(CLIError("\(path): no such file or directory")))
        }
        guard levels.count <= 1, passes.isEmpty, !roundtrip else {
            throw ExitCode(report(CLIError("--mutate takes at most one -O level (no --passes or --roundtrip)")))
        }
        let seeds = MutationSeeds.load(inputs)
        guard !seeds.isEmpty else { throw ExitCode(report(CLIError("no .wasm, .wat or .wast modules in \(inputs.joined(separator: ", "))"))) }
        var options = MutationFuzzer.Options()
        options.seed = seed
        options.count = count ?? (time == nil ? 1000 : nil)
        options.seconds = time
        options.outputDirectory = out.map { URL(fileURLWithPath: $0) }
        options.level = levels.first ?? "2"
        options.hangThreshold = hangSeconds
        let result = try MutationFuzzer(seeds: seeds, options: options).run()
        print(result.summary)
        if !result.findings.isEmpty || !result.hangs.isEmpty { throw ExitCode(1) }
    }
}
