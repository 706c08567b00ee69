import Testing
@testable import LatheIR

@Suite struct BuilderTests {
    /// Uses every builder method once; the result must verify, print, reparse and run.
    static func everyOp() -> Function {
        let sig = Signature(params: [.i32, .i64, .f32, .f64, .i32x4, .funcref], results: [.i64])
        var b = FunctionBuilder(name: "every", signature: sig)
        let selfRef = b.declareFunction("every", sig)
        let unary = b.declareSignature(sig)
        let mem = b.declareMemory(MemoryDecl(minPages: 1))
        let g = b.declareGlobal(.i64, mutable: true)
        let table = b.declareTable(TableDecl(elementType: .funcref, minSize: 2, elements: ["every"]))
        let blocks = (0..<10).map { _ in b.createBlock() }
        let ps = b.appendFunctionParams(blocks[0])
        let (p, q, r, s, v, fr) = (ps[0], ps[1], ps[2], ps[3], ps[4], ps[5])
        b.switchToBlock(blocks[0])
        // integers
        var i = b.iconst(.i32, 3)
        i = b.iadd(p, i); i = b.isub(i, p); i = b.imul(i, p); i = b.sdiv(i, p); i = b.udiv(i, p)
        i = b.srem(i, p); i = b.urem(i, p); i = b.band(i, p); i = b.bor(i, p); i = b.bxor(i, p)
        i = b.bandNot(i, p); i = b.ishl(i, p); i = b.sshr(i, p); i = b.ushr(i, p); i = b.rotl(i, p)
        i = b.rotr(i, p); i = b.smin(i, p); i = b.smax(i, p); i = b.umin(i, p); i = b.umax(i, p)
        i = b.bnot(i); i = b.clz(i); i = b.ctz(i); i = b.popcnt(i); i = b.ineg(i); i = b.iabs(i); i = b.eqz(i)
        i = b.sext8(i); i = b.sext16(i)
        var l = b.sext32(q)
        i = b.icmp(.ule, i, p)
        // vectors
        let bytes = b.vconst(.i8x16, bytes: Array(0..<16))
        var vb = b.saddSat(bytes, bytes); vb = b.uaddSat(vb, bytes); vb = b.ssubSat(vb, bytes)
        vb = b.usubSat(vb, bytes); vb = b.avgrU(vb, bytes)
        vb = b.shuffle(vb, bytes, mask: Array(stride(from: 0, to: 32, by: 2)))
        i = b.iadd(i, b.sextractlane(vb, 3))
        var vv = b.splat(.i32x4, i)
        vv = b.insertlane(vv, p, 1)
        vv = b.bitselect(vv, v, vv)
        i = b.iadd(i, b.extractlane(vv, 1))
        i = b.iadd(i, b.vanyTrue(vv)); i = b.iadd(i, b.vallTrue(vv)); i = b.iadd(i, b.vbitmask(vv))
        let vf = b.fcvtFromSint(.f32x4, vv)
        i = b.iadd(i, b.extractlane(b.fcvtToSintSat(.i32x4, vf), 0))
        _ = b.fcvtFromUint(.f32x4, vv)
        _ = b.fcvtToUintSat(.i32x4, vf)
        // floats
        var f = b.f64const(1.5)
        f = b.fadd(f, s); f = b.fsub(f, s); f = b.fmul(f, s); f = b.fdiv(f, s); f = b.fmin(f, s)
        f = b.fmax(f, s); f = b.fcopysign(f, s); f = b.sqrt(f); f = b.fneg(f); f = b.fabs(f)
        f = b.ceil(f); f = b.floor(f); f = b.trunc(f); f = b.nearest(f)
        i = b.iadd(i, b.fcmp(.ge, f, s))
        let f32 = b.fdemote(.f32, b.fpromote(.f64, b.f32const(2)))
        _ = b.fconst(.f32, bits: UInt64(r.index))
        i = b.iadd(i, b.bitcast(.i32, b.fadd(f32, r)))
        l = b.iadd(l, b.fcvtToSint(.i64, f)); l = b.iadd(l, b.fcvtToUint(.i64, f))
        l = b.iadd(l, b.bitcast(.i64, b.fcvtFromUint(.f64, l)))
        l = b.iadd(l, b.bitcast(.i64, b.fcvtFromSint(.f64, i)))
        l = b.iadd(l, b.sextend(.i64, i)); l = b.iadd(l, b.uextend(.i64, i))
        i = b.iadd(i, b.ireduce(.i32, l))
        i = b.select(i, i, p)
        // memory, globals, tables, references
        b.store(l, p, offset: 8); b.istore8(i, p); b.istore16(i, p); b.istore32(l, p)
        l = b.iadd(l, b.load(.i64, p)); i = b.iadd(i, b.uload8(.i32, p)); i = b.iadd(i, b.sload8(.i32, p))
        i = b.iadd(i, b.uload16(.i32, p)); i = b.iadd(i, b.sload16(.i32, p))
        l = b.iadd(l, b.uload32(.i64, p)); l = b.iadd(l, b.sload32(.i64, p))
        i = b.iadd(i, b.memorySize(mem)); i = b.iadd(i, b.memoryGrow(mem, p))
        b.memoryCopy(mem, mem, p, i, p); b.memoryFill(mem, p, i, p)
        b.globalSet(g, b.iadd(l, b.globalGet(g)))
        let fref = b.refFunc(selfRef)
        b.tableSet(table, p, fref)
        i = b.iadd(i, b.refIsNull(b.tableGet(table, p)))
        i = b.iadd(i, b.tableSize(table)); i = b.iadd(i, b.tableGrow(table, b.refNull(.funcref), p))
        l = b.iadd(l, b.call(selfRef, [p, q, r, s, v, fr])[0])
        l = b.iadd(l, b.callIndirect(unary, table, p, [p, q, r, s, v, fr])[0])
        l = b.iadd(l, b.callRef(unary, fref, [p, q, r, s, v, fr])[0])
        b.trapz(p, .user); b.trapnz(i, .int_ovf)
        b.brTable(i, default: (blocks[1], []), (2...7).map { (blocks[$0], []) })
        b.switchToBlock(blocks[1]); b.brif(i, blocks[8], [l], blocks[9], [])
        b.switchToBlock(blocks[2]); b.trap(.user)
        b.switchToBlock(blocks[3]); b.unreachable()
        b.switchToBlock(blocks[4]); b.returnCall(selfRef, [p, q, r, s, v, fr])
        b.switchToBlock(blocks[5]); b.returnCallIndirect(unary, table, p, [p, q, r, s, v, fr])
        b.switchToBlock(blocks[6]); b.returnCallRef(unary, fr, [p, q, r, s, v, fr])
        b.switchToBlock(blocks[7]); b.jump(blocks[9])
        let result = b.appendBlockParam(blocks[8], .i64)
        b.switchToBlock(blocks[8]); b.return([result])
        b.switchToBlock(blocks[9]); b.return([q])
        return b.finalize()
    }

    @Test func everyOpcodeHasABuilderMethodAndTheResultVerifies() throws {
        let f = Self.everyOp()
        let report = f.verify()
        #expect(report.isValid, "\(report.render())")
        let used = Set(f.instsInLayoutOrder.map { f.dfg[$0].opcode })
        let missing = Set(Opcode.allCases).subtracting(used)
        #expect(missing.isEmpty, "not built: \(missing.map(\.name).sorted())")
        let text = f.text
        #expect(try parseFunction(text).text == text)
    }

    @Test func everyOpFunctionRuns() throws {
        var interp = Interpreter(module: Module(functions: [Self.everyOp()]), fuel: 100_000)
        // p = 0 takes trapz immediately.
        let args: [RuntimeValue] = [.i32(0), .i64(5), .f32(1), .f64(2), RuntimeValue(type: .i32x4, bits: .zero), .null(.funcref)]
        guard case .failure(let trap) = interp.call("every", args) else { Issue.record("expected a trap"); return }
        #expect(trap.code == .int_divz, "sdiv by p = 0 comes first")
    }
}
