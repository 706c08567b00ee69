import Foundation
import LatheIR
import LatheOpt
import LatheTestSupport
import Testing

/// Every `.lir` file under Tests/golden/opt (`test optimize PASSES`), relative to this source file.
let optGoldenFiles: [String] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("golden/opt").path
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".lir") }.sorted().map { root + "/" + $0 }
}()

@Suite struct OptGoldenTests {
    @Test func goldenDirectoryIsFound() {
        #expect(optGoldenFiles.count >= 3)
    }

    /// Runs the passes the file names, with verification after each, on every function.
    @Test(arguments: optGoldenFiles)
    func golden(_ path: String) throws {
        var runner = try GoldenRunner(path: path)
        runner.optimize = { names, module, settings in
            // Every function is a root (kept) unless `; set internal:` names it.
            let internalNames = Set((settings["internal"] ?? "").split(separator: " ").map { String($0.drop { $0 == "%" }) })
            var program = ProgramIR(module)
            for k in program.entries.indices where internalNames.contains(program.entries[k].name) { program.entries[k].isRoot = false }
            var options = ModulePassOptions()
            if settings["inline-multi-site"] == "yes" { options.inlinesMultiSiteCallees = true }
            var manager = try PassManager(pipeline: names, verifyEach: true)
            manager.moduleOptions = options
            var stats = manager.emptyStatistics()
            try manager.run(&program, threads: 1, statistics: &stats)
            module = program.module
        }
        let failures = runner.run()
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
