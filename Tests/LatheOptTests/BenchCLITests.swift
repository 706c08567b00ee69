import Foundation
import LatheTestSupport
import LatheWasm
import WAT
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `lathe bench`: counters, a corpus run without peers or engine, compare on CSV fixtures, the Markdown table and SVG chart.
final class BenchCLITests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var lathe: URL { LatheCLI.binary(repositoryRoot: Self.repositoryRoot) }

    func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) { try LatheCLI.run(lathe, args) }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-bench-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Rows of a CSV as dictionaries by column name.
    func csvRows(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try XCTUnwrap(lines.first)
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// Two calls, one call_indirect, two loads, one store, one pack and one unpack of i64 halves, two v128 instructions.
    static let countersWat = """
    (module
      (type $t (func (param i32) (result i32)))
      (memory 1)
      (table 1 funcref)
      (func $pack (param i32 i32) (result i64)
        (i64.or (i64.extend_i32_u (local.get 0)) (i64.shl (i64.extend_i32_u (local.get 1)) (i64.const 32))))
      (func $high (param i64) (result i32) (i32.wrap_i64 (i64.shr_u (local.get 0) (i64.const 32))))
      (func $main (export "main") (param i32) (result i32)
        (i32.store (i32.const 0) (call $high (call $pack (local.get 0) (i32.load (i32.const 4)))))
        (drop (call_indirect (type $t) (i32.const 1) (i32.const 0)))
        (i32.add (i32.load (i32.const 0)) (i32x4.extract_lane 0 (i32x4.splat (local.get 0))))))
    """

    func testCountersOfASmallModule() throws {
        let dir = try temporaryDirectory()
        let wasm = dir.appendingPathComponent("counters.wasm")
        try Data(try wat2wasm(Self.countersWat, features: .all)).write(to: wasm)
        let csv = dir.appendingPathComponent("out.csv")
        let r = try run(["bench", wasm.path, "--no-default-peer", "--no-run", "-O", "1", "--csv", csv.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try csvRows(csv)
        XCTAssertEqual(rows.map { $0["tool"] }, ["input", "lathe"])
        let input = rows[0]
        let expected = ["calls": "2", "call_indirect": "1", "call_ref": "0", "struct_new": "0", "array_new": "0", "ref_cast": "0",
                        "loads": "2", "stores": "1", "i64_pack": "1", "i64_unpack": "1", "v128": "2"]
        for (name, value) in expected { XCTAssertEqual(input[name], value, name) }
        XCTAssertEqual(input["size"], String(try Data(contentsOf: wasm).count))
        XCTAssertTrue(r.stderr.contains("[2/2] counters.wasm lathe -O1"), r.stderr)
    }

    func testBenchOnACorpusModuleWithoutPeersOrEngine() throws {
        let dir = try temporaryDirectory()
        let module = Self.repositoryRoot.appendingPathComponent("bench/wasm/poll.O2.wasm").path
        let csv = dir.appendingPathComponent("poll.csv"), md = dir.appendingPathComponent("poll.md"), svg = dir.appendingPathComponent("poll.svg")
        let r = try run(["bench", module, "--no-default-peer", "--engine", "wasmtime=/nonexistent/wasmtime", "-O", "1,z",
                         "--csv", csv.path, "--markdown", md.path, "--svg", svg.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("run times skipped"), r.stderr)
        let rows = try csvRows(csv)
        XCTAssertEqual(rows.map { "\($0["tool"]!) \($0["level"]!)" }, ["input -", "lathe 1", "lathe z"])
        let stats = try run(["stats", module, "--json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(rows[0]["sha256"], object["sha256"] as? String)
        XCTAssertEqual(rows[0]["size"], String(object["size"] as? Int ?? -1))
        XCTAssertEqual(rows[0]["gzip"], String(object["gzip_size"] as? Int ?? -1))
        for row in rows.dropFirst() {
            XCTAssertEqual(row["status"], "ok")
            XCTAssertEqual(row["sha256"]?.count, 64)
            XCTAssertLessThan(Int(row["size"] ?? "") ?? .max, Int(rows[0]["size"]!)!)
            XCTAssertGreaterThan(Int(row["peak_kib"] ?? "") ?? 0, 0)
            XCTAssertEqual(row["run_ms"], "")
        }
        let table = try String(contentsOf: md, encoding: .utf8)
        XCTAssertTrue(table.contains("| poll.O2.wasm | -Oz | \(rows[0]["size"]!) | \(rows[2]["size"]!) |"), table)
        try assertWellFormedSVG(svg, bars: 2)
    }

    /// A stand-in engine (a shell script): `compile` fails, so modules run uncompiled; `run` prints the file $PRINTS names.
    func testOutputCheckWithAStandInEngine() throws {
        let dir = try temporaryDirectory()
        let corpus = dir.appendingPathComponent("wasm"), expected = dir.appendingPathComponent("expected")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: expected, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("bench/wasm/poll.O2.wasm"), to: corpus.appendingPathComponent("poll.O2.wasm"))
        try "poll: expected\n".write(to: expected.appendingPathComponent("poll.txt"), atomically: true, encoding: .utf8)
        let engine = dir.appendingPathComponent("engine.sh")
        try "#!/bin/sh\n[ \"$1\" = run ] || exit 1\ncat \"$(dirname \"$0\")/prints.txt\"\n".write(to: engine, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: engine.path)
        let prints = dir.appendingPathComponent("prints.txt")
        let csv = dir.appendingPathComponent("out.csv")
        let args = ["bench", corpus.path, "--no-default-peer", "-O", "1", "--runs", "3", "--engine", "wasmtime=" + engine.path, "--csv", csv.path]

        try "poll: expected\n".write(to: prints, atomically: true, encoding: .utf8)
        let good = try run(args)
        XCTAssertEqual(good.status, 0, good.stderr)
        var rows = try csvRows(csv)
        XCTAssertEqual(rows.map { $0["output"] }, ["ok", "ok"])
        XCTAssertNotEqual(rows[1]["run_ms"], "")
        XCTAssertNotEqual(rows[1]["run_cpu_ms"], "")

        try "poll: something else\n".write(to: prints, atomically: true, encoding: .utf8)
        let bad = try run(args)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("!!! poll.O2.wasm lathe -O1: output differs"), bad.stderr)
        rows = try csvRows(csv)
        XCTAssertEqual(rows.map { $0["output"] }, ["FAIL", "FAIL"])
    }

    static let header = "module,program,tool,level,status,size,code,gzip,opt_ms,peak_kib,sha256,calls,call_indirect,call_ref,struct_new,array_new,ref_cast,loads,stores,i64_pack,i64_unpack,v128,run_ms,output"

    func fixture(_ dir: URL, _ name: String, _ rows: [String]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try ([Self.header] + rows).joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testCompareDeltasGeometricMeanAndFlags() throws {
        let dir = try temporaryDirectory()
        let base = try fixture(dir, "base.csv", [
            "a.wasm,a,input,-,ok,1000,990,500,,,aaaa,3,0,0,0,0,0,10,5,0,0,0,20.00,ok",
            "a.wasm,a,lathe,2,ok,100,90,80,10.0,2000,bbbb,1,0,0,0,0,0,4,2,0,0,0,10.00,ok",
            "a.wasm,a,wasm-opt,2,ok,200,190,90,20.0,3000,cccc,1,0,0,0,0,0,4,2,0,0,0,12.00,ok",
        ])
        let same = try fixture(dir, "same.csv", [
            "a.wasm,a,input,-,ok,1000,990,500,,,aaaa,3,0,0,0,0,0,10,5,0,0,0,20.00,ok",
            "a.wasm,a,lathe,2,ok,50,40,40,10.0,2000,bbbb,1,0,0,0,0,0,4,2,0,0,0,5.00,ok",
            "a.wasm,a,wasm-opt,2,ok,200,190,90,20.0,3000,cccc,1,0,0,0,0,0,4,2,0,0,0,12.00,ok",
        ])
        let ok = try run(["bench", "compare", base, same])
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stdout.contains("size       100 -> 50 (-50.0%)"), ok.stdout)
        // size ratios 1, 0.5, 1: geometric mean 0.5^(1/3).
        XCTAssertTrue(ok.stdout.contains("size       0.7937 (-20.6%, 3 rows)"), ok.stdout)
        XCTAssertFalse(ok.stdout.contains("!!!"), ok.stdout)

        let changed = try fixture(dir, "changed.csv", [
            "a.wasm,a,input,-,ok,1000,990,500,,,aaaa,3,0,0,0,0,0,10,5,0,0,0,20.00,ok",
            "a.wasm,a,lathe,2,ok,100,90,80,10.0,2000,dddd,1,0,0,0,0,0,4,2,0,0,0,10.00,ok",
        ])
        let hash = try run(["bench", "compare", base, changed])
        XCTAssertEqual(hash.status, 1)
        XCTAssertTrue(hash.stdout.contains("!!! output hash changed"), hash.stdout)
        XCTAssertTrue(hash.stdout.contains("only in base: a.wasm wasm-opt -O2"), hash.stdout)
        XCTAssertEqual(try run(["bench", "compare", base, changed, "--allow-hash-changes"]).status, 0)

        let failing = try fixture(dir, "failing.csv", [
            "a.wasm,a,lathe,2,ok,100,90,80,10.0,2000,bbbb,1,0,0,0,0,0,4,2,0,0,0,10.00,FAIL",
        ])
        let fail = try run(["bench", "compare", base, failing, "--allow-hash-changes"])
        XCTAssertEqual(fail.status, 1)
        XCTAssertTrue(fail.stdout.contains("!!! OUTPUT CHECK FAILED"), fail.stdout)

        let broken = try fixture(dir, "broken.csv", ["a.wasm,a,lathe,2,ok,many,70,80,10.0,2000,bbbb,1,0,0,0,0,0,4,2,0,0,0,10.00,ok"])
        let bad = try run(["bench", "compare", base, broken])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("broken.csv:2: column 'size': 'many' is not an integer"), bad.stderr)
    }

    func testRenderMarkdownAndSVG() throws {
        let dir = try temporaryDirectory()
        let csv = try fixture(dir, "run.csv", [
            "a.O0.wasm,a,input,-,ok,1000,990,500,,,aaaa,3,0,0,0,0,0,10,5,0,0,0,40.00,ok",
            "a.O0.wasm,a,lathe,2,ok,100,90,80,10.0,2000,bbbb,1,0,0,0,0,0,4,2,0,0,0,10.00,ok",
            "a.O0.wasm,a,wasm-opt,2,ok,200,190,90,20.0,3000,cccc,1,0,0,0,0,0,4,2,0,0,0,20.00,ok",
            "b.O2.wasm,b,input,-,ok,900,890,500,,,eeee,3,0,0,0,0,0,10,5,0,0,0,,",
            "b.O2.wasm,b,lathe,2,ok,300,290,80,10.0,2000,ffff,1,0,0,0,0,0,4,2,0,0,0,,",
            "b.O2.wasm,b,wasm-opt,2,ok,200,190,90,20.0,3000,9999,1,0,0,0,0,0,4,2,0,0,0,,",
        ])
        let md = dir.appendingPathComponent("t.md"), svg = dir.appendingPathComponent("t.svg")
        let r = try run(["bench", "render", csv, "--markdown", md.path, "--svg", svg.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let table = try String(contentsOf: md, encoding: .utf8)
        XCTAssertTrue(table.contains("Lathe relative to wasm-opt"), table)
        XCTAssertTrue(table.contains("| a | -O2 | 1 | 0.500 | 0.474 | 0.889 | 0.500 | 0 |"), table)
        XCTAssertTrue(table.contains("| b | -O2 | 1 | 1.500 | 1.526 | 0.889 | - | 0 |"), table)
        XCTAssertTrue(table.contains("| a.O0.wasm | -O2 | 1000 | 100 | 200 | 40.0 | 10.0 | 20.0 | 10.0 | 20.0 | ok |"), table)
        try assertWellFormedSVG(svg, bars: 3)
    }

    /// Parses the SVG as XML and counts the bars (rects with a title).
    func assertWellFormedSVG(_ url: URL, bars: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try Data(contentsOf: url)
        let parser = XMLParser(data: data)
        final class Counter: NSObject, XMLParserDelegate {
            var bars = 0, rects = 0, titles = 0
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "rect" { rects += 1 }
                if name == "title" { titles += 1 }
            }
        }
        let counter = Counter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "SVG is not well-formed: \(String(describing: parser.parserError))", file: file, line: line)
        XCTAssertEqual(counter.titles, bars, file: file, line: line)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), file: file, line: line)
    }
}
