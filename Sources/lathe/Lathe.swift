import ArgumentParser

/// The `lathe` command: read, validate, print, optimize and measure WebAssembly and Lathe IR.
@main
struct LatheCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lathe",
        abstract: "A compiler toolkit: WebAssembly in and out, one SSA IR in the middle.",
        subcommands: [ValidateCommand.self, PrintCommand.self, StatsCommand.self, ReportCommand.self, BenchCommand.self, OptCommand.self, PassesCommand.self, IRCommand.self, FuzzCommand.self, MeasureCommand.self, RenderCommand.self, CompileCommand.self]
    )

    /// Parses the arguments with `--perf=json` spelled as the flag `--perf-json` (options cannot take an optional value).
    static func main() {
        main(CommandLine.arguments.dropFirst().map { $0 == "--perf=json" ? "--perf-json" : $0 })
    }
}

/// `lathe measure ...`: throughput benchmarks that print figures.
struct MeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Benchmarks that print throughput figures.",
        subcommands: [MeasureReadCommand.self, MeasureIRCommand.self, MeasureLiftCommand.self, MeasureRoundtripCommand.self]
    )
}
