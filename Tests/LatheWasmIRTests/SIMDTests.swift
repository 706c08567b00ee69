import LatheIR
import LatheWasm
@testable import LatheWasmIR
import WAT
import WasmKit
import WasmParser
import XCTest

/// Every SIMD and relaxed SIMD instruction: lifts to IR, lowers back to the same bytes, and (where
/// WasmKit runs it) computes in the IR interpreter what WasmKit computes, on edge-case inputs.
final class SIMDTests: XCTestCase {
    static var simdOpcodes: [LatheWasm.Opcode] {
        LatheWasm.Opcode.allCases.filter { $0.info.feature == .simd || $0.info.feature == .relaxedSimd }
    }

    func testEverySIMDOpcodeHasATableRowThatMapsBack() {
        for op in Self.simdOpcodes where op != .v128Const && op != .i8x16Shuffle {
            if let r = WasmOps.vector[op] {
                let key = WasmOps.VectorKey(op: r.op, cc: r.cc, operand: r.operands[0], result: r.result)
                XCTAssertEqual(WasmOps.vectorByIR[key], op, op.info.name)
            } else if let r = WasmOps.lane[op] ?? WasmOps.vectorMemory[op] {
                XCTAssertEqual(WasmOps.shapedByIR[.init(op: r.op, type: r.type)], op, op.info.name)
            } else {
                XCTFail("\(op.info.name) has no row")
            }
        }
        XCTAssertEqual(Self.simdOpcodes.count, 256)
    }

    /// The immediate text and parameter/result types of a one-instruction test function for `op`.
    static func testFunction(_ op: LatheWasm.Opcode) -> (wat: String, params: [String], result: String?) {
        let info = op.info
        let sig = info.signature ?? "->"
        let parts = sig.components(separatedBy: "->")
        let params = parts[0].split(separator: " ").map { $0 == "a" ? "i32" : String($0) }
        var result = parts[1].split(separator: " ").first.map(String.init)
        var imm = ""
        switch info.immediate {
        case .memArg: imm = " offset=3"
        case .memArgLane: imm = " offset=3 1"
        case .lane: imm = " 1"
        case .shuffle: imm = " " + (0..<16).map { String($0 % 2 == 0 ? $0 : 31 - $0) }.joined(separator: " ")
        case .v128: imm = " i32x4 1 -2 0x7fffffff 0x80000000"
        default: break
        }
        var body = params.indices.map { "local.get \($0)" }.joined(separator: " ") + " \(info.name)\(imm)"
        if result == nil {
            // stores: read back what they wrote
            body += " local.get 0 v128.load offset=3"
            result = "v128"
        }
        let paramText = params.isEmpty ? "" : "(param " + params.joined(separator: " ") + ") "
        let wat = "(module (memory 1) (func (export \"f\") \(paramText)(result \(result!)) \(body)))"
        return (wat, params, result)
    }

    static let vectorInputs: [[UInt8]] = {
        func bytes32(_ xs: [UInt32]) -> [UInt8] { xs.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: x >> (8 * $0)) } } }
        func bytes64(_ xs: [UInt64]) -> [UInt8] { xs.flatMap { x in (0..<8).map { UInt8(truncatingIfNeeded: x >> (8 * $0)) } } }
        func bytes16(_ xs: [Int16]) -> [UInt8] { xs.flatMap { x in [UInt8(truncatingIfNeeded: x), UInt8(truncatingIfNeeded: x >> 8)] } }
        return [
            Array(repeating: 0, count: 16),
            Array(0..<16),
            [0x80, 0x7f, 0xff, 0x00, 0x01, 0xfe, 0x7e, 0x81, 0x40, 0xc0, 0x10, 0xf0, 0x3f, 0x20, 0xe0, 0x55],
            bytes32([0x7fc0_0001, 0x8000_0000, 0x7f80_0000, Float(1.5).bitPattern]),
            bytes32([Float(3e10).bitPattern, Float(-3e10).bitPattern, Float(-1.9).bitPattern, Float(0.5).bitPattern]),
            bytes32([0x0000_0000, 0x8000_0000, 0xffc0_0000, Float(-2.5).bitPattern]),
            bytes64([Double(5e9).bitPattern, 0xfff8_0000_0000_0005]),
            bytes64([Double(-1.5).bitPattern, Double(1e300).bitPattern]),
            bytes16([-32768, 32767, -1, 1, 16384, -16384, 100, 0]),
            bytes32([0xffff_ffff, 0x8000_0000, 0x7fff_ffff, 1]),
        ]
    }()

    static func inputs(_ type: String, _ n: Int) -> (RuntimeValue, WasmKit.Value) {
        switch type {
        case "i32", "a":
            let xs: [UInt32] = type == "a" ? [0, 1000, 65520, 65528, 65533] : [0, 1, 7, 0xffff_ffff, 31, 0x80, 65533]
            let x = xs[n % xs.count]
            return (.i32(Int32(bitPattern: x)), .i32(x))
        case "i64":
            let xs: [UInt64] = [0, 1, 0x8000_0000_0000_0000, 63, 0xffff_ffff_ffff_ffff]
            let x = xs[n % xs.count]
            return (.i64(Int64(bitPattern: x)), .i64(x))
        case "f32":
            let xs: [UInt32] = [0x7fc0_0001, 0x8000_0000, Float(1.5).bitPattern, 0xff80_0000]
            let x = xs[n % xs.count]
            return (RuntimeValue(type: .f32, scalar: UInt64(x)), .f32(x))
        case "f64":
            let xs: [UInt64] = [0xfff8_0000_0000_0001, 0, Double(-2.25).bitPattern, 0x7ff0_0000_0000_0000]
            let x = xs[n % xs.count]
            return (RuntimeValue(type: .f64, scalar: x), .f64(x))
        default:
            let bytes = vectorInputs[n % vectorInputs.count]
            var bits = SIMD4<UInt64>(repeating: 0)
            for (k, byte) in bytes.enumerated() { bits[k / 8] |= UInt64(byte) << UInt64(8 * (k % 8)) }
            return (RuntimeValue(type: WasmOps.v128, bits: bits), .v128(WasmTypes.V128(bytes: bytes)))
        }
    }

    /// Bits of an IR result as WasmKit would give them.
    static func wasmKitValue(_ r: RuntimeValue) -> WasmKit.Value {
        switch r.type {
        case .i32: .i32(UInt32(truncatingIfNeeded: r.scalar))
        case .i64: .i64(r.scalar)
        case .f32: .f32(UInt32(truncatingIfNeeded: r.scalar))
        case .f64: .f64(r.scalar)
        default: .v128(WasmTypes.V128(bytes: (0..<16).map { UInt8(truncatingIfNeeded: r.lane($0, bits: 8)) }))
        }
    }

    /// Equal bits, or NaN against NaN in float lanes (wasm lets NaN results differ in payload and sign).
    static func same(_ a: WasmKit.Value, _ b: WasmKit.Value, floatLanes: Int?) -> Bool {
        if a == b { return true }
        switch (a, b) {
        case (.f32(let x), .f32(let y)): return Float(bitPattern: x).isNaN && Float(bitPattern: y).isNaN
        case (.f64(let x), .f64(let y)): return Double(bitPattern: x).isNaN && Double(bitPattern: y).isNaN
        case (.v128(let x), .v128(let y)):
            guard let w = floatLanes else { return false }
            let lanes = 16 / (w / 8)
            for i in 0..<lanes {
                var p: UInt64 = 0, q: UInt64 = 0
                for k in 0..<(w / 8) { p |= UInt64(x.bytes[i * w / 8 + k]) << UInt64(8 * k); q |= UInt64(y.bytes[i * w / 8 + k]) << UInt64(8 * k) }
                if p == q { continue }
                let bothNaN = w == 32 ? Float(bitPattern: UInt32(p)).isNaN && Float(bitPattern: UInt32(q)).isNaN
                                      : Double(bitPattern: p).isNaN && Double(bitPattern: q).isNaN
                if !bothNaN { return false }
            }
            return true
        default: return false
        }
    }

    func testEverySIMDInstructionRoundTripsAndMatchesWasmKit() throws {
        var features = WasmFeatureSet.default
        features.insert(.simd)
        var compared = 0, roundTripped = 0
        var failures: [String] = []
        for op in Self.simdOpcodes {
            let (wat, params, _) = Self.testFunction(op)
            let bytes = try wat2wasm(wat, features: .all)
            let m = try ModuleReader.read(bytes)
            // lift, verify, lower: the same bytes come back
            let lifted = try WasmLifter(module: m).lift(definedFunction: 0)
            let report = lifted.function.verify()
            guard report.isValid else { failures.append("\(op.info.name): \(report.render())"); continue }
            let lowered = try WasmLowerer.lower(lifted)
            if lowered != m.bodies[0] {
                failures.append("\(op.info.name): lowered \(try lowered.instructions()) from \(try m.bodies[0].instructions())")
            } else { roundTripped += 1 }
            guard op.info.feature == .simd else { continue }  // WasmKit does not run relaxed SIMD
            let name = op.info.name
            let floatLanes: Int? = name.contains("pmin") || name.contains("pmax") ? nil
                : name.hasPrefix("f32x4.") ? 32 : name.hasPrefix("f64x2.") ? 64 : nil
            let store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager, features: features)))
            let instance = try parseWasm(bytes: bytes, features: features).instantiate(store: store)
            guard case .function(let f) = instance.export("f") else { XCTFail("no export"); continue }
            var interp = Interpreter(module: LatheIR.Module(functions: [lifted.function]))
            for n in 0..<40 {
                var irArgs: [RuntimeValue] = [], kitArgs: [WasmKit.Value] = []
                for (k, p) in params.enumerated() {
                    let (ir, kit) = Self.inputs(k == 0 && op.info.signature?.hasPrefix("a") == true ? "a" : p, n * (k + 3) + k)
                    irArgs.append(ir); kitArgs.append(kit)
                }
                let expected: String, got: String
                var ok: Bool
                do {
                    let kit = try f.invoke(kitArgs)
                    switch interp.call(lifted.function.name, irArgs) {
                    case .success(let rs):
                        let mine = rs.map(Self.wasmKitValue)
                        ok = mine.count == kit.count && zip(mine, kit).allSatisfy { Self.same($0, $1, floatLanes: floatLanes) }
                        got = "\(mine)"
                    case .failure(let t): ok = false; got = "\(t)"
                    }
                    expected = "\(kit)"
                } catch {
                    expected = "trap"
                    if case .failure = interp.call(lifted.function.name, irArgs) { ok = true; got = "trap" } else { ok = false; got = "no trap" }
                }
                compared += 1
                if !ok { failures.append("\(name)(\(kitArgs)): WasmKit \(expected), IR interpreter \(got)") }
            }
        }
        print("SIMD instructions: \(roundTripped) of \(Self.simdOpcodes.count) round-trip to identical bytes; \(compared) runs compared with WasmKit")
        XCTAssertEqual(roundTripped, Self.simdOpcodes.count)
        XCTAssertGreaterThan(compared, 8000)
        XCTAssertTrue(failures.isEmpty, "\(failures.count) failures:\n" + failures.prefix(30).joined(separator: "\n"))
    }
}
