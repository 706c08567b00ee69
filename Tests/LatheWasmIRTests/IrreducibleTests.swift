import LatheIR
import LatheWasm
@testable import LatheWasmIR
import WAT
import WasmKit
import XCTest

/// Irreducible CFGs (not made by the lifter, but by other IR producers) lower to wasm that behaves as the IR does.
final class IrreducibleTests: XCTestCase {
    /// Two entries into one cycle: block1 and block2 are both reached from block0.
    static let twoEntries = """
    function %two_entries(i32, i32) -> i32 {
    block0(v0: i32, v1: i32):
        v2 = iconst.i32 0
        brif v0, block1(v2), block2(v2)

    block1(v3: i32):
        v4 = iconst.i32 1
        v5 = iadd v3, v4
        v6 = icmp sge v5, v1
        brif v6, block3(v5), block2(v5)

    block2(v7: i32):
        v8 = iconst.i32 10
        v9 = iadd v7, v8
        v10 = icmp sge v9, v1
        brif v10, block3(v9), block1(v9)

    block3(v11: i32):
        return v11
    }
    """

    /// Three entries with parameters of different types, a value from the entry block used inside
    /// the cycle, and the entry block itself a cycle target (so the function needs a fresh entry).
    static let threeEntries = """
    function %three_entries(i32, i64) -> i64 {
    block0(v0: i32, v1: i64):
        v2 = iconst.i32 3
        v3 = urem v0, v2
        v4 = iconst.i64 7
        br_table v3, block3(v1, v4), [block1(v1), block2(v4, v0)]

    block1(v5: i64):
        v6 = iconst.i64 3
        v7 = imul v5, v6
        v8 = iconst.i64 1000
        v9 = icmp ugt v7, v8
        brif v9, block4(v7), block2(v7, v0)

    block2(v10: i64, v11: i32):
        v12 = iconst.i32 1
        v13 = isub v11, v12
        v14 = uextend.i64 v13
        v15 = iadd v10, v14
        brif v13, block3(v15, v1), block1(v15)

    block3(v16: i64, v17: i64):
        v18 = iadd v16, v17
        v19 = iconst.i64 5000
        v20 = icmp ugt v18, v19
        brif v20, block4(v18), block5

    block5:
        v21 = iconst.i32 0
        v22 = icmp eq v0, v21
        brif v22, block4(v18), block0(v0, v18)

    block4(v23: i64):
        return v23
    }
    """

    func parse(_ text: String) throws -> LatheIR.Function { try parseFunction(text) }

    func interpret(_ f: LatheIR.Function, _ args: [RuntimeValue]) -> String {
        var interp = Interpreter(module: LatheIR.Module(functions: [f]), fuel: 1_000_000)
        return RunInvocation.describe(interp.call(f.name, args))
    }

    /// Lowers `f`, puts it in a module with the given wasm signature, validates, and runs it on WasmKit.
    func runLowered(_ f: LatheIR.Function, wasmSignature: String, _ args: [[WasmKit.Value]]) throws -> [String] {
        let body = try WasmLowerer.lower(LiftedFunction(function: f, functionIndices: [], typeIndices: []))
        var module = try ModuleReader.read(try wat2wasm("(module (func (export \"f\") \(wasmSignature) unreachable))"))
        module.bodies[0] = body
        try ModuleValidator.validate(module)
        let bytes = ModuleWriter.write(module)
        let store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager)))
        let instance = try parseWasm(bytes: bytes).instantiate(store: store)
        let fn = try XCTUnwrap(instance.exports[function: "f"])
        return args.map { a in
            do {
                return try fn.invoke(a).map { v -> String in
                    switch v {
                    case .i32(let x): String(x)
                    case .i64(let x): String(x)
                    default: "\(v)"
                    }
                }.joined(separator: ", ")
            } catch { return "trap" }
        }
    }

    func testMakeReducibleKeepsSemantics() throws {
        for text in [Self.twoEntries, Self.threeEntries] {
            let original = try parse(text)
            XCTAssertFalse(original.isReducible)
            var fixed = original
            let headers = try XCTUnwrap(fixed.makeReducible())
            XCTAssertGreaterThanOrEqual(headers, 1)
            XCTAssertTrue(fixed.isReducible, fixed.text)
            let report = fixed.verify()
            XCTAssertTrue(report.isValid, report.render() + "\n" + fixed.text)
            // Same results from the interpreter before and after, on many inputs.
            for a in 0..<6 {
                for b in [0, 1, 5, 17, 40, 200] {
                    let args: [RuntimeValue] = original.signature.params[1] == .i32
                        ? [.i32(Int32(a)), .i32(Int32(b))] : [.i32(Int32(a)), .i64(Int64(b))]
                    XCTAssertEqual(interpret(original, args), interpret(fixed, args), "\(original.name)(\(a), \(b))")
                }
            }
        }
    }

    func testReducibleFunctionIsUntouched() throws {
        var f = try parse("""
        function %loop(i32) -> i32 {
        block0(v0: i32):
            jump block1(v0)

        block1(v1: i32):
            v2 = iconst.i32 1
            v3 = isub v1, v2
            brif v3, block1(v3), block2

        block2:
            return v1
        }
        """)
        let before = f.text
        XCTAssertEqual(f.makeReducible(), 0)
        XCTAssertEqual(f.text, before)
    }

    func testLoweredIrreducibleFunctionsRunAsInterpreted() throws {
        let two = try parse(Self.twoEntries)
        var inputs: [[WasmKit.Value]] = []
        var expected: [String] = []
        for a in [0, 1] {
            for b in [0, 3, 11, 12, 25, 100] {
                inputs.append([.i32(UInt32(a)), .i32(UInt32(b))])
                expected.append(interpret(two, [.i32(Int32(a)), .i32(Int32(b))]))
            }
        }
        let got = try runLowered(two, wasmSignature: "(param i32 i32) (result i32)", inputs)
        XCTAssertEqual(got.map(normalize), expected.map(normalize))

        let three = try parse(Self.threeEntries)
        inputs = []; expected = []
        for a in 0..<7 {
            for b in [0, 2, 9, 300, 4000] {
                inputs.append([.i32(UInt32(a)), .i64(UInt64(b))])
                expected.append(interpret(three, [.i32(Int32(a)), .i64(Int64(b))]))
            }
        }
        let got3 = try runLowered(three, wasmSignature: "(param i32 i64) (result i64)", inputs)
        XCTAssertEqual(got3.map(normalize), expected.map(normalize))
    }

    /// Reduces both engines' result text to the numbers it contains.
    func normalize(_ s: String) -> String {
        s.hasPrefix("trap") ? "trap" : String(s.filter { $0.isNumber || $0 == "," || $0 == "-" })
    }
}
