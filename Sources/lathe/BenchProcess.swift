import Foundation
import LatheOpt
#if canImport(Glibc)
import Glibc
#endif

/// A finished child process: exit status, wall time, peak resident memory (from wait4's rusage) and captured output.
struct ChildResult {
    /// The exit code, or 128 + the signal number when a signal ended it.
    var status: Int32
    var wallNanoseconds: UInt64
    /// User plus system CPU time of the child (`ru_utime` + `ru_stime`).
    var cpuNanoseconds: UInt64
    /// Peak resident set size in KiB (`ru_maxrss`).
    var peakKiB: Int
    var stdout: [UInt8]
    var stderr: [UInt8]

    var errorText: String {
        let text = String(decoding: stderr.isEmpty ? stdout : stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return "exit status \(status)" + (text.isEmpty ? "" : ": " + String(text.prefix(300)))
    }
}

/// Runs a program (looked up on PATH when it has no slash) with stdout and stderr captured in files under `scratch`.
func runChild(_ argv: [String], scratch: String) throws -> ChildResult {
    precondition(!argv.isEmpty)
    let outPath = scratch + "/child.stdout", errPath = scratch + "/child.stderr"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    let start = monotonicNanoseconds()
    let rc = posix_spawnp(&pid, argv[0], &actions, nil, &cArgs, environ)
    guard rc == 0 else { throw CLIError("\(argv[0]): cannot run: \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw CLIError("\(argv[0]): wait4 failed: \(String(cString: strerror(errno)))") }
    }
    let wall = monotonicNanoseconds() - start
    let signal = status & 0x7f
    let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
    let out = FileManager.default.contents(atPath: outPath).map { [UInt8]($0) } ?? []
    let err = FileManager.default.contents(atPath: errPath).map { [UInt8]($0) } ?? []
    let cpu = (UInt64(usage.ru_utime.tv_sec) + UInt64(usage.ru_stime.tv_sec)) * 1_000_000_000
        + (UInt64(usage.ru_utime.tv_usec) + UInt64(usage.ru_stime.tv_usec)) * 1000
    return ChildResult(status: code, wallNanoseconds: wall, cpuNanoseconds: cpu, peakKiB: Int(usage.ru_maxrss), stdout: out, stderr: err)
}

/// The path of a program on PATH (or the path itself when it names an executable file), or nil.
func findExecutable(_ name: String) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Splits a command template into words: whitespace separates, single or double quotes group.
func splitCommand(_ text: String) throws -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quote: Character?
    for ch in text {
        if let q = quote {
            if ch == q { quote = nil } else { current.append(ch) }
        } else if ch == "'" || ch == "\"" {
            quote = ch
            inWord = true
        } else if ch == " " || ch == "\t" {
            if inWord { words.append(current); current = ""; inWord = false }
        } else {
            current.append(ch)
            inWord = true
        }
    }
    if quote != nil { throw CLIError("unterminated quote in command: \(text)") }
    if inWord { words.append(current) }
    return words
}
