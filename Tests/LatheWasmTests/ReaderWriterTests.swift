import LatheWasm
import WAT
import XCTest

final class ReaderWriterTests: XCTestCase {
    func testLEB128Decoding() throws {
        func u32(_ b: [UInt8]) throws -> UInt32 { var r = ByteReader(bytes: b); return try r.readU32() }
        func s32(_ b: [UInt8]) throws -> Int32 { var r = ByteReader(bytes: b); return try r.readS32() }
        func s64(_ b: [UInt8]) throws -> Int64 { var r = ByteReader(bytes: b); return try r.readS64() }
        XCTAssertEqual(try u32([0xE5, 0x8E, 0x26]), 624_485)
        XCTAssertEqual(try u32([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), UInt32.max)
        XCTAssertThrowsError(try u32([0xFF, 0xFF, 0xFF, 0xFF, 0x1F]))  // bit 32 set
        XCTAssertThrowsError(try u32([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]))  // six bytes
        XCTAssertEqual(try s32([0x7F]), -1)
        XCTAssertEqual(try s32([0x80, 0x80, 0x80, 0x80, 0x78]), Int32.min)
        XCTAssertThrowsError(try s32([0x80, 0x80, 0x80, 0x80, 0x70]))  // unused bits not sign bits
        XCTAssertEqual(try s64([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F]), Int64.min)
        XCTAssertEqual(try s64([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]), Int64.max)
        var padded = ByteReader(bytes: [0x81, 0x00])
        XCTAssertEqual(try padded.readU32(), 1)
        XCTAssertTrue(padded.sawNonCanonicalInteger)
    }

    func testOneByteLEB128Integers() throws {
        for b: UInt8 in 0...0x7F {
            var r = ByteReader(bytes: [b])
            XCTAssertEqual(try r.readU32(), UInt32(b))
            r = ByteReader(bytes: [b])
            XCTAssertEqual(try r.readU64(), UInt64(b))
            let signed = b >= 0x40 ? Int64(b) - 128 : Int64(b)  // bit 6 is the sign bit
            r = ByteReader(bytes: [b])
            XCTAssertEqual(try r.readS32(), Int32(signed))
            r = ByteReader(bytes: [b])
            XCTAssertEqual(try r.readS64(), signed)
            XCTAssertEqual(r.position, 1)
            XCTAssertFalse(r.sawNonCanonicalInteger)
        }
        // A limit before the byte still reports the cut-off integer.
        var cut = ByteReader(bytes: [0x05, 0x05][...], limit: 1)
        XCTAssertEqual(try cut.readU32(), 5)
        XCTAssertThrowsError(try cut.readU32())
    }

    func testElementSegmentsOfFunctionIndicesAreNonNullFuncref() throws {
        let bytes = try wat2wasm("""
        (module
          (table $t 2 (ref null func))
          (table $nn 2 (ref func) (ref.func $f))
          (func $f (table.init $nn $seg (i32.const 0) (i32.const 0) (i32.const 1)))
          (elem $seg func $f)
          (elem (i32.const 0) $f $f))
        """, features: .all)
        let m = try ModuleReader.read(bytes)
        XCTAssertEqual(m.elements.count, 2)
        for seg in m.elements { XCTAssertEqual(seg.type, .nonNullFuncref) }
        // (ref func) elements fit a (ref func) table.
        XCTAssertNoThrow(try ModuleValidator.validate(m))
        XCTAssertEqual(ModuleWriter.write(m), bytes)
        // A segment built in code with the nullable funcref type is still written in the short form.
        var built = m
        built.elements[1].type = .funcref
        built.elements[1].flags = nil
        XCTAssertEqual(ModuleWriter.write(built), bytes)
    }

    func testLEB128EncodingRoundTrips() throws {
        for v: Int64 in [0, 1, -1, 63, 64, -64, -65, 127, 128, Int64(Int32.min), Int64(Int32.max), .min, .max] {
            var w = ByteWriter()
            w.signed(v)
            var r = ByteReader(bytes: w.bytes)
            XCTAssertEqual(try r.readS64(), v)
            XCTAssertFalse(r.sawNonCanonicalInteger)
        }
    }

    func testEveryOpcodeHasAUniqueEncodingAndName() {
        var encodings = Set<UInt64>()
        for op in Opcode.allCases {
            let key = UInt64(op.info.prefix) << 32 | UInt64(op.info.code)
            XCTAssertTrue(encodings.insert(key).inserted, "\(op.name) encoding repeated")
            XCTAssertEqual(Opcode.decode(prefix: op.info.prefix, code: op.info.code), op)
        }
        XCTAssertGreaterThan(Opcode.allCases.count, 550)
    }

    func testRoundTripWithCustomSectionsInPlace() throws {
        let bytes = try wat2wasm("""
            (module (func $f (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
              (memory 1) (data (i32.const 0) "hi"))
            """, options: EncodeOptions(nameSection: true))
        var m = try ModuleReader.read(bytes)
        XCTAssertEqual(m.names?.functions[0], "f")
        XCTAssertEqual(ModuleWriter.write(m), bytes)
        // A custom section placed after the type section stays there.
        m.customSections.insert(CustomSection(name: "x", payload: [1, 2, 3], after: .type), at: 0)
        let again = try ModuleReader.read(ModuleWriter.write(m))
        XCTAssertEqual(again.customSections.map(\.name), ["x", "name"])
        XCTAssertEqual(again.customSections[0].after, .type)
    }

    func testErrorsCarryOffsetSectionAndFunction() throws {
        // Function 0's body holds an undefined opcode 0xFF... inside the code section.
        let bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
                              0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                              0x0A, 0x05, 0x01, 0x03, 0x00, 0x27, 0x0B]
        XCTAssertThrowsError(try ModuleReader.read(bytes)) { error in
            let e = error as! WasmError
            XCTAssertEqual(e.offset, 23)
            XCTAssertEqual(e.section, "code")
            XCTAssertEqual(e.function, 0)
            XCTAssertTrue(e.message.contains("illegal opcode 0x27"), e.message)
        }
    }
}
