import Foundation
import LatheTestSupport
import LatheWasm
import LatheWasmIR
import XCTest

/// Every valid module of the spec suite: round trip every function, validate and re-read the result, lift it again.
final class SpecRoundTripTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testSpecSuiteRoundTrip() throws {
        let dir = SpecSuite.directory(repositoryRoot: Self.repositoryRoot)
        let files = SpecSuite.files(in: dir)
        XCTAssertGreaterThan(files.count, 200, "spec suite not found at \(dir.path)")
        var total = WasmRoundTrip.Stats()
        var modules = 0, unreadable = 0
        var simdFunctions = 0, simdInputBytes = 0, simdOutputBytes = 0
        var failures: [String] = []
        for file in files {
            for c in SpecSuite.cases(in: file, relativeTo: dir).cases where c.expectation == .valid {
                guard let m = try? ModuleReader.read(c.bytes), (try? ModuleValidator.validate(m)) != nil else { unreadable += 1; continue }
                modules += 1
                let (out, stats) = WasmRoundTrip.run(m)
                total.add(stats)
                for (i, body) in m.bodies.enumerated() where (try? body.instructions())?.contains(where: {
                    $0.opcode.info.feature == .simd || $0.opcode.info.feature == .relaxedSimd
                }) == true {
                    simdFunctions += 1
                    simdInputBytes += WasmRoundTrip.bodySize(body)
                    simdOutputBytes += WasmRoundTrip.bodySize(out.bodies[i])
                }
                failures += stats.failures.map { "\(c.file):\(c.line): \($0)" }
                let bytes = ModuleWriter.write(out)
                do {
                    let again = try ModuleReader.read(bytes)
                    try ModuleValidator.validate(again)
                    for body in again.bodies { _ = try body.instructions() }
                    // The round-tripped module lifts, verifies and lowers again.
                    let (_, second) = WasmRoundTrip.run(again)
                    failures += second.failures.map { "\(c.file):\(c.line): second round: \($0)" }
                    if second.lifted != stats.lifted { failures.append("\(c.file):\(c.line): second round lifted \(second.lifted), first \(stats.lifted)") }
                } catch {
                    failures.append("\(c.file):\(c.line): round-tripped module does not re-read or validate: \(error)")
                }
            }
        }
        let reasons = total.kept.sorted { $0.value > $1.value }.prefix(12).map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print("spec round trip: \(modules) modules (\(unreadable) unreadable), functions lifted \(total.lifted), kept \(total.keptCount) [\(reasons)]")
        print("spec round trip: code bytes \(total.inputCodeBytes) -> \(total.outputCodeBytes) (\(String(format: "%.3f", Double(total.outputCodeBytes) / Double(max(1, total.inputCodeBytes))))x)")
        print("spec round trip: lifted functions only \(total.liftedInputBytes) -> \(total.liftedOutputBytes) bytes (\(String(format: "%.3f", Double(total.liftedOutputBytes) / Double(max(1, total.liftedInputBytes))))x)")
        print("spec round trip: \(simdFunctions) functions using SIMD, \(simdInputBytes) -> \(simdOutputBytes) bytes (\(String(format: "%.3f", Double(simdOutputBytes) / Double(max(1, simdInputBytes))))x)")
        XCTAssertGreaterThan(total.lifted, 6_000)
        XCTAssertNil(total.kept["simd"], "SIMD functions are lifted")
        XCTAssertLessThanOrEqual(simdOutputBytes, simdInputBytes, "round-tripped SIMD functions do not grow")
        // No real growth: the lowered bodies are within 1% of the input ones (measured: 99,285 -> 99,291 bytes).
        XCTAssertLessThanOrEqual(Double(total.liftedOutputBytes), Double(total.liftedInputBytes) * 1.01)
        XCTAssertTrue(failures.isEmpty, "\(failures.count) failures:\n" + failures.prefix(30).joined(separator: "\n"))
    }
}
