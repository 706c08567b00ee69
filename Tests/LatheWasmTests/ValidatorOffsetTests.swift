import LatheWasm
import XCTest

/// Module-level validation errors name the byte offset of the entry (or section) at fault.
final class ValidatorOffsetTests: XCTestCase {
    /// Assembles a module section by section and knows where each entry starts.
    struct Assembler {
        var bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

        /// Appends a vector section; returns the file offset of each entry.
        @discardableResult
        mutating func section(_ id: UInt8, _ entries: [[UInt8]]) -> [Int] {
            let content = [UInt8(entries.count)] + entries.flatMap { $0 }
            precondition(content.count < 128 && entries.count < 128, "keep test sections small")
            bytes += [id, UInt8(content.count)]
            var offsets: [Int] = []
            var p = bytes.count + 1
            for e in entries {
                offsets.append(p)
                p += e.count
            }
            bytes += content
            return offsets
        }

        /// Appends a section that is not a vector (start); returns the offset of its id byte.
        @discardableResult
        mutating func raw(_ id: UInt8, _ content: [UInt8]) -> Int {
            let at = bytes.count
            bytes += [id, UInt8(content.count)] + content
            return at
        }
    }

    static let voidType: [UInt8] = [0x60, 0x00, 0x00]
    static let emptyBody: [UInt8] = [0x02, 0x00, 0x0B]
    static func name(_ s: String) -> [UInt8] { [UInt8(s.utf8.count)] + Array(s.utf8) }

    func validationError(_ a: Assembler, file: StaticString = #filePath, line: UInt = #line) throws -> WasmError {
        let m = try ModuleReader.read(a.bytes)
        do {
            try ModuleValidator.validate(m)
        } catch {
            return error
        }
        XCTFail("expected a validation error", file: file, line: line)
        throw WasmError(offset: 0, message: "module was valid")
    }

    func testImportWithUnknownTypeNamesItsEntry() throws {
        var a = Assembler()
        a.section(1, [Self.voidType])
        let imports = a.section(2, [Self.name("m") + Self.name("ok") + [0x00, 0x00],
                                    Self.name("m") + Self.name("bad") + [0x00, 0x07]])
        let e = try validationError(a)
        XCTAssertEqual(e.message, "unknown type 7")
        XCTAssertEqual(e.section, "import")
        XCTAssertEqual(e.offset, imports[1])
    }

    func testFunctionWithUnknownTypeNamesItsEntry() throws {
        var a = Assembler()
        a.section(1, [Self.voidType])
        let functions = a.section(3, [[0x00], [0x00], [0x03]])
        a.section(10, [Self.emptyBody, Self.emptyBody, Self.emptyBody])
        let e = try validationError(a)
        XCTAssertEqual(e.message, "unknown type 3")
        XCTAssertEqual(e.offset, functions[2])
    }

    func testMemoryTooLargeNamesItsEntry() throws {
        var a = Assembler()
        // Second memory: min 70000 pages (LEB128 0xF0 0xA2 0x04), over the 65536-page bound.
        let memories = a.section(5, [[0x00, 0x01], [0x00, 0xF0, 0xA2, 0x04]])
        let e = try validationError(a)
        XCTAssertTrue(e.message.contains("memory size must be at most"), e.message)
        XCTAssertEqual(e.offset, memories[1])
    }

    func testDuplicateExportNamesTheSecondEntry() throws {
        var a = Assembler()
        a.section(1, [Self.voidType])
        a.section(3, [[0x00]])
        let exports = a.section(7, [Self.name("f") + [0x00, 0x00], Self.name("g") + [0x00, 0x00],
                                    Self.name("f") + [0x00, 0x00]])
        a.section(10, [Self.emptyBody])
        let e = try validationError(a)
        XCTAssertEqual(e.message, "duplicate export name \"f\"")
        XCTAssertEqual(e.section, "export")
        XCTAssertEqual(e.offset, exports[2])
    }

    func testStartWithUnknownFunctionNamesTheSection() throws {
        var a = Assembler()
        a.section(1, [Self.voidType])
        a.section(3, [[0x00]])
        let start = a.raw(8, [0x05])
        a.section(10, [Self.emptyBody])
        let e = try validationError(a)
        XCTAssertEqual(e.message, "unknown function 5")
        XCTAssertEqual(e.offset, start)
    }

    func testElementSegmentWithUnknownFunctionNamesItsEntry() throws {
        var a = Assembler()
        a.section(1, [Self.voidType])
        a.section(3, [[0x00]])
        a.section(4, [[0x70, 0x00, 0x02]])
        // Form 0: active in table 0 at (i32.const 0); then a passive form-1 segment naming function 9.
        let elements = a.section(9, [[0x00, 0x41, 0x00, 0x0B, 0x01, 0x00],
                                     [0x01, 0x00, 0x01, 0x09]])
        a.section(10, [Self.emptyBody])
        let e = try validationError(a)
        XCTAssertEqual(e.message, "unknown function 9")
        XCTAssertEqual(e.section, "element")
        XCTAssertEqual(e.offset, elements[1])
    }

    func testDataSegmentWithUnknownMemoryNamesItsEntry() throws {
        var a = Assembler()
        a.section(5, [[0x00, 0x01]])
        // Form 2 names memory 3, which does not exist.
        let data = a.section(11, [[0x00, 0x41, 0x00, 0x0B, 0x01, 0x61],
                                  [0x02, 0x03, 0x41, 0x00, 0x0B, 0x01, 0x62]])
        let e = try validationError(a)
        XCTAssertEqual(e.message, "unknown memory 3")
        XCTAssertEqual(e.offset, data[1])
    }

    func testBadSubtypeNamesItsRecursionGroup() throws {
        var a = Assembler()
        // Type 0 is final (plain func form); type 1 declares it as its supertype.
        let groups = a.section(1, [Self.voidType, [0x50, 0x01, 0x00] + Self.voidType])
        let e = try validationError(a)
        XCTAssertTrue(e.message.contains("is final"), e.message)
        XCTAssertEqual(e.section, "type")
        XCTAssertEqual(e.offset, groups[1])
    }

    func testConstantExpressionErrorsKeepTheirInstructionOffset() throws {
        var a = Assembler()
        // A global of type i32 initialized with i64.const 0.
        let globals = a.section(6, [[0x7F, 0x00, 0x42, 0x00, 0x0B]])
        let e = try validationError(a)
        XCTAssertTrue(e.message.contains("type mismatch"), e.message)
        XCTAssertGreaterThanOrEqual(e.offset, globals[0] + 2)
    }

    func testModuleBuiltInCodeFallsBackToZero() throws {
        var m = Module()
        m.exports = [Export(name: "x", kind: .memory, index: 0)]
        XCTAssertThrowsError(try ModuleValidator.validate(m)) { error in
            XCTAssertEqual((error as? WasmError)?.offset, 0)
        }
    }
}
