/// Appends the binary encoding of values, types and instructions to a byte buffer.
public struct ByteWriter {
    public var bytes: [UInt8] = []

    public init() {}

    @inline(__always) public mutating func byte(_ b: UInt8) { bytes.append(b) }
    public mutating func append<S: Sequence>(contentsOf s: S) where S.Element == UInt8 { bytes.append(contentsOf: s) }

    public mutating func unsigned(_ value: UInt64) {
        var v = value
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { b |= 0x80 }
            bytes.append(b)
        } while v != 0
    }

    /// The number of bytes `unsigned(value)` writes.
    public static func unsignedSize(_ value: UInt64) -> Int {
        var n = 1, v = value >> 7
        while v != 0 { n += 1; v >>= 7 }
        return n
    }

    public mutating func u32(_ v: UInt32) { unsigned(UInt64(v)) }
    public mutating func u32(_ v: Int) { unsigned(UInt64(v)) }

    public mutating func signed(_ value: Int64) {
        var v = value
        while true {
            let b = UInt8(truncatingIfNeeded: v) & 0x7F
            v >>= 7
            if (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0) {
                bytes.append(b)
                return
            }
            bytes.append(b | 0x80)
        }
    }

    public mutating func fixed32(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    public mutating func fixed64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    public mutating func name(_ s: String) {
        u32(s.utf8.count)
        bytes.append(contentsOf: s.utf8)
    }

    /// Writes a length-prefixed payload produced by `body`.
    ///
    /// The payload is written in place and its length inserted before it afterwards (one move of
    /// the payload, no second buffer).
    public mutating func sized(_ body: (inout ByteWriter) -> Void) {
        let start = bytes.count
        body(&self)
        var prefix = ByteWriter()
        prefix.unsigned(UInt64(bytes.count - start))
        bytes.insert(contentsOf: prefix.bytes, at: start)
    }

    // MARK: types

    public mutating func heapType(_ h: HeapType) {
        switch h {
        case .abstract(let a): byte(a.rawValue)
        case .concrete(let i): signed(Int64(i))
        }
    }

    /// Nullable abstract references use their one-byte shorthand.
    public mutating func refType(_ r: RefType) {
        if r.nullable, case .abstract(let a) = r.heapType {
            byte(a.rawValue)
            return
        }
        byte(r.nullable ? 0x63 : 0x64)
        heapType(r.heapType)
    }

    public mutating func valType(_ t: ValType) {
        switch t {
        case .i32: byte(0x7F)
        case .i64: byte(0x7E)
        case .f32: byte(0x7D)
        case .f64: byte(0x7C)
        case .v128: byte(0x7B)
        case .ref(let r): refType(r)
        }
    }

    public mutating func blockType(_ b: BlockType) {
        switch b {
        case .empty: byte(0x40)
        case .value(let t): valType(t)
        case .typeIndex(let i): signed(Int64(i))
        }
    }

    public mutating func limits(_ l: Limits) {
        var flags: UInt8 = 0
        if l.max != nil { flags |= 1 }
        if l.shared { flags |= 2 }
        if l.is64 { flags |= 4 }
        byte(flags)
        unsigned(l.min)
        if let m = l.max { unsigned(m) }
    }

    public mutating func fieldType(_ f: FieldType) {
        switch f.storage {
        case .i8: byte(0x78)
        case .i16: byte(0x77)
        case .val(let t): valType(t)
        }
        byte(f.mutable ? 1 : 0)
    }

    public mutating func compositeType(_ c: CompositeType) {
        switch c {
        case .func(let f):
            byte(0x60)
            u32(f.params.count)
            for p in f.params { valType(p) }
            u32(f.results.count)
            for r in f.results { valType(r) }
        case .struct(let fields):
            byte(0x5F)
            u32(fields.count)
            for f in fields { fieldType(f) }
        case .array(let f):
            byte(0x5E)
            fieldType(f)
        }
    }

    public mutating func subType(_ s: SubType) {
        if s.isFinal && s.supertypes.isEmpty && !s.explicitSubPrefix {
            compositeType(s.composite)
            return
        }
        byte(s.isFinal ? 0x4F : 0x50)
        u32(s.supertypes.count)
        for t in s.supertypes { u32(t) }
        compositeType(s.composite)
    }

    public mutating func recGroup(_ g: RecGroup) {
        if g.types.count == 1 && !g.explicitRec {
            subType(g.types[0])
            return
        }
        byte(0x4E)
        u32(g.types.count)
        for t in g.types { subType(t) }
    }

    // MARK: instructions

    public mutating func memArg(_ m: MemArg) {
        if m.memory != 0 {
            u32(m.align | 0x40)
            u32(m.memory)
        } else {
            u32(m.align)
        }
        unsigned(m.offset)
    }

    /// Writes an opcode's bytes (a prefix byte and a LEB128 code for prefixed opcodes).
    public mutating func opcode(_ op: Opcode) {
        let encoding = Opcode.encodings[Int(op.rawValue)]
        if encoding.prefix == 0 {
            byte(UInt8(encoding.code))
        } else {
            byte(encoding.prefix)
            u32(encoding.code)
        }
    }

    /// Writes one instruction: opcode bytes from the opcode table, then its immediates.
    public mutating func writeInstruction(_ inst: Instruction) {
        opcode(inst.opcode)
        switch inst.immediate {
        case .none: break
        case .index(let i): u32(i)
        case .indexPair(let a, let b): u32(a); u32(b)
        case .blockType(let b): blockType(b)
        case .brTable(let targets, let d):
            u32(targets.count)
            for t in targets { u32(t) }
            u32(d)
        case .memArg(let m): memArg(m)
        case .memArgLane(let m, let lane): memArg(m); byte(lane)
        case .lane(let l): byte(l)
        case .i32(let v): signed(Int64(v))
        case .i64(let v): signed(v)
        case .f32(let bits): fixed32(bits)
        case .f64(let bits): fixed64(bits)
        case .v128(let v): fixed64(v.lo); fixed64(v.hi)
        case .heapType(let h): heapType(h)
        case .valTypes(let ts):
            u32(ts.count)
            for t in ts { valType(t) }
        case .brOnCast(let flags, let label, let source, let target):
            byte(flags); u32(label); heapType(source); heapType(target)
        case .tryTable(let bt, let clauses):
            blockType(bt)
            u32(clauses.count)
            for c in clauses {
                byte(c.kind.rawValue)
                if c.kind == .catch || c.kind == .catchRef { u32(c.tag) }
                u32(c.label)
            }
        case .byte(let b): byte(b)
        }
    }
}
