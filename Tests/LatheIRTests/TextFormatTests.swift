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
