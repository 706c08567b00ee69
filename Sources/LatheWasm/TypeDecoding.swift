/// Decoding of types and instruction immediates, shared by the module reader and instruction decoder.
extension ByteReader {
    public mutating func readHeapType() throws(WasmError) -> HeapType {
        let start = position
        guard position < limit else { throw error("unexpected end: expected a heap type") }
        let b = bytes[position]
        if let abs = AbstractHeapType(rawValue: b) {
            position += 1
            return .abstract(abs)
        }
        let v = try readSigned(bits: 33)
        guard v >= 0 else { throw error("malformed heap type 0x\(String(b, radix: 16))", at: start) }
        guard v <= Int64(UInt32.max) else { throw error("heap type index too large", at: start) }
        return .concrete(UInt32(v))
    }

    /// A reference type: a one-byte shorthand or 0x63/0x64 followed by a heap type.
    public mutating func readRefType() throws(WasmError) -> RefType {
        let start = position
        let b = try readByte()
        switch b {
        case 0x63: return RefType(nullable: true, heapType: try readHeapType())
        case 0x64: return RefType(nullable: false, heapType: try readHeapType())
        default:
            if let abs = AbstractHeapType(rawValue: b) { return RefType(nullable: true, heapType: .abstract(abs)) }
            throw error("malformed reference type 0x\(String(b, radix: 16))", at: start)
        }
    }

    public mutating func readValType() throws(WasmError) -> ValType {
        let start = position
        guard position < limit else { throw error("unexpected end: expected a value type") }
        switch bytes[position] {
        case 0x7F: position += 1; return .i32
        case 0x7E: position += 1; return .i64
        case 0x7D: position += 1; return .f32
        case 0x7C: position += 1; return .f64
        case 0x7B: position += 1; return .v128
        case 0x63, 0x64: return .ref(try readRefType())
        case let b:
            if AbstractHeapType(rawValue: b) != nil { return .ref(try readRefType()) }
            throw error("malformed value type 0x\(String(b, radix: 16))", at: start)
        }
    }

    public mutating func readBlockType() throws(WasmError) -> BlockType {
        let start = position
        guard position < limit else { throw error("unexpected end: expected a block type") }
        let b = bytes[position]
        if b == 0x40 { position += 1; return .empty }
        switch b {
        case 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x63, 0x64: return .value(try readValType())
        default:
            if AbstractHeapType(rawValue: b) != nil { return .value(try readValType()) }
        }
        let v = try readSigned(bits: 33)
        guard v >= 0 else { throw error("malformed block type 0x\(String(b, radix: 16))", at: start) }
        return .typeIndex(UInt32(v))
    }

    public mutating func readMemArg() throws(WasmError) -> MemArg {
        let start = position
        let flags = try readU32()
        var memory: UInt32 = 0
        var align = flags
        if flags & 0x40 != 0 {
            align = flags & ~0x40
            memory = try readU32()
        }
        guard align < 0x40 else { throw error("malformed memop flags: alignment exponent \(align)", at: start) }
        let offset = try readU64()
        return MemArg(align: align, offset: offset, memory: memory)
    }

    public mutating func readStorageType() throws(WasmError) -> StorageType {
        guard position < limit else { throw error("unexpected end: expected a storage type") }
        switch bytes[position] {
        case 0x78: position += 1; return .i8
        case 0x77: position += 1; return .i16
        default: return .val(try readValType())
        }
    }

    public mutating func readMutability() throws(WasmError) -> Bool {
        let start = position
        let b = try readByte()
        guard b <= 1 else { throw error("malformed mutability 0x\(String(b, radix: 16))", at: start) }
        return b == 1
    }

    public mutating func readFieldType() throws(WasmError) -> FieldType {
        let storage = try readStorageType()
        return FieldType(storage: storage, mutable: try readMutability())
    }

    /// Limits with their flags byte: bit 0 max present, bit 1 shared, bit 2 64-bit addresses.
    public mutating func readLimits(allowShared: Bool) throws(WasmError) -> Limits {
        let start = position
        let flags = try readByte()
        guard flags & ~0x07 == 0 else { throw error("malformed limits flags 0x\(String(flags, radix: 16))", at: start) }
        let is64 = flags & 0x04 != 0
        let shared = flags & 0x02 != 0
        if shared && !allowShared { throw error("malformed limits flags: tables cannot be shared", at: start) }
        // Wasm 3.0 reads every limit as u64; validation bounds it by the address type.
        let min = try readU64()
        var max: UInt64? = nil
        if flags & 0x01 != 0 { max = try readU64() }
        return Limits(min: min, max: max, shared: shared, is64: is64)
    }

    public mutating func readTableType() throws(WasmError) -> TableType {
        let element = try readRefType()
        return TableType(elementType: element, limits: try readLimits(allowShared: false))
    }

    public mutating func readGlobalType() throws(WasmError) -> GlobalType {
        let t = try readValType()
        return GlobalType(valueType: t, mutable: try readMutability())
    }

    public mutating func readCompositeType() throws(WasmError) -> CompositeType {
        let start = position
        let form = try readByte()
        switch form {
        case 0x60:
            let np = try readCount("parameter")
            var params: [ValType] = []
            params.reserveCapacity(np)
            for _ in 0..<np { params.append(try readValType()) }
            let nr = try readCount("result")
            var results: [ValType] = []
            results.reserveCapacity(nr)
            for _ in 0..<nr { results.append(try readValType()) }
            return .func(FuncType(params: params, results: results))
        case 0x5F:
            let n = try readCount("field", minElementSize: 2)
            var fields: [FieldType] = []
            fields.reserveCapacity(n)
            for _ in 0..<n { fields.append(try readFieldType()) }
            return .struct(fields)
        case 0x5E:
            return .array(try readFieldType())
        default:
            throw error("malformed type form 0x\(String(form, radix: 16)): expected func (0x60), struct (0x5f) or array (0x5e)", at: start)
        }
    }

    public mutating func readSubType() throws(WasmError) -> SubType {
        guard position < limit else { throw error("unexpected end: expected a type definition") }
        let b = bytes[position]
        if b == 0x50 || b == 0x4F {
            position += 1
            let n = try readCount("supertype")
            var supers: [UInt32] = []
            for _ in 0..<n { supers.append(try readU32()) }
            let composite = try readCompositeType()
            return SubType(isFinal: b == 0x4F, supertypes: supers, composite: composite, explicitSubPrefix: true)
        }
        return SubType(isFinal: true, supertypes: [], composite: try readCompositeType())
    }

    public mutating func readRecGroup() throws(WasmError) -> RecGroup {
        guard position < limit else { throw error("unexpected end: expected a recursion group") }
        if bytes[position] == 0x4E {
            position += 1
            let n = try readCount("recursion group type")
            var types: [SubType] = []
            types.reserveCapacity(n)
            for _ in 0..<n { types.append(try readSubType()) }
            return RecGroup(types: types, explicitRec: true)
        }
        return RecGroup(types: [try readSubType()])
    }
}
