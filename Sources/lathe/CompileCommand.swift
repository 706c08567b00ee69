import ArgumentParser
import LatheProspero
import LatheWasm

/// `lathe compile FILE.vm --target wasm -o OUT.wasm`: a Prospero program as a wasm module (f32x4, 4 pixels per call).
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a Prospero .vm program; --target wasm exports eval(x: v128, y: v128) -> v128 over four f32 lanes."
    )

    @Argument(help: "A .vm program.") var file: String
    @Option(help: "The target (wasm).") var target = "wasm"
    @Option(name: .shortAndLong, help: "The output file.") var output: String

    func run() throws {
        do {
            guard target == "wasm" else { throw CLIError("--target: unknown target `\(target)` (supported: wasm)") }
            let program = try loadVMProgram(file)
            let module: LatheWasm.Module
            do { module = try program.wasmModule() } catch { throw CLIError("\(file): \(error)") }
            try validateModule(module, path: output)
            try writeAtomically(ModuleWriter.write(module), to: output)
        } catch {
            throw ExitCode(report(error))
        }
    }
}
