/// LEB128 encoding and a lenient view of a module's sections and function bodies, for the mutator.
enum MutationLEB {
    /// The unsigned LEB128 encoding of `value`, padded with continuation bytes to at least `minLength` bytes.
    static func unsigned(_ value: UInt64, minLength: Int = 1) -> [UInt8] {
        var out: [UInt8] = []
        var v = value
        repeat {
            var byte = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 || out.count + 1 < minLength { byte |= 0x80 }
            out.append(byte)
        } while v != 0 || out.count < minLength
        return out
    }

    /// Decodes an unsigned LEB128 of at most `maxBytes` bytes at `offset`; nil if it runs off the end or is too long.
    static func decode(_ bytes: [UInt8], at offset: Int, maxBytes: Int = 10) -> (value: UInt64, length: Int)? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while i < bytes.count, i - offset < maxBytes {
            let b = bytes[i]
            if shift < 64 { result |= UInt64(b & 0x7F) << shift }
            shift += 7
            i += 1
            if b & 0x80 == 0 { return (result, i - offset) }
        }
        return nil
    }
}

/// A module cut into its sections; bytes after the last whole section are kept as a tail.
struct MutationSections {
    struct Section {
        var id: UInt8
        var payload: [UInt8]
    }

    var header: [UInt8]
    var sections: [Section]
    var tail: [UInt8]

    /// Cuts `bytes` at section boundaries as far as the declared sizes allow; nil when there is no 8-byte header.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        header = Array(bytes[0..<8])
        sections = []
        var i = 8
        while i < bytes.count {
            guard let (size, n) = MutationLEB.decode(bytes, at: i + 1, maxBytes: 5),
                  i + 1 + n + Int(size) <= bytes.count else { break }
            let start = i + 1 + n
            sections.append(Section(id: bytes[i], payload: Array(bytes[start..<start + Int(size)])))
            i = start + Int(size)
        }
        tail = Array(bytes[i...])
    }

    /// The bytes again, every section size re-encoded canonically.
    var bytes: [UInt8] {
        var out = header
        for s in sections {
            out.append(s.id)
            out += MutationLEB.unsigned(UInt64(s.payload.count))
            out += s.payload
        }
        return out + tail
    }

    /// Indices of sections with id `id`.
    func indices(of id: UInt8) -> [Int] { sections.indices.filter { sections[$0].id == id } }
}

/// A vector payload (code section) cut into its entries, each with its size prefix removed.
struct MutationVector {
    var entries: [[UInt8]]
    var tail: [UInt8]

    /// Cuts a code section payload: count, then size-prefixed bodies; nil when the count cannot be read.
    init?(codePayload p: [UInt8]) {
        guard let (count, n) = MutationLEB.decode(p, at: 0, maxBytes: 5) else { return nil }
        entries = []
        var i = n
        while entries.count < Int(min(count, 100_000)), i < p.count {
            guard let (size, m) = MutationLEB.decode(p, at: i, maxBytes: 5), i + m + Int(size) <= p.count else { break }
            entries.append(Array(p[(i + m)..<(i + m + Int(size))]))
            i += m + Int(size)
        }
        tail = Array(p[i...])
    }

    /// The payload again with canonical count and sizes.
    var codePayload: [UInt8] {
        var out = MutationLEB.unsigned(UInt64(entries.count))
        for e in entries { out += MutationLEB.unsigned(UInt64(e.count)) + e }
        return out + tail
    }
}
