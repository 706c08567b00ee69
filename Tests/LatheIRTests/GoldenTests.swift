import Foundation
import LatheTestSupport
import Testing

/// Every `.lir` file under Tests/golden/ir, relative to this source file.
let goldenFiles: [String] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("golden/ir").path
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".lir") }.sorted().map { root + "/" + $0 }
}()

@Suite struct GoldenTests {
    @Test func goldenDirectoryIsFound() {
        #expect(goldenFiles.count >= 10)
    }

    @Test(arguments: goldenFiles)
    func golden(_ path: String) throws {
        var runner = try GoldenRunner(path: path)
        let failures = runner.run()
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
