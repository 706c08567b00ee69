import Testing
import LatheIR
@testable import LatheX64

@Suite struct CallTests {
    /// A callee with vector, scalar and out-pointer results; the caller keeps values live across calls.
    static func module() -> [Function] {
        let calleeResults: [IRType] = [.f32x8, .i64, .f64, .i32, .i32, .f32]
        let callee = straightLine("callee", [.f32x8, .i64, .f64, .i32], calleeResults) { b, p in
            let v = b.fmul(p[0], p[0])
            let s = b.iadd(p[1], b.sextend(.i64, p[3]))
            let d = b.fsub(p[2], b.fcvtFromSint(.f64, p[1]))
            return [v, s, d, b.imul(p[3], p[3]), b.popcnt(p[3]), b.extractlane(p[0], 5)]
        }
        var b = FunctionBuilder(name: "caller", signature: Signature(params: [.f32x8, .i64, .f64, .i32], results: [.f32x8, .i64, .f64, .i32, .f32]))
        let fn = b.declareFunction("callee", Signature(params: [.f32x8, .i64, .f64, .i32], results: calleeResults))
        let e = b.createBlock()
        let p = b.appendFunctionParams(e)
        b.switchToBlock(e); b.sealBlock(e)
        let keepI = b.iadd(p[1], b.iconst(.i64, 3)), keepF = b.fadd(p[2], p[2]), keepV = b.fadd(p[0], p[0])
        let r1 = b.call(fn, [p[0], p[1], p[2], p[3]])
        let r2 = b.call(fn, [r1[0], keepI, r1[2], r1[3]])
        let v = b.fsub(r2[0], keepV)
        let i = b.iadd(b.iadd(r1[1], r2[1]), keepI)
        let d = b.fadd(b.fadd(r1[2], r2[2]), keepF)
        let n = b.iadd(r1[4], r2[4])
        b.return([v, i, d, n, b.fadd(r1[5], r2[5])])
        return [callee, b.finalize()]
    }

    @Test func jitToJitCalls() throws {
        var r = TestRandom(seed: 21)
        let inputs = (0..<30).map { _ in [Edge.value(.f32x8, &r), Edge.value(.i64, &r), Edge.value(.f64, &r), Edge.value(.i32, &r)] }
        try expectSameAsInterpreter(Self.module(), entry: "caller", inputs: inputs)
    }

    @Test func hostFunctionCall() throws {
        let host: @convention(c) (Double, Int64) -> Double = { x, n in x * Double(n) + 0.5 }
        var b = FunctionBuilder(name: "f", signature: Signature(params: [.f64, .i64], results: [.f64]))
        let fn = b.declareFunction("scale", Signature(params: [.f64, .i64], results: [.f64]))
        let e = b.createBlock()
        let p = b.appendFunctionParams(e)
        b.switchToBlock(e); b.sealBlock(e)
        let kept = b.iadd(p[1], p[1])
        let r = b.call(fn, [p[0], p[1]])[0]
        b.return([b.fadd(r, b.fcvtFromSint(.f64, kept))])
        let jit = try JITModule(functions: [b.finalize()], hostFunctions: ["scale": unsafeBitCast(host, to: UnsafeRawPointer.self)],
                                checkAllocation: true)
        let f = try #require(jit.function(named: "f"))
        let native = f.entryPoint(as: (@convention(c) (Double, Int64) -> Double).self)
        let direct: Double = native(1.5, 4)
        #expect(direct == 14.5)
        let viaRaw: [RuntimeValue] = f.call([.f64(-2), .i64(3)])
        #expect(viaRaw == [RuntimeValue.f64(0.5)])
    }
}
