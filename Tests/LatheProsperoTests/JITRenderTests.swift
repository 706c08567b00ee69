import Foundation
import LatheTestSupport
import Testing
@testable import LatheProspero

/// The JIT engine: leaf tapes compiled to native code give the same pixels as the references and brute force.
@Suite struct JITRenderTests {
    @Test(arguments: [256, 512, 1024])
    func prosperoMatchesReferenceImage(size: Int) throws {
        let dir = RenderTests.directory
        let ref = try #require(ProsperoFiles.readPGM([UInt8](Data(contentsOf: dir.appendingPathComponent("prospero_ref_\(size).pgm")))))
        let renderer = ProsperoRenderer(tape: Tape(try RenderTests.program("prospero.vm")), threads: 2, engine: .jit)
        let (pixels, stats) = renderer.render(size: size)
        #expect(RenderTests.differing(pixels, ref.pixels) == 0)
        #expect(stats.compiledTapes > 0 && stats.compiledTapes <= stats.leafTiles)
        // The second render finds every leaf tape in the cache and gives the same image.
        let (again, second) = renderer.render(size: size)
        #expect(second.compiledTapes == 0)
        #expect(again == pixels)
    }

    @Test(arguments: ["hi.vm", "quarter.vm"])
    func smallProgramsMatchBruteForce(name: String) throws {
        let program = try RenderTests.program(name)
        let tape = Tape(program)
        for size in [64, 203] {
            let brute = ReferenceRenderer.render(program, size: size)
            for (tiles, threads) in [([128, 32, 8], 2), ([64, 16], 1), ([8], 1)] {
                let (pixels, _) = ProsperoRenderer(tape: tape, tileSizes: tiles, threads: threads, engine: .jit).render(size: size)
                #expect(RenderTests.differing(pixels, brute) == 0, "\(name) at \(size) with tiles \(tiles)")
            }
        }
    }

    /// Every tape op, min/max on NaN and ±0 operands included, matches the SIMD interpreter lane for lane.
    @Test func compiledTapeMatchesInterpreterOnEdgeValues() throws {
        let codes: [TapeCode] = [.add, .sub, .mul, .div, .min, .max, .neg, .square, .sqrt, .abs,
                                 .addImm, .subImm, .rsubImm, .mulImm, .divImm, .rdivImm, .copy]
        let edges: [Float] = [.nan, -.nan, 0, -0.0, 1, -1, .infinity, -.infinity, 3.5, -2.25, .leastNonzeroMagnitude, 1e30]
        for code in codes {
            // slot 0 = x, slot 1 = y, slot 2 = code(x, y) (imm 0.75), slot 3 = min(slot 2, y) keeps both arms live.
            let ops = [TapeOp(.varX, out: 0), TapeOp(.varY, out: 1), TapeOp(code, out: 2, a: 0, b: 1, imm: 0.75)]
            let f = try ops.withUnsafeBufferPointer { try TapeJIT.compile($0.baseAddress!, count: 3, output: 2) }
            let entry = f.entryPoint(as: TapeJIT.Entry.self)
            for y in edges {
                let xs = edges.prefix(8) + [], xs2 = Array(edges.suffix(8))
                for row in [Array(xs), xs2] {
                    var slots = [SIMD8<Float>](repeating: .zero, count: 3)
                    var ys = [y]
                    ops.withUnsafeBufferPointer { o in
                        slots.withUnsafeMutableBufferPointer { s in
                            SIMDEvaluator.evaluate(o.baseAddress!, count: 3, slots: s.baseAddress!, vectors: 1, chunksPerRow: 1, xs: row, ys: ys)
                        }
                    }
                    var out = SIMD8<Float>.zero
                    row.withUnsafeBufferPointer { r in ys.withUnsafeMutableBufferPointer { yp in
                        withUnsafeMutablePointer(to: &out) { entry(nil, r.baseAddress!, yp.baseAddress!, $0) }
                    } }
                    withExtendedLifetime(f) {}
                    for lane in 0..<8 {
                        let a = out[lane], b = slots[2][lane]
                        #expect(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN), "\(code) x=\(row[lane]) y=\(y): jit \(a) interp \(b)")
                    }
                }
            }
        }
    }
}
