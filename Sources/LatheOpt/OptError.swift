/// A pipeline that cannot be built: an unknown pass or level, or a malformed pass list.
public enum OptError: Error, Equatable, CustomStringConvertible {
    case unknownPass(String)
    case unknownLevel(String)
    case emptyPassName(String)

    public var description: String {
        switch self {
        case .unknownPass(let name): "unknown pass '\(name)' (`lathe passes` lists the passes)"
        case .unknownLevel(let level): "-O\(level): unknown optimization level (use -O0, -O1, -O2, -O3, -Os or -Oz)"
        case .emptyPassName(let list): "pass list '\(list)' has an empty pass name"
        }
    }
}

/// A pass left a function that does not verify.
public struct PassVerificationFailure: Error, Sendable, CustomStringConvertible {
    public var pass: String
    public var function: String
    /// The verifier's report on the function after the pass.
    public var report: String

    public var description: String { "pass '\(pass)' broke function '\(function)'; the verifier says:\n\(report)" }
}
