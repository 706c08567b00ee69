import Foundation
import LatheOpt
import LatheWasm

/// Reader robustness by mutation: mutated modules go through reading, validation, -O2 and
/// validation of the output; a thrown error is the expected answer to a bad module, a crash is a bug.
///
/// A crash cannot be caught in process, so before each input the fuzzer writes it to
/// `current-input.wasm` in the output directory (and names it to `onInput`): after a crash the
/// reproducer is on disk. Inputs slower than the hang threshold and inputs the optimizer
/// failed on (a valid module it could not optimize, or output that no longer validates) are kept;
/// an input still running past the threshold is copied to `hangs/` at once, in case it never ends.
public struct MutationFuzzer {
    /// How far one input got.
    public enum Outcome: Sendable, Equatable {
        /// The reader threw (malformed module): the expected answer.
        case rejectedAtRead(String)
        /// It read but the validator threw: the expected answer to an invalid module.
        case rejectedAtValidate(String)
        /// It validated, optimized at -O2 and the output validated.
        case optimized
        /// It validated but the optimizer threw: a bug in the lifter, a pass or the lowerer.
        case optimizeFailed(String)
        /// It optimized but the output does not validate: a bug.
        case invalidOutput(String)

        /// True for the outcomes that point at a bug.
        public var isFinding: Bool {
            switch self {
            case .optimizeFailed, .invalidOutput: return true
            default: return false
            }
        }
    }

    /// What to run.
    public struct Options: Sendable {
        public var seed: UInt64 = 1
        /// Number of mutants; nil runs until the time budget is spent.
        public var count: Int? = 1000
        /// Wall-clock budget in seconds; nil means no limit.
        public var seconds: Double? = nil
        /// An input slower than this (seconds) is reported as a hang and kept.
        public var hangThreshold: Double = 2
        /// Where `current-input.wasm`, `hangs/` and `findings/` go; nil keeps nothing on disk.
        public var outputDirectory: URL? = nil
        /// The -O level the valid mutants are optimized at.
        public var level: String = "2"
        public init() {}
    }

    /// A kept input: a hang or a finding.
    public struct Kept: Sendable {
        public var index: Int
        public var seconds: Double
        public var outcome: Outcome
        public var bytes: [UInt8]
        /// Where it was written, if an output directory was given.
        public var path: String?
    }

    /// The counts and the slowest input of a run.
    public struct Report: Sendable {
        public var inputsRun = 0
        public var rejectedAtRead = 0
        public var rejectedAtValidate = 0
        public var optimized = 0
        public var findings: [Kept] = []
        public var hangs: [Kept] = []
        public var maxSeconds = 0.0
        public var totalSeconds = 0.0
        /// Index of the slowest input and its bytes.
        public var slowestIndex = -1
        public var slowestInput: [UInt8] = []

        /// A few lines for a terminal.
        public var summary: String {
            var lines = [
                "inputs run: \(inputsRun) in \(String(format: "%.1f", totalSeconds)) s",
                "rejected at read: \(rejectedAtRead), at validate: \(rejectedAtValidate), optimized: \(optimized), optimizer findings: \(findings.count)",
                "slowest input: #\(slowestIndex), \(String(format: "%.3f", maxSeconds)) s, \(slowestInput.count) bytes",
                "hangs: \(hangs.count), findings: \(findings.count)",
            ]
            for k in hangs { lines.append("  hang #\(k.index) \(String(format: "%.2f", k.seconds)) s \(k.path ?? "")") }
            for k in findings { lines.append("  finding #\(k.index) \(k.path ?? ""): \(String("\(k.outcome)".prefix(300)))") }
            return lines.joined(separator: "\n")
        }
    }

    public let mutator: WasmMutator
    public var options: Options

    /// A fuzzer over `seeds` (at least one module).
    public init(seeds: [[UInt8]], options: Options = Options()) {
        mutator = WasmMutator(seeds: seeds)
        self.options = options
    }

    /// The bytes of mutant `index` of this run (reproducible one by one).
    public func mutant(_ index: Int) -> [UInt8] {
        mutator.mutant(seed: SplitMix64.derive(options.seed, UInt64(index))).bytes
    }

    /// The file each input is written to before it runs.
    public var currentInputPath: URL? { options.outputDirectory?.appendingPathComponent("current-input.wasm") }

    /// Runs the mutants; `onInput(index, bytes)` is called before each one, after it is on disk.
    public func run(onInput: ((Int, [UInt8]) -> Void)? = nil) throws -> Report {
        var report = Report()
        let fm = FileManager.default
        if let dir = options.outputDirectory { try fm.createDirectory(at: dir, withIntermediateDirectories: true) }
        let start = Self.now()
        let hangs = options.outputDirectory?.appendingPathComponent("hangs"), seed = options.seed
        let watchdog = MutationWatchdog(threshold: options.hangThreshold, currentInput: currentInputPath) { index in
            hangs?.appendingPathComponent("seed\(seed)-\(index).wasm")
        }
        defer { watchdog.stop() }
        var index = 0
        while true {
            if let count = options.count, index >= count { break }
            if let seconds = options.seconds, Double(Self.now() - start) / 1e9 >= seconds { break }
            let bytes = mutant(index)
            if let path = currentInputPath { try Data(bytes).write(to: path) }
            onInput?(index, bytes)
            let t0 = Self.now()
            watchdog.begin(index)
            let outcome = Self.checkOneInput(bytes: bytes, level: options.level)
            watchdog.end()
            let seconds = Double(Self.now() - t0) / 1e9
            report.inputsRun += 1
            switch outcome {
            case .rejectedAtRead: report.rejectedAtRead += 1
            case .rejectedAtValidate: report.rejectedAtValidate += 1
            case .optimized: report.optimized += 1
            case .optimizeFailed, .invalidOutput: break
            }
            if seconds > report.maxSeconds {
                report.maxSeconds = seconds
                report.slowestIndex = index
                report.slowestInput = bytes
            }
            if outcome.isFinding {
                report.findings.append(try keep(index, seconds, outcome, bytes, in: "findings"))
            }
            if seconds > options.hangThreshold {
                report.hangs.append(try keep(index, seconds, outcome, bytes, in: "hangs"))
            }
            index += 1
        }
        report.totalSeconds = Double(Self.now() - start) / 1e9
        if let path = currentInputPath { try? fm.removeItem(at: path) }
        return report
    }

    func keep(_ index: Int, _ seconds: Double, _ outcome: Outcome, _ bytes: [UInt8], in sub: String) throws -> Kept {
        var kept = Kept(index: index, seconds: seconds, outcome: outcome, bytes: bytes)
        if let dir = options.outputDirectory?.appendingPathComponent(sub) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let url = dir.appendingPathComponent("seed\(options.seed)-\(index).wasm")
            try Data(bytes).write(to: url)
            kept.path = url.path
        }
        return kept
    }

    /// Reads, validates and (if valid) optimizes one input at -O`level`, then validates the output.
    ///
    /// Every failure a bad module can cause comes back as an `Outcome`; only a bug crashes or hangs.
    public static func checkOneInput(bytes: [UInt8], level: String = "2") -> Outcome {
        let module: Module
        do { module = try ModuleReader.read(bytes) } catch { return .rejectedAtRead(error.description) }
        do { try ModuleValidator.validate(module) } catch { return .rejectedAtValidate(error.description) }
        do {
            var manager = try PassManager(pipeline: Pipelines.passes(forLevel: level), verifyEach: true)
            manager.moduleOptions = Pipelines.moduleOptions(forLevel: level)
            let (out, _) = try WasmOptimizer.optimize(module, manager: manager, threads: 1, verifyLifted: true)
            do { try ModuleValidator.validate(out) } catch { return .invalidOutput(error.description) }
            // The output must also survive its own encoding.
            let encoded = ModuleWriter.write(out)
            do { try ModuleValidator.validate(try ModuleReader.read(encoded)) } catch {
                return .invalidOutput("re-reading the output: \(error)")
            }
        } catch {
            return .optimizeFailed("\(error)")
        }
        return .optimized
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
