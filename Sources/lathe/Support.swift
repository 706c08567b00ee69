import Foundation
import LatheWasm
import WAT

/// A failure to report as `lathe: error: ...` with a non-zero exit, without a stack trace.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Prints the error the way every subcommand reports it and returns the exit code to use.
func report(_ error: Error) -> Int32 {
    let text: String
    if let e = error as? CLIError { text = e.description } else { text = "\(error)" }
    FileHandle.standardError.write(Data("lathe: error: \(text)\n".utf8))
    return 1
}

/// Reads a file's bytes, naming the file in the error.
func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            throw CLIError("\(path): \(isDir.boolValue ? "is a directory" : "cannot be read")")
        }
        throw CLIError("\(path): no such file")
    }
    return [UInt8](data)
}

/// Whether the file holds the text format (by extension, or by not starting with the wasm magic).
func isTextFormat(_ path: String, _ bytes: [UInt8]) -> Bool {
    if path.hasSuffix(".wat") || path.hasSuffix(".wast") { return true }
    if path.hasSuffix(".wasm") { return false }
    return !bytes.starts(with: [0x00, 0x61, 0x73, 0x6D])
}

/// The binary bytes of a `.wasm` or `.wat` file (text through WasmKit's `wat2wasm`).
func loadBinary(_ path: String) throws -> [UInt8] {
    let bytes = try readFile(path)
    guard isTextFormat(path, bytes) else { return bytes }
    guard let text = String(bytes: bytes, encoding: .utf8) else { throw CLIError("\(path): text format file is not valid UTF-8") }
    do {
        return try wat2wasm(text, features: .all, options: EncodeOptions(nameSection: true))
    } catch {
        throw CLIError("\(path): \(error)")
    }
}

/// Reads a module from a file, naming the file in errors.
///
/// With `validating: true` the caller validates next, so bodies are decoded once, by the validator.
func loadModule(_ path: String, validating: Bool = false) throws -> (module: Module, bytes: [UInt8]) {
    let bytes = try loadBinary(path)
    do {
        return (try ModuleReader.read(bytes, checkBodies: !validating), bytes)
    } catch {
        throw CLIError("\(path): \(error)")
    }
}

/// Validates, naming the file and the function (by its name-section name) in errors.
func validateModule(_ module: Module, path: String) throws {
    do {
        try ModuleValidator.validate(module)
    } catch var e {
        if let f = e.function, e.functionName == nil { e.functionName = module.names?.functions[f] }
        throw CLIError("\(path): \(e)")
    }
}

/// Writes bytes to a temporary file beside the destination and renames it into place,
/// so a failure never leaves a partly written output.
func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent()
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    do {
        try Data(bytes).write(to: tmp)
        // rename(2) replaces an existing file atomically; on failure the old output stays.
        guard rename(tmp.path, path) == 0 else {
            throw CLIError(String(cString: strerror(errno)))
        }
    } catch {
        try? FileManager.default.removeItem(at: tmp)
        let why = (error as? CLIError)?.description ?? error.localizedDescription
        throw CLIError("\(path): cannot write output: \(why)")
    }
}
