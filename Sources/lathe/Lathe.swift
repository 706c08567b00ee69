import ArgumentParser

/// The `lathe` command: read, validate, print, optimize and measure WebAssembly and Lathe IR.
@main
struct LatheCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lathe",
        abstract: "A compiler toolkit: WebAssembly in and out, one SSA IR in the middle.",
        subcommands: [ValidateCommand.self, PrintCommand.self, StatsCommand.self, OptCommand.self, IRCommand.self, MeasureCommand.self]
    )
}

/// `lathe measure ...`: throughput benchmarks that print figures.
struct MeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Benchmarks that print throughput figures.",
        subcommands: [MeasureReadCommand.self, MeasureIRCommand.self, MeasureLiftCommand.self, MeasureRoundtripCommand.self]
    )
}
