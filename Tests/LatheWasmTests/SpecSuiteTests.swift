import Foundation
import LatheTestSupport
import LatheWasm
import XCTest

/// Runs every module of the official spec suite through the reader, validator and writer.
final class SpecSuiteTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testSpecSuiteReadValidateWrite() throws {
        let dir = SpecSuite.directory(repositoryRoot: Self.repositoryRoot)
        let files = SpecSuite.files(in: dir)
        XCTAssertGreaterThan(files.count, 200, "spec suite not found at \(dir.path)")
        var passed: [SpecSuite.Expectation: Int] = [:]
        var failures: [String] = []
        var skipReasons: [String: Int] = [:]
        var skipList: [SpecSuite.Skip] = []
        var identical = 0, rewrittenStable = 0, reencodedBodies = 0
        for file in files {
            let (cases, skips) = SpecSuite.cases(in: file, relativeTo: dir)
            skipList += skips
            for s in skips { skipReasons[String(s.reason.prefix(60)), default: 0] += 1 }
            for c in cases {
                var place: String { "\(c.file):\(c.line)" }
                switch c.expectation {
                case .malformed:
                    if (try? ModuleReader.read(c.bytes)) != nil {
                        failures.append("\(place): malformed module accepted by the reader (expected \"\(c.message)\")")
                    } else { passed[.malformed, default: 0] += 1 }
                case .invalid:
                    do {
                        let m = try ModuleReader.read(c.bytes)
                        try ModuleValidator.validate(m)
                        failures.append("\(place): invalid module accepted (expected \"\(c.message)\")")
                    } catch { passed[.invalid, default: 0] += 1 }
                case .valid:
                    do {
                        let m = try ModuleReader.read(c.bytes)
                        try ModuleValidator.validate(m)
                        let written = ModuleWriter.write(m)
                        if !m.hasNonCanonicalIntegers {
                            guard written == c.bytes else {
                                failures.append("\(place): written module differs from the input (\(c.bytes.count) → \(written.count) bytes)")
                                continue
                            }
                            identical += 1
                            // The opcode table's encoder must reproduce every body and constant expression.
                            for (i, body) in m.bodies.enumerated() {
                                let insts = try body.instructions()
                                let re = FunctionBody(locals: body.locals, instructions: insts)
                                if Array(re.code) != Array(body.code) {
                                    failures.append("\(place): body \(i) re-encodes differently")
                                    break
                                }
                                reencodedBodies += 1
                            }
                        } else {
                            let again = ModuleWriter.write(try ModuleReader.read(written))
                            guard again == written else {
                                failures.append("\(place): rewriting a non-canonical module is not stable")
                                continue
                            }
                            rewrittenStable += 1
                        }
                        passed[.valid, default: 0] += 1
                    } catch {
                        failures.append("\(place): valid module rejected: \(error)")
                    }
                }
            }
        }
        let total = passed.values.reduce(0, +)
        print("spec suite: \(files.count) files; valid \(passed[.valid] ?? 0), malformed rejected \(passed[.malformed] ?? 0), invalid rejected \(passed[.invalid] ?? 0)")
        print("spec suite: \(identical) modules written back byte-identical, \(rewrittenStable) non-canonical inputs rewritten stably, \(reencodedBodies) bodies re-encoded identically")
        print("spec suite skips by reason:")
        for (r, n) in skipReasons.sorted(by: { $0.value > $1.value }) { print("  \(n)\t\(r)") }
        if ProcessInfo.processInfo.environment["LATHE_SPEC_SKIPS"] != nil {
            for s in skipList { print("  skip \(s.file):\(s.line): \(s.reason)") }
        }
        // Show the rarer kinds of failure first; missing rejections by the validator come last.
        let ordered = failures.filter { !$0.contains("invalid module accepted") } + failures.filter { $0.contains("invalid module accepted") }
        for f in ordered.prefix(200) { print("  FAIL \(f)") }
        print("spec suite: \(total) passed, \(failures.count) failed, \(skipList.count) skipped")
        XCTAssertEqual(failures.count, 0, "spec suite failures (first): \(failures.prefix(20).joined(separator: "\n"))")
    }
}
