import LatheWasm
import WAT
import XCTest

final class ItemDeletionTests: XCTestCase {
    /// Deleting a function renumbers calls in bodies, `ref.func` in constant expressions, elements, exports, the start function and names.
    func testDeletionRenumbersEveryReference() throws {
        let wat = """
            (module
              (import "env" "log" (func $log (param i32)))
              (table 2 funcref)
              (elem (i32.const 0) func $kept $last)
              (global $g funcref (ref.func $last))
              (func $first (export "first") (param i32) (result i32) (call $log (local.get 0)) (call $kept (local.get 0)))
              (func $dead (param i32) (result i32) (local.get 0))
              (func $kept (param i32) (result i32) (return_call $last (local.get 0)))
              (func $last (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
              (func $init (drop (ref.func $kept)))
              (start $init))
            """
        var module = try ModuleReader.read(try wat2wasm(wat, options: EncodeOptions(nameSection: true)))
        try ModuleValidator.validate(module)
        let map = module.functionIndexMap(removing: [2])
        XCTAssertEqual(map, [0, 1, nil, 2, 3, 4])
        try module.deleteFunctions([2], bodiesAlreadyRenumbered: [])
        try ModuleValidator.validate(module)
        XCTAssertEqual(module.functions.count, 4)
        XCTAssertEqual(module.start, 4)
        XCTAssertEqual(module.exports.first { $0.name == "first" }?.index, 1)
        XCTAssertEqual(module.names?.functions, [0: "log", 1: "first", 2: "kept", 3: "last", 4: "init"])
        let text = ModulePrinter.print(module)
        XCTAssertTrue(text.contains("call $kept"), text)
        XCTAssertTrue(text.contains("return_call $last"), text)
        XCTAssertTrue(text.contains("ref.func $kept"), text)
        XCTAssertFalse(text.contains("$dead"), text)
        guard case .functions(let items) = module.elements[0].items else { return XCTFail("element items changed form") }
        XCTAssertEqual(items, [2, 3])
        XCTAssertEqual(try module.globals[0].initializer.instructions().first?.index, 3)
    }

    /// Deleting globals and element segments renumbers `global.get`/`global.set`, `table.init`,
    /// `elem.drop`, exports, constant expressions (global initializers, element and data offsets) and names.
    func testGlobalAndSegmentDeletionRenumbersEveryReference() throws {
        let wat = """
            (module
              (import "env" "base" (global $base i32))
              (global $dead (mut i32) (i32.const 1))
              (global $kept (mut i32) (i32.const 2))
              (global $dead2 i64 (i64.const 3))
              (global $last (export "last") (mut i32) (i32.const 4))
              (table 4 funcref)
              (memory 1)
              (elem $unused func $f)
              (elem $active (global.get $base) func $f)
              (elem $used func $f)
              (data (global.get $base) "x")
              (func $f (result i32)
                (global.set $kept (i32.add (global.get $kept) (global.get $last)))
                (table.init $used (i32.const 0) (i32.const 0) (i32.const 1))
                (elem.drop $used)
                (global.get $base)))
            """
        var module = try ModuleReader.read(try wat2wasm(wat, options: EncodeOptions(nameSection: true)))
        try ModuleValidator.validate(module)
        let deletion = ItemDeletion(globals: [1, 3], elementSegments: [0])
        let map = module.renumbering(for: deletion)
        XCTAssertEqual(map.globals, [0, nil, 1, nil, 2])
        XCTAssertEqual(map.elementSegments, [nil, 0, 1])
        try module.delete(deletion, bodiesAlreadyRenumbered: [])
        try ModuleValidator.validate(module)
        XCTAssertEqual(module.globals.count, 2)
        XCTAssertEqual(module.elements.count, 2)
        XCTAssertEqual(module.exports.first { $0.name == "last" }?.index, 2)
        XCTAssertEqual(module.names?.globals, [0: "base", 1: "kept", 2: "last"])
        XCTAssertEqual(module.names?.elements, [0: "active", 1: "used"])
        let body = try module.bodies[0].instructions()
        XCTAssertEqual(body.filter { $0.opcode == .globalGet }.compactMap(\.index), [1, 2, 0])
        XCTAssertEqual(body.filter { $0.opcode == .globalSet }.compactMap(\.index), [1])
        XCTAssertEqual(body.first { $0.opcode == .tableInit }?.immediate, .indexPair(1, 0))
        XCTAssertEqual(body.first { $0.opcode == .elemDrop }?.index, 1)
        guard case .active(_, let offset) = module.elements[0].mode else { return XCTFail("active segment moved") }
        XCTAssertEqual(try offset.instructions().first?.index, 0)
    }

    /// Deleting nothing leaves the module as it was.
    func testEmptyDeletionChangesNothing() throws {
        var module = try ModuleReader.read(try wat2wasm("(module (global (mut i32) (i32.const 1)) (func (global.set 0 (i32.const 2))))"))
        let before = ModuleWriter.write(module)
        try module.delete(ItemDeletion(), bodiesAlreadyRenumbered: [])
        XCTAssertEqual(ModuleWriter.write(module), before)
    }
}
