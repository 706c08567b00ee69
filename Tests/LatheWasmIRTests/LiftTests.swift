import LatheIR
import LatheWasm
@testable import LatheWasmIR
import WAT
import XCTest

/// Lift small modules and check the IR text; lower them back and check the result re-reads.
final class LiftTests: XCTestCase {
    func module(_ wat: String) throws -> LatheWasm.Module {
        try ModuleReader.read(try wat2wasm(wat, features: .all))
    }

    func lift(_ wat: String, function: Int = 0) throws -> LiftedFunction {
        let m = try module(wat)
        let lifted = try WasmLifter(module: m).lift(definedFunction: function)
        let report = lifted.function.verify()
        XCTAssertTrue(report.isValid, report.render())
        return lifted
    }

    /// Lifts, checks the IR contains `expected` lines in order, lowers, and checks the body re-reads.
    func check(_ wat: String, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let lifted = try lift(wat)
        let text = lifted.function.text
        var rest = Substring(text)
        for e in expected {
            guard let r = rest.range(of: e) else {
                XCTFail("missing \"\(e)\" in:\n\(text)", file: file, line: line)
                return
            }
            rest = rest[r.upperBound...]
        }
        let body = try WasmLowerer.lower(lifted)
        XCTAssertNoThrow(try body.instructions(), file: file, line: line)
    }

    func testStraightLine() throws {
        try check("""
        (module (func (param i32 i32) (result i32)
          local.get 0 local.get 1 i32.add i32.const 3 i32.mul))
        """, ["block0(v0: i32, v1: i32):", "v2 = iadd v0, v1", "v3 = iconst.i32 3", "v4 = imul v2, v3", "return v4"])
    }

    func testLoopWithLocals() throws {
        // sum of 0..<n: the loop header gets parameters for the two locals that change.
        try check("""
        (module (func (param i32) (result i32) (local i32 i32)
          (block (loop
            (br_if 1 (i32.ge_s (local.get 1) (local.get 0)))
            (local.set 2 (i32.add (local.get 2) (local.get 1)))
            (local.set 1 (i32.add (local.get 1) (i32.const 1)))
            (br 0)))
          (local.get 2)))
        """, ["jump block1(", "block1(v", "icmp sge", "brif", "iadd", "jump block1(", "return"])
    }

    func testLoopHeaderHasParametersOnlyForLocalsTheLoopWrites() throws {
        // Locals 0 (n) and 3 are read in the loop but never written there; 1 and 2 change.
        let lifted = try lift("""
        (module (func (param i32) (result i32) (local i32 i32 i32)
          (local.set 3 (i32.const 7))
          (block (loop
            (br_if 1 (i32.ge_s (local.get 1) (local.get 0)))
            (local.set 2 (i32.add (local.get 2) (local.get 3)))
            (block (local.set 1 (i32.add (local.get 1) (i32.const 1))))
            (br 0)))
          (local.get 2)))
        """)
        let f = lifted.function
        let header = f.layout.blocks.first { f.dfg.paramCount($0) > 0 && $0 != f.layout.entryBlock }
        XCTAssertEqual(header.map { f.dfg.paramCount($0) }, 2, f.text)
        var interpreter = Interpreter(module: LatheIR.Module(functions: [f]))
        XCTAssertEqual(try interpreter.call(f.name, [.i32(5)]).get(), [.i32(35)])
    }

    func testIfElseMultiValue() throws {
        try check("""
        (module (func (param i32) (result i32 i64)
          (if (result i32 i64) (local.get 0)
            (then (i32.const 1) (i64.const 2))
            (else (i32.const 3) (i64.const 4)))))
        """, ["brif v0, block1, block2", "jump block3(", "jump block3(", "block3(v", ": i32, v", ": i64):", "return"])
    }

    func testCodeAfterBranchIsDropped() throws {
        let lifted = try lift("""
        (module (func (result i32)
          (return (i32.const 7))
          (i32.const 1) (i32.const 2) (i32.add)))
        """)
        XCTAssertFalse(lifted.function.text.contains("iadd"), lifted.function.text)
        XCTAssertEqual(lifted.function.layout.blocks.count, 1)
    }

    func testBrTableAndMemory() throws {
        try check("""
        (module (memory 1) (func (param i32) (result i32)
          (block (block (block
            (br_table 0 1 2 (local.get 0)))
            (return (i32.load offset=8 (local.get 0))))
            (i64.store16 offset=4 align=1 (local.get 0) (i64.const 5))
            (return (i32.const 1)))
          (i32.const 2)))
        """, ["br_table v0, block", "load.i32 v0+8", "istore16 v", "+4 align=1"])
    }

    func testCodeSectionSizeMatchesTheWrittenSection() throws {
        let m = try module("""
        (module (func (param i32) (result i32) (local funcref externref i64 i32) local.get 0)
                (func (local v128) nop))
        """)
        // Walk the section headers of the written module to the code section (id 10).
        let bytes = ModuleWriter.write(m)
        var reader = ByteReader(bytes: bytes[8...])
        var codeSize: Int? = nil
        while !reader.isAtEnd {
            let id = try reader.readByte()
            let size = Int(try reader.readU32())
            if id == 10 { codeSize = size }
            _ = try reader.readBytes(size)
        }
        XCTAssertEqual(WasmRoundTrip.codeSectionSize(m.bodies), try XCTUnwrap(codeSize))
    }

    func testNotLiftableReasons() throws {
        let m = try module("""
        (module (memory 1 1 shared)
          (func (result i32) (i32.atomic.load (i32.const 0)))
          (func (param i32) (memory.init 0 (local.get 0) (i32.const 0) (i32.const 0)))
          (data "x"))
        """)
        let l = WasmLifter(module: m)
        XCTAssertThrowsError(try l.lift(definedFunction: 0)) { XCTAssertEqual(($0 as? NotLiftable)?.reason, "threads: atomics") }
        XCTAssertThrowsError(try l.lift(definedFunction: 1)) { XCTAssertEqual(($0 as? NotLiftable)?.reason, "threads: shared memory") }
        let (out, stats) = WasmRoundTrip.run(m)
        XCTAssertEqual(stats.keptCount, 2)
        XCTAssertEqual(out.bodies, m.bodies)
    }

    func testSegmentAndBulkTableOpsLiftAndLowerToTheSameBody() throws {
        let wat = """
        (module (memory 1) (table 2 funcref) (table 3 funcref)
          (func $f (param i32 i32 i32)
            (memory.init 1 (local.get 0) (local.get 1) (local.get 2))
            (data.drop 1)
            (table.init 1 0 (local.get 0) (local.get 1) (local.get 2))
            (elem.drop 0)
            (table.copy 0 1 (local.get 2) (local.get 1) (local.get 0))
            (table.fill 1 (local.get 0) (ref.func $f) (local.get 1)))
          (data "a") (data "bc")
          (elem funcref (ref.func $f)))
        """
        try check(wat, ["memory_init mem0, data1, v0, v1, v2", "data_drop data1", "table_init table1, elem0, v0, v1, v2",
                        "elem_drop elem0", "table_copy table0, table1, v2, v1, v0", "table_fill table1, v0, v", ", v1"])
        XCTAssertEqual(try WasmLowerer.lower(try lift(wat)), try module(wat).bodies[0])
        XCTAssertTrue(Opcode.dataDrop.effects.contains(.writesMemory))
        XCTAssertFalse(Opcode.dataDrop.effects.isRemovableIfUnused)
        XCTAssertFalse(Opcode.elemDrop.effects.isRemovableIfUnused)
        XCTAssertTrue(Opcode.memoryInit.effects.isSuperset(of: [.mayTrap, .readsMemory, .writesMemory]))
        XCTAssertTrue(Opcode.tableFill.effects.isSuperset(of: [.mayTrap, .writesTable]))
    }

    func testV128IsI8x16WithBitcastsAroundLaneTypedOps() throws {
        try check("""
        (module (func (param v128 v128) (result v128)
          (f32x4.mul (local.get 1) (i32x4.add (local.get 0) (local.get 1)))))
        """, ["block0(v0: i8x16, v1: i8x16):", "v2 = bitcast.i32x4 v0", "v3 = bitcast.i32x4 v1", "v4 = iadd v2, v3",
              "v5 = bitcast.i8x16 v4", "v6 = bitcast.f32x4 v1", "v7 = bitcast.f32x4 v5", "v8 = fmul v6, v7", "v9 = bitcast.i8x16 v8", "return v9"])
        // The bitcasts cost nothing: the lowered body is the input body.
        let wat = "(module (func (param v128 v128) (result v128) (f32x4.mul (local.get 1) (i32x4.add (local.get 0) (local.get 1)))))"
        XCTAssertEqual(try WasmLowerer.lower(try lift(wat)), try module(wat).bodies[0])
    }

    func testSIMDLanesMemoryAndRelaxedOpsLift() throws {
        try check("""
        (module (memory 1) (func (param i32 v128) (result i32)
          (v128.store16_lane offset=2 3 (local.get 0)
            (i16x8.relaxed_laneselect (v128.load8x8_s (local.get 0)) (local.get 1)
              (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31 (local.get 1) (v128.const i64x2 1 -1))))
          (i8x16.extract_lane_s 15 (v128.load32_zero align=1 (local.get 0)))))
        """, ["sload8x8.i16x8 v0", "vconst.i8x16 [1, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1]",
              "shuffle v1, v", "relaxed_laneselect v", "store_lane v", ", 3, v0+2", "load_zero.i32x4 v0 align=1",
              "bitcast.i8x16", "sextractlane v", ", 15", "return"])
    }

    func testV128InBlocksLocalsAndSelectKeepsItsSize() throws {
        let wat = """
        (module (global $g (mut v128) (v128.const i32x4 0 0 0 0))
          (func (param i32 v128) (result v128) (local v128)
            (local.set 2 (global.get $g))
            (block $out (result v128)
              (loop $l
                (local.set 2 (i16x8.add_sat_s (local.get 2) (local.get 1)))
                (br_if $out (local.get 2) (i32x4.all_true (local.get 2)))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br_if $l (local.get 0)))
              (select (local.get 1) (local.get 2) (local.get 0)))
            (global.set $g (i64x2.splat (i64.const 3)))))
        """
        let original = try module(wat).bodies[0]
        let lifted = try lift(wat)
        XCTAssertTrue(lifted.function.text.contains("sadd_sat"), lifted.function.text)
        let body = try WasmLowerer.lower(lifted)
        XCTAssertNoThrow(try body.instructions())
        let code = try body.instructions()
        XCTAssertLessThanOrEqual(WasmRoundTrip.bodySize(body), WasmRoundTrip.bodySize(original), "\(code)")
    }

    func testLoweringKeepsSingleUseValuesOnTheStack() throws {
        let wat = "(module (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.add i32.const 3 i32.mul))"
        let body = try WasmLowerer.lower(try lift(wat))
        let ops = try body.instructions().map(\.opcode)
        XCTAssertEqual(ops, [.localGet, .localGet, .i32Add, .i32Const, .i32Mul, .end])
        XCTAssertTrue(body.locals.isEmpty)
    }

    func testLoopVariablesShareLocalsWithTheirUpdates() throws {
        // The loop-carried values coalesce with their block parameters: no copies, no extra locals.
        let wat = """
        (module (func (param i32) (result i32) (local i32)
          (block (loop
            (br_if 1 (i32.eqz (local.get 0)))
            (local.set 1 (i32.add (local.get 1) (local.get 0)))
            (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
            (br 0)))
          (local.get 1)))
        """
        let original = try module(wat).bodies[0]
        let body = try WasmLowerer.lower(try lift(wat))
        let code = try body.instructions()
        XCTAssertEqual(body.localCount, 1, "\(code)")
        XCTAssertLessThanOrEqual(WasmRoundTrip.bodySize(body), WasmRoundTrip.bodySize(original), "\(code)")
    }
}
