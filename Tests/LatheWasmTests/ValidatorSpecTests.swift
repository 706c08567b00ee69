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
                c.notes.append("\(name): skipped: the text parser cannot read it")
                continue
            }
            while let (result, location) = wast.nextDirectiveResult() {
                let (line, _) = location.computeLineAndColumn()
                guard case .success(let directive) = result else {
                    c.skipped += 1
                    if case .failure(let e) = result { c.notes.append("\(name):\(line): skipped: \(e.error)") }
                    continue
                }
                switch directive {
                case .module(let m):
                    if case .quote = m.source { continue }
                    guard let b = Self.bytes(m.source) else {
                        c.skipped += 1
                        c.notes.append("\(name):\(line): skipped: the text could not be encoded")
                        continue
                    }
                    let module: Module
                    do { module = try ModuleReader.read(b) } catch {
                        c.skipped += 1
                        c.notes.append("\(name):\(line): skipped: the reader rejects a valid module: \(error)")
                        continue
                    }
                    do {
                        try ModuleValidator.validate(module)
                        c.validAccepted += 1
                    } catch {
                        c.validRejected += 1
                        c.failures.append("\(name):\(line): valid module rejected: \(error)")
                    }
                case .assertInvalid(let m, let message):
                    guard let b = Self.bytes(m.source) else {
                        c.skipped += 1
                        c.notes.append("\(name):\(line): skipped: the text could not be encoded")
                        continue
                    }
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

/// The same check over `wasm-tools json-from-wast` output, which also covers what WasmKit's text
/// parser cannot read (legacy exception handling). Set `LATHE_SPEC_JSON` to a directory holding
/// one subdirectory per script with its `spec.json` and module files.
final class ValidatorSpecJSONTests: XCTestCase {
    func testSpecSuiteValidationFromJSON() throws {
        guard let dir = ProcessInfo.processInfo.environment["LATHE_SPEC_JSON"] else { throw XCTSkip("LATHE_SPEC_JSON not set") }
        let fm = FileManager.default
        var invalidRejected = 0, invalidByReader = 0, validAccepted = 0, skipped = 0, malformedCaught = 0
        var failures: [String] = []
        for sub in try fm.contentsOfDirectory(atPath: dir).sorted() {
            let base = URL(fileURLWithPath: dir).appendingPathComponent(sub)
            guard let data = fm.contents(atPath: base.appendingPathComponent("spec.json").path),
                  let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let commands = json["commands"] as? [[String: Any]] else { continue }
            for cmd in commands {
                guard let type = cmd["type"] as? String, let file = cmd["filename"] as? String,
                      file.hasSuffix(".wasm") else { continue }
                let line = cmd["line"] as? Int ?? 0
                if type == "assert_malformed" {
                    // With body decoding deferred, the validator must catch what the reader would have.
                    guard let bytes = fm.contents(atPath: base.appendingPathComponent(file).path),
                          (try? ModuleReader.read([UInt8](bytes))) == nil,
                          let lazy = try? ModuleReader.read([UInt8](bytes), checkBodies: false) else { continue }
                    if (try? ModuleValidator.validate(lazy)) != nil {
                        failures.append("\(sub):\(line): malformed body accepted when decoding is deferred to the validator")
                    } else {
                        malformedCaught += 1
                    }
                    continue
                }
                let valid: Bool
                switch type {
                case "module", "module_definition", "assert_unlinkable", "assert_uninstantiable": valid = true
                case "assert_invalid":
                    // The threads proposal predates multi-memory; Wasm 3.0 allows several memories and tables.
                    let text = cmd["text"] as? String ?? ""
                    if sub.hasPrefix("proposals_threads"), text == "multiple memories" || text == "multiple tables" {
                        skipped += 1
                        continue
                    }
                    valid = false
                default: continue
                }
                guard let bytes = fm.contents(atPath: base.appendingPathComponent(file).path) else { skipped += 1; continue }
                let module: Module
                do { module = try ModuleReader.read([UInt8](bytes)) } catch {
                    if valid {
                        skipped += 1
                        print("  NOTE \(sub):\(line): the reader rejects a valid module: \(error)")
                    } else {
                        invalidByReader += 1
                        print("  NOTE \(sub):\(line): assert_invalid rejected by the reader: \(error)")
                    }
                    continue
                }
                do {
                    try ModuleValidator.validate(module)
                    if valid { validAccepted += 1 } else {
                        failures.append("\(sub):\(line): invalid module accepted (expected \"\(cmd["text"] as? String ?? "")\")")
                    }
                } catch {
                    if valid { failures.append("\(sub):\(line): valid module rejected: \(error)") } else { invalidRejected += 1 }
                }
            }
        }
        print("validator spec suite (json): assert_invalid rejected \(invalidRejected) (+\(invalidByReader) by the reader); valid accepted \(validAccepted); deferred malformed bodies caught \(malformedCaught); failures \(failures.count); skipped \(skipped)")
        for f in failures { print("  FAIL " + f) }
        XCTAssertEqual(failures.count, 0)
    }
}
