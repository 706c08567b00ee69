import ArgumentParser
import LatheWasm
import LatheWasmIR

/// `lathe opt IN -o OUT`: read, optimize and write a module (for now: -O0, read and write).
struct OptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opt",
        abstract: "Optimize a module.",
        discussion: "The output is written to a temporary file and renamed, so on any failure the input and any existing output are untouched."
    )

    @Argument(help: "Input module (.wasm or .wat).") var input: String
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Option(name: .customShort("O", allowingJoined: true), help: "Optimization level; -O0 reads, validates and writes.")
    var level: String = "0"
    @Flag(name: .customShort("S"), help: "Write the text format instead of binary.") var text = false
    @Flag(help: "Lift every function to the SSA IR, verify it and lower it back (no passes).") var roundtrip = false

    func run() throws {
        do {
            guard level == "0" else {
                throw CLIError("-O\(level): only -O0 (read, validate, write) is available in this version")
            }
            var (module, _) = try loadModule(input, validating: true)
            try validateModule(module, path: input)
            if roundtrip {
                let (out, stats) = WasmRoundTrip.run(module)
                if !stats.failures.isEmpty {
                    throw CLIError("round trip failed:\n" + stats.failures.prefix(10).joined(separator: "\n"))
                }
                try validateModule(out, path: output)
                module = out
            }
            let bytes = text ? Array(ModulePrinter.print(module).utf8) : ModuleWriter.write(module)
            try writeAtomically(bytes, to: output)
        } catch {
            throw ExitCode(report(error))
        }
    }
}
