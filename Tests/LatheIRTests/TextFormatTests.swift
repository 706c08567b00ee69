import Testing
@testable import LatheIR

@Suite struct TextFormatTests {
    static let add = """
    function %f(i32, i32) -> i32 {
    block0(v0: i32, v1: i32):
        v2 = iadd v0, v1
        return v2
    }

    """

    @Test func roundTripsSimpleFunction() throws {
        let f = try parseFunction(Self.add)
        #expect(f.text == Self.add)
        #expect(f.verify().isValid)
    }

    @Test func parseErrorsCarryLineColumnAndExpectation() {
        let bad = "function %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0,\n    return v1\n}\n"
        #expect {
            _ = try parseFunction(bad)
        } throws: { e in
            guard let e = e as? ParseError else { return false }
            return e.line == 4 && e.column == 5 && e.message.contains("expected vN")
        }
    }

    @Test func unknownOpcodeIsReported() {
        #expect {
            _ = try parseFunction("function %f() {\nblock0:\n    frobnicate\n}\n")
        } throws: { e in (e as? ParseError)?.description == "3:5: expected an opcode, found 'frobnicate'" }
    }
}

@Suite struct TextFormatErrorTests {
    func message(_ text: String) -> String? {
        do { _ = try parseModule(text); return nil } catch { return error.description }
    }

    @Test func undefinedBlockAndValueAndDuplicates() {
        #expect(message("function %f() {\nblock0:\n    jump block3\n}\n") == "1:1: block3 is used but not defined in %f")
        #expect(message("function %f() -> i32 {\nblock0:\n    return v7\n}\n") == "3:12: v7 is used but never defined")
        #expect(message("function %f(i32) {\nblock0(v0: i32):\n    v0 = iconst.i32 1\n    return\n}\n") == "3:10: v0 is defined twice")
        #expect(message("function %f() {\nblock0:\n    v0, v1 = iconst.i32 1\n    return\n}\n") == "3:14: iconst produces 1 result(s), but 2 are named")
    }

    @Test func floatAndVectorLiteralsRoundTrip() throws {
        let text = """
        function %f() -> (f32, f64, i8x16) {
        block0:
            v0 = fconst.f32 -nan:0x1
            v1 = fconst.f64 1e-300
            v2 = vconst.i8x16 [1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 127, -128]
            return v0, v1, v2
        }

        """
        let f = try parseFunction(text)
        #expect(f.text == text)
        #expect(f.verify().isValid)
    }
}
