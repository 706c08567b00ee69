import CZlib

/// Image files for 8-bit grayscale pixels, row by row from the top.
enum GrayImage {
    /// Binary PGM (`P5`).
    static func pgm(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        Array("P5\n\(width) \(height)\n255\n".utf8) + pixels
    }

    /// PNG, colour type 0 at bit depth 8, rows with filter 0, compressed by zlib's deflate.
    static func png(width: Int, height: Int, pixels: [UInt8]) throws -> [UInt8] {
        var raw = [UInt8]()
        raw.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        appendBigEndian(&header, UInt32(width))
        appendBigEndian(&header, UInt32(height))
        header += [8, 0, 0, 0, 0]
        appendChunk(&out, "IHDR", header)
        appendChunk(&out, "IDAT", try zlibCompress(raw))
        appendChunk(&out, "IEND", [])
        return out
    }

    private static func appendBigEndian(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }

    /// Length, type, data, and the CRC-32 of type and data.
    private static func appendChunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        appendBigEndian(&out, UInt32(data.count))
        let typed = Array(type.utf8) + data
        out += typed
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
        appendBigEndian(&out, UInt32(crc))
    }

    /// A zlib stream (RFC 1950) of the bytes at the default level.
    private static func zlibCompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var size = compressBound(UInt(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let rc = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, UInt(i.count), Z_DEFAULT_COMPRESSION) }
        }
        guard rc == Z_OK else { throw CLIError("zlib compress failed (\(rc))") }
        return Array(out[0..<Int(size)])
    }
}
