import Foundation
import LatheIR
import LatheOpt
import LatheWasm
import LatheWasmIR
import WAT
import WasmKit
import XCTest

/// The clamp-in-a-convolution case end to end: wasm with the per-pixel clamp inlined as nested
/// `if`s, lifted, run through `simplify-cfg,select,gvn,licm,dce`, lowered and run on WasmKit.
final class ClampLoopTests: XCTestCase {
    /// A 5x5 window sum over a 64-pixel-wide byte image of `clamp(pixel - bias, 0, 255)`.
    static var wat: String {
        let image = (0..<400).map { String(format: "\\%02x", ($0 * 37 + 11) & 255) }.joined()
        return """
        (module
          (memory 1)
          (data (i32.const 0) "\(image)")
          (func (export "conv") (param $x i32) (param $y i32) (param $bias i32) (result i32)
            (local $dy i32) (local $dx i32) (local $acc i32) (local $v i32)
            (loop $rows
              (local.set $dx (i32.const 0))
              (loop $cols
                (local.set $v (i32.sub
                  (i32.load8_u (i32.add (i32.mul (i32.add (local.get $y) (local.get $dy)) (i32.const 64))
                                        (i32.add (local.get $x) (local.get $dx))))
                  (local.get $bias)))
                (local.set $acc (i32.add (local.get $acc)
                  (if (result i32) (i32.lt_s (local.get $v) (i32.const 0))
                    (then (i32.const 0))
                    (else (if (result i32) (i32.gt_s (local.get $v) (i32.const 255))
                      (then (i32.const 255))
                      (else (local.get $v)))))))
                (local.set $dx (i32.add (local.get $dx) (i32.const 1)))
                (br_if $cols (i32.lt_s (local.get $dx) (i32.const 5))))
              (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
              (br_if $rows (i32.lt_s (local.get $dy) (i32.const 5))))
            (local.get $acc)))
        """
    }

    func call(_ bytes: [UInt8], _ args: [Int32]) throws -> Int32 {
        let instance = try parseWasm(bytes: bytes).instantiate(store: Store(engine: Engine()))
        let f = try XCTUnwrap(instance.exports[function: "conv"])
        guard case .i32(let r)? = try f(args.map { .i32(UInt32(bitPattern: $0)) }).first else { XCTFail("no i32 result"); return 0 }
        return Int32(bitPattern: r)
    }

    func testClampInConvolutionLoopBecomesSelectsWithOneBackEdge() throws {
        let bytes = try wat2wasm(Self.wat, features: .all)
        let module = try ModuleReader.read(bytes)
        let manager = try PassManager(pipeline: ["simplify-cfg", "select", "gvn", "licm", "dce"], verifyEach: true)
        let (out, stats, optimized) = WasmRoundTrip.run(module) { f, _ -> LatheIR.Function in
            try manager.run(&f)
            return f
        }
        XCTAssertEqual(stats.failures, [])
        let f = try XCTUnwrap(optimized.first ?? nil)
        // The inner loop is one block: its only branch is the back edge, and the clamp is two selects.
        var cache = AnalysisCache()
        let forest = cache.loops(f)
        let inner = try XCTUnwrap(forest.loops.first { $0.depth == 2 })
        XCTAssertEqual(inner.blocks.count, 1)
        let body = f.layout.insts(inner.header)
        XCTAssertEqual(body.filter { f.dfg[$0].opcode == LatheIR.Opcode.select }.count, 2)
        XCTAssertEqual(body.filter { f.dfg[$0].opcode.isTerminator }.map { f.dfg[$0].opcode }, [LatheIR.Opcode.brif])
        XCTAssertTrue(f.dfg.successors(body.last!).contains(inner.header))
        // The lowered loop has no `if` left, and computes what the original does.
        let code = try out.bodies[0].instructions().map { (i: LatheWasm.Instruction) in i.opcode }
        XCTAssertFalse(code.contains(LatheWasm.Opcode.if), "\(code)")
        XCTAssertEqual(code.filter { $0 == LatheWasm.Opcode.select }.count, 2)
        let optimizedBytes = ModuleWriter.write(out)
        for args: [Int32] in [[0, 0, 0], [3, 1, 100], [7, 2, -50], [10, 0, 200], [0, 3, -300], [5, 5, 255]] {
            XCTAssertEqual(try call(optimizedBytes, args), try call(bytes, args), "\(args)")
        }
    }
}
