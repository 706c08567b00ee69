import Foundation
import LatheOpt
import LatheTestSupport
import LatheWasm
import LatheWasmIR
import WAT
import WasmKit
import WasmParser
import XCTest

/// Runs spec scripts on WasmKit twice, on the original modules and on the round-tripped ones, and
/// compares every `assert_return` / `assert_trap` invocation (same results bit for bit, or the same trap) and
/// every `assert_exhaustion` (both exhaust the stack).
final class BehaviourTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Core numeric and control scripts; all must be present in the suite (they are run with the rest).
    static let curated = [
        "i32", "i64", "f32", "f64", "f32_cmp", "f64_cmp", "f32_bitwise", "f64_bitwise", "conversions",
        "int_exprs", "int_literals", "float_exprs", "float_misc", "float_memory", "float_literals",
        "br_table", "block", "loop", "if", "br_if", "br", "call", "call_indirect", "local_get", "local_set",
        "local_tee", "memory", "select", "return", "fac", "left-to-right", "nop", "unreachable", "switch",
        "stack", "labels", "traps", "unwind", "memory_grow", "memory_size", "global", "address", "load", "store",
        "endianness", "func", "forward", "const", "align", "memory_fill", "memory_copy", "memory_trap",
        "return_call", "return_call_indirect", "table_get", "table_set", "table_size", "table_grow",
        "ref_null", "ref_is_null", "ref_func", "bulk", "int_exprs", "unreached-valid", "data", "elem",
        "exports", "start", "binary-leb128", "func_ptrs", "names", "type", "custom",
    ]

    static let spectestWat = """
    (module
      (global (export "global_i32") i32 (i32.const 666))
      (global (export "global_i64") i64 (i64.const 666))
      (global (export "global_f32") f32 (f32.const 666.6))
      (global (export "global_f64") f64 (f64.const 666.6))
      (table (export "table") 10 20 funcref)
      (memory (export "memory") 1 2)
      (func (export "print"))
      (func (export "print_i32") (param i32))
      (func (export "print_i64") (param i64))
      (func (export "print_f32") (param f32))
      (func (export "print_f64") (param f64))
      (func (export "print_i32_f32") (param i32 f32))
      (func (export "print_f64_f64") (param f64 f64)))
    """

    static var features: WasmFeatureSet {
        var f = WasmFeatureSet.default
        f.insert(.memory64); f.insert(.tailCall); f.insert(.functionReferences); f.insert(.multiMemory); f.insert(.simd)
        return f
    }

    /// One engine world: a store, its imports, named and current instances.
    final class World {
        let store: Store
        var imports = Imports()
        var current: Instance?
        var named: [String: Instance] = [:]
        init() throws {
            store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager, features: BehaviourTests.features)))
            let spectest = try parseWasm(bytes: try wat2wasm(BehaviourTests.spectestWat), features: BehaviourTests.features)
            imports.define(module: "spectest", try spectest.instantiate(store: store).exports)
        }
        func instantiate(_ bytes: [UInt8], id: String?) throws {
            current = nil
            let m = try parseWasm(bytes: bytes, features: BehaviourTests.features)
            let inst = try m.instantiate(store: store, imports: imports)
            current = inst
            if let id { named[id] = inst }
        }
        func invoke(_ call: WASTInvoke) -> String {
            guard let inst = call.module.map({ named[$0] }) ?? current else { return "no instance" }
            // Function references print as store addresses, which differ between the two stores.
            do { return "\(try WasmKitInvoke.results(call, on: inst))".replacing(/funcref\(\d+\)/, with: "funcref(non-null)") } catch {
                return WasmKitInvoke.describe(error)
            }
        }
    }

    struct Counts { var passed = 0, failed = 0, skipped = 0; var failures: [String] = []; var skips: [String: Int] = [:] }

    /// Runs one script on the original modules and on the rewritten ones: round-tripped, or with `passes` run between lift and lower.
    func run(script: URL, into c: inout Counts, passes: PassManager? = nil) {
        guard let text = try? String(contentsOf: script, encoding: .utf8), var wast = try? parseWAST(text, features: .all),
              let orig = try? World(), let rt = try? World() else {
            c.skipped += 1; c.skips["script not parsed", default: 0] += 1; return
        }
        let name = script.lastPathComponent
        var moduleOK = false
        while let (result, location) = wast.nextDirectiveResult() {
            guard case .success(let d) = result else { continue }
            var line: Int { location.computeLineAndColumn().line }  // scans the script: only for messages
            switch d {
            case .module(let md):
                moduleOK = false
                var bytes: [UInt8]
                switch md.source {
                case .binary(let b): bytes = b
                case .text(var w): guard let b = try? w.encode() else { continue }; bytes = b
                case .quote: continue
                }
                if md.isDefinition { continue }
                do { try orig.instantiate(bytes, id: md.id) } catch { continue }
                do {
                    let m = try ModuleReader.read(bytes)
                    let out: LatheWasm.Module
                    if let pm = passes {
                        do { out = try WasmOptimizer.optimize(m, manager: pm, threads: 1, verifyLifted: true).0 } catch {
                            c.failed += 1; c.failures.append("\(name):\(line): \(error)"); continue
                        }
                    } else {
                        let (rt, stats) = WasmRoundTrip.run(m)
                        if !stats.failures.isEmpty { c.failed += 1; c.failures.append("\(name):\(line): \(stats.failures[0])"); continue }
                        out = rt
                    }
                    try rt.instantiate(ModuleWriter.write(out), id: md.id)
                    moduleOK = true
                } catch {
                    c.failed += 1
                    c.failures.append("\(name):\(line): round-tripped module does not instantiate: \(error)")
                }
            case .register(let as_, let id):
                if let i = id.map({ orig.named[$0] }) ?? orig.current { orig.imports.define(module: as_, i.exports) }
                if let i = id.map({ rt.named[$0] }) ?? rt.current { rt.imports.define(module: as_, i.exports) }
            case .assertReturn(.invoke(let call), _), .assertTrap(.invoke(let call), _), .invoke(let call):
                let isAssert: Bool = if case .invoke = d { false } else { true }
                guard moduleOK || call.module != nil else {
                    if isAssert { c.skipped += 1; c.skips["module not instantiated (\(name))", default: 0] += 1 }
                    continue
                }
                let a = orig.invoke(call), b = rt.invoke(call)
                guard isAssert else { continue }
                if a.hasPrefix("unsupported") || a.hasPrefix("no ") { c.skipped += 1; c.skips[a, default: 0] += 1 }
                else if a == b { c.passed += 1 }
                else { c.failed += 1; c.failures.append("\(name):\(line): \(call.name): original \(a), round trip \(b)") }
            case .assertExhaustion(let call, _):
                guard moduleOK || call.module != nil else {
                    c.skipped += 1; c.skips["module not instantiated (\(name))", default: 0] += 1
                    continue
                }
                // Both must exhaust the call stack; the depth at which they do may differ.
                let a = orig.invoke(call), b = rt.invoke(call)
                if a.hasPrefix("trap") && b.hasPrefix("trap") { c.passed += 1 }
                else { c.failed += 1; c.failures.append("\(name):\(line): \(call.name): expected exhaustion, original \(a), round trip \(b)") }
            default: break
            }
        }
    }

    /// Every top-level script of the suite; LATHE_BEHAVIOUR_CURATED=1 gives only the curated core list (faster).
    func scriptNames() -> [String] {
        let dir = SpecSuite.directory(repositoryRoot: Self.repositoryRoot)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".wast") }.map { String($0.dropLast(5)) }.sorted()
        if ProcessInfo.processInfo.environment["LATHE_BEHAVIOUR_CURATED"] != nil { return Set(Self.curated).sorted() }
        return names
    }

    func testSpecScriptsBehaveTheSame() throws {
        let dir = SpecSuite.directory(repositoryRoot: Self.repositoryRoot)
        var c = Counts()
        let names = scriptNames()
        let present = Set(names)
        let missing = Self.curated.filter { !present.contains($0) }
        for n in names { run(script: dir.appendingPathComponent(n + ".wast"), into: &c) }
        print("round trip behaviour: \(c.passed) passed, \(c.failed) failed, \(c.skipped) skipped \(c.skips)")
        XCTAssertTrue(missing.isEmpty, "curated scripts not in the suite: \(missing)")
        XCTAssertGreaterThan(c.passed, 20_000)
        XCTAssertEqual(c.failed, 0, c.failures.prefix(30).joined(separator: "\n"))
    }

    /// Every `simd_*.wast` script (WasmKit runs SIMD; it does not run relaxed SIMD, so those scripts are not here).
    func testSIMDScriptsBehaveTheSame() throws {
        let dir = SpecSuite.directory(repositoryRoot: Self.repositoryRoot)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("simd_") && $0.hasSuffix(".wast") }.sorted()
        XCTAssertGreaterThan(names.count, 50, "SIMD scripts not found in \(dir.path)")
        var c = Counts()
        for n in names { run(script: dir.appendingPathComponent(n), into: &c) }
        print("round trip behaviour (SIMD): \(names.count) scripts, \(c.passed) passed, \(c.failed) failed, \(c.skipped) skipped \(c.skips)")
        XCTAssertGreaterThan(c.passed, 10_000)
        XCTAssertEqual(c.failed, 0, c.failures.prefix(30).joined(separator: "\n"))
    }

    /// Every script behaves the same after the -O3 pipeline, module passes included (verified after each pass).
    func testSpecScriptsBehaveTheSameAfterO3() throws { try checkScriptsAfterPipeline(level: "3") }

    /// Every script behaves the same after the -Oz pipeline, module passes included (verified after each pass).
    func testSpecScriptsBehaveTheSameAfterOz() throws { try checkScriptsAfterPipeline(level: "z") }

    func checkScriptsAfterPipeline(level: String) throws {
        let dir = SpecSuite.directory(repositoryRoot: Self.repositoryRoot)
        var passes = try PassManager(pipeline: try Pipelines.passes(forLevel: level), verifyEach: true)
        passes.moduleOptions = Pipelines.moduleOptions(forLevel: level)
        var c = Counts()
        for n in scriptNames() { run(script: dir.appendingPathComponent(n + ".wast"), into: &c, passes: passes) }
        print("-O\(level) behaviour: \(c.passed) passed, \(c.failed) failed, \(c.skipped) skipped \(c.skips)")
        XCTAssertGreaterThan(c.passed, 20_000, "-O\(level)")
        XCTAssertEqual(c.failed, 0, "-O\(level):\n" + c.failures.prefix(30).joined(separator: "\n"))
    }
}
