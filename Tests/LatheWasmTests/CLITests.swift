import Foundation
import LatheTestSupport
import XCTest

/// The `lathe` executable end to end: exit codes, error lines, and outputs that are never half written.
final class CLITests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `lathe` binary built beside the test bundle.
    var lathe: URL { LatheCLI.binary(repositoryRoot: Self.repositoryRoot) }

    func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) { try LatheCLI.run(lathe, args) }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func testMeasureRoundtripPrintsOneRowPerModule() throws {
        let wasm = Self.repositoryRoot.appendingPathComponent("Tests/programs/wasm")
        let files = ["interpreter.O0.wasm", "interpreter.O2.wasm"].map { wasm.appendingPathComponent($0).path }
        let r = try run(["measure", "roundtrip"] + files + ["--functions", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("interpreter.") }
        XCTAssertEqual(rows.count, 2, r.stdout)
        for row in rows {
            let ratio = Double(row.split(separator: " ").last ?? "")
            XCTAssertNotNil(ratio, String(row))
            XCTAssertLessThanOrEqual(ratio ?? 2, 1.0, String(row))
        }
        XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains(" -> ") }.count, 4, r.stdout)
        let missing = try run(["measure", "roundtrip", wasm.appendingPathComponent("missing.wasm").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no such file"), missing.stderr)
    }

    func testFuzzRunsGeneratedModulesAndMutants() throws {
        let generated = try run(["fuzz", "--seed", "7", "--count", "3", "-O1", "--roundtrip", "--no-reduce"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertTrue(generated.stdout.contains("3 modules") && generated.stdout.contains("0 mismatches"), generated.stdout)

        let example = Self.repositoryRoot.appendingPathComponent("examples/seams.wasm").path
        let dir = try temporaryDirectory()
        let mutated = try run(["fuzz", "--mutate", example, "--count", "30", "--hang-seconds", "60", "--out", dir.path])
        XCTAssertEqual(mutated.status, 0, mutated.stdout + mutated.stderr)
        XCTAssertTrue(mutated.stdout.contains("inputs run: 30"), mutated.stdout)
        XCTAssertTrue(mutated.stdout.contains("hangs: 0, findings: 0"), mutated.stdout)

        let missing = try run(["fuzz", "--mutate", dir.appendingPathComponent("missing.wasm").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("missing.wasm: no such file"), missing.stderr)
        let stray = try run(["fuzz", example])
        XCTAssertEqual(stray.status, 1)
        XCTAssertTrue(stray.stderr.contains("--mutate"), stray.stderr)
    }

    func testOptWritesAndReplacesOutput() throws {
        let example = Self.repositoryRoot.appendingPathComponent("examples/seams.wasm").path
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("out.wasm").path
        for _ in 0..<2 {  // the second run replaces an existing output
            let r = try run(["opt", example, "-O0", "-o", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(FileManager.default.contents(atPath: out), FileManager.default.contents(atPath: example))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.wasm"], "temporary files left behind")
    }

    func testFailureLeavesInputAndExistingOutputUntouched() throws {
        let dir = try temporaryDirectory()
        let bad = dir.appendingPathComponent("bad.wasm").path
        let out = dir.appendingPathComponent("out.wasm").path
        let badBytes = Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x03, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        try badBytes.write(to: URL(fileURLWithPath: bad))
        try Data("previous".utf8).write(to: URL(fileURLWithPath: out))
        let r = try run(["opt", bad, "-O0", "-o", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.hasPrefix("lathe: error: \(bad): offset 0xa: function section: "), r.stderr)
        XCTAssertFalse(r.stderr.contains("Fatal"), r.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: out), Data("previous".utf8))
        XCTAssertEqual(FileManager.default.contents(atPath: bad), badBytes)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["bad.wasm", "out.wasm"])
    }

    func testValidateReportsOneLinePerInvalidFile() throws {
        let dir = try temporaryDirectory()
        let invalid = dir.appendingPathComponent("invalid.wat")
        try Data("(module (func $main (result i32) f64.const 1))".utf8).write(to: invalid)
        let good = Self.repositoryRoot.appendingPathComponent("examples/seams.wasm").path
        let r = try run(["validate", good, invalid.path])
        XCTAssertEqual(r.status, 1)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr)
        XCTAssertTrue(lines.first?.hasPrefix("lathe: error: \(invalid.path): offset 0x") ?? false, r.stderr)
        XCTAssertEqual(try run(["validate", good]).status, 0)
    }

    func testStatsJSONCountsWatchedOpcodes() throws {
        let example = Self.repositoryRoot.appendingPathComponent("examples/seams.wasm").path
        let r = try run(["stats", example, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let watched = json?["watched"] as? [String: Int]
        XCTAssertEqual(watched?["call"], 4)
        XCTAssertEqual(watched?["i64.extend_i32_u"], 2)
        XCTAssertEqual(watched?["i64.shl"], 1)
        XCTAssertEqual(json?["size"] as? Int, 382)
        XCTAssertEqual((json?["sha256"] as? String)?.count, 64)
    }

    func testPrintThenOptTextRoundTrips() throws {
        let example = Self.repositoryRoot.appendingPathComponent("examples/seams.wasm").path
        let dir = try temporaryDirectory()
        let wat = dir.appendingPathComponent("seams.wat").path
        XCTAssertEqual(try run(["print", example, "-o", wat]).status, 0)
        let back = dir.appendingPathComponent("back.wasm").path
        let r = try run(["opt", wat, "-O0", "-o", back])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try run(["validate", back]).status, 0)
    }
}
