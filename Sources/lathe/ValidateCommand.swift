import ArgumentParser
import LatheWasm

/// `lathe validate FILE...`: exit 0 when every module is valid, one error line per invalid file.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check that modules are well formed and valid.")

    @Argument(help: "Modules (.wasm or .wat).") var files: [String]

    func run() throws {
        var failed = false
        for path in files {
            do {
                let (module, _) = try loadModule(path, validating: true)
                try validateModule(module, path: path)
            } catch {
                _ = report(error)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
