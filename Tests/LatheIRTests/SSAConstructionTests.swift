import Testing
@testable import LatheIR

@Suite struct SSAConstructionTests {
    /// The worked example of `FunctionBuilder`'s doc comment: header sealed after the back edge.
    func sumLoop() -> Function {
        var b = FunctionBuilder(name: "sum", signature: Signature(params: [.i32], results: [.i32]))
        let entry = b.createBlock(), header = b.createBlock(), body = b.createBlock(), exit = b.createBlock()
        let n = b.appendFunctionParams(entry)[0]
        let i = b.declareVar(.i32), acc = b.declareVar(.i32)
        b.switchToBlock(entry); b.sealBlock(entry)
        b.defVar(i, b.iconst(.i32, 0)); b.defVar(acc, b.iconst(.i32, 0))
        b.jump(header)
        b.switchToBlock(header)
        let more = b.icmp(.slt, b.useVar(i), n)
        b.brif(more, body, [], exit, [])
        b.switchToBlock(body); b.sealBlock(body)
        b.defVar(acc, b.iadd(b.useVar(acc), b.useVar(i)))
        b.defVar(i, b.iadd(b.useVar(i), b.iconst(.i32, 1)))
        b.jump(header)
        b.sealBlock(header)
        b.switchToBlock(exit); b.sealBlock(exit)
        b.return([b.useVar(acc)])
        return b.finalize()
    }

    func run(_ f: Function, _ args: [RuntimeValue], module extra: [Function] = []) -> Result<[RuntimeValue], Trap> {
        var interp = Interpreter(module: Module(functions: [f] + extra))
        return interp.call(f.name, args)
    }

    @Test func loopRedefiningVariablesGetsOneParameterPerChangingVariable() throws {
        let f = sumLoop()
        #expect(f.verify().isValid, "\(f.verify().render())")
        let header = f.layout.blocks[1]
        #expect(f.dfg.paramCount(header) == 2, "i and acc change in the loop; n is a function parameter")
        #expect(try run(f, [.i32(5)]).get() == [.i32(10)])
        #expect(try parseFunction(f.text).text == f.text)
    }

    @Test func variableUnchangedInLoopNeedsNoParameter() throws {
        var b = FunctionBuilder(name: "f", signature: Signature(params: [.i64], results: [.i64]))
        let entry = b.createBlock(), header = b.createBlock(), exit = b.createBlock()
        let p = b.appendFunctionParams(entry)[0]
        let k = b.declareVar(.i64), count = b.declareVar(.i64)
        b.switchToBlock(entry); b.sealBlock(entry)
        b.defVar(k, p)
        b.defVar(count, b.iconst(.i64, 3))
        b.jump(header)
        b.switchToBlock(header)  // sealed late: the back edge is added below
        let c = b.iadd(b.useVar(count), b.iconst(.i64, -1))
        b.defVar(count, c)
        _ = b.useVar(k)  // k is read but never redefined in the loop
        b.brif(b.ireduce(.i32, c), header, [], exit, [])
        b.sealBlock(header)
        b.switchToBlock(exit); b.sealBlock(exit)
        b.return([b.iadd(b.useVar(k), b.useVar(count))])
        let f = b.finalize()
        #expect(f.verify().isValid, "\(f.verify().render())")
        #expect(f.dfg.paramCount(f.layout.blocks[1]) == 1, "only count needs a parameter; k's would be trivial")
        #expect(try run(f, [.i64(40)]).get() == [.i64(40)])
    }

    @Test func declaredLoopGivesUnwrittenVariablesNoParameterEvenBeforeSealing() throws {
        // for (count = 3; count != 0; count--) {} with k read in the loop; the loop declares that it writes count only.
        func build(declare: Bool) throws -> (paramsBeforeSeal: Int, result: [RuntimeValue], function: Function) {
            var b = FunctionBuilder(name: "f", signature: Signature(params: [.i64], results: [.i64]))
            let entry = b.createBlock(), header = b.createBlock(), exit = b.createBlock()
            let p = b.appendFunctionParams(entry)[0]
            let k = b.declareVar(.i64), count = b.declareVar(.i64)
            b.switchToBlock(entry); b.sealBlock(entry)
            b.defVar(k, p)
            b.defVar(count, b.iconst(.i64, 3))
            b.jump(header)
            if declare { b.declareLoop(header: header, written: [1 << UInt64(count.index)]) }
            b.switchToBlock(header)
            let c = b.iadd(b.useVar(count), b.iconst(.i64, -1))
            b.defVar(count, c)
            _ = b.useVar(k)  // read, never written in the loop
            b.brif(b.ireduce(.i32, c), header, [], exit, [])
            let before = b.params(header).count
            b.sealBlock(header)
            b.switchToBlock(exit); b.sealBlock(exit)
            b.return([b.iadd(b.useVar(k), b.useVar(count))])
            let f = b.finalize()
            #expect(f.verify().isValid, "\(f.verify().render())")
            return (before, try run(f, [.i64(40)]).get(), f)
        }
        let plain = try build(declare: false), declared = try build(declare: true)
        #expect(plain.paramsBeforeSeal == 2, "without the declaration k gets a parameter until sealing")
        #expect(declared.paramsBeforeSeal == 1, "count only")
        #expect(plain.result == [.i64(40)] && declared.result == [.i64(40)])
    }

    @Test func allBlocksSealedAtTheEnd() throws {
        // Nested loops: for i in 0..<n { for j in 0..<i { acc += j } }, every block sealed by finalize.
        var b = FunctionBuilder(name: "nested", signature: Signature(params: [.i32], results: [.i32]))
        let entry = b.createBlock(), outer = b.createBlock(), innerInit = b.createBlock()
        let inner = b.createBlock(), innerBody = b.createBlock(), outerNext = b.createBlock(), exit = b.createBlock()
        let n = b.appendFunctionParams(entry)[0]
        let i = b.declareVar(.i32), j = b.declareVar(.i32), acc = b.declareVar(.i32)
        b.switchToBlock(entry)
        b.defVar(i, b.iconst(.i32, 0)); b.defVar(acc, b.iconst(.i32, 0))
        b.jump(outer)
        b.switchToBlock(outer)
        b.brif(b.icmp(.slt, b.useVar(i), n), innerInit, [], exit, [])
        b.switchToBlock(innerInit)
        b.defVar(j, b.iconst(.i32, 0))
        b.jump(inner)
        b.switchToBlock(inner)
        b.brif(b.icmp(.slt, b.useVar(j), b.useVar(i)), innerBody, [], outerNext, [])
        b.switchToBlock(innerBody)
        b.defVar(acc, b.iadd(b.useVar(acc), b.useVar(j)))
        b.defVar(j, b.iadd(b.useVar(j), b.iconst(.i32, 1)))
        b.jump(inner)
        b.switchToBlock(outerNext)
        b.defVar(i, b.iadd(b.useVar(i), b.iconst(.i32, 1)))
        b.jump(outer)
        b.switchToBlock(exit)
        b.return([b.useVar(acc)])
        let f = b.finalize()
        #expect(f.verify().isValid, "\(f.verify().render())")
        // sum over i < 5 of (0 + ... + i-1) = 0 + 0 + 1 + 3 + 6 = 10
        #expect(try run(f, [.i32(5)]).get() == [.i32(10)])
        #expect(f.dfg.paramCount(inner) == 2, "inner loop header carries j and acc (i is invariant there)")
    }

    @Test func criticalEdgeCarriesDifferentValuesPerPredecessor() throws {
        // block A branches to B and C; B also jumps to C, so A->C is a critical edge.
        var b = FunctionBuilder(name: "crit", signature: Signature(params: [.i32], results: [.i32]))
        let a = b.createBlock(), bb = b.createBlock(), c = b.createBlock()
        let p = b.appendFunctionParams(a)[0]
        let x = b.declareVar(.i32)
        b.switchToBlock(a); b.sealBlock(a)
        b.defVar(x, b.iconst(.i32, 1))
        b.brif(p, bb, [], c, [])
        b.switchToBlock(bb); b.sealBlock(bb)
        b.defVar(x, b.iconst(.i32, 2))
        b.jump(c)
        b.switchToBlock(c); b.sealBlock(c)
        b.return([b.useVar(x)])
        let f = b.finalize()
        #expect(f.verify().isValid)
        #expect(f.dfg.paramCount(c) == 1)
        #expect(try run(f, [.i32(0)]).get() == [.i32(1)])
        #expect(try run(f, [.i32(9)]).get() == [.i32(2)])
    }

    @Test func bothEdgesToOneBlockWithTheSameValueAddNoParameter() throws {
        var b = FunctionBuilder(name: "same", signature: Signature(params: [.i32], results: [.i32]))
        let a = b.createBlock(), join = b.createBlock()
        let p = b.appendFunctionParams(a)[0]
        let x = b.declareVar(.i32)
        b.switchToBlock(a); b.sealBlock(a)
        b.defVar(x, p)
        b.brif(p, join, [], join, [])
        b.switchToBlock(join); b.sealBlock(join)
        b.return([b.useVar(x)])
        let f = b.finalize()
        #expect(f.verify().isValid)
        #expect(f.dfg.paramCount(join) == 0)
        #expect(f.text.contains("brif v0, block1, block1"))
    }

    @Test func readingAnUndefinedVariableGivesZero() throws {
        var b = FunctionBuilder(name: "undef", signature: Signature(params: [], results: [.f64]))
        let a = b.createBlock()
        let x = b.declareVar(.f64)
        b.switchToBlock(a); b.sealBlock(a)
        b.return([b.useVar(x)])
        let f = b.finalize()
        #expect(f.verify().isValid)
        #expect(try run(f, []).get() == [.f64(0)])
    }

    /// A chain of fall-through blocks: a branch out of the middle of the chain must see the value
    /// the variable had there, not a later definition further down the chain.
    @Test func branchOutOfAChainSeesTheValueAtItsSource() throws {
        var b = FunctionBuilder(name: "f", signature: Signature(params: [.i32], results: [.i32]))
        let entry = b.createBlock(), fall1 = b.createBlock(), fall2 = b.createBlock(), out = b.createBlock()
        let p = b.appendFunctionParams(entry)[0]
        let x = b.declareVar(.i32)
        b.switchToBlock(entry); b.sealBlock(entry)
        b.defVar(x, b.iconst(.i32, 10))
        b.brif(b.icmp(.eq, p, b.iconst(.i32, 0)), out, [], fall1, [])
        b.sealBlock(fall1); b.switchToBlock(fall1)
        b.defVar(x, b.iadd(b.useVar(x), b.iconst(.i32, 1)))  // 11
        b.brif(b.icmp(.eq, p, b.iconst(.i32, 1)), out, [], fall2, [])
        b.sealBlock(fall2); b.switchToBlock(fall2)
        b.defVar(x, b.iconst(.i32, 50))
        b.jump(out)
        b.sealBlock(out); b.switchToBlock(out)
        b.return([b.useVar(x)])
        let f = b.finalize()
        #expect(f.verify().isValid, "\(f.verify().render())")
        #expect(try run(f, [.i32(0)]).get() == [.i32(10)])
        #expect(try run(f, [.i32(1)]).get() == [.i32(11)])
        #expect(try run(f, [.i32(2)]).get() == [.i32(50)])
    }

    /// Going back to a block of a chain and defining a variable there ends the chain's shortcut: a
    /// later block of the chain that defined the variable itself keeps its own value.
    @Test func redefiningInAnEarlierChainBlockKeepsLaterDefinitions() throws {
        var b = FunctionBuilder(name: "f", signature: Signature(params: [.i32], results: [.i32]))
        let entry = b.createBlock(), fall = b.createBlock(), out = b.createBlock()
        let p = b.appendFunctionParams(entry)[0]
        let x = b.declareVar(.i32)
        b.switchToBlock(entry); b.sealBlock(entry)
        b.defVar(x, b.iconst(.i32, 1))
        b.brif(b.icmp(.eq, p, b.iconst(.i32, 0)), out, [], fall, [])
        b.sealBlock(fall); b.switchToBlock(fall)
        b.defVar(x, b.iconst(.i32, 8))
        b.jump(out)
        // Back in the entry block: `x` leaves it as the parameter now.
        b.switchToBlock(entry)
        b.defVar(x, p)
        b.sealBlock(out); b.switchToBlock(out)
        b.return([b.useVar(x)])
        let f = b.finalize()
        #expect(f.verify().isValid, "\(f.verify().render())")
        #expect(try run(f, [.i32(0)]).get() == [.i32(0)])
        #expect(try run(f, [.i32(1)]).get() == [.i32(8)])
    }
}
