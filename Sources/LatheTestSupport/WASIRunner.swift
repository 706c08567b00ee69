import Foundation
import WasmKit
import WasmKitWASI

/// What a run of a WASI command printed and returned.
public struct WASIRun: Equatable, Sendable {
    public var stdout: String
    public var exitCode: UInt32
}

/// Runs WASI command modules on WasmKit's engine, capturing standard output.
public enum WASIRunner {
    /// Runs `bytes` as a WASI command named `name`, with stdout captured in a temporary file.
    public static func run(_ bytes: [UInt8], name: String) throws -> WASIRun {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-wasi-\(getpid())-\(name).out").path
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd); unlink(path) }
        let wasi = try WASIBridgeToHost(args: [name], stdout: fd)
        let code = try wasi.runAndClose { wasi -> UInt32 in
            let module = try parseWasm(bytes: bytes)
            let engine = Engine()
            let store = Store(engine: engine)
            var imports = Imports()
            wasi.link(to: &imports, store: store)
            let instance = try module.instantiate(store: store, imports: imports)
            return try wasi.start(instance)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return WASIRun(stdout: text, exitCode: code)
    }
}
