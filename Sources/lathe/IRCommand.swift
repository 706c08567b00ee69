import ArgumentParser
import Foundation
import LatheIR

/// `lathe ir FILE.lir`: verify, run and print Lathe IR text files.
///
/// With no flags the file is parsed and verified. `--run 'f(1, 2)'` (repeatable) verifies, then
/// calls the function in the interpreter and prints its results or trap; an expectation such as
/// `'f(1, 2) == 3'` is checked and a mismatch fails the command.
struct IRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ir", abstract: "Work with Lathe IR text files.")

    @Argument(help: "A .lir file.") var file: String
    @Flag(help: "Verify every function and print errors (the default when no other action is given).") var verify = false
    @Option(name: .customLong("run"), help: "Run a call such as 'f(1, 2)' or '%f(1, 2) == 3'; repeatable.") var calls: [String] = []
    @Flag(name: .customLong("print"), help: "Print the parsed functions in canonical text form.") var printText = false
    @Option(help: "Interpreter fuel: instructions allowed per run.") var fuel = 100_000_000

    func run() throws {
        var text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        if text.hasPrefix("test ") { text = "; " + text }  // golden files start with a `test KIND` header
        let parsed: ParsedModule
        do { parsed = try parseModule(text) } catch {
            printError("\(file):\(error.line):\(error.column): \(error.message)")
            throw ExitCode.failure
        }
        let module = parsed.module
        var failed = false
        if verify || !calls.isEmpty || !printText {
            for (f, map) in zip(module.functions, parsed.sourceMaps) {
                let report = f.verify()
                if !report.isValid {
                    printError("\(file):\(map.functionLine): %\(f.name) has \(report.errors.count) error(s)\n\(report.render())")
                    failed = true
                }
            }
            if failed { throw ExitCode.failure }
            if verify || (calls.isEmpty && !printText) { print("\(file): \(module.functions.count) function(s) verified") }
        }
        if printText { print(module.text, terminator: "") }
        for call in calls {
            let invocation: RunInvocation
            do { invocation = try RunInvocation(parsing: call, in: module) } catch {
                printError("--run '\(call)': column \(error.column): \(error.message)")
                throw ExitCode.failure
            }
            var interpreter = Interpreter(module: module, fuel: fuel)
            let outcome = interpreter.call(invocation.function, invocation.args)
            let shown = "%\(invocation.function)(" + invocation.args.map(\.description).joined(separator: ", ") + ") " + RunInvocation.describe(outcome)
            if case .failure(let trap) = outcome { print(shown + "  (\(trap))") } else { print(shown) }
            if !invocation.isSatisfied(by: outcome) {
                printError("expectation failed: \(call)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func printError(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}
