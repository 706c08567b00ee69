import Foundation

/// Watches the input being run from a second thread: once it passes the hang threshold it is copied
/// to `hangs/` and named on stderr while it still runs, so an input that never finishes is kept too.
final class MutationWatchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var index = -1
    private var started: UInt64 = 0
    private var reported = true
    private var stopped = false
    private let threshold: Double
    private let currentInput: URL?
    private let hangPath: @Sendable (Int) -> URL?

    init(threshold: Double, currentInput: URL?, hangPath: @escaping @Sendable (Int) -> URL?) {
        self.threshold = threshold
        self.currentInput = currentInput
        self.hangPath = hangPath
        let thread = Thread { [self] in watch() }
        thread.start()
    }

    /// Input `index` starts now.
    func begin(_ index: Int) {
        lock.withLock { (self.index, started, reported) = (index, DispatchTime.now().uptimeNanoseconds, false) }
    }

    /// The current input finished.
    func end() { lock.withLock { reported = true } }

    func stop() { lock.withLock { stopped = true } }

    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: max(0.001, min(0.25, threshold / 4)))
            let overdue: Int? = lock.withLock {
                guard !reported else { return nil }
                guard Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 > threshold else { return nil }
                reported = true
                return index
            }
            if lock.withLock({ stopped }) { return }
            guard let overdue else { continue }
            var kept = ""
            if let from = currentInput, let to = hangPath(overdue), let data = FileManager.default.contents(atPath: from.path) {
                try? FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                if (try? data.write(to: to)) != nil { kept = "; kept as \(to.path)" }
            }
            FileHandle.standardError.write(Data("input #\(overdue) has run for more than \(threshold) s\(kept)\n".utf8))
        }
    }
}
