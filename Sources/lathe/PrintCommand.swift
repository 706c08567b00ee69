import ArgumentParser
import LatheWasm

/// `lathe print FILE [-o OUT.wat]`: the module in the text format.
struct PrintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "print", abstract: "Print a module in the WebAssembly text format.")

    @Argument(help: "A module (.wasm or .wat).") var file: String
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func run() throws {
        do {
            let (module, _) = try loadModule(file)
            let text = ModulePrinter.print(module)
            if let output {
                try writeAtomically(Array(text.utf8), to: output)
            } else {
                print(text, terminator: "")
            }
        } catch {
            throw ExitCode(report(error))
        }
    }
}
