import Foundation
import WAT

/// Seed modules for the mutator, from `.wasm`, `.wat` and `.wast` files or directories of them.
public enum MutationSeeds {
    /// The modules in `paths`: `.wasm` files as they are, `.wat` files encoded, and every `(module …)`
    /// of a `.wast` script that WasmKit can encode; directories are searched (not recursively).
    /// Files that cannot be read or encoded are skipped.
    public static func load(_ paths: [String]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            let files = isDir.boolValue
                ? ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted().map { (path as NSString).appendingPathComponent($0) }
                : [path]
            for file in files { out += modules(inFile: file) }
        }
        return out
    }

    /// The modules of one file, by extension.
    public static func modules(inFile file: String) -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        if file.hasSuffix(".wasm") { return [Array(data)] }
        guard let text = String(data: data, encoding: .utf8) else { return [] }
        if file.hasSuffix(".wat") { return (try? wat2wasm(text, features: .all)).map { [$0] } ?? [] }
        guard file.hasSuffix(".wast"), var wast = try? parseWAST(text, features: .all) else { return [] }
        var out: [[UInt8]] = []
        while let (result, _) = wast.nextDirectiveResult() {
            guard case .success(.module(let m)) = result else { continue }
            switch m.source {
            case .binary(let bytes): out.append(bytes)
            case .text(let wat): if let bytes = try? wat.encode() { out.append(bytes) }
            case .quote: break
            }
        }
        return out
    }
}
