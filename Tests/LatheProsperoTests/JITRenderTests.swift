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
    }

    /// A second render with one worker finds every leaf tape in its cache and gives the same image.
    @Test func secondRenderUsesTheCache() throws {
        let renderer = ProsperoRenderer(tape: Tape(try RenderTests.program("prospero.vm")), threads: 1, engine: .jit)
        let (pixels, first) = renderer.render(size: 256)
        let (again, second) = renderer.render(size: 256)
        #expect(first.compiledTapes > 0 && second.compiledTapes == 0)
        #expect(again == pixels)
    }

    /// One tape op on scalars, as `VMSemantics` defines it (min/max: `b < a ? b : a`, `a < b ? b : a`).
    static func expected(_ code: TapeCode, _ x: Float, _ y: Float, _ imm: Float) -> Float {
        switch code {
        case .varX, .copy: return x
        case .varY: return y
        case .const: return imm
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        case .min: return y < x ? y : x
        case .max: return x < y ? y : x
        case .neg: return -x
        case .square: return x * x
        case .sqrt: return x.squareRoot()
        case .abs: return Float(bitPattern: x.bitPattern & 0x7fff_ffff)
        case .addImm: return x + imm
        case .subImm: return x - imm
        case .rsubImm: return imm - x
        case .mulImm: return x * imm
        case .divImm: return x / imm
        case .rdivImm: return imm / x
        }
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

    /// Every tape op, min/max on NaN and ±0 operands included, gives the scalar semantics' bits in every lane.
    @Test func compiledTapeMatchesInterpreterOnEdgeValues() throws {
        let codes: [TapeCode] = [.add, .sub, .mul, .div, .min, .max, .neg, .square, .sqrt, .abs,
                                 .addImm, .subImm, .rsubImm, .mulImm, .divImm, .rdivImm, .copy]
        let edges: [Float] = [.nan, -.nan, 0, -0.0, 1, -1, .infinity, -.infinity, 3.5, -2.25, .leastNonzeroMagnitude, 1e30]
        for code in codes {
            // slot 0 = x, slot 1 = y, slot 2 = code(x, y) (imm 0.75), slot 3 = min(slot 2, y) keeps both arms live.
            let ops = [TapeOp(.varX, out: 0), TapeOp(.varY, out: 1), TapeOp(code, out: 2, a: 0, b: 1, imm: 0.75)]
            let f = try ops.withUnsafeBufferPointer { try TapeJIT.compile($0.baseAddress!, count: 3, output: 2, chunksPerRow: 1) }
            let entry = f.entryPoint(as: TapeJIT.Entry.self)
            for y in edges {
                let xs = edges.prefix(8) + [], xs2 = Array(edges.suffix(8))
                for row in [Array(xs), xs2] {
                    var ys = [y]
                    var out = SIMD8<Float>.zero
                    row.withUnsafeBufferPointer { r in ys.withUnsafeMutableBufferPointer { yp in
                        withUnsafeMutablePointer(to: &out) { entry(nil, r.baseAddress!, yp.baseAddress!, $0, 1) }
                    } }
                    withExtendedLifetime(f) {}
                    for lane in 0..<8 {
                        let a = out[lane], b = Self.expected(code, row[lane], y, 0.75)
                        #expect(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN), "\(code) x=\(row[lane]) y=\(y): jit \(a) expected \(b)")
                    }
                }
            }
        }
    }
}
