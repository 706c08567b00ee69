/// The immediates of one instruction as the validator needs them, decoded in place.
///
/// A plain value with no references, so decoding an instruction allocates nothing and copies
/// no reference counts. Lists (br_table targets, try_table clauses) go to scratch arrays of the
/// validator that keep their capacity between instructions.
struct Operands {
    /// The single index, the first of two indices, the label of br_on_cast, or the br_table default.
    var a: UInt32 = 0
    /// The second of two indices.
    var b: UInt32 = 0
    var memArg = MemArg(align: 0, offset: 0)
    /// Lane index, or the atomic.fence byte.
    var lane: UInt8 = 0
    /// br_on_cast flags.
    var flags: UInt8 = 0
    var blockType = BlockType.empty
    var heap = HeapType.abstract(.func)
    /// br_on_cast target type.
    var heap2 = HeapType.abstract(.func)
    /// Number of select types.
    var count = 0
    /// The first select type.
    var valType = ValType.i32
    var v128 = V128(lo: 0, hi: 0)
}

extension CodeValidator {
    /// Decodes the immediates of `kind` exactly as `ByteReader.readImmediate` does (same checks,
    /// same errors, same order), keeping only what validation looks at.
    @inline(__always)
    mutating func readOperands(_ kind: ImmediateKind, _ r: inout ByteReader) throws(WasmError) -> Operands {
        var o = Operands()
        switch kind {
        case .none:
            break
        case .blockType:
            o.blockType = try r.readBlockType()
        case .label, .function, .type, .local, .global, .table, .tag, .memory, .data, .elem:
            o.a = try r.readU32()
        case .brTable:
            let n = try r.readCount("br_table target")
            brTargets.removeAll(keepingCapacity: true)
            for _ in 0..<n { brTargets.append(try r.readU32()) }
            o.a = try r.readU32()
        case .callIndirect, .memoryInit, .memoryCopy, .tableInit, .tableCopy, .structField, .arrayFixed,
             .arrayData, .arrayElem, .arrayCopy:
            o.a = try r.readU32()
            o.b = try r.readU32()
        case .memArg:
            o.memArg = try r.readMemArg()
        case .memArgLane:
            o.memArg = try r.readMemArg()
            o.lane = try r.readByte()
        case .lane:
            o.lane = try r.readByte()
        case .i32:
            _ = try r.readS32()
        case .i64:
            _ = try r.readS64()
        case .f32:
            _ = try r.readBytes(4)
        case .f64:
            _ = try r.readBytes(8)
        case .v128, .shuffle:
            let lo = try r.readFixed64()
            o.v128 = V128(lo: lo, hi: try r.readFixed64())
        case .heapType:
            o.heap = try r.readHeapType()
        case .selectTypes:
            let n = try r.readCount("select type")
            for i in 0..<n {
                let t = try r.readValType()
                if i == 0 { o.valType = t }
            }
            o.count = n
        case .brOnCast:
            let flagsAt = r.position
            let flags = try r.readByte()
            guard flags <= 3 else { throw r.error("malformed br_on_cast flags 0x\(String(flags, radix: 16))", at: flagsAt) }
            o.flags = flags
            o.a = try r.readU32()
            o.heap = try r.readHeapType()
            o.heap2 = try r.readHeapType()
        case .tryTable:
            o.blockType = try r.readBlockType()
            let n = try r.readCount("catch clause", minElementSize: 2)
            catchClauses.removeAll(keepingCapacity: true)
            for _ in 0..<n {
                let kindAt = r.position
                let k = try r.readByte()
                guard let kind = CatchClause.Kind(rawValue: k) else {
                    throw r.error("malformed catch clause kind 0x\(String(k, radix: 16))", at: kindAt)
                }
                let tag = (kind == .catch || kind == .catchRef) ? try r.readU32() : 0
                catchClauses.append(CatchClause(kind: kind, tag: tag, label: try r.readU32()))
            }
        case .atomicFence:
            let at = r.position
            let b = try r.readByte()
            guard b == 0 else { throw r.error("malformed atomic.fence: zero byte expected", at: at) }
            o.lane = b
        }
        return o
    }
}
