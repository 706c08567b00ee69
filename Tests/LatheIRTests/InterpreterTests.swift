import Testing
@testable import LatheIR

@Suite struct InterpreterTests {
    func module(_ text: String) throws -> Module { try parseModule(text).module }

    @Test func trapNamesKindAndInstruction() throws {
        var interp = Interpreter(module: try module("""
        function %f(i32, i32) -> i32 {
        block0(v0: i32, v1: i32):
            v2 = sdiv v0, v1
            return v2
        }
        """))
        guard case .failure(let trap) = interp.call("f", [.i32(1), .i32(0)]) else { Issue.record("expected a trap"); return }
        #expect(trap.code == .int_divz)
        #expect(trap.instText == "    v2 = sdiv v0, v1")
        #expect(trap.description == "trap int_divz in %f at: v2 = sdiv v0, v1")
    }

    @Test func fuelLimitStopsLoops() throws {
        var interp = Interpreter(module: try module("""
        function %f() {
        block0:
            jump block1

        block1:
            jump block1
        }
        """), fuel: 1000)
        guard case .failure(let trap) = interp.call("f", []) else { Issue.record("expected a trap"); return }
        #expect(trap.code == .out_of_fuel && interp.fuel < 0)
    }

    @Test func memoryPersistsAcrossCallsOfOneInterpreter() throws {
        var interp = Interpreter(module: try module("""
        function %put(i32, i32) {
            mem0 = memory 1
        block0(v0: i32, v1: i32):
            store v1, v0
            return
        }

        function %get(i32) -> i32 {
            mem0 = memory 1
        block0(v0: i32):
            v1 = load.i32 v0
            return v1
        }
        """))
        _ = interp.call("put", [.i32(64), .i32(-7)])
        #expect(try interp.call("get", [.i32(64)]).get() == [.i32(-7)])
        #expect(interp.memories[0].count == 65536)
    }

    @Test func semanticsEdgeCases() {
        #expect(Semantics.intBinary(.sdiv, 0x8000_0000, 0xffff_ffff, 32) == .failure(.int_ovf))
        #expect(Semantics.intBinary(.srem, 0x8000_0000, 0xffff_ffff, 32) == .success(0))
        #expect(Semantics.floatToInt(Double.nan.bitPattern, from: 64, to: 32, signed: true, saturating: false) == .failure(.bad_toint))
        #expect(Semantics.floatToInt(Double.infinity.bitPattern, from: 64, to: 64, signed: false, saturating: true) == .success(~0))
        #expect(Semantics.floatBinary(.fmin, (-0.0 as Double).bitPattern, (0.0 as Double).bitPattern, 64) == (-0.0 as Double).bitPattern)
        #expect(Semantics.floatBinary(.fmax, (-0.0 as Double).bitPattern, (0.0 as Double).bitPattern, 64) == (0.0 as Double).bitPattern)
        #expect(Semantics.floatBinary(.fadd, 0x7fc0_1234, 0, 32) == UInt64(Semantics.canonicalNaN32), "NaN results are canonical")
        #expect(Semantics.floatUnary(.fneg, 0x7fc0_1234, 32) == 0xffc0_1234, "fneg keeps the payload")
    }
}
