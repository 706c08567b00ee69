import Testing
@testable import LatheIR

@Suite struct VerifierTests {
    /// A function of `count` additions on i32 with `v2 = iadd v0, v1` made ill-typed at `badAt`.
    static func bigFunction(count: Int, badAt: Set<Int>) -> String {
        var lines = ["function %big(i32, i64) -> i32 {", "block0(v0: i32, v1: i64):"]
        for k in 0..<count {
            let v = k + 2
            let rhs = badAt.contains(k) ? "v1" : "v0"
            lines.append("    v\(v) = iadd v\(v - 1 == 1 ? 0 : v - 1), \(rhs)")
        }
        lines.append("    return v\(count + 1)")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func oneErrorInAnEightThousandInstructionFunctionPrintsFewerThanFifteenLines() throws {
        let f = try parseFunction(Self.bigFunction(count: 8000, badAt: [4000]))
        #expect(f.dfg.instCount == 8001)
        let report = f.verify()
        #expect(report.errors.count == 1)
        let text = report.render()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count < 15, "\(text)")
        #expect(lines[0] == "error: v1 has type i64, but iadd expects i32 here")
        #expect(lines[1] == "function %big(i32, i64) -> i32 {")
        #expect(lines[2] == "block0(v0: i32, v1: i64):")
        let bad = lines.firstIndex { $0 == "    v4002 = iadd v4001, v1" }
        #expect(bad != nil)
        if let bad { #expect(lines[bad + 1] == String(repeating: " ", count: 24) + "^^") }
        #expect(text.contains("    v3999 = iadd v3998, v0") && !text.contains("v3998 = "), "three instructions before, no more")
    }

    @Test func outputIsCappedAtTenErrors() throws {
        let f = try parseFunction(Self.bigFunction(count: 100, badAt: Set(stride(from: 0, to: 100, by: 4))))
        let report = f.verify()
        #expect(report.errors.count == 25)
        let text = report.render()
        #expect(text.components(separatedBy: "error: ").count - 1 == 10)
        #expect(text.hasSuffix("... and 15 more error(s)"))
    }

    @Test func errorsAreStructured() throws {
        let f = try parseFunction("""
        function %f(i32) -> i32 {
        block0(v0: i32):
            v1 = fneg v0
            return v1
        }
        """)
        let errors = f.verify().errors
        #expect(errors.count == 1)
        guard let e = errors.first, case .inst(let inst) = e.location else { Issue.record("no inst error"); return }
        #expect(f.dfg[inst].opcode == .fneg && e.operand == 0)
    }

    @Test func detectsMissingBlockAndMissingTerminatorAfterEdits() throws {
        var f = try parseFunction("""
        function %f(i32) -> i32 {
        block0(v0: i32):
            return v0
        }
        """)
        let last = f.layout.lastInst(f.layout.blocks[0])!
        f.layout.removeInst(last)
        let errors = f.verify().errors
        #expect(errors.map(\.message) == ["block0 is empty; every block ends with a terminator"])
    }
}
