import ArgumentParser
import Foundation
import LatheIR
import LatheWasm
import LatheWasmIR

/// `lathe measure lift FILE`: MB of code per second for lift, verify and lower on one core.
struct MeasureLiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lift",
        abstract: "Lift and lower throughput on one core (build with -c release for real figures)."
    )

    @Argument(help: "A .wasm module.") var file: String
    @Option(help: "Runs per step; the median is reported.") var runs = 3
    @Option(help: "Lift only the first N function bodies.") var limit: Int?

    func run() throws {
        do {
            let module = try ModuleReader.read(try readFile(file))
            let lifter = WasmLifter(module: module)
            var lifted: [LiftedFunction] = []
            var liftedBytes = 0, kept: [String: Int] = [:]
            let bodies = module.bodies.indices.prefix(limit ?? module.bodies.count)
            // Only functions that lift are timed: a kept function's partial lift is not code lifted.
            var liftable: [Int] = []
            for i in bodies {
                do {
                    lifted.append(try lifter.lift(definedFunction: i))
                    liftable.append(i)
                    liftedBytes += WasmRoundTrip.bodySize(module.bodies[i])
                } catch { kept[error.reason, default: 0] += 1 }
            }
            let mb = Double(liftedBytes) / 1_000_000
            let lift = try medians(runs) {
                for i in liftable { _ = try? lifter.lift(definedFunction: i) }
            }
            var invalid = 0
            let verify = try medians(runs) { invalid = lifted.count { !$0.function.verify().isValid } }
            var outBytes = 0
            let lower = try medians(runs) {
                outBytes = 0
                var lowerer = WasmLowerer()
                for l in lifted { outBytes += WasmRoundTrip.bodySize(try lowerer.lower(l)) }
            }
            // What `opt --roundtrip` does: each function lifted and lowered in turn, its IR dropped at once.
            let pipeline = try medians(runs) {
                var lowerer = WasmLowerer()
                for i in liftable { _ = try? lowerer.lower(try lifter.lift(definedFunction: i)) }
            }
            print("file      \(file)  \(bodies.count) function bodies, \(lifted.count) lifted (\(String(format: "%.2f", mb)) MB of code), kept \(kept.sorted { $0.value > $1.value }.prefix(5))")
            print("step                wall ms      MB/s     cpu ms   MB/s (thread CPU time; median of \(max(1, runs)))")
            row("lift", lift, mb)
            row("verify", verify, mb)
            row("lower", lower, mb)
            row("lift + lower", (lift.wall + lower.wall, lift.cpu + lower.cpu), mb)
            row("per function", pipeline, mb)
            print(String(format: "size      lowered / input = %.3f (%d -> %d bytes)", Double(outBytes) / Double(max(1, liftedBytes)), liftedBytes, outBytes))
            if invalid > 0 { print("verifier  \(invalid) lifted functions do not verify") }
        } catch {
            throw ExitCode(report(error))
        }
    }

    func row(_ name: String, _ t: (wall: Double, cpu: Double), _ mb: Double) {
        print("\(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(format: "%9.2f  %8.2f  %9.2f  %6.2f", t.wall * 1000, mb / t.wall, t.cpu * 1000, mb / t.cpu))")
    }
}
