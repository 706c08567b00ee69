import ArgumentParser
import LatheIR

/// `lathe measure ir`: build, verify and print a large function; ns per instruction for each step.
struct MeasureIRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ir", abstract: "IR build/verify/print speed.")
    func run() throws { throw ValidationError("not implemented yet") }
}
