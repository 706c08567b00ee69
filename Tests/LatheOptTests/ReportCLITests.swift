import Foundation
import LatheTestSupport
import LatheWasm
import WAT
import XCTest

/// `lathe report`: the remaining calls to inline candidates, the --fail-on gate before and after `lathe opt -O2`, JSON and errors.
final class ReportCLITests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$big` (function 0) is too large to be tiny and has two call sites; `$tiny` has one; `$ind` calls through a table.
    static let wat = """
    (module
      (type $t (func (param i32) (result i32)))
      (table 1 funcref)
      (elem (i32.const 0) $tiny)
      (func $big (param $h i32) (result i32)
        (local.set $h (i32.mul (local.get $h) (i32.const 0x85ebca6b)))
        (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))))
        (local.set $h (i32.mul (local.get $h) (i32.const 0xc2b2ae35)))
        (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
      (func $tiny (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $a (export "a") (param i32) (result i32) (call $big (call $tiny (local.get 0))))
      (func $b (export "b") (param i32) (result i32) (call $big (i32.const 3)))
      (func $ind (export "ind") (param i32) (result i32) (call_indirect (type $t) (local.get 0) (i32.const 0))))
    """

    var lathe: URL { LatheCLI.binary(repositoryRoot: Self.repositoryRoot) }

    func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) { try LatheCLI.run(lathe, args) }

    /// The module with a function-level 'always inline' hint on `$big`, written to a temporary directory.
    func hintedModule() throws -> (dir: URL, path: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var module = try ModuleReader.read(try wat2wasm(Self.wat, options: EncodeOptions(nameSection: true)))
        let metadata = CodeMetadata(functions: [(0, [.init(offset: 0, payload: [127])])])
        module.customSections.append(CustomSection(name: "metadata.code.inline", payload: metadata.payload[...], after: .code))
        let path = dir.appendingPathComponent("hinted.wasm").path
        try Data(ModuleWriter.write(module)).write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    func testFailsOnHintedCallUntilOptimized() throws {
        let (dir, path) = try hintedModule()
        let before = try run(["report", path, "--fail-on", "hinted"])
        XCTAssertEqual(before.status, 1, before.stdout + before.stderr)
        XCTAssertTrue(before.stderr.contains("hinted"), before.stderr)
        XCTAssertTrue(before.stdout.contains("a -> big  size 19 hint 127  [hinted]"), before.stdout)
        XCTAssertTrue(before.stdout.contains("b -> big"), before.stdout)
        XCTAssertTrue(before.stdout.contains("a -> tiny  size 3  [tiny,single-caller]"), before.stdout)
        XCTAssertTrue(before.stdout.contains("ind: 1 call_indirect, 0 call_ref"), before.stdout)
        // Without --fail-on the report only lists.
        XCTAssertEqual(try run(["report", path]).status, 0)
        // Only tiny calls fail --fail-on tiny; --entry b reaches no tiny call.
        XCTAssertEqual(try run(["report", path, "--fail-on", "tiny"]).status, 1)
        let onlyB = try run(["report", path, "--entry", "b", "--fail-on", "tiny,single-caller"])
        XCTAssertEqual(onlyB.status, 0, onlyB.stdout + onlyB.stderr)
        XCTAssertFalse(onlyB.stdout.contains("a -> "), onlyB.stdout)

        let optimized = dir.appendingPathComponent("opt.wasm").path
        let opt = try run(["opt", path, "-O2", "-o", optimized])
        XCTAssertEqual(opt.status, 0, opt.stderr)
        let after = try run(["report", optimized, "--fail-on", "hinted,tiny,single-caller"])
        XCTAssertEqual(after.status, 0, after.stdout + after.stderr)
        XCTAssertTrue(after.stdout.contains("0 remaining calls"), after.stdout)
    }

    func testJSONHasTheFields() throws {
        let (_, path) = try hintedModule()
        let r = try run(["report", path, "--json", "--max-size", "20", "--fail-on", "hinted"])
        XCTAssertEqual(r.status, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["max_size"] as? Int, 20)
        XCTAssertEqual(object["failed"] as? [String], ["hinted"])
        XCTAssertEqual(Set(object["entries"] as? [String] ?? []), ["a", "b", "ind"])
        let calls = try XCTUnwrap(object["calls"] as? [[String: Any]])
        XCTAssertEqual(calls.count, 3)
        let first = try XCTUnwrap(calls.first { $0["caller"] as? String == "b" })
        XCTAssertEqual(first["callee"] as? String, "big")
        XCTAssertEqual(first["callee_size"] as? Int, 19)
        XCTAssertEqual(first["hint"] as? Int, 127)
        XCTAssertEqual(first["reasons"] as? [String], ["hinted", "tiny"])
        XCTAssertEqual(first["path"] as? [String], ["b", "big"])
        let unknown = try XCTUnwrap(object["unknown_edges"] as? [[String: Any]])
        XCTAssertEqual(unknown.first?["function"] as? String, "ind")
    }

    func testErrors() throws {
        let (dir, path) = try hintedModule()
        let missing = try run(["report", dir.appendingPathComponent("missing.wasm").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("missing.wasm: no such file"), missing.stderr)
        let bad = dir.appendingPathComponent("bad.wasm").path
        try Data([0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1, 9]).write(to: URL(fileURLWithPath: bad))
        let malformed = try run(["report", bad])
        XCTAssertEqual(malformed.status, 1)
        XCTAssertTrue(malformed.stderr.contains("bad.wasm"), malformed.stderr)
        let entry = try run(["report", path, "--entry", "nope"])
        XCTAssertEqual(entry.status, 1)
        XCTAssertTrue(entry.stderr.contains("no function named 'nope'"), entry.stderr)
        let reason = try run(["report", path, "--fail-on", "hinted,huge"])
        XCTAssertEqual(reason.status, 1)
        XCTAssertTrue(reason.stderr.contains("unknown reason 'huge'"), reason.stderr)
    }
}
