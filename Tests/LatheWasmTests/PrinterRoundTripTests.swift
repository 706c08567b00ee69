import Foundation
import LatheWasm
import WAT
import XCTest

/// print → WasmKit `wat2wasm` → read gives back the module, over the modules of the spec suite.
final class PrinterRoundTripTests: XCTestCase {
    struct Skip: CustomStringConvertible {
        var file: String
        var module: Int
        var reason: String
        var description: String { "\(file) module \(module): \(reason)" }
    }

    struct Failure: CustomStringConvertible {
        var file: String
        var module: Int
        var withNames: Bool
        var message: String
        var description: String { "\(file) module \(module)\(withNames ? " (names)" : ""): \(message)" }
    }

    /// The spec suite: `$LATHE_SPEC_SUITE`, else `../shared/wasm-testsuite` beside the repository.
    static func specSuiteDirectory() -> URL? {
        if let env = ProcessInfo.processInfo.environment["LATHE_SPEC_SUITE"] { return URL(fileURLWithPath: env) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            root.appendingPathComponent("../shared/wasm-testsuite"),
            URL(fileURLWithPath: "/work/shared/wasm-testsuite"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }?.standardizedFileURL
    }

    /// The `.wast` files of the suite, its `legacy` and `custom` folders included, by relative path.
    static func wastFiles(in dir: URL) -> [String] {
        var out: [String] = []
        for sub in ["", "legacy/", "custom/"] {
            let d = dir.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: d.path) else { continue }
            out += names.filter { $0.hasSuffix(".wast") }.map { sub + $0 }
        }
        return out.sorted()
    }

    /// A module of a `.wast` file: its bytes, or why WasmKit could not give them.
    enum SourceModule {
        case bytes([UInt8])
        case unreadable(String)
    }

    /// The modules of a `.wast` file (text modules encoded by WasmKit, with or without a name
    /// section), in order; a module WasmKit's parser cannot read is `.unreadable` with the reason.
    static func modules(of text: String, withNames: Bool) -> [SourceModule] {
        guard var wast = try? parseWAST(text, features: .all) else { return [.unreadable("WasmKit cannot read the file")] }
        var out: [SourceModule] = []
        var lastFailure: (line: Int, message: String)?
        while let (result, location) = wast.nextDirectiveResult() {
            let line = location.computeLineAndColumn().line
            lastFailure = nil
            switch result {
            case .failure(let e):
                if e.module != nil {
                    out.append(.unreadable("WasmKit cannot parse the module: \(e.error.description) (line \(line))"))
                } else {
                    lastFailure = (line, e.error.description)
                }
            case .success(.module(let m)):
                switch m.source {
                case .text(var wat):
                    do {
                        out.append(.bytes(try wat.encode(options: EncodeOptions(nameSection: withNames))))
                    } catch {
                        out.append(.unreadable("WasmKit cannot encode the module: \(error) (line \(line))"))
                    }
                case .binary(let bytes):
                    out.append(.bytes(bytes))
                case .quote:
                    break
                }
            case .success:
                break
            }
        }
        // A directive WasmKit could not even skip over ends the file early; say so if modules follow.
        if let f = lastFailure, text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(f.line).joined().contains("(module") {
            out.append(.unreadable("WasmKit cannot read the rest of the file: \(f.message) (line \(f.line))"))
        }
        return out
    }

    func testPrintRoundTripSpecSuite() throws {
        guard let dir = Self.specSuiteDirectory() else {
            throw XCTSkip("spec suite not found; set LATHE_SPEC_SUITE")
        }
        var passed = 0
        var failures: [Failure] = []
        var skips: [Skip] = []
        let dumpDir = ProcessInfo.processInfo.environment["LATHE_PRINT_DUMP"]
        for file in Self.wastFiles(in: dir) {
            guard let text = try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) else {
                skips.append(Skip(file: file, module: -1, reason: "file is not UTF-8"))
                continue
            }
            for withNames in [false, true] {
                for (index, source) in Self.modules(of: text, withNames: withNames).enumerated() {
                    let bytes: [UInt8]
                    switch source {
                    case .bytes(let b): bytes = b
                    case .unreadable(let reason):
                        if !withNames { skips.append(Skip(file: file, module: index, reason: reason)) }
                        continue
                    }
                    let original: Module
                    do {
                        original = try ModuleReader.read(bytes)
                    } catch {
                        if !withNames { skips.append(Skip(file: file, module: index, reason: "reader rejects the module")) }
                        continue
                    }
                    let printed = ModulePrinter.print(original)
                    if let dumpDir {
                        let base = "\(dumpDir)/\(file.replacingOccurrences(of: "/", with: "_")).\(index)\(withNames ? ".names" : "")"
                        try? Data(bytes).write(to: URL(fileURLWithPath: base + ".wasm"))
                        try? printed.write(toFile: base + ".wat", atomically: false, encoding: .utf8)
                    }
                    switch Self.roundTrip(original, printed) {
                    case .passed:
                        passed += 1
                    case .skipped(let reason):
                        skips.append(Skip(file: file, module: index, reason: reason + (withNames ? " (names)" : "")))
                    case .failed(let message):
                        failures.append(Failure(file: file, module: index, withNames: withNames, message: message))
                    }
                }
            }
        }
        var byReason: [String: Int] = [:]
        for s in skips { byReason[Self.reasonKind(s.reason), default: 0] += 1 }
        print("print round trip: \(passed) passed, \(failures.count) failed, \(skips.count) skipped")
        for (reason, n) in byReason.sorted(by: { $0.value > $1.value }) { print("  skipped \(n): \(reason)") }
        if ProcessInfo.processInfo.environment["LATHE_PRINT_SKIPS"] != nil {
            for s in skips { print("  skip: \(s)") }
        }
        for f in failures.prefix(40) { print("  FAIL \(f)") }
        XCTAssertEqual(failures.count, 0, "print round trip failures")
        XCTAssertGreaterThan(passed, 1000)
    }

    /// Prints the bundled example, or the modules in `LATHE_PRINT_FILES=a.wasm:b.wasm`, and, when
    /// `wat2wasm` can take them in reasonable time (under 4 MB), checks the round trip too.
    func testPrintGivenFiles() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/seams.wasm").path
        let list = ProcessInfo.processInfo.environment["LATHE_PRINT_FILES"] ?? example
        for path in list.split(separator: ":").map(String.init) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let module = try ModuleReader.read(bytes)
            let start = Date()
            let text = ModulePrinter.print(module)
            let seconds = Date().timeIntervalSince(start)
            print("print \(path): \(bytes.count) bytes -> \(text.utf8.count) bytes of text in \(String(format: "%.2f", seconds)) s")
            if let out = ProcessInfo.processInfo.environment["LATHE_PRINT_OUT"] {
                try text.write(toFile: out + "/" + URL(fileURLWithPath: path).lastPathComponent + ".wat", atomically: false, encoding: .utf8)
            }
            guard bytes.count < 4_000_000 else { continue }
            switch Self.roundTrip(module, text) {
            case .passed: print("  round trip: passed")
            case .skipped(let reason):
                print("  round trip: skipped, \(reason)")
                if path == example { XCTFail("the bundled example must round-trip: \(reason)") }
            case .failed(let message): XCTFail("\(path): \(message)")
            }
        }
    }

    enum Outcome {
        case passed
        case skipped(String)
        case failed(String)
    }

    /// The first word group of a skip reason, to count skips by kind.
    static func reasonKind(_ reason: String) -> String {
        if let colon = reason.firstIndex(of: ":") { return String(reason[..<colon]) }
        return reason
    }

    /// Parses the printed text back and compares it with the original.
    static func roundTrip(_ original: Module, _ printed: String) -> Outcome {
        let bytes: [UInt8]
        do {
            bytes = try wat2wasm(printed, features: .all)
        } catch {
            let message = "\(error)"
            if let gap = WasmKitTextGaps.reason(message: message, printed: printed) { return .skipped(gap) }
            return .failed("wat2wasm: \(message)")
        }
        let reread: Module
        do {
            reread = try ModuleReader.read(bytes)
        } catch {
            return .failed("reading the re-encoded module: \(error)")
        }
        let a: [UInt8], b: [UInt8]
        do {
            a = try ModuleComparison.canonicalBytes(original)
            b = try ModuleComparison.canonicalBytes(reread)
        } catch {
            return .failed("decoding for comparison: \(error)")
        }
        if a == b { return .passed }
        return .failed("module differs: " + ModuleComparison.difference(original, reread))
    }
}

/// Things WasmKit's text parser does not read, recognized by its error message: skips, not failures.
enum WasmKitTextGaps {
    static let known: [(fragment: String, reason: String)] = []

    static func reason(message: String, printed: String) -> String? {
        for k in known where message.contains(k.fragment) { return k.reason }
        return nil
    }
}

/// Compares modules apart from custom sections and binary encoding choices.
enum ModuleComparison {
    /// The module written with everything the text format cannot express made canonical: no custom
    /// sections, no data count, no record of empty sections or encoding forms, locals merged into
    /// runs, code and constant expressions re-encoded with minimal LEB128.
    static func canonicalBytes(_ module: Module) throws(WasmError) -> [UInt8] {
        var m = module
        m.customSections = []
        m.presentSections = []
        m.dataCount = nil
        m.recGroups = m.recGroups.map { g in
            RecGroup(types: g.types.map { t in
                var t = t
                t.explicitSubPrefix = false
                return t
            }, explicitRec: false)
        }
        for i in m.globals.indices { m.globals[i].initializer = try canonical(m.globals[i].initializer) }
        for i in m.tables.indices {
            if let e = m.tables[i].initializer { m.tables[i].initializer = try canonical(e) }
        }
        for i in m.elements.indices {
            m.elements[i].flags = nil
            m.elements[i].items = functionList(m.elements[i])
            if case .functions = m.elements[i].items { m.elements[i].type = .funcref }
            if case .active(let t, let e) = m.elements[i].mode { m.elements[i].mode = .active(table: t, offset: try canonical(e)) }
            if case .expressions(let es) = m.elements[i].items {
                var out: [ConstExpr] = []
                for e in es { out.append(try canonical(e)) }
                m.elements[i].items = .expressions(out)
            }
        }
        for i in m.data.indices {
            m.data[i].flags = nil
            if case .active(let mem, let e) = m.data[i].mode { m.data[i].mode = .active(memory: mem, offset: try canonical(e)) }
            m.data[i].bytes = Array(m.data[i].bytes)[...]
        }
        for i in m.bodies.indices {
            let body = m.bodies[i]
            var locals: [LocalGroup] = []
            for g in body.locals where g.count > 0 {
                if let last = locals.last, last.type == g.type {
                    locals[locals.count - 1].count += g.count
                } else {
                    locals.append(g)
                }
            }
            let types = m.types
            let code = try body.instructions().map { inst in
                var inst = inst
                switch inst.immediate {
                case .blockType(let bt): inst.immediate = .blockType(shortBlockType(bt, types))
                case .tryTable(let bt, let c): inst.immediate = .tryTable(shortBlockType(bt, types), c)
                default: break
                }
                return inst
            }
            m.bodies[i] = FunctionBody(locals: locals, instructions: code)
        }
        return ModuleWriter.write(m)
    }

    /// Wasm 3.0 reads `func x*` as `(ref func) (ref.func x)*`, and WasmKit writes the expressions
    /// `(ref func) (ref.func x)*` as the index list; both count as the index list here.
    static func functionList(_ seg: ElementSegment) -> ElementSegment.Items {
        guard case .expressions(let es) = seg.items, seg.type == RefType(nullable: false, heapType: .abstract(.func))
        else { return seg.items }
        var fs: [UInt32] = []
        for e in es {
            guard let insts = try? e.instructions(), insts.count == 1, insts[0].opcode == .refFunc,
                  let f = insts[0].index else { return seg.items }
            fs.append(f)
        }
        return .functions(fs)
    }

    /// WasmKit's text parser writes `(type N)` of a `[] -> [t?]` type as the short block type.
    static func shortBlockType(_ bt: BlockType, _ types: [SubType]) -> BlockType {
        guard case .typeIndex(let n) = bt, Int(n) < types.count, let f = types[Int(n)].funcType,
              f.params.isEmpty, f.results.count <= 1 else { return bt }
        return f.results.first.map { .value($0) } ?? .empty
    }

    static func canonical(_ e: ConstExpr) throws(WasmError) -> ConstExpr {
        ConstExpr(try e.instructions())
    }

    /// A short description of the first difference found.
    static func difference(_ a: Module, _ b: Module) -> String {
        if a.types != b.types { return "types \(a.types) vs \(b.types)" }
        if a.imports != b.imports { return "imports \(a.imports) vs \(b.imports)" }
        if a.functions != b.functions { return "function types \(a.functions) vs \(b.functions)" }
        if a.tables.map(\.type) != b.tables.map(\.type) { return "tables \(a.tables) vs \(b.tables)" }
        if a.memories != b.memories { return "memories \(a.memories) vs \(b.memories)" }
        if a.tags != b.tags { return "tags" }
        if a.globals.map(\.type) != b.globals.map(\.type) { return "global types" }
        if a.exports != b.exports { return "exports \(a.exports) vs \(b.exports)" }
        if a.start != b.start { return "start" }
        if a.elements.count != b.elements.count { return "element count" }
        for (i, (x, y)) in zip(a.elements, b.elements).enumerated() where x.mode != y.mode || x.type != y.type || x.items.count != y.items.count {
            return "element \(i): \(x) vs \(y)"
        }
        if a.data.count != b.data.count { return "data count" }
        for (i, (x, y)) in zip(a.data, b.data).enumerated() where Array(x.bytes) != Array(y.bytes) {
            return "data \(i) bytes"
        }
        if a.bodies.count != b.bodies.count { return "body count" }
        for (i, (x, y)) in zip(a.bodies, b.bodies).enumerated() {
            let xi = (try? x.instructions()) ?? []
            let yi = (try? y.instructions()) ?? []
            if xi != yi {
                for (k, (p, q)) in zip(xi, yi).enumerated() where p != q {
                    return "function body \(i), instruction \(k): \(p) vs \(q)"
                }
                return "function body \(i): \(xi.count) vs \(yi.count) instructions"
            }
            let xl = x.locals.flatMap { [ValType](repeating: $0.type, count: Int($0.count)) }
            let yl = y.locals.flatMap { [ValType](repeating: $0.type, count: Int($0.count)) }
            if xl != yl { return "function body \(i) locals" }
        }
        return "encoding (constant expressions or element items)"
    }
}
