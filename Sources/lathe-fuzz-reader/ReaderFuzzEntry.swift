import Foundation
import LatheFuzz

#if LATHE_LIBFUZZER

/// libFuzzer's entry: one input through the reader, the validator and -O2 (built with
/// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -DLATHE_LIBFUZZER`; libFuzzer supplies `main`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let outcome = MutationFuzzer.checkOneInput(bytes: bytes)
    // A valid module the optimizer cannot handle is a bug: stop so libFuzzer keeps the input.
    if outcome.isFinding { fatalError("optimizer finding: \(outcome)") }
    return 0
}

/// libFuzzer's driver (declared in its FuzzerInterface.h): parses libFuzzer's flags and runs the fuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The executable's entry: SwiftPM links `main` to `<module>_main`, so this hands over to libFuzzer's driver.
@_cdecl("lathe_fuzz_reader_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzzerTestOneInput(data, size) }
}

#else

/// Without libFuzzer: replays input files, or runs a seeded mutation campaign.
@main
struct ReaderFuzzMain {
    static let usage = """
        usage: lathe-fuzz-reader FILE...            replay inputs (e.g. libFuzzer crash files)
               lathe-fuzz-reader --write-seeds DIR SEED-PATH...   write the seed modules as files (a libFuzzer corpus)
               lathe-fuzz-reader --mutate [--seed N] [--count N | --seconds S] [--out DIR] [--hang S] SEED-PATH...
        """

    static func main() throws {
        var args = Array(CommandLine.arguments.dropFirst())
        guard !args.isEmpty else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            exit(2)
        }
        if args.first == "--mutate" {
            args.removeFirst()
            try mutate(args)
            return
        }
        if args.first == "--write-seeds", args.count >= 2 {
            let dir = URL(fileURLWithPath: args[1])
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let seeds = MutationSeeds.load(Array(args.dropFirst(2)))
            for (i, bytes) in seeds.enumerated() {
                try Data(bytes).write(to: dir.appendingPathComponent(String(format: "seed-%05d.wasm", i)))
            }
            print("\(seeds.count) modules written to \(dir.path)")
            return
        }
        var findings = 0
        for path in args {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                findings += 1
                continue
            }
            let outcome = MutationFuzzer.checkOneInput(bytes: Array(data))
            if outcome.isFinding { findings += 1 }
            print("\(path): \(String("\(outcome)".prefix(400)))")
        }
        exit(findings == 0 ? 0 : 1)
    }

    static func mutate(_ args: [String]) throws {
        var options = MutationFuzzer.Options()
        var paths: [String] = []
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { FileHandle.standardError.write(Data("missing value for \(args[i - 1])\n".utf8)); exit(2) }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--seed": options.seed = UInt64(value()) ?? 1
            case "--count": options.count = Int(value())
            case "--seconds": options.seconds = Double(value()); options.count = nil
            case "--out": options.outputDirectory = URL(fileURLWithPath: value())
            case "--hang": options.hangThreshold = Double(value()) ?? 2
            default: paths.append(args[i])
            }
            i += 1
        }
        let seeds = MutationSeeds.load(paths)
        guard !seeds.isEmpty else {
            FileHandle.standardError.write(Data("no seed modules in \(paths)\n".utf8))
            exit(2)
        }
        print("\(seeds.count) seed modules")
        let fuzzer = MutationFuzzer(seeds: seeds, options: options)
        let report = try fuzzer.run { index, _ in
            if index % 10_000 == 0 && index > 0 { print("... \(index)") }
        }
        print(report.summary)
        exit(report.findings.isEmpty && report.hangs.isEmpty ? 0 : 1)
    }
}

#endif
