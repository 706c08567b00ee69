import LatheOpt
import LatheWasm
import WAT
import WasmKit
import WasmParser
import XCTest

/// Call-site inline hints (`metadata.code.inline` items at a call's byte offset) through `-O2`:
/// which sites the `inline` pass takes, that behaviour stays, and that surviving hints are written
/// back at the calls' new offsets.
final class CallHintTests: XCTestCase {
    /// `$mid` is too large for the tiny rule, exported, and has two call sites: by size alone -O2 inlines it
    /// nowhere. Its call to the tiny `$leaf` would inline unless hinted.
    static let wat = """
    (module
      (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 7)))
      (func $mid (export "mid") (param $h i32) (param $v i32) (result i32)
        (local.set $h (i32.xor (local.get $h) (local.get $v)))
        (local.set $h (i32.mul (local.get $h) (i32.const 0x85ebca6b)))
        (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))))
        (local.set $h (i32.mul (local.get $h) (i32.const 0xc2b2ae35)))
        (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (call $leaf (local.get $h)))
        (local.set $h (i32.rotl (local.get $h) (i32.const 7)))
        (local.set $h (i32.add (local.get $h) (i32.mul (local.get $v) (i32.const 0x27d4eb2d))))
        (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 15))))
      (func $hot (export "hot") (param i32) (result i32) (call $mid (local.get 0) (i32.const 3)))
      (func $cold (export "cold") (param i32) (result i32) (call $mid (local.get 0) (i32.const 5))))
    """

    /// The module, with `metadata.code.inline` items on the first call of each named function as given.
    func module(hints: [String: UInt8], extra: [CodeMetadata.Item] = []) throws -> LatheWasm.Module {
        var module = try ModuleReader.read(try wat2wasm(Self.wat, options: EncodeOptions(nameSection: true)))
        var functions: [(index: UInt32, items: [CodeMetadata.Item])] = []
        for name in ["leaf", "mid", "hot", "cold"] {
            let index = try XCTUnwrap(module.names?.functions.first { $0.value == name }?.key)
            let body = module.bodies[Int(index)]
            var items: [CodeMetadata.Item] = []
            if let hint = hints[name] {
                // No locals: the declaration is one byte (the group count 0) before the code.
                var it = body.makeIterator()
                while let inst = try it.next(), inst.opcode != .call {}
                items.append(.init(offset: UInt32(it.offset - body.code.startIndex + 1), payload: [hint]))
            }
            if name == "hot" { items += extra }
            if !items.isEmpty { functions.append((index, items)) }
        }
        if !functions.isEmpty {
            module.customSections.append(CustomSection(name: "metadata.code.inline", payload: CodeMetadata(functions: functions).payload[...], after: .code))
        }
        return module
    }

    func optimize(_ module: LatheWasm.Module, requests: [WasmOptimizer.InlineRequest] = []) throws -> (bytes: [UInt8], module: LatheWasm.Module) {
        var manager = try PassManager(pipeline: try Pipelines.passes(forLevel: "2"), verifyEach: true)
        manager.moduleOptions = Pipelines.moduleOptions(forLevel: "2")
        let (out, _) = try WasmOptimizer.optimize(module, manager: manager, threads: 2, verifyLifted: true, inlineRequests: requests)
        try ModuleValidator.validate(out)
        let bytes = ModuleWriter.write(out)
        return (bytes, try ModuleReader.read(bytes))
    }

    /// Per function name: the callees of its calls, in order, with the inline hint recorded at each
    /// call (read from the raw bytes at the body's start plus the item's offset).
    func calls(_ bytes: [UInt8], _ module: LatheWasm.Module) throws -> [String: [String]] {
        let names = module.names?.functions ?? [:]
        let imported = module.importedFunctionCount
        var hintsAt: [Int: UInt8] = [:]
        for section in module.customSections where section.name == "metadata.code.inline" {
            for f in try CodeMetadata(payload: section.payload).functions {
                for item in f.items where item.offset != 0 {
                    let at = module.offsets.bodies[Int(f.index) - imported] + Int(item.offset)
                    XCTAssertEqual(bytes[at], 0x10, "hint of function \(f.index) at offset \(item.offset) is not at a call")
                    hintsAt[at] = item.payload[0]
                }
            }
        }
        var out: [String: [String]] = [:]
        for (i, body) in module.bodies.enumerated() {
            let name = names[UInt32(imported + i)] ?? "f\(imported + i)"
            var it = body.makeIterator()
            var list: [String] = []
            while let inst = try it.next() {
                guard inst.opcode == .call else { continue }
                let callee = names[inst.index!] ?? "f\(inst.index!)"
                list.append(hintsAt.removeValue(forKey: it.offset).map { "\(callee) hint \($0)" } ?? callee)
            }
            out[name] = list
        }
        XCTAssertEqual(hintsAt, [:], "hints at offsets with no call instruction")
        return out
    }

    /// `hot` and `cold` give the same results on the input and the output (WasmKit).
    func checkBehaviour(_ input: LatheWasm.Module, _ output: [UInt8]) throws {
        func instance(_ bytes: [UInt8]) throws -> Instance {
            let store = Store(engine: Engine())
            return try parseWasm(bytes: bytes).instantiate(store: store)
        }
        let a = try instance(ModuleWriter.write(input)), b = try instance(output)
        for name in ["hot", "cold"] {
            guard case .function(let fa) = a.export(name), case .function(let fb) = b.export(name) else { return XCTFail("no export \(name)") }
            for x: UInt32 in [0, 1, 7, 0xdead_beef, 0xffff_ffff] {
                XCTAssertEqual(try fa.invoke([.i32(x)]), try fb.invoke([.i32(x)]), "\(name)(\(x))")
            }
        }
    }

    func testWithoutHintsTheMediumCalleeStaysCalled() throws {
        let input = try module(hints: [:])
        let (bytes, out) = try optimize(input)
        let c = try calls(bytes, out)
        XCTAssertEqual(c["hot"], ["mid"])
        XCTAssertEqual(c["cold"], ["mid"])
        XCTAssertEqual(c["mid"], [], "the tiny leaf is inlined")
        try checkBehaviour(input, bytes)
    }

    func testSiteHintedAlwaysInlinesAndSiteHintedNeverStays() throws {
        let input = try module(hints: ["hot": 127, "cold": 0, "mid": 0])
        let (bytes, out) = try optimize(input)
        let c = try calls(bytes, out)
        // The copy of $mid in $hot keeps the never-hint of its call to $leaf, at its new offset.
        XCTAssertEqual(c["hot"], ["leaf hint 0"])
        XCTAssertEqual(c["cold"], ["mid hint 0"])
        XCTAssertEqual(c["mid"], ["leaf hint 0"])
        try checkBehaviour(input, bytes)
    }

    func testCommandLineRequestsWinOverSiteHints() throws {
        let input = try module(hints: ["hot": 127, "cold": 0])
        let never = try optimize(input, requests: [.init(function: "mid", hint: .never)])
        let n = try calls(never.bytes, never.module)
        XCTAssertEqual(n["hot"], ["mid hint 127"])
        XCTAssertEqual(n["cold"], ["mid hint 0"])
        let always = try optimize(input, requests: [.init(function: "mid", hint: .always)])
        let a = try calls(always.bytes, always.module)
        XCTAssertEqual(a["hot"], [])
        XCTAssertEqual(a["cold"], [])
        try checkBehaviour(input, always.bytes)
    }

    func testFrequencyHintOverridesFunctionLevelAlways() throws {
        // Function-level always on $mid (offset 0), but the cold site says "about one call in ten" (22).
        var input = try module(hints: ["cold": 22])
        let mid = try XCTUnwrap(input.names?.functions.first { $0.value == "mid" }?.key)
        let k = try XCTUnwrap(input.customSections.firstIndex { $0.name == "metadata.code.inline" })
        var metadata = try CodeMetadata(payload: input.customSections[k].payload)
        metadata.functions.insert((mid, [.init(offset: 0, payload: [127])]), at: 0)
        input.customSections[k].payload = metadata.payload[...]
        let (bytes, out) = try optimize(input)
        let c = try calls(bytes, out)
        XCTAssertEqual(c["hot"], [], "the function-level hint inlines the unhinted site")
        XCTAssertEqual(c["cold"], ["mid hint 22"])
        try checkBehaviour(input, bytes)
    }

    func testMalformedHintsAreIgnored() throws {
        // $hot's body: locals' count at 0, `local.get 0` at 1, `i32.const 3` at 3, `call $mid` at 5, `end` at 7.
        // Hints on non-calls, inside the call, past the end, at the largest offset; empty and out-of-range payloads at the call.
        var input = try module(hints: [:], extra: [
            .init(offset: 1, payload: [127]), .init(offset: 3, payload: [127]), .init(offset: 6, payload: [127]),
            .init(offset: 10_000, payload: [127]), .init(offset: UInt32.max, payload: [127]),
            .init(offset: 5, payload: []), .init(offset: 5, payload: [250]),
        ])
        // A function index out of range, and a section that does not decode.
        let outOfRange = CodeMetadata(functions: [(999, [.init(offset: 3, payload: [127])])])
        input.customSections.append(CustomSection(name: "binaryen.inline", payload: outOfRange.payload[...], after: .code))
        input.customSections.append(CustomSection(name: "binaryen.inline", payload: [0xFF, 0xFF, 0xFF][...], after: .code))
        let (bytes, out) = try optimize(input)
        let c = try calls(bytes, out)
        XCTAssertEqual(c["hot"], ["mid"])
        XCTAssertEqual(c["cold"], ["mid"])
        try checkBehaviour(input, bytes)
    }
}
