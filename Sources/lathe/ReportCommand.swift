import ArgumentParser
import Foundation
import LatheWasm

/// `lathe report IN [--entry NAME ...] [--max-size N] [--fail-on REASONS] [--json]`: remaining calls an inliner should have removed.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "List calls to hinted, tiny or single-call-site functions reachable from the entries.",
        discussion: """
            Walks the direct calls from the exported functions and the start function (or the --entry \
            functions) and lists each remaining call whose callee carries an 'always inline' hint (127, at \
            the call site or on the function; reason hinted), has fewer than --max-size instructions (tiny), \
            or has exactly one call site in the module (single-caller), with the shortest call path from an \
            entry. call_indirect and call_ref are listed as unknown edges. With --fail-on the exit status is 1 \
            when a listed call has one of those reasons.
            """
    )

    @Argument(help: "A module (.wasm or .wat).") var file: String
    @Option(name: .customLong("entry"), help: ArgumentHelp("Start from this function (export name, name-section name or index); repeatable.", valueName: "name"))
    var entries: [String] = []
    @Option(help: "A callee with fewer instructions than this is tiny.") var maxSize = 10
    @Option(help: ArgumentHelp("Exit 1 when a listed call has one of these reasons: hinted, tiny, single-caller (comma-separated).", valueName: "reasons"))
    var failOn: String?
    @Flag(help: "Machine-readable output.") var json = false

    func run() throws {
        do {
            var failSet = Set<CallGraphReport.Reason>()
            if let failOn {
                for part in failOn.split(separator: ",", omittingEmptySubsequences: false) {
                    let word = part.trimmingCharacters(in: .whitespaces)
                    guard let r = CallGraphReport.Reason(rawValue: word) else {
                        throw CLIError("--fail-on: unknown reason '\(word)' (expected hinted, tiny or single-caller)")
                    }
                    failSet.insert(r)
                }
            }
            guard maxSize >= 0 else { throw CLIError("--max-size must not be negative") }
            let (module, _) = try loadModule(file, validating: true)
            try validateModule(module, path: file)
            var given: [UInt32]?
            if !entries.isEmpty {
                given = try entries.map { text in
                    guard let f = CallGraphReport.resolveEntry(text, in: module) else { throw CLIError("\(file): no function named '\(text)' (--entry)") }
                    return f
                }
            }
            let graph: CallGraphReport
            do { graph = try CallGraphReport(module: module, entries: given, maxSize: maxSize) } catch { throw CLIError("\(file): \(error)") }
            let failed = graph.matched(failSet)
            if json {
                let data = try JSONSerialization.data(withJSONObject: graph.jsonObject(file: file, maxSize: maxSize, failed: failed), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(graph.text(file: file, maxSize: maxSize), terminator: "")
            }
            if !failed.isEmpty {
                FileHandle.standardError.write(Data("lathe report: failed: remaining calls with reason \(failed.map(\.rawValue).joined(separator: ", "))\n".utf8))
                throw ExitCode(1)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw ExitCode(report(error))
        }
    }
}
