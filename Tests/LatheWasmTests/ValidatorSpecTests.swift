import Foundation
import LatheWasm
import WAT
import XCTest

/// The validator over `wasm-tools json-from-wast` output of the spec suite: `assert_invalid` modules
/// rejected, other modules accepted, and malformed bodies rejected when the reader defers decoding.
/// `SpecSuiteTests` covers the suite through WasmKit's parser; this also covers what that parser
/// cannot read (legacy exception handling, after flattening folded `try` with a script). Set `LATHE_SPEC_JSON` to a directory holding
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
