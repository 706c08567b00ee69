import ArgumentParser
import Foundation
import LatheProspero

/// Reads a Prospero `.vm` file, naming the file and line in errors.
func loadVMProgram(_ path: String) throws -> VMProgram {
    let bytes = try readFile(path)
    guard let text = String(bytes: bytes, encoding: .utf8) else { throw CLIError("\(path): not valid UTF-8") }
    do {
        return try VMProgram(parsing: text)
    } catch {
        throw CLIError("\(path):\(error.line): \(error.message)")
    }
}

/// `lathe render FILE.vm`: the program's image, pruned by interval arithmetic, evaluated 8 pixels at a time.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a Prospero .vm program to a grayscale image (255 where the value is below zero).",
        discussion: """
            --bench R renders R times and prints min/median/max wall milliseconds. A render's time covers
            everything that depends on the image size: the coordinate tables, the image buffer, every
            interval pass, tape simplification, SIMD evaluation and filling. Parsing and the first tape
            (constant folding, slot allocation) are done once before and not included; nor is file output.
            """
    )

    @Argument(help: "A .vm program.") var file: String
    @Option(help: "Image width and height in pixels.") var size = 1024
    @Option(name: .shortAndLong, help: "Write the image here (.png, or .pgm for binary PGM).") var output: String?
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Render this many times and print timings and tape statistics.") var bench: Int?
    @Option(help: "Tile edge per subdivision level, comma-separated, each a multiple of the next; the last is evaluated per pixel (a multiple of 8).")
    var tiles = "256,128,32,16"
    @Option(help: "Leaf evaluation: interp (SIMD tape interpreter) or jit (native code per distinct leaf tape, cached across renders).")
    var engine = "interp"

    func run() throws {
        do {
            guard size > 0, size <= 16384 else { throw CLIError("--size must be between 1 and 16384") }
            let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
            guard threadCount > 0, threadCount <= 256 else { throw CLIError("--threads must be between 1 and 256") }
            let tileSizes = tiles.split(separator: ",").compactMap { Int($0) }
            guard !tileSizes.isEmpty, tileSizes.count == tiles.split(separator: ",").count, tileSizes.last! % 8 == 0,
                  tileSizes.allSatisfy({ $0 > 0 }), zip(tileSizes, tileSizes.dropFirst()).allSatisfy({ $0 % $1 == 0 })
            else { throw CLIError("--tiles: edges must be positive, each a multiple of the next, the last a multiple of 8") }
            if let output, !(output.hasSuffix(".png") || output.hasSuffix(".pgm")) {
                throw CLIError("\(output): the output must end in .png or .pgm")
            }
            guard let renderEngine = RenderEngine(rawValue: engine) else { throw CLIError("--engine must be interp or jit") }
            let program = try loadVMProgram(file)
            let tape = Tape(program)
            let renderer = ProsperoRenderer(tape: tape, tileSizes: tileSizes, threads: threadCount, engine: renderEngine)
            let firstStart = DispatchTime.now().uptimeNanoseconds
            var (pixels, stats) = renderer.render(size: size)
            let firstMs = Double(DispatchTime.now().uptimeNanoseconds - firstStart) / 1e6
            let firstStats = stats
            if let bench {
                guard bench > 0 else { throw CLIError("--bench must be at least 1") }
                var ms: [Double] = []
                let cpuStart = processCPUNanoseconds()
                for _ in 0..<bench {
                    let start = DispatchTime.now().uptimeNanoseconds
                    (pixels, stats) = renderer.render(size: size)
                    ms.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
                let cpuMs = Double(processCPUNanoseconds() - cpuStart) / 1e6 / Double(bench)
                ms.sort()
                print(benchReport(ms: ms, cpuMs: cpuMs, firstMs: firstMs, first: firstStats, stats: stats, program: program, tape: tape, tileSizes: tileSizes, threads: threadCount))
            }
            if let output {
                let bytes = output.hasSuffix(".pgm")
                    ? GrayImage.pgm(width: size, height: size, pixels: pixels)
                    : try GrayImage.png(width: size, height: size, pixels: pixels)
                try writeAtomically(bytes, to: output)
            }
        } catch {
            throw ExitCode(report(error))
        }
    }

    private func benchReport(ms: [Double], cpuMs: Double, firstMs: Double, first: RenderStats, stats: RenderStats, program: VMProgram, tape: Tape, tileSizes: [Int], threads: Int) -> String {
        func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
        var lines: [String] = []
        lines.append("render \(size)x\(size), \(threads) thread\(threads == 1 ? "" : "s"), tiles \(tileSizes.map(String.init).joined(separator: " -> ")), \(ms.count) runs")
        lines.append("ms: min \(f(ms.first!)) median \(f(ms[ms.count / 2])) max \(f(ms.last!)) (wall); CPU time per render, all threads: \(f(cpuMs)) ms")
        lines.append("program: \(program.instructions.count) ops; tape: \(tape.ops.count) ops in \(tape.slotCount) slots")
        for l in tileSizes.indices {
            let t = stats.tiles[l]
            lines.append("level \(l) (\(tileSizes[l])px): \(t) tiles, \(f(t == 0 ? 0 : Double(stats.tapeOps[l]) / Double(t), 1)) ops/tile, \(stats.filled[l]) filled, \(stats.reused[l]) passed their tape down unchanged")
        }
        let leaf = tileSizes.last!
        lines.append("leaf (\(leaf)x\(leaf) px, SIMD8): \(stats.leafTiles) blocks, \(f(stats.leafTiles == 0 ? 0 : Double(stats.leafOps) / Double(stats.leafTiles), 1)) ops/block")
        let brute = Double(size * size) * Double(program.instructions.count)
        lines.append("pixels evaluated: \(stats.pixels) of \(size * size) (\(f(100 * Double(stats.pixels) / Double(size * size)))%); pixel-ops \(stats.pixelOps) = \(f(100 * Double(stats.pixelOps) / brute, 3))% of brute force (\(Int(brute)))")
        if first.compiledTapes > 0 {
            let c = Double(first.compileNanoseconds) / 1e6
            lines.append("jit: first render \(f(firstMs)) ms compiled \(first.compiledTapes) distinct leaf tapes (\(first.compiledOps) ops) in \(f(c)) ms of compile time summed over threads (\(f(1000 * c / Double(first.compiledTapes), 1)) us per tape); timed renders compiled \(stats.compiledTapes)")
        }
        return lines.joined(separator: "\n")
    }
}

/// CPU time of the whole process (every thread) so far.
private func processCPUNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}
