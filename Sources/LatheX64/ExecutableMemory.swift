#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why executable memory could not be made.
public struct ExecutableMemoryError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32
    public var description: String { "\(call) failed (errno \(errno))" }
}

/// Machine code in its own pages: mapped read-write, filled, then switched to read-execute (never
/// writable and executable at once); unmapped when the last reference goes away.
public final class ExecutableMemory: @unchecked Sendable {
    public let base: UnsafeRawPointer
    public let size: Int
    private let mappedSize: Int

    /// Maps pages for `code`, copies it in and protects them read-execute.
    public init(code: [UInt8]) throws(ExecutableMemoryError) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        mappedSize = max(page, (code.count + page - 1) / page * page)
        size = code.count
        guard let p = mmap(nil, mappedSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
            throw ExecutableMemoryError(call: "mmap", errno: errno)
        }
        code.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: code.count) }
        guard mprotect(p, mappedSize, PROT_READ | PROT_EXEC) == 0 else {
            let e = errno
            munmap(p, mappedSize)
            throw ExecutableMemoryError(call: "mprotect", errno: e)
        }
        base = UnsafeRawPointer(p)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), mappedSize) }

    /// The address `offset` bytes into the code.
    public func address(_ offset: Int) -> UnsafeRawPointer {
        precondition(offset >= 0 && offset < size)
        return base + offset
    }
}
