import Foundation
import LatheWasm
import WAT

/// A fuzzing run: generated modules (seed, count or time) or a corpus, each compared under every configuration.
public struct FuzzOptions: Sendable {
    /// Module `k` of a run is generated from seed `seed + k`; a reported seed reproduces with `--seed S --count 1`.
    public var seed: UInt64 = 1
    public var count: Int? = 100
    /// Stop starting new modules after this many seconds (when `count` is nil, or whichever comes first).
    public var seconds: Double?
    public var configurations: [FuzzConfiguration] = []
    /// Where to write each mismatch's original and reduced module (`.wat`) and its report; nil writes nothing.
    public var outputDirectory: String?
    public var reduce = true
    public var maxReduceAttempts = 4000
    public var generator = ProgramGenerator.Options()
    public var threads = 1
    /// Stop starting new modules once this many mismatches were found (nil: never).
    public var maxMismatches: Int?

    public init() {}
}

/// One mismatch found, with its reduced form.
public struct MismatchReport: Sendable, CustomStringConvertible {
    /// The module's seed (nil for a corpus file).
    public var seed: UInt64?
    public var file: String?
    public var mismatch: Mismatch
    /// The module as text, and its reduced form when it was reduced.
    public var originalWAT: String
    public var reducedWAT: String?
    public var reducedMismatch: Mismatch?
    /// AST nodes before and after reduction (generated modules).
    public var sizeBefore = 0, sizeAfter = 0
    public var files: [String] = []

    public var description: String {
        var s = seed.map { "seed \($0): " } ?? file.map { "\($0): " } ?? ""
        s += mismatch.description
        if let r = reducedMismatch { s += "\n  reduced (\(sizeBefore) -> \(sizeAfter) nodes): \(r)" }
        if !files.isEmpty { s += "\n  written: " + files.joined(separator: ", ") }
        return s
    }
}

/// What a run found.
public struct FuzzSummary: Sendable, CustomStringConvertible {
    public var modules = 0
    public var exports = 0
    /// Calls compared, summed over configurations.
    public var calls = 0
    /// Module comparisons cut short (fuel or stack exhaustion on one side only).
    public var inconclusive = 0
    /// Generated modules that failed validation (generator bugs) and corpus files that could not be used.
    public var invalid: [String] = []
    public var skipped = 0
    public var mismatches: [MismatchReport] = []
    public var seconds = 0.0
    public var configurations: [String] = []

    public var description: String {
        var s = "fuzz: \(modules) modules, \(exports) exports, \(calls) calls compared under \(configurations.joined(separator: " and "))"
        s += ", \(mismatches.count) mismatches, \(inconclusive) inconclusive"
        if skipped > 0 { s += ", \(skipped) skipped" }
        if !invalid.isEmpty { s += ", \(invalid.count) invalid" }
        return s + String(format: ", %.1f s", seconds)
    }
}

/// Runs fuzzing campaigns.
public enum Fuzzer {
    /// What one module gave: counts and mismatches (reduced).
    struct ModuleResult {
        var exports = 0, calls = 0, inconclusive = 0
        var invalid: String?
        var skipped = false
        var reports: [MismatchReport] = []
    }

    /// Generates modules from the options' seed and compares each under every configuration.
    public static func run(_ options: FuzzOptions, progress: (@Sendable (String) -> Void)? = nil) -> FuzzSummary {
        let start = Date()
        var summary = FuzzSummary(configurations: options.configurations.map(\.name))
        var next: UInt64 = 0
        let batch = max(1, options.threads) * (options.maxMismatches == nil ? 4 : 1)
        while true {
            if let count = options.count, Int(next) >= count { break }
            if let seconds = options.seconds, Date().timeIntervalSince(start) >= seconds { break }
            if options.count == nil && options.seconds == nil { break }
            let remaining = options.count.map { $0 - Int(next) } ?? batch
            let n = min(batch, remaining)
            let seeds = (0..<UInt64(n)).map { options.seed &+ next &+ $0 }
            next += UInt64(n)
            let results = parallelMap(seeds, threads: options.threads) { seed in checkGenerated(seed: seed, options: options) }
            for r in results { add(r, to: &summary, progress: progress) }
            if let max = options.maxMismatches, summary.mismatches.count >= max { break }
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Compares every `.wasm` and `.wat` file of a directory under every configuration.
    public static func runCorpus(directory: String, _ options: FuzzOptions, progress: (@Sendable (String) -> Void)? = nil) -> FuzzSummary {
        let start = Date()
        var summary = FuzzSummary(configurations: options.configurations.map(\.name))
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".wasm") || $0.hasSuffix(".wat") }.sorted()
        let results = parallelMap(names, threads: options.threads) { name in
            checkFile((directory as NSString).appendingPathComponent(name), options: options)
        }
        for r in results { add(r, to: &summary, progress: progress) }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    static func add(_ r: ModuleResult, to summary: inout FuzzSummary, progress: (@Sendable (String) -> Void)?) {
        if r.skipped { summary.skipped += 1; return }
        summary.modules += 1
        summary.exports += r.exports
        summary.calls += r.calls
        summary.inconclusive += r.inconclusive
        if let i = r.invalid { summary.invalid.append(i); progress?("invalid: \(i)") }
        for m in r.reports { progress?(m.description) }
        summary.mismatches += r.reports
    }

    /// Generates, validates and compares the module of one seed.
    static func checkGenerated(seed: UInt64, options: FuzzOptions) -> ModuleResult {
        let program = ProgramGenerator.generate(seed: seed, options: options.generator)
        let module = program.module()
        var result = ModuleResult()
        do { try ModuleValidator.validate(module) } catch {
            result.invalid = "seed \(seed): generated module is invalid: \(error)"
            if let directory = options.outputDirectory {
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let path = (directory as NSString).appendingPathComponent("seed-\(seed).invalid.wat")
                FileManager.default.createFile(atPath: path, contents: Data(ModulePrinter.print(module).utf8))
                result.invalid! += " (written to \(path))"
            }
            return result
        }
        result.exports = program.functions.count { $0.exported }
        let plan = CallPlan(module: module, seed: seed)
        let baseline = Execution.run(ModuleWriter.write(module), plan: plan)
        for configuration in options.configurations {
            let c = Differential.compare(module, baseline: baseline, plan: plan, configuration: configuration)
            result.calls += c.callsCompared
            if c.inconclusive != nil { result.inconclusive += 1 }
            guard let m = c.mismatch else { continue }
            var report = MismatchReport(seed: seed, mismatch: m, originalWAT: ModulePrinter.print(module))
            report.sizeBefore = program.size
            if options.reduce {
                var reducer = Reducer(configuration: configuration, kind: m.kind, maxAttempts: options.maxReduceAttempts)
                let (small, sm) = reducer.reduce(program, m)
                report.reducedWAT = ModulePrinter.print(small.module())
                report.reducedMismatch = sm
                report.sizeAfter = small.size
            }
            write(&report, name: "seed-\(seed)\(fileSuffix(configuration.name))", to: options.outputDirectory)
            result.reports.append(report)
        }
        return result
    }

    /// Compares one corpus file (modules with imports cannot be instantiated alone and are skipped).
    static func checkFile(_ path: String, options: FuzzOptions) -> ModuleResult {
        var result = ModuleResult()
        guard let bytes = loadModuleBytes(path), let module = try? ModuleReader.read(bytes),
              (try? ModuleValidator.validate(module)) != nil else {
            result.invalid = "\(path): cannot be read or is invalid"
            return result
        }
        if !module.imports.isEmpty { result.skipped = true; return result }
        var seed: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { seed = (seed ^ UInt64(b)) &* 0x100_0000_01B3 }
        let plan = CallPlan(module: module, seed: seed)
        result.exports = module.exports.count { $0.kind == .function }
        let baseline = Execution.run(bytes, plan: plan)
        for configuration in options.configurations {
            let c = Differential.compare(module, baseline: baseline, plan: plan, configuration: configuration)
            result.calls += c.callsCompared
            if c.inconclusive != nil { result.inconclusive += 1 }
            guard let m = c.mismatch else { continue }
            var report = MismatchReport(file: path, mismatch: m, originalWAT: ModulePrinter.print(module))
            let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            write(&report, name: base + fileSuffix(configuration.name), to: options.outputDirectory)
            result.reports.append(report)
        }
        return result
    }

    /// The bytes of a `.wasm` file, or of a `.wat` file through WasmKit's `wat2wasm`.
    static func loadModuleBytes(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        if path.hasSuffix(".wasm") { return [UInt8](data) }
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        return try? wat2wasm(text, features: .all)
    }

    static func fileSuffix(_ configuration: String) -> String {
        "-" + String(configuration.map { $0.isLetter || $0.isNumber ? $0 : "_" }).trimmingCharacters(in: CharacterSet(charactersIn: "_"))
    }

    /// Writes the original and reduced `.wat` and a report beside them; records the paths.
    static func write(_ report: inout MismatchReport, name: String, to directory: String?) {
        guard let directory else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func put(_ text: String, _ file: String) {
            let path = (directory as NSString).appendingPathComponent(file)
            if FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) { report.files.append(path) }
        }
        put(report.originalWAT, name + ".orig.wat")
        if let r = report.reducedWAT { put(r, name + ".reduced.wat") }
        put(report.description + "\n", name + ".txt")
    }

    /// `transform` of every item, on up to `threads` threads, in the items' order.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], threads: Int, _ transform: @Sendable @escaping (T) -> R) -> [R] {
        if threads <= 1 || items.count <= 1 { return items.map(transform) }
        let box = ResultBox<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in stride(from: t, to: items.count, by: threads) { box.set(i, transform(items[i])) }
        }
        return box.values()
    }
}

/// Results written from several threads, each slot once.
final class ResultBox<R>: @unchecked Sendable {
    private var slots: [R?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: R) { lock.lock(); slots[i] = value; lock.unlock() }
    func values() -> [R] { slots.map { $0! } }
}
