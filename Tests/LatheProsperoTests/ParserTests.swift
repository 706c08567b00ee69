import Testing
@testable import LatheProspero

@Suite struct ParserTests {
    @Test func parsesNamesCommentsAndBlankLines() throws {
        let p = try VMProgram(parsing: "# c\n\nfoo var-x\n bar  const 2.5 # two and a half\nbaz mul foo bar\n")
        #expect(p.instructions.count == 3)
        #expect(p.names == ["foo", "bar", "baz"])
        #expect(p.instructions[1] == VMInstruction(op: .const, value: 2.5))
        #expect(p.evaluate(x: 2, y: 0) == 5)
    }

    @Test(arguments: [
        ("a var-x\nb frob a\n", 2, "unknown operation `frob`"),
        ("a var-x\nb add a c\n", 2, "undefined name `c`"),
        ("a var-x\nb add a\n", 2, "`add` takes 2 operands, got 1"),
        ("a const 1x\n", 1, "bad constant `1x`"),
        ("a const\n", 1, "`const` takes one number, got 0 operands"),
        ("a const nan\n", 1, "bad constant `nan`"),
        ("\n\na\n", 3, "expected `name op args...`, got `a`"),
        ("a var-x\na var-y\n", 2, "`a` is defined twice"),
        ("b neg b\n", 1, "undefined name `b`"),
        ("# nothing\n", 1, "no instructions"),
    ])
    func malformedLines(_ text: String, _ line: Int, _ message: String) {
        #expect(throws: VMParseError(line: line, message: message)) { try VMProgram(parsing: text) }
    }
}
