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
        runner.optimize = { names, f in
            try PassManager(pipeline: names, verifyEach: true).run(&f)
        }
        let failures = runner.run()
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
