import Foundation
import LatheWasm
import XCTest

/// Prints read (bodies deferred, as `lathe validate` reads) and validate throughput for `LATHE_BENCH_FILE` (a measurement, not a timed assertion).
final class ValidatorBenchTests: XCTestCase {
    func testValidateThroughput() throws {
        guard let path = ProcessInfo.processInfo.environment["LATHE_BENCH_FILE"],
              let data = FileManager.default.contents(atPath: path) else { throw XCTSkip("LATHE_BENCH_FILE not set") }
        let bytes = [UInt8](data)
        let mb = Double(bytes.count) / 1_000_000
        var bestRead = Double.infinity, bestValidate = Double.infinity
        // CPU time of this thread, so a busy machine does not skew the figures.
        func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        for _ in 0..<3 {
            let t0 = now()
            let module = try ModuleReader.read(bytes, checkBodies: false)
            let t1 = now()
            try ModuleValidator.validate(module)
            let t2 = now()
            bestRead = min(bestRead, t1 - t0)
            bestValidate = min(bestValidate, t2 - t1)
        }
        print(String(format: "bench %@: %.1f MB; CPU time: read %.3f s (%.0f MB/s); validate %.3f s (%.0f MB/s)",
                     path, mb, bestRead, mb / bestRead, bestValidate, mb / bestValidate))
    }
}
