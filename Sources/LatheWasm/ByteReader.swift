/// A cursor over wasm bytes that decodes LEB128 integers, names and values with checked bounds.
///
/// Positions are absolute offsets into `bytes`, so errors report file offsets directly.
public struct ByteReader {
    /// The bytes; indices are absolute offsets (a slice keeps the offsets of the file it came from).
    public let bytes: ArraySlice<UInt8>
    public var position: Int
    /// Reading stops here (end of the current section or body).
    public var limit: Int
    /// Section name used in error messages.
    public var section: String?
    public var function: UInt32?
    /// Set when an integer was encoded with more LEB128 bytes than needed.
    public var sawNonCanonicalInteger = false

    public init(bytes: ArraySlice<UInt8>, position: Int? = nil, limit: Int? = nil) {
        self.bytes = bytes
        self.position = position ?? bytes.startIndex
        self.limit = limit ?? bytes.endIndex
    }

    public init(bytes: [UInt8]) {
        self.init(bytes: bytes[...])
    }

    public var remaining: Int { limit - position }
    public var isAtEnd: Bool { position >= limit }

    public func error(_ message: String, at offset: Int? = nil) -> WasmError {
        WasmError(offset: offset ?? position, section: section, function: function, message: message)
    }

    @inline(__always)
    public mutating func readByte() throws(WasmError) -> UInt8 {
        guard position < limit else { throw error("unexpected end: expected a byte") }
        let b = bytes[position]
        position += 1
        return b
    }

    public mutating func readBytes(_ count: Int) throws(WasmError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw error("unexpected end: expected \(count) bytes, \(remaining) left")
        }
        let slice = bytes[position..<position + count]
        position += count
        return slice
    }

    /// Unsigned LEB128 of at most `bits` bits; rejects overlong encodings and unused bits set.
    @inline(__always)
    public mutating func readUnsigned(bits: Int) throws(WasmError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift = 0
        while true {
            guard position < limit else { throw error("unexpected end: LEB128 integer cut off", at: start) }
            let byte = bytes[position]
            position += 1
            let payload = UInt64(byte & 0x7F)
            if shift + 7 > bits {
                // Last permitted byte: the continuation bit and the bits above `bits` must be clear.
                let usable = bits - shift
                if byte & 0x80 != 0 { throw error("integer representation too long", at: start) }
                if usable < 7 && (payload >> UInt64(usable)) != 0 { throw error("integer too large", at: start) }
                result |= payload << UInt64(shift)
                if byte == 0 { sawNonCanonicalInteger = true }
                return result
            }
            result |= payload << UInt64(shift)
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 { sawNonCanonicalInteger = true }
                return result
            }
            shift += 7
        }
    }

    /// Signed LEB128 of at most `bits` bits; the unused bits of the last byte must be sign bits.
    @inline(__always)
    public mutating func readSigned(bits: Int) throws(WasmError) -> Int64 {
        let start = position
        var result: Int64 = 0
        var shift = 0
        while true {
            guard position < limit else { throw error("unexpected end: LEB128 integer cut off", at: start) }
            let byte = bytes[position]
            position += 1
            let payload = Int64(byte & 0x7F)
            if shift + 7 >= bits {
                let usable = bits - shift  // 1...7 bits of this byte carry the value
                if byte & 0x80 != 0 { throw error("integer representation too long", at: start) }
                // Bits from `usable - 1` (the sign bit) up to 6 must all be equal.
                let signAndUnused = payload >> Int64(usable - 1)
                let allOnes = Int64((1 << (7 - usable + 1)) - 1)
                if signAndUnused != 0 && signAndUnused != allOnes { throw error("integer too large", at: start) }
                result |= payload << Int64(shift)
                if shift + 7 < 64 && (payload & 0x40) != 0 { result |= -1 << Int64(shift + 7) }
                if shift > 0 { noteSignedPadding(byte, previous: bytes[position - 2]) }
                return result
            }
            result |= payload << Int64(shift)
            shift += 7
            if byte & 0x80 == 0 {
                if payload & 0x40 != 0 && shift < 64 { result |= -1 << Int64(shift) }
                if shift > 7 { noteSignedPadding(byte, previous: bytes[position - 2]) }
                return result
            }
        }
    }

    /// A last byte that only repeats the sign of the byte before it was not needed.
    @inline(__always)
    mutating func noteSignedPadding(_ last: UInt8, previous: UInt8) {
        if (last == 0 && previous & 0x40 == 0) || (last == 0x7F && previous & 0x40 != 0) { sawNonCanonicalInteger = true }
    }

    // The one-byte encodings (most integers in code) are decoded inline; longer ones out of line
    // (keeping the inlined part small enough to be inlined into the validator's loop).

    @inline(__always)
    public mutating func readU32() throws(WasmError) -> UInt32 {
        if position < limit {
            let b = bytes[position]
            if b < 0x80 {
                position += 1
                return UInt32(b)
            }
        }
        return try readU32Long()
    }

    @inline(never) mutating func readU32Long() throws(WasmError) -> UInt32 { UInt32(try readUnsigned(bits: 32)) }

    @inline(__always)
    public mutating func readU64() throws(WasmError) -> UInt64 {
        if position < limit {
            let b = bytes[position]
            if b < 0x80 {
                position += 1
                return UInt64(b)
            }
        }
        return try readU64Long()
    }

    @inline(never) mutating func readU64Long() throws(WasmError) -> UInt64 { try readUnsigned(bits: 64) }

    @inline(__always)
    public mutating func readS32() throws(WasmError) -> Int32 {
        if position < limit {
            let b = bytes[position]
            if b < 0x80 {
                position += 1
                return Int32(Int8(bitPattern: b << 1) >> 1)  // sign-extend 7 bits
            }
        }
        return try readS32Long()
    }

    @inline(never) mutating func readS32Long() throws(WasmError) -> Int32 { Int32(try readSigned(bits: 32)) }

    @inline(__always)
    public mutating func readS64() throws(WasmError) -> Int64 {
        if position < limit {
            let b = bytes[position]
            if b < 0x80 {
                position += 1
                return Int64(Int8(bitPattern: b << 1) >> 1)
            }
        }
        return try readS64Long()
    }

    @inline(never) mutating func readS64Long() throws(WasmError) -> Int64 { try readSigned(bits: 64) }

    public mutating func readFixed32() throws(WasmError) -> UInt32 {
        let s = try readBytes(4)
        var v: UInt32 = 0
        for (i, b) in s.enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        return v
    }

    public mutating func readFixed64() throws(WasmError) -> UInt64 {
        let s = try readBytes(8)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    /// A vector length, checked against the bytes left (each element takes at least `minElementSize`).
    public mutating func readCount(_ what: String, minElementSize: Int = 1) throws(WasmError) -> Int {
        let start = position
        let n = try readU32()
        if Int(n) > remaining / max(minElementSize, 1) && n > 0 {
            throw error("\(what) count \(n) is larger than the \(remaining) bytes left could hold", at: start)
        }
        return Int(n)
    }

    /// A length-prefixed UTF-8 name.
    public mutating func readName() throws(WasmError) -> String {
        let start = position
        let n = try readU32()
        guard Int(n) <= remaining else { throw error("unexpected end: name of \(n) bytes, \(remaining) left", at: start) }
        let raw = try readBytes(Int(n))
        guard let s = String(validating: raw, as: UTF8.self) else { throw error("malformed UTF-8 encoding in name", at: start) }
        return s
    }
}
