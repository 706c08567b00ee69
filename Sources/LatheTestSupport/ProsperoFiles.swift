import Foundation

/// The Prospero challenge files (`.vm` programs, reference images) used by tests.
public enum ProsperoFiles {
    /// `$LATHE_PROSPERO_DIR`, else `shared/prospero` beside the repository.
    public static func directory(repositoryRoot: URL) -> URL {
        if let env = ProcessInfo.processInfo.environment["LATHE_PROSPERO_DIR"] { return URL(fileURLWithPath: env) }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/prospero")
    }

    /// Width, height and pixels of a binary PGM (`P5`, maxval 255, no comments), or nil.
    public static func readPGM(_ bytes: [UInt8]) -> (width: Int, height: Int, pixels: [UInt8])? {
        var fields: [Int] = []
        var i = 2
        guard bytes.starts(with: Array("P5".utf8)) else { return nil }
        while fields.count < 3 {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
            var n = 0, digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { n = n * 10 + Int(bytes[i] - 0x30); i += 1; digits += 1 }
            guard digits > 0 else { return nil }
            fields.append(n)
        }
        i += 1  // the single whitespace byte before the raster
        guard fields[2] == 255, bytes.count - i == fields[0] * fields[1] else { return nil }
        return (fields[0], fields[1], Array(bytes[i...]))
    }
}
