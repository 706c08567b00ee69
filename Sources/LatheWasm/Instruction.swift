/// A memory access immediate: alignment (log2), offset, and memory index.
public struct MemArg: Sendable, Hashable {
    public var align: UInt32
    public var offset: UInt64
    public var memory: UInt32

    public init(align: UInt32, offset: UInt64, memory: UInt32 = 0) {
        self.align = align
        self.offset = offset
        self.memory = memory
    }
}

/// One handler of a `try_table`.
public struct CatchClause: Sendable, Hashable {
    public enum Kind: UInt8, Sendable {
        case `catch` = 0, catchRef = 1, catchAll = 2, catchAllRef = 3
        public var keyword: String {
            switch self {
            case .catch: "catch"
            case .catchRef: "catch_ref"
            case .catchAll: "catch_all"
            case .catchAllRef: "catch_all_ref"
            }
        }
    }
    public var kind: Kind
    /// The tag index (unused for catch_all and catch_all_ref).
    public var tag: UInt32
    public var label: UInt32

    public init(kind: Kind, tag: UInt32 = 0, label: UInt32) {
        self.kind = kind
        self.tag = tag
        self.label = label
    }
}

/// The immediate operands of one instruction.
public enum Immediate: Sendable, Hashable {
    case none
    /// A single index: label, function, type, local, global, table, tag, memory, data or element.
    case index(UInt32)
    /// Two indices: (type, table) for call_indirect, (data, memory) for memory.init, (dst, src) for
    /// memory.copy and table.copy, (elem, table) for table.init, (type, field) for struct access,
    /// (type, count) for array.new_fixed, (type, data|elem) for array segment ops, (dst, src) for array.copy.
    case indexPair(UInt32, UInt32)
    case blockType(BlockType)
    case brTable(targets: [UInt32], defaultTarget: UInt32)
    case memArg(MemArg)
    case memArgLane(MemArg, UInt8)
    case lane(UInt8)
    case i32(Int32)
    case i64(Int64)
    /// IEEE bits, so NaN payloads survive.
    case f32(UInt32)
    case f64(UInt64)
    /// v128.const value, or the 16 lane indices of i8x16.shuffle.
    case v128(V128)
    case heapType(HeapType)
    case valTypes([ValType])
    /// br_on_cast / br_on_cast_fail: bit 0 of flags = source nullable, bit 1 = target nullable.
    case brOnCast(flags: UInt8, label: UInt32, source: HeapType, target: HeapType)
    case tryTable(BlockType, [CatchClause])
    /// The reserved byte of atomic.fence.
    case byte(UInt8)
}

/// One decoded instruction.
public struct Instruction: Sendable, Hashable {
    public var opcode: Opcode
    public var immediate: Immediate

    public init(_ opcode: Opcode, _ immediate: Immediate = .none) {
        self.opcode = opcode
        self.immediate = immediate
    }

    /// The single index immediate, or nil.
    public var index: UInt32? {
        if case .index(let i) = immediate { return i }
        return nil
    }
}
