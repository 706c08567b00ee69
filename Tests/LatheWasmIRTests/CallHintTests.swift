import LatheIR
import LatheWasm
@testable import LatheWasmIR
import WAT
import XCTest

/// Call-site inline hints: the lifter attaches them to the calls at their byte offsets, the lowerer
/// reports them at the calls' new offsets.
final class CallHintTests: XCTestCase {
    static let wat = """
    (module
      (type $t (func (param i32) (result i32)))
      (table 1 funcref)
      (func $f0 (param i32) (result i32) (local.get 0))
      (func $f1 (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $f2 (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
      (func $main (param i32) (result i32) (local i32 i64)
        (local.set 1 (call $f0 (local.get 0)))
        (local.set 1 (call $f1 (local.get 1)))
        (local.set 1 (call $f2 (local.get 1)))
        (local.set 1 (call_indirect (type $t) (local.get 1) (i32.const 0)))
        (local.get 1))
      (func $dead (result i32) unreachable (call $f0 (i32.const 1))))
    """

    /// Code-metadata offsets of `body`'s instructions, given the size of its locals' declaration worked out by hand.
    func offsets(_ body: FunctionBody, localsSize: Int) throws -> [(offset: UInt32, inst: LatheWasm.Instruction)] {
        var it = body.makeIterator()
        var out: [(UInt32, LatheWasm.Instruction)] = []
        while let i = try it.next() { out.append((UInt32(it.offset - body.code.startIndex + localsSize), i)) }
        return out
    }

    /// Which function or kind of call each hinted IR instruction is, with its hint.
    func hintedCalls(_ f: LatheIR.Function) -> [String: UInt8] {
        var out: [String: UInt8] = [:]
        for (inst, hint) in f.callHints {
            XCTAssertNotNil(f.layout.block(of: inst), "hint on an instruction outside the layout")
            let d = f.dfg[inst]
            switch d.opcode {
            case .call: out[f.functionRefs[FuncRef(index: Int(d.a))].name] = hint
            case .callIndirect: out["call_indirect"] = hint
            default: XCTFail("hint on \(d.opcode.name)")
            }
        }
        return out
    }

    func testHintsLandOnTheCallsAtTheirOffsets() throws {
        let module = try ModuleReader.read(try wat2wasm(Self.wat))
        // `(local i32 i64)`: group count 2, then (1, i32) and (1, i64): five bytes before the code.
        let insts = try offsets(module.bodies[3], localsSize: 5)
        let calls = insts.filter { $0.inst.opcode == .call || $0.inst.opcode == .callIndirect }
        XCTAssertEqual(calls.count, 4)
        let hints: [UInt32: UInt8] = [calls[1].offset: 10, calls[2].offset: 20, calls[3].offset: 30]
        let lifted = try WasmLifter(module: module).lift(definedFunction: 3, callHints: hints)
        XCTAssertTrue(lifted.function.verify().isValid)
        XCTAssertEqual(hintedCalls(lifted.function), ["f1": 10, "f2": 20, "call_indirect": 30])
        XCTAssertEqual(module.codeMetadataOffsetOfCode(definedFunction: 3), 5)

        // Lowered: each hint is reported at the offset of the same call in the new body.
        var lowerer = WasmLowerer()
        let body = try lowerer.lower(lifted)
        let newInsts = try offsets(body, localsSize: body.localsEncodedSize)
        var found: [String: UInt8] = [:]
        for (offset, hint) in lowerer.callHintOffsets {
            guard let inst = newInsts.first(where: { $0.offset == offset })?.inst else { XCTFail("no instruction at \(offset)"); continue }
            switch inst.opcode {
            case .call: found["f\(inst.index!)"] = hint
            case .callIndirect: found["call_indirect"] = hint
            default: XCTFail("hint at \(inst.opcode)")
            }
        }
        XCTAssertEqual(found, ["f1": 10, "f2": 20, "call_indirect": 30])
    }

    func testHintsAwayFromCallsAreIgnored() throws {
        let module = try ModuleReader.read(try wat2wasm(Self.wat))
        let insts = try offsets(module.bodies[3], localsSize: 5)
        let localGet = try XCTUnwrap(insts.first { $0.inst.opcode == .localGet }).offset
        let callF0 = try XCTUnwrap(insts.first { $0.inst.opcode == .call }).offset
        // A non-call, the locals' declaration, one byte into a call, past the end, the largest offset.
        let hints: [UInt32: UInt8] = [localGet: 127, 1: 127, callF0 + 1: 127, 100_000: 0, UInt32.max: 0]
        let lifted = try WasmLifter(module: module).lift(definedFunction: 3, callHints: hints)
        XCTAssertTrue(lifted.function.callHints.isEmpty, "\(lifted.function.callHints)")
        XCTAssertTrue(lifted.function.verify().isValid)

        // A call in unreachable code is not lifted; its hint goes with it.
        let dead = try offsets(module.bodies[4], localsSize: 1)
        let deadCall = try XCTUnwrap(dead.first { $0.inst.opcode == .call }).offset
        let deadLifted = try WasmLifter(module: module).lift(definedFunction: 4, callHints: [deadCall: 127])
        XCTAssertTrue(deadLifted.function.callHints.isEmpty)
    }

    func testModuleLevelReadingSkipsMalformedItems() throws {
        var module = try ModuleReader.read(try wat2wasm(Self.wat))
        let items = CodeMetadata(functions: [
            (3, [.init(offset: 0, payload: [127]), .init(offset: 9, payload: []), .init(offset: 11, payload: [200]), .init(offset: 12, payload: [5, 1])]),
        ])
        module.customSections.append(CustomSection(name: "metadata.code.inline", payload: items.payload[...], after: .code))
        module.customSections.append(CustomSection(name: "binaryen.inline", payload: [0xFF, 0xFF, 0xFF][...], after: .code))
        // Function-level (offset 0), empty and out-of-range payloads are not call-site hints; the undecodable section is skipped.
        XCTAssertEqual(module.callSiteInlineHints(), [3: [12: 5]])
    }
}
