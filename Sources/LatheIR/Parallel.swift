import Dispatch
import Synchronization

/// Work spread over threads with results in index order, so output never depends on the thread count.
public enum Parallel {
    /// Calls `body(&state, i)` for every `i` in `0..<count` on up to `threads` threads and returns the results by index.
    ///
    /// Each thread makes its own `state` (scratch storage reused across its items) and takes the
    /// next unclaimed index until none is left, so uneven items balance out.
    public static func map<State: ~Copyable, T: Sendable>(count: Int, threads: Int, state makeState: @Sendable () -> State, _ body: @Sendable (inout State, Int) -> T) -> [T] {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            var state = makeState()
            return (0..<count).map { body(&state, $0) }
        }
        let slots = Slots<T>(buffer: .allocate(capacity: count))
        slots.buffer.initialize(repeating: nil)
        defer { slots.buffer.deinitialize(); slots.buffer.deallocate() }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var state = makeState()
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < count else { break }
                // Each index is claimed by exactly one thread, so slots never race.
                slots.buffer[i] = body(&state, i)
            }
        }
        return slots.buffer.map { $0! }
    }

    /// Result storage shared by the worker threads; each slot is written by one thread, read after all finish.
    private struct Slots<T>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<T?>
    }
}
