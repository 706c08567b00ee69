import Testing
@testable import LatheIR

@Suite struct FunctionEditingTests {
    static let source = """
        function %f(i32) -> i32 {
        block0(v0: i32):
            v1 = iconst.i32 5
            v2 = iadd v0, v1
            v3 = imul v2, v2
            return v3
        }

        """

    /// An instruction inserted before another is typed from its operands and lands in place.
    @Test func insertBeforeTypesFromOperands() throws {
        var f = try parseFunction(Self.source)
        let insts = f.layout.insts(f.entryBlock!)
        let v0 = f.dfg.params(f.entryBlock!)[0]
        let sum = f.dfg.firstResult(insts[1])!
        let shifted = f.insertValue(InstructionData(opcode: .ishl, a: sum.raw, b: v0.raw), before: insts[2])
        #expect(f.dfg.type(of: shifted) == .i32)
        #expect(f.layout.insts(f.entryBlock!)[2] == f.definingInst(shifted))
        #expect(f.verify().isValid)
    }

    /// Replacing an instruction by a value redirects its uses, and use counts follow the aliases.
    @Test func replaceRedirectsUses() throws {
        var f = try parseFunction(Self.source)
        let insts = f.layout.insts(f.entryBlock!)
        let v0 = f.dfg.params(f.entryBlock!)[0]
        #expect(f.intConstant(f.dfg.firstResult(insts[0])!) == 5)
        f.replaceInst(insts[1], with: [v0])
        let uses = f.useCounts()
        #expect(uses[v0] == 2)
        f.dfg.resolveAllAliases()
        #expect(f.verify().isValid)
        #expect(f.text.contains("imul v0, v0"))
        #expect(!f.text.contains("iadd"))
    }
}
