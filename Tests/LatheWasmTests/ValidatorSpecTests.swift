import Foundation
import LatheWasm
import WAT
import XCTest

/// Runs the validator over the spec suite: `assert_invalid` modules must be rejected, other modules accepted.
///
/// A quick local loop until the shared spec-suite harness covers validation; set
/// `LATHE_SPEC_FILTER` to a substring of a file name to run fewer files.
final class ValidatorSpecTests: XCTestCase {
    struct Counts {
        var invalidRejected = 0, invalidAccepted = 0, invalidRejectedByReader = 0
        var validAccepted = 0, validRejected = 0, skipped = 0
        var failures: [String] = []
        var notes: [String] = []
    }

    static var suiteDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/wasm-testsuite")
    }

    static func wastFiles() -> [URL] {
        let root = suiteDirectory
        var files: [URL] = []
        for dir in ["", "legacy", "proposals/threads"] {
            let d = dir.isEmpty ? root : root.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
            for n in names.sorted() where n.hasSuffix(".wast") { files.append(d.appendingPathComponent(n)) }
        }
        return files
    }

    static func bytes(_ source: ModuleSource) -> [UInt8]? {
        switch source {
        case .binary(let b): return b
        case .text(let wat):
            var w = wat
            return try? w.encode()
        case .quote(let q):
            return try? wat2wasm(String(decoding: q, as: UTF8.self), features: .all)
        }
    }

    func testSpecSuiteValidation() throws {
        let root = Self.suiteDirectory
        guard FileManager.default.fileExists(atPath: root.path) else { throw XCTSkip("no spec suite at \(root.path)") }
        let filter = ProcessInfo.processInfo.environment["LATHE_SPEC_FILTER"]
        var c = Counts()
        for file in Self.wastFiles() {
            if let filter, !file.path.contains(filter) { continue }
            let name = file.path.replacingOccurrences(of: root.path + "/", with: "")
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  var wast = try? parseWAST(text, features: .all) else {
                c.skipped += 1
                continue
            }
            while let (result, location) = wast.nextDirectiveResult() {
                guard case .success(let directive) = result else { c.skipped += 1; continue }
                let (line, _) = location.computeLineAndColumn()
                switch directive {
                case .module(let m):
                    if case .quote = m.source { continue }
                    guard let b = Self.bytes(m.source) else { c.skipped += 1; continue }
                    guard let module = try? ModuleReader.read(b) else { c.skipped += 1; continue }
                    do {
                        try ModuleValidator.validate(module)
                        c.validAccepted += 1
                    } catch {
                        c.validRejected += 1
                        c.failures.append("\(name):\(line): valid module rejected: \(error)")
                    }
                case .assertInvalid(let m, let message):
                    guard let b = Self.bytes(m.source) else { c.skipped += 1; continue }
                    let module: Module
                    do { module = try ModuleReader.read(b) } catch {
                        c.invalidRejectedByReader += 1
                        c.notes.append("\(name):\(line): assert_invalid module rejected by the reader: \(error)")
                        continue
                    }
                    do {
                        try ModuleValidator.validate(module)
                        c.invalidAccepted += 1
                        c.failures.append("\(name):\(line): invalid module accepted (expected \"\(message)\")")
                    } catch {
                        c.invalidRejected += 1
                    }
                default:
                    continue
                }
            }
        }
        print("validator spec suite: assert_invalid rejected \(c.invalidRejected) (+\(c.invalidRejectedByReader) by the reader), accepted \(c.invalidAccepted); valid modules accepted \(c.validAccepted), rejected \(c.validRejected); skipped \(c.skipped)")
        for n in c.notes { print("  NOTE " + n) }
        for f in c.failures { print("  FAIL " + f) }
        XCTAssertEqual(c.failures.count, 0, "\(c.failures.count) spec-suite validation failures")
    }
}
