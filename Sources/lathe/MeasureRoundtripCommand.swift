import ArgumentParser
import Foundation
import LatheWasm
import LatheWasmIR

/// `lathe measure roundtrip FILES...`: code section size before and after lifting and lowering every function.
struct MeasureRoundtripCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roundtrip",
        abstract: "Code section size before and after the IR round trip (lift, verify, lower), one row per module."
    )

    @Argument(help: "Modules (.wasm or .wat).") var files: [String]
    @Option(help: "Also list this many functions per module, largest growth first.") var functions = 0

    func run() throws {
        do {
            print("module                              functions   lifted   input code   output code   ratio")
            var totalIn = 0, totalOut = 0, failed = 0
            for file in files {
                let (module, _) = try loadModule(file, validating: true)
                try validateModule(module, path: file)
                let (out, stats) = WasmRoundTrip.run(module)
                try validateModule(out, path: "\(file) (round-tripped)")
                let input = WasmRoundTrip.codeSectionSize(module.bodies)
                let output = WasmRoundTrip.codeSectionSize(out.bodies)
                totalIn += input
                totalOut += output
                failed += stats.failures.count
                let name = URL(fileURLWithPath: file).lastPathComponent
                print("\(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(pad(module.bodies.count, 11)) \(pad(stats.lifted, 8)) \(pad(input, 12)) \(pad(output, 13))   \(String(format: "%.3f", Double(output) / Double(max(1, input))))")
                for f in stats.failures.prefix(5) { print("  failure: \(f)") }
                if functions > 0 { listFunctions(module, out) }
            }
            if files.count > 1 {
                print("\("total".padding(toLength: 34, withPad: " ", startingAt: 0)) \(pad(totalIn, 33)) \(pad(totalOut, 13))   \(String(format: "%.3f", Double(totalOut) / Double(max(1, totalIn))))")
            }
            if failed > 0 { throw CLIError("\(failed) functions failed to round-trip") }
        } catch {
            throw ExitCode(report(error))
        }
    }

    /// Prints the functions whose bodies changed most, growth first.
    func listFunctions(_ module: Module, _ out: Module) {
        let names = module.names?.functions ?? [:]
        let rows = module.bodies.indices.map { i in
            (index: module.importedFunctionCount + i, input: WasmRoundTrip.bodySize(module.bodies[i]), output: WasmRoundTrip.bodySize(out.bodies[i]))
        }.sorted { ($0.output - $0.input, $0.input) > ($1.output - $1.input, $1.input) }
        for r in rows.prefix(functions) {
            let name = names[UInt32(r.index)] ?? "function \(r.index)"
            print("  \(pad(r.input, 8)) -> \(pad(r.output, 8))  \(String(format: "%+6d", r.output - r.input))  \(name)")
        }
    }

    func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }
}
