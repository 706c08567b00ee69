import ArgumentParser
import LatheOpt

/// `lathe passes`: every registered pass with its summary, then the pipeline of each level.
struct PassesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passes",
        abstract: "List the optimization passes and the pipelines of -O1 to -Oz."
    )

    func run() {
        print(PassRegistry.standard.listing)
        print("")
        for (level, passes) in Pipelines.levels { print("-O\(level)  \(passes.joined(separator: ","))") }
    }
}
