import Foundation
import LatheTestSupport
import LatheWasm
import WAT
import XCTest

/// Mutated inputs must give an error or a valid module: never a crash, a hang or a huge allocation.
final class RobustnessTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A deterministic generator (xorshift64*), so every run mutates the same way.
    struct Xorshift {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2685821657736338717
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// The example module plus a handful of feature-rich spec-suite modules.
    func seedModules() throws -> [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        let example = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("examples/seams.wasm"))
        seeds.append(("examples/seams.wasm", [UInt8](example)))
        let dir = SpecSuite.directory(repositoryRoot: Self.repositoryRoot)
        for name in ["simd_lane.wast", "gc/array.wast", "array.wast", "try_table.wast", "memory64.wast", "elem.wast", "names.wast"] {
            let url = dir.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let cases = SpecSuite.cases(in: url, relativeTo: dir).cases.filter { $0.expectation == .valid }
            if let biggest = cases.max(by: { $0.bytes.count < $1.bytes.count }) { seeds.append((name, biggest.bytes)) }
        }
        XCTAssertGreaterThanOrEqual(seeds.count, 5)
        return seeds
    }

    /// Reads and, when that succeeds, validates and writes; returns whether the module was accepted.
    @discardableResult
    func survive(_ bytes: [UInt8]) -> Bool {
        guard let m = try? ModuleReader.read(bytes) else { return false }
        guard (try? ModuleValidator.validate(m)) != nil else { return false }
        // An accepted module must be written and read back.
        let written = ModuleWriter.write(m)
        XCTAssertNotNil(try? ModuleReader.read(written), "accepted module did not read back after writing")
        return true
    }

    func testTruncationAtEveryOffset() throws {
        var rejected = 0, total = 0
        for (name, bytes) in try seedModules() {
            XCTAssertTrue(survive(bytes), "\(name) should be valid")
            for cut in 0..<bytes.count {
                total += 1
                if !survive(Array(bytes[0..<cut])) { rejected += 1 }
            }
        }
        print("truncation: \(total) prefixes read, \(rejected) rejected")
        // A module cut inside a section can never be complete.
        XCTAssertGreaterThan(rejected, total * 9 / 10)
    }

    func testSeededByteFlips() throws {
        var rng = Xorshift(state: 0x5eed_1a7e)
        var accepted = 0, total = 0
        for (_, bytes) in try seedModules() {
            for _ in 0..<1500 {
                var m = bytes
                for _ in 0..<(1 + rng.below(4)) {
                    let i = 8 + rng.below(max(1, m.count - 8))
                    if i < m.count { m[i] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8)) }
                }
                total += 1
                if survive(m) { accepted += 1 }
            }
        }
        print("byte flips: \(total) mutants, \(accepted) still valid")
        XCTAssertEqual(total, try seedModules().count * 1500)
    }

    func testLEBTricksAndAbsurdCounts() throws {
        // Each declares a huge count or size in a few bytes; each must fail at once with the offset.
        let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        let cases: [([UInt8], String)] = [
            (header + [0x03, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "function count 4294967295"),
            (header + [0x01, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "count 4294967295"),
            (header + [0x0A, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "count 4294967295"),
            (header + [0x0B, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "count 4294967295"),
            (header + [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "declares 4294967295 bytes"),
            (header + [0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], "integer representation too long"),
            (header + [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], "integer too large"),
            // A body declaring 2^32-1 locals of one type in four bytes is allowed to be read ...
            (header + [0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                       0x0A, 0x0A, 0x01, 0x08, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x0B], ""),
            // ... but not two groups adding up past 2^32-1.
            (header + [0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                       0x0A, 0x0F, 0x01, 0x0D, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x0B], "too many locals"),
        ]
        for (bytes, expected) in cases {
            do {
                let m = try ModuleReader.read(bytes)
                XCTAssertEqual(expected, "", "accepted, expected error containing \(expected)")
                XCTAssertEqual(m.bodies.first?.localCount, 4_294_967_295)
                _ = try? ModuleValidator.validate(m)
            } catch {
                XCTAssertTrue("\(error)".contains(expected), "\(error) should mention \(expected)")
                XCTAssertTrue("\(error)".hasPrefix("offset 0x"), "\(error) should start with the offset")
            }
        }
    }
}
