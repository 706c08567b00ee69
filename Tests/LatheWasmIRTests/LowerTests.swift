import LatheIR
import LatheOpt
import LatheWasm
import LatheWasmIR
import WAT
import WasmKit
import XCTest

/// Lowering choices that save bytes: trees with `local.tee` inside their user, dead code left out,
/// parallel copies on loop edges; checked on the instructions and by running the result.
final class LowerTests: XCTestCase {
    func module(_ wat: String) throws -> LatheWasm.Module {
        try ModuleReader.read(try wat2wasm(wat, features: .all))
    }

    func lower(_ wat: String) throws -> (LatheWasm.Module, FunctionBody) {
        let m = try module(wat)
        let lifted = try WasmLifter(module: m).lift(definedFunction: 0)
        XCTAssertTrue(lifted.function.verify().isValid)
        return (m, try WasmLowerer.lower(lifted))
    }

    /// Calls export `f` of a module with i32 arguments and returns its i32 result.
    func call(_ m: LatheWasm.Module, _ args: [Int32]) throws -> Int32 {
        let parsed = try parseWasm(bytes: ModuleWriter.write(m))
        let store = Store(engine: Engine())
        let instance = try parsed.instantiate(store: store)
        guard let f = instance.exports[function: "f"] else { throw XCTSkip("no export f") }
        let results = try f(args.map { .i32(UInt32(bitPattern: $0)) })
        guard case .i32(let r)? = results.first else { XCTFail("no i32 result"); return 0 }
        return Int32(bitPattern: r)
    }

    func testMultiUseValueIsTeedInsideItsUserAfterLocalReads() throws {
        // t = x1 + 5 is used twice; x0 is read before t is computed, so t stays on the stack through a tee.
        let (_, body) = try lower("""
        (module (func (param i32 i32) (result i32) (local i32)
          local.get 0
          (local.set 2 (i32.add (local.get 1) (i32.const 5)))
          local.get 2
          i32.mul
          local.get 2
          i32.add))
        """)
        XCTAssertEqual(try body.instructions().map(\.opcode),
                       [.localGet, .localGet, .i32Const, .i32Add, .localTee, .i32Mul, .localGet, .i32Add, .end])
        XCTAssertEqual(body.localCount, 0, "the tee reuses the parameter local, dead by then")
    }

    func testSingleUseAddressStaysOnTheStackBeforeALocalRead() throws {
        // The address is computed right before the store; the stored value comes from a parameter.
        let (_, body) = try lower("""
        (module (memory 1) (func (param i32 i32)
          (local.set 0 (i32.add (local.get 0) (i32.const 4)))
          local.get 0
          local.get 1
          i32.store))
        """)
        XCTAssertEqual(try body.instructions().map(\.opcode), [.localGet, .i32Const, .i32Add, .localGet, .i32Store, .end])
        XCTAssertTrue(body.locals.isEmpty)
    }

    func testUnusedPureCodeIsLeftOutButTrapsStay() throws {
        let (_, pure) = try lower("(module (func (param i32) (result i32) local.get 0 i32.const 13 i32.gt_u drop local.get 0))")
        XCTAssertEqual(try pure.instructions().map(\.opcode), [.localGet, .end])
        let (_, trapping) = try lower("(module (memory 1) (func (param i32) local.get 0 i32.load drop local.get 0 i32.const 0 i32.div_u drop))")
        let ops = try trapping.instructions().map(\.opcode)
        XCTAssertTrue(ops.contains(.i32Load) && ops.contains(.i32DivU), "\(ops)")
    }

    func testLoopSwapKeepsBothValues() throws {
        // (a, b) <- (b, a + b): the edge copies read a parameter of the block they write.
        let wat = """
        (module (func (export "f") (param i32) (result i32) (local i32 i32 i32)
          (local.set 1 (i32.const 0))
          (local.set 2 (i32.const 1))
          (block (loop
            (br_if 1 (i32.eqz (local.get 0)))
            (local.set 3 (i32.add (local.get 1) (local.get 2)))
            (local.set 1 (local.get 2))
            (local.set 2 (local.get 3))
            (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
            (br 0)))
          (local.get 1)))
        """
        let (m, body) = try lower(wat)
        var out = m
        out.bodies[0] = body
        try ModuleValidator.validate(out)
        for n: Int32 in [0, 1, 2, 7, 20] {
            XCTAssertEqual(try call(out, [n]), try call(m, [n]), "fib(\(n))")
        }
        XCTAssertEqual(try call(out, [10]), 55)
    }

    func testBranchCopiesBeforeBrIfWhenTheOtherWayDoesNotNeedTheLocal() throws {
        // The taken edge writes the block result 5 to a local the fall-through does not read, so no `if` is needed.
        let wat = """
        (module (func (export "f") (param i32) (result i32)
          (i32.add
            (block (result i32)
              (br_if 0 (i32.const 5) (local.get 0))
              drop
              (i32.mul (local.get 0) (i32.const 3)))
            (local.get 0))))
        """
        let (m, body) = try lower(wat)
        let ops = try body.instructions().map(\.opcode)
        // One conditional branch (a `br_if`, or the `if` a block around the fall-through became), after the copy.
        XCTAssertEqual(ops.filter { $0 == .brIf || $0 == .if }.count, 1, "\(ops)")
        let branch = ops.firstIndex { $0 == .brIf || $0 == .if }!
        XCTAssertTrue(ops[..<branch].contains(.localSet), "the copy comes before the branch: \(ops)")
        var out = m
        out.bodies[0] = body
        try ModuleValidator.validate(out)
        for x: Int32 in [0, 1, 4] { XCTAssertEqual(try call(out, [x]), try call(m, [x]), "f(\(x))") }
    }

    func testBlockLeftByBrIfOnAComparisonBecomesIfOnTheOppositeComparison() throws {
        // `br_if 0 (a < b)` skips the store: the `if` runs it on `a >= b` (exact for integers).
        let wat = """
        (module (memory 1) (func (export "f") (param i32 i32) (result i32)
          (block (br_if 0 (i32.lt_s (local.get 0) (local.get 1))) (i32.store (i32.const 0) (local.get 0)))
          (i32.load (i32.const 0))))
        """
        let (m, body) = try lower(wat)
        let ops = try body.instructions().map(\.opcode)
        XCTAssertEqual(ops, [.localGet, .localGet, .i32GeS, .if, .i32Const, .localGet, .i32Store, .end, .i32Const, .i32Load, .end])
        var out = m
        out.bodies[0] = body
        try ModuleValidator.validate(out)
        for (a, b): (Int32, Int32) in [(1, 2), (2, 1), (3, 3), (-5, 7)] {
            XCTAssertEqual(try call(out, [a, b]), try call(m, [a, b]), "f(\(a), \(b))")
        }
    }

    func testCostlyConstantUsedOftenIsKeptInALocalAndCheapOneIsRematerialized() throws {
        // 0x5bd1e995 takes 6 bytes as an `i32.const`: three reads cost 18 rematerialized, 6 + 2 + 6 (+ a local) kept.
        // 1000 takes 3 bytes: two reads stay rematerialized.
        let wat = """
        (module (func (export "f") (param i32 i32) (result i32)
          (i32.add
            (i32.add (i32.xor (local.get 0) (i32.const 0x5bd1e995)) (i32.xor (local.get 1) (i32.const 0x5bd1e995)))
            (i32.add (i32.mul (local.get 0) (i32.const 0x5bd1e995))
              (i32.add (i32.mul (local.get 1) (i32.const 1000)) (i32.add (local.get 0) (i32.const 1000)))))))
        """
        let m = try module(wat)
        var lifted = try WasmLifter(module: m).lift(definedFunction: 0)
        // Equal constants become one value, as in the optimizer's output (the lifter makes one per occurrence).
        var cache = AnalysisCache()
        _ = GlobalValueNumbering().run(&lifted.function, &cache)
        XCTAssertTrue(lifted.function.verify().isValid)
        let body = try WasmLowerer.lower(lifted)
        let insts = try body.instructions()
        let big = insts.filter { $0.opcode == .i32Const && $0.immediate == .i32(0x5bd1e995) }.count
        let small = insts.filter { $0.opcode == .i32Const && $0.immediate == .i32(1000) }.count
        XCTAssertEqual(big, 1, "\(insts)")
        XCTAssertEqual(small, 2, "\(insts)")
        var out = m
        out.bodies[0] = body
        try ModuleValidator.validate(out)
        for (a, b): (Int32, Int32) in [(1, 2), (-7, 123456), (0, 0)] {
            XCTAssertEqual(try call(out, [a, b]), try call(m, [a, b]), "f(\(a), \(b))")
        }
    }
}
