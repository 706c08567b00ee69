import LatheWasm
import WAT
import XCTest

final class FunctionDeletionTests: XCTestCase {
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
}
