import Foundation
import LatheWasm
import WAT
import WasmParser

/// Loads the modules of the official WebAssembly spec test suite (`.wast`) through WasmKit's parser.
public enum SpecSuite {
    /// What the suite says about a module.
    public enum Expectation: String, Sendable {
        /// A module the suite instantiates or links: it must read and validate.
        case valid
        /// `assert_malformed` with a binary module: the reader must reject it.
        case malformed
        /// `assert_invalid`: the validator (or the reader) must reject it.
        case invalid
    }

    public struct Case: Sendable {
        public var file: String
        public var location: Location
        /// 1-based line of the module in the script (computed on demand: it scans the script).
        public var line: Int { location.computeLineAndColumn().line }
        public var expectation: Expectation
        public var bytes: [UInt8]
        /// The suite's message for malformed and invalid modules.
        public var message: String
        /// The module was given in the binary format in the script.
        public var isBinary: Bool
    }

    /// A module the harness could not turn into bytes, and why.
    public struct Skip: Sendable {
        public var file: String
        public var location: Location?
        public var reason: String
        public var line: Int { location?.computeLineAndColumn().line ?? 0 }
    }

    /// The suite directory: `$LATHE_SPEC_SUITE`, else `shared/wasm-testsuite` beside the repository.
    public static func directory(repositoryRoot: URL) -> URL {
        if let env = ProcessInfo.processInfo.environment["LATHE_SPEC_SUITE"] { return URL(fileURLWithPath: env) }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/wasm-testsuite")
    }

    /// All `.wast` files: the core suite, `legacy/` (old exception handling) and `proposals/threads/`.
    public static func files(in directory: URL) -> [URL] {
        let fm = FileManager.default
        var out: [URL] = []
        for sub in ["", "legacy", "legacy/exceptions", "proposals/threads"] {
            let dir = sub.isEmpty ? directory : directory.appendingPathComponent(sub)
            guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { continue }
            for n in names.sorted() where n.hasSuffix(".wast") { out.append(dir.appendingPathComponent(n)) }
        }
        return out
    }

    /// The modules of one script, with skips for what WasmKit's parser or encoder cannot produce.
    public static func cases(in file: URL, relativeTo root: URL) -> (cases: [Case], skips: [Skip]) {
        let name = String(file.path.dropFirst(root.path.count + 1))
        var cases: [Case] = []
        var skips: [Skip] = []
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            return ([], [Skip(file: name, location: nil, reason: "file is not UTF-8 text")])
        }
        guard var wast = try? parseWAST(text, features: .all) else {
            return ([], [Skip(file: name, location: nil, reason: "WasmKit cannot start parsing the script")])
        }
        func add(_ source: ModuleSource, _ expectation: Expectation, _ message: String, _ line: Location) {
            switch source {
            case .binary(let bytes):
                cases.append(Case(file: name, location: line, expectation: expectation, bytes: bytes, message: message, isBinary: true))
            case .quote:
                skips.append(Skip(file: name, location: line, reason: "quoted text module: tests the text parser, not the binary reader"))
            case .text(var wat):
                do {
                    let bytes = try wat.encode()
                    cases.append(Case(file: name, location: line, expectation: expectation, bytes: bytes, message: message, isBinary: false))
                } catch {
                    let reason = expectation == .valid ? "WasmKit cannot encode the text module" : "WasmKit rejects the text module itself"
                    skips.append(Skip(file: name, location: line, reason: reason))
                }
            }
        }
        while let (result, location) = wast.nextDirectiveResult() {
            let line = location
            switch result {
            case .failure(let e):
                let what = e.module != nil ? "module" : "directive"
                skips.append(Skip(file: name, location: line, reason: "WasmKit's text parser cannot read the \(what): \(e.error)"))
            case .success(let directive):
                switch directive {
                case .module(let m): add(m.source, .valid, "", line)
                case .assertMalformed(let m, let message):
                    if case .text = m.source {
                        skips.append(Skip(file: name, location: line, reason: "text-format malformation: tests the text parser"))
                    } else {
                        add(m.source, .malformed, message, line)
                    }
                case .assertInvalid(_, let message) where name.hasPrefix("proposals/threads/")
                    && (message == "multiple memories" || message == "multiple tables"):
                    // The threads proposal predates multi-memory; Wasm 3.0 allows several memories and tables.
                    skips.append(Skip(file: name, location: line, reason: "superseded by Wasm 3.0: several memories and tables are valid"))
                case .assertInvalid(let m, let message): add(m.source, .invalid, message, line)
                case .assertUnlinkable(var wat, _):
                    if let bytes = try? wat.encode() {
                        cases.append(Case(file: name, location: line, expectation: .valid, bytes: bytes, message: "", isBinary: false))
                    } else {
                        skips.append(Skip(file: name, location: line, reason: "WasmKit cannot encode the text module"))
                    }
                case .assertTrap(.wat(var wat), _), .assertReturn(.wat(var wat), _):
                    if let bytes = try? wat.encode() {
                        cases.append(Case(file: name, location: line, expectation: .valid, bytes: bytes, message: "", isBinary: false))
                    } else {
                        skips.append(Skip(file: name, location: line, reason: "WasmKit cannot encode the text module"))
                    }
                default: break
                }
            }
        }
        return (cases, skips)
    }
}
