@testable import LatheWasm
import WAT
import XCTest

/// Focused tests of the text printer: names, escapes, floats, layout.
final class PrinterTests: XCTestCase {
    /// Reads `wat` through WasmKit (with a name section) and prints it.
    func printed(_ wat: String) throws -> String {
        let bytes = try wat2wasm(wat, features: .all, options: EncodeOptions(nameSection: true))
        return ModulePrinter.print(try ModuleReader.read(bytes))
    }

    /// The printed text parses back to the same bytes as the original (both without names).
    func assertReparses(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertNoThrow(try wat2wasm(text, features: .all), text, file: file, line: line)
    }

    func testFloatSpellings() {
        XCTAssertEqual(PrintText.f32(0x3FC0_0000), "0x1.8p+0 (;=1.5;)")
        XCTAssertEqual(PrintText.f32(0x0000_0000), "0x0p+0 (;=0;)")
        XCTAssertEqual(PrintText.f32(0x8000_0000), "-0x0p+0 (;=-0;)")
        XCTAssertEqual(PrintText.f32(0x7F80_0000), "inf (;=inf;)")
        XCTAssertEqual(PrintText.f32(0xFF80_0000), "-inf (;=-inf;)")
        XCTAssertEqual(PrintText.f32(0x7FC0_0000), "nan (;=NaN;)")
        XCTAssertEqual(PrintText.f32(0xFFC0_0000), "-nan (;=NaN;)")
        XCTAssertEqual(PrintText.f32(0x7FA0_0000), "nan:0x200000 (;=NaN;)")
        XCTAssertEqual(PrintText.f32(0xFF80_0001), "-nan:0x1 (;=NaN;)")
        XCTAssertEqual(PrintText.f32(0x0000_0001), "0x1p-149 (;=0.000000000000000000000000000000000000000000001;)")
        XCTAssertEqual(PrintText.f32(0x3F80_0000), "0x1p+0 (;=1;)")
        XCTAssertEqual(PrintText.f32(0x007F_FFFF).prefix(16), "0x1.fffffcp-127 ")
        XCTAssertEqual(PrintText.f32(0x0000_0003).prefix(12), "0x1.8p-148 (")
        XCTAssertEqual(PrintText.f64(0xC028_0000_0000_0000), "-0x1.8p+3 (;=-12;)")
        XCTAssertEqual(PrintText.f64(0x7FF0_0000_0000_0001), "nan:0x1 (;=NaN;)")
        XCTAssertEqual(PrintText.f64(0x7FF8_0000_0000_0000), "nan (;=NaN;)")
        XCTAssertEqual(PrintText.f64(0x0000_0000_0000_0001), "0x1p-1074 (;=0." + String(repeating: "0", count: 323) + "5;)")
    }

    func testDecimalComments() {
        XCTAssertEqual(PrintText.decimalComment("4.149515568880994e+180"), "4149515568880994" + String(repeating: "0", count: 165))
        XCTAssertEqual(PrintText.decimalComment("-1.1259e+15"), "-1125900000000000")
        XCTAssertEqual(PrintText.decimalComment("0.1"), "0.1")
        XCTAssertEqual(PrintText.decimalComment("100.0"), "100")
        XCTAssertEqual(PrintText.decimalComment("-2.5e-05"), "-0.000025")
        XCTAssertEqual(PrintText.decimalComment("-inf"), "-inf")
    }

    /// Every printed float reads back bit for bit, NaN payloads and subnormals included.
    func testFloatsReadBackExactly() throws {
        let f32s: [UInt32] = [0, 0x8000_0000, 1, 0x807F_FFFF, 0x0080_0000, 0x7F7F_FFFF, 0x3DCC_CCCD, 0x7F80_0000,
                              0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7FA0_0000, 0x7F80_0001, 0xFFFF_FFFF, 0x4049_0FDB]
        let f64s: [UInt64] = [0, 0x8000_0000_0000_0000, 1, 0x000F_FFFF_FFFF_FFFF, 0x7FEF_FFFF_FFFF_FFFF,
                              0x3FB9_9999_9999_999A, 0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0000, 0x7FF0_0000_0000_0001,
                              0x7FF4_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0x4009_21FB_5444_2D18]
        var body: [Instruction] = []
        for b in f32s { body += [Instruction(.f32Const, .f32(b)), Instruction(.drop)] }
        for b in f64s { body += [Instruction(.f64Const, .f64(b)), Instruction(.drop)] }
        body.append(Instruction(.end))
        var m = Module()
        m.recGroups = [RecGroup(types: [SubType(composite: .func(FuncType(params: [], results: [])))])]
        m.functions = [0]
        m.bodies = [FunctionBody(locals: [], instructions: body)]
        let text = ModulePrinter.print(m)
        let back = try ModuleReader.read(try wat2wasm(text, features: .all))
        XCTAssertEqual(try back.bodies[0].instructions(), body, text)
    }

    func testNamesAndIndexComments() throws {
        let text = try printed("""
            (module $m
              (type $sig (func (param i32) (result i32)))
              (global $g (mut i32) (i32.const 1))
              (func $f (param $x i32) (result i32) (local $tmp i64) (local f32 f64)
                block $out (result i32)
                  local.get $x
                  br_if $out
                  loop
                    br 1
                  end
                  global.get $g
                end)
              (func (param i32 i32)))
            """)
        XCTAssertTrue(text.hasPrefix("(module $m\n"), text)
        XCTAssertTrue(text.contains("  (type $sig (;0;) (func (param i32) (result i32)))\n"), text)
        XCTAssertTrue(text.contains("  (global $g (;0;) (mut i32) i32.const 1)\n"), text)
        XCTAssertTrue(text.contains("  (func $f (;0;) (param $x i32) (result i32)\n"), text)
        XCTAssertTrue(text.contains("    (local $tmp i64) (local f32 f64)\n"), text)
        XCTAssertTrue(text.contains("    block $out (result i32)\n      local.get $x\n      br_if $out\n"), text)
        XCTAssertTrue(text.contains("      loop ;; label = @2\n        br $out\n      end\n"), text)
        XCTAssertTrue(text.contains("  (func (;1;) (type 1) (param i32 i32))\n"), text)
        try assertReparses(text)
    }

    func testQuotedAndDuplicateNames() throws {
        var names = NameSection()
        names.functions = [0: "a b", 1: "dup", 2: "dup", 3: "", 4: "ok$name"]
        names.locals = [1: [0: "x\"y", 1: "x\"y"]]
        var m = Module()
        m.recGroups = [RecGroup(types: [SubType(composite: .func(FuncType(params: [.i32, .i32], results: [])))])]
        m.functions = [0, 0, 0, 0, 0]
        let body = FunctionBody(locals: [], instructions: [Instruction(.call, .index(2)), Instruction(.end)])
        m.bodies = Array(repeating: body, count: 5)
        m.customSections = [CustomSection(name: "name", payload: names.encode()[...], after: .code)]
        let text = ModulePrinter.print(m)
        XCTAssertTrue(text.contains("(func $\"a b\" (;0;)"), text)
        XCTAssertTrue(text.contains("(func $dup (;1;) (param $\"x\\u{22}y\" i32) (param $\"#local1 x\\u{22}y\" i32)"), text)
        XCTAssertTrue(text.contains("(func $\"#func2 dup\" (;2;)"), text)
        XCTAssertTrue(text.contains("(func (;3;) (type 0)"), text)
        XCTAssertTrue(text.contains("(func $ok$name (;4;)"), text)
        XCTAssertTrue(text.contains("call $\"#func2 dup\"\n"), text)
        XCTAssertFalse(text.contains("@custom \"name\""), text)
        try assertReparses(text)
    }

    func testStringEscapes() throws {
        var m = Module()
        m.imports = [Import(module: "m\u{FC}\n", name: "q\"\\", descriptor: .memory(MemoryType(limits: Limits(min: 1))))]
        m.data = [DataSegment(mode: .passive, bytes: [0x61, 0x00, 0xFF, 0x22, 0x5C, 0x27, 0x0A, 0x7F, 0x7E][...])]
        m.customSections = [CustomSection(name: "extra", payload: [1, 2, 0x41][...], after: .data)]
        let text = ModulePrinter.print(m)
        XCTAssertTrue(text.contains("(import \"m\\u{fc}\\u{a}\" \"q\\u{22}\\u{5c}\" (memory (;0;) 1))"), text)
        XCTAssertTrue(text.contains("(data (;0;) \"a\\00\\ff\\22\\5c'\\0a\\7f~\")"), text)
        XCTAssertTrue(text.contains("(@custom \"extra\" (after data) \"\\01\\02A\")"), text)
        let back = try ModuleReader.read(try wat2wasm(text, features: .all))
        XCTAssertEqual(back.imports, m.imports)
        XCTAssertEqual(Array(back.data[0].bytes), Array(m.data[0].bytes))
    }

    func testInstructionImmediates() throws {
        let text = try printed("""
            (module
              (memory 1) (memory $m2 i64 1 2 shared)
              (table 2 funcref)
              (type $s (struct (field $a (mut i32)) (field i8)))
              (tag $e (param i32))
              (func $f (param $r anyref) (result i32)
                v128.const i32x4 1 2 3 4
                v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31
                drop
                i64.const 0
                i64.load $m2 offset=8 align=4
                drop
                i32.const 0
                i32.load8_u offset=3
                drop
                try_table (result i32) (catch $e 0) (catch_all 0)
                  i32.const 1
                end
                drop
                local.get $r
                ref.test (ref null i31)
                drop
                block (result anyref)
                  local.get $r
                  br_on_cast 0 anyref (ref $s)
                  struct.get_s $s 1
                  drop
                  ref.null any
                end
                drop
                i32.const 1
                i32.const 2
                i32.const 0
                select (result i32)))
            """)
        XCTAssertTrue(text.contains("v128.const i32x4 0x00000001 0x00000002 0x00000003 0x00000004\n"), text)
        XCTAssertTrue(text.contains("i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31\n"), text)
        XCTAssertTrue(text.contains("i64.load $m2 offset=8 align=4\n"), text)
        XCTAssertTrue(text.contains("i32.load8_u offset=3\n"), text)
        XCTAssertTrue(text.contains("try_table (result i32) (catch $e 0) (catch_all 0) ;; label = @1\n"), text)
        XCTAssertTrue(text.contains("ref.test i31ref\n"), text)
        XCTAssertTrue(text.contains("br_on_cast 0 (;@1;) anyref (ref $s)\n"), text)
        XCTAssertTrue(text.contains("struct.get_s $s 1\n"), text)
        XCTAssertTrue(text.contains("(type $s (;0;) (struct (field $a (mut i32)) (field i8)))"), text)
        XCTAssertTrue(text.contains("select (result i32)\n"), text)
        try assertReparses(text)
    }

    /// Legacy exception handling, which WasmKit's text parser does not read: the text is the one
    /// `wasm-tools print` (1.262) gives for the same binary.
    func testLegacyExceptionsLikeWasmTools() throws {
        let bytes: [UInt8] = [
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60,
            0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x01, 0x0d, 0x03, 0x01, 0x00, 0x00, 0x0a, 0x26, 0x01, 0x24,
            0x00, 0x06, 0x7f, 0x06, 0x40, 0x41, 0x01, 0x08, 0x00, 0x07, 0x00, 0x1a, 0x09, 0x01, 0x19, 0x09,
            0x00, 0x0b, 0x06, 0x40, 0x01, 0x18, 0x00, 0x41, 0x02, 0x07, 0x00, 0x19, 0x41, 0x03, 0x0b, 0x06,
            0x40, 0x18, 0x00, 0x0b, 0x00, 0x1d, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x04, 0x01, 0x00, 0x01,
            0x66, 0x03, 0x0a, 0x01, 0x00, 0x01, 0x00, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x0b, 0x04, 0x01,
            0x00, 0x01, 0x65
        ]
        let expected = """
        (module
          (type (;0;) (func (param i32)))
          (type (;1;) (func (result i32)))
          (tag $e (;0;) (type 0) (param i32))
          (func $f (;0;) (type 1) (result i32)
            try $outer (result i32)
              try ;; label = @2
                i32.const 1
                throw $e
              catch $e
                drop
                rethrow $outer
              catch_all
                rethrow 0 (;@2;)
              end
              try ;; label = @2
                nop
              delegate $outer
              i32.const 2
            catch $e
            catch_all
              i32.const 3
            end
            try ;; label = @1
            delegate 0
          )
        )
        """
        XCTAssertEqual(ModulePrinter.print(try ModuleReader.read(bytes)), expected + "\n")
    }
}
