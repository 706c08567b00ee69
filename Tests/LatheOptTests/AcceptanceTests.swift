import Foundation
import LatheOpt
import LatheTestSupport
import LatheWasm
import WAT
import WasmKit
import WasmParser
import XCTest

/// The optimizer's acceptance cases: `.wast` files under Tests/golden/acceptance.
///
/// Each file starts with `;; test opt LEVEL` (`-O2`), holds one module and spec-style assertions
/// (`assert_return`, `assert_trap` on exported functions), and `;; CHECK:` / `;; NOT:` lines. The
/// module is optimized at LEVEL; every assertion must give the same outcome on the input and the
/// output (WasmKit, bit-exact results or the same trap) and the expected one on the input. CHECK
/// lines must appear in the printed output in order (substrings); a NOT line must not appear
/// between the previous CHECK match and the next one (or the end). A NOT pattern keeps its leading
/// spaces after the one following the colon, so `;; NOT:  if` finds `if` but not `br_if`.
final class AcceptanceTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("golden/acceptance")

    static var features: WasmFeatureSet {
        var f = WasmFeatureSet.default
        f.insert(.tailCall); f.insert(.simd)
        return f
    }

    func testEveryAcceptanceFileHolds() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".wast") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 4, "acceptance files not found in \(Self.directory.path)")
        for file in files {
            let failures: [String]
            do { failures = try check(Self.directory.appendingPathComponent(file)) } catch { failures = ["\(error)"] }
            XCTAssertTrue(failures.isEmpty, "\(file):\n" + failures.joined(separator: "\n"))
        }
    }

    /// Runs one file; returns its failures.
    func check(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        // `;; test opt -O<level>` runs a level's pipeline; `;; test opt --passes a,b` runs those passes (with -O2's module budgets).
        let level: String, passNames: [String]
        if let header = lines.first, header.hasPrefix(";; test opt --passes ") {
            level = "2"
            passNames = header.dropFirst(";; test opt --passes ".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } else if let header = lines.first, header.hasPrefix(";; test opt -O") {
            level = String(header.dropFirst(";; test opt -O".count)).trimmingCharacters(in: .whitespaces)
            passNames = try Pipelines.passes(forLevel: level)
        } else {
            return ["first line must be ';; test opt -O<level>' or ';; test opt --passes a,b'"]
        }
        var failures: [String] = []
        var wast = try parseWAST(text, features: Self.features)
        var original: Instance?, optimized: Instance?
        var printed = ""
        let storeA = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager, features: Self.features)))
        let storeB = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager, features: Self.features)))
        var assertions = 0
        while let (result, location) = wast.nextDirectiveResult() {
            let line = location.computeLineAndColumn().line
            let directive: WASTDirective
            switch result {
            case .success(let d): directive = d
            case .failure(let e): failures.append("line \(line): \(e)"); continue
            }
            switch directive {
            case .module(let md):
                guard case .text(var w) = md.source else { failures.append("line \(line): module must be text"); continue }
                let bytes = try w.encode(options: EncodeOptions(nameSection: true))
                var module = try ModuleReader.read(bytes)
                try addHints(lines, to: &module)
                var manager = try PassManager(pipeline: passNames, verifyEach: true)
                manager.moduleOptions = Pipelines.moduleOptions(forLevel: level)
                let (out, _) = try WasmOptimizer.optimize(module, manager: manager, threads: 2, verifyLifted: true)
                try ModuleValidator.validate(out)
                printed = ModulePrinter.print(out)
                original = try parseWasm(bytes: bytes, features: Self.features).instantiate(store: storeA)
                optimized = try parseWasm(bytes: ModuleWriter.write(out), features: Self.features).instantiate(store: storeB)
            case .assertReturn(.invoke(let call), let expected):
                guard let original, let optimized else { failures.append("line \(line): assertion before the module"); continue }
                assertions += 1
                let a = invoke(original, call), b = invoke(optimized, call)
                if a != b { failures.append("line \(line): \(call.name): input gives \(a), output gives \(b)") }
                let want = expected.map(describe).joined(separator: ", ")
                if a != "[\(want)]" { failures.append("line \(line): \(call.name): expected [\(want)], input gives \(a)") }
            case .assertTrap(.invoke(let call), _):
                guard let original, let optimized else { failures.append("line \(line): assertion before the module"); continue }
                assertions += 1
                let a = invoke(original, call), b = invoke(optimized, call)
                if !a.hasPrefix("trap") || a != b { failures.append("line \(line): \(call.name): expected the same trap, input \(a), output \(b)") }
            default:
                failures.append("line \(line): unsupported directive")
            }
        }
        if assertions == 0 { failures.append("no assertions") }
        failures += matchChecks(lines, printed)
        if !failures.isEmpty { failures.append("output:\n\(printed)") }
        return failures
    }

    /// Adds a function-level code-metadata item per `;; hint SECTION $function VALUE` line.
    func addHints(_ lines: [String], to module: inout LatheWasm.Module) throws {
        var sections: [String: CodeMetadata] = [:]
        for line in lines where line.hasPrefix(";; hint ") {
            let parts = line.split(separator: " ")
            guard parts.count == 5, let value = UInt8(parts[4]) else { throw CLIFormatError("bad hint line: \(line)") }
            let name = String(parts[3].dropFirst())
            guard let index = module.names?.functions.first(where: { $0.value == name })?.key else { throw CLIFormatError("no function $\(name)") }
            sections[String(parts[2]), default: CodeMetadata()].functions.append((index, [CodeMetadata.Item(offset: 0, payload: [value])]))
        }
        for (name, metadata) in sections.sorted(by: { $0.key < $1.key }) {
            module.customSections.append(CustomSection(name: name, payload: metadata.payload[...], after: .code))
        }
    }

    struct CLIFormatError: Error { var message: String; init(_ m: String) { message = m } }

    func invoke(_ instance: Instance, _ call: WASTInvoke) -> String {
        do { return "\(try WasmKitInvoke.results(call, on: instance).map(describe))".replacingOccurrences(of: "\"", with: "") } catch {
            return WasmKitInvoke.describe(error)
        }
    }

    func describe(_ v: WasmKit.Value) -> String {
        switch v {
        case .i32(let x): "i32:\(x)"
        case .i64(let x): "i64:\(x)"
        case .f32(let x): "f32:\(x)"
        case .f64(let x): "f64:\(x)"
        default: "\(v)"
        }
    }

    func describe(_ e: WASTExpectValue) -> String {
        switch e {
        case .i32(let x): "i32:\(x)"
        case .i64(let x): "i64:\(x)"
        case .f32(let x): "f32:\(x)"
        case .f64(let x): "f64:\(x)"
        default: "\(e)"
        }
    }

    /// FileCheck-style CHECK (in order) and NOT (absent up to the next CHECK match) lines against `output`.
    func matchChecks(_ lines: [String], _ output: String) -> [String] {
        let out = output.components(separatedBy: "\n")
        var failures: [String] = []
        var cursor = 0
        var pendingNot: [(line: Int, pattern: String)] = []
        func checkNots(upTo end: Int) {
            for (n, pattern) in pendingNot {
                if let hit = (cursor..<end).first(where: { out[$0].contains(pattern) }) {
                    failures.append("line \(n): NOT '\(pattern)' found on output line \(hit + 1): \(out[hit])")
                }
            }
            pendingNot = []
        }
        var sawCheck = false
        for (k, line) in lines.enumerated() {
            if line.hasPrefix(";; CHECK:") {
                sawCheck = true
                let pattern = line.dropFirst(";; CHECK:".count).trimmingCharacters(in: .whitespaces)
                guard let hit = (cursor..<out.count).first(where: { out[$0].contains(pattern) }) else {
                    failures.append("line \(k + 1): CHECK '\(pattern)' not found after output line \(cursor + 1)")
                    return failures
                }
                checkNots(upTo: hit)
                cursor = hit + 1
            } else if line.hasPrefix(";; NOT:") {
                // One space separates the keyword; further leading spaces belong to the pattern (`;; NOT:  if`).
                var pattern = Substring(line.dropFirst(";; NOT:".count))
                if pattern.first == " " { pattern = pattern.dropFirst() }
                pendingNot.append((k + 1, String(pattern)))
            }
        }
        checkNots(upTo: out.count)
        if !sawCheck { failures.append("no CHECK lines") }
        return failures
    }
}
