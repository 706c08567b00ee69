import Foundation
import LatheTestSupport
import Testing
@testable import LatheProspero

@Suite struct RenderTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = ProsperoFiles.directory(repositoryRoot: repositoryRoot)

    static func program(_ name: String) throws -> VMProgram {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try VMProgram(parsing: text)
    }

    static func differing(_ a: [UInt8], _ b: [UInt8]) -> Int { zip(a, b).reduce(0) { $0 + ($1.0 == $1.1 ? 0 : 1) } }

    @Test(arguments: [256, 512, 1024])
    func prosperoMatchesReferenceImage(size: Int) throws {
        let ref = try #require(ProsperoFiles.readPGM([UInt8](Data(contentsOf: Self.directory.appendingPathComponent("prospero_ref_\(size).pgm")))))
        #expect(ref.width == size && ref.height == size)
        let renderer = ProsperoRenderer(tape: Tape(try Self.program("prospero.vm")), threads: 2)
        let (pixels, stats) = renderer.render(size: size)
        #expect(Self.differing(pixels, ref.pixels) == 0)
        // Pruning did its job: under 5% of the brute-force pixel-ops remain (0.33% at 1024).
        #expect(stats.pixelOps < size * size * 7866 / 20)
        #expect(stats.filled.reduce(0, +) > 0)
    }

    @Test(arguments: ["hi.vm", "quarter.vm"])
    func smallProgramsMatchBruteForce(name: String) throws {
        let program = try Self.program(name)
        let tape = Tape(program)
        for size in [64, 203] {
            let brute = ReferenceRenderer.render(program, size: size)
            #expect(brute.contains(255) && brute.contains(0))
            for (tiles, threads) in [([128, 32, 8], 2), ([64, 16], 1), ([32, 8], 3), ([8], 1)] {
                let (pixels, _) = ProsperoRenderer(tape: tape, tileSizes: tiles, threads: threads).render(size: size)
                #expect(Self.differing(pixels, brute) == 0, "\(name) at \(size) with tiles \(tiles)")
            }
        }
    }

    @Test func prosperoTapeAgreesWithProgramAtPoints() throws {
        let program = try Self.program("prospero.vm")
        let tape = Tape(program)
        #expect(tape.ops.count < program.instructions.count)
        #expect(tape.slotCount < 1000)
        var rng = SplitMix(seed: 7)
        for _ in 0..<50 {
            let x = rng.float(-1, 1), y = rng.float(-1, 1)
            #expect(tape.evaluate(x: x, y: y).bitPattern == program.evaluate(x: x, y: y).bitPattern)
        }
    }

    /// `neg` flips the sign of zero in the leaf evaluator as in the scalar semantics: 1 / neg(x - x) is -inf, below zero.
    @Test func negatedZeroKeepsItsSign() throws {
        let program = try VMProgram(parsing: "x var-x\nz sub x x\nn neg z\none const 1\nd div one n\n")
        let brute = ReferenceRenderer.render(program, size: 16)
        #expect(brute.allSatisfy { $0 == 255 })
        for tiles in [[16, 8], [8]] {
            let (pixels, _) = ProsperoRenderer(tape: Tape(program), tileSizes: tiles, threads: 1).render(size: 16)
            #expect(pixels == brute, "tiles \(tiles)")
        }
    }

    /// A renderer at size 1 samples (-1, 1), and one-pixel-wide images work.
    @Test func tinyImages() throws {
        let program = try VMProgram(parsing: "x var-x\ny var-y\ns add x y\n")
        for size in [1, 2, 3, 9] {
            let (pixels, _) = ProsperoRenderer(tape: Tape(program), tileSizes: [16, 8], threads: 1).render(size: size)
            #expect(pixels == ReferenceRenderer.render(program, size: size))
        }
    }
}

/// Deterministic pseudo-random numbers for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
