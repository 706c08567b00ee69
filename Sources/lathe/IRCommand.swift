import ArgumentParser
import LatheIR

/// `lathe ir FILE.lir`: verify, run and print Lathe IR text files.
struct IRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ir", abstract: "Work with Lathe IR text files.")
    @Argument var file: String
    func run() throws { throw ValidationError("not implemented yet") }
}
