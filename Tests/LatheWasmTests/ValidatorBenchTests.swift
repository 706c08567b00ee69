import Foundation
import LatheWasm
import XCTest

/// Prints read and validate throughput for `LATHE_BENCH_FILE` (a measurement, not a timed assertion).
final class ValidatorBenchTests: XCTestCase {
    func testValidateThroughput() throws {
        guard let path = ProcessInfo.processInfo.environment["LATHE_BENCH_FILE"],
              let data = FileManager.default.contents(atPath: path) else { throw XCTSkip("LATHE_BENCH_FILE not set") }
        let bytes = [UInt8](data)
        let mb = Double(bytes.count) / 1_000_000
        var bestRead = Double.infinity, bestValidate = Double.infinity
        for _ in 0..<3 {
            let t0 = Date()
            let module = try ModuleReader.read(bytes)
            let t1 = Date()
            try ModuleValidator.validate(module)
            let t2 = Date()
            bestRead = min(bestRead, t1.timeIntervalSince(t0))
            bestValidate = min(bestValidate, t2.timeIntervalSince(t1))
        }
        print(String(format: "bench %@: %.1f MB; read %.3f s (%.0f MB/s); validate %.3f s (%.0f MB/s)",
                     path, mb, bestRead, mb / bestRead, bestValidate, mb / bestValidate))
    }
}
