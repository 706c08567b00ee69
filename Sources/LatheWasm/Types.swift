/// Abstract heap types of Wasm 3.0 (function references, GC, exception handling).
public enum AbstractHeapType: UInt8, Sendable, Hashable, CaseIterable {
    case noExn = 0x74
    case noFunc = 0x73
    case noExtern = 0x72
    case none = 0x71
    case `func` = 0x70
    case extern = 0x6F
    case any = 0x6E
    case eq = 0x6D
    case i31 = 0x6C
    case `struct` = 0x6B
    case array = 0x6A
    case exn = 0x69

    /// The text-format keyword (`func`, `nofunc`, `any`, ...).
    public var keyword: String {
        switch self {
        case .noExn: "noexn"
        case .noFunc: "nofunc"
        case .noExtern: "noextern"
        case .none: "none"
        case .func: "func"
        case .extern: "extern"
        case .any: "any"
        case .eq: "eq"
        case .i31: "i31"
        case .struct: "struct"
        case .array: "array"
        case .exn: "exn"
        }
    }

    /// The top of the hierarchy this type belongs to (`any`, `func`, `extern` or `exn`).
    public var top: AbstractHeapType {
        switch self {
        case .func, .noFunc: .func
        case .extern, .noExtern: .extern
        case .exn, .noExn: .exn
        case .any, .eq, .i31, .struct, .array, .none: .any
        }
    }

    /// The bottom of the hierarchy this type belongs to.
    public var bottom: AbstractHeapType {
        switch top {
        case .func: .noFunc
        case .extern: .noExtern
        case .exn: .noExn
        default: .none
        }
    }
}

/// A heap type: abstract, or a concrete type index into the module's type space.
public enum HeapType: Sendable, Hashable {
    case abstract(AbstractHeapType)
    case concrete(UInt32)
}

/// A reference type: a heap type and whether null is a value of it.
public struct RefType: Sendable, Hashable {
    public var nullable: Bool
    public var heapType: HeapType

    public init(nullable: Bool, heapType: HeapType) {
        self.nullable = nullable
        self.heapType = heapType
    }

    public static let funcref = RefType(nullable: true, heapType: .abstract(.func))
    public static let externref = RefType(nullable: true, heapType: .abstract(.extern))
    public static let exnref = RefType(nullable: true, heapType: .abstract(.exn))
    /// `(ref func)`: the type of element segments given as function indices.
    public static let nonNullFuncref = RefType(nullable: false, heapType: .abstract(.func))
}

/// A value type.
public enum ValType: Sendable, Hashable {
    case i32, i64, f32, f64, v128
    case ref(RefType)

    public static let funcref = ValType.ref(.funcref)
    public static let externref = ValType.ref(.externref)

    /// Whether a local of this type has a default value (numbers, vectors and nullable references).
    public var isDefaultable: Bool {
        if case .ref(let r) = self { return r.nullable }
        return true
    }

    public var isNumeric: Bool {
        switch self {
        case .i32, .i64, .f32, .f64: true
        default: false
        }
    }
}

/// The type of a struct field or array element: a value type or a packed integer.
public enum StorageType: Sendable, Hashable {
    case val(ValType)
    case i8, i16

    /// The type a value has on the operand stack after reading this storage.
    public var unpacked: ValType {
        if case .val(let t) = self { return t }
        return .i32
    }
}

/// A struct field or array element type with its mutability.
public struct FieldType: Sendable, Hashable {
    public var storage: StorageType
    public var mutable: Bool
    public init(storage: StorageType, mutable: Bool) {
        self.storage = storage
        self.mutable = mutable
    }
}

/// A function signature.
public struct FuncType: Sendable, Hashable {
    public var params: [ValType]
    public var results: [ValType]
    public init(params: [ValType], results: [ValType]) {
        self.params = params
        self.results = results
    }
}

/// The structure of a defined type.
public enum CompositeType: Sendable, Hashable {
    case `func`(FuncType)
    case `struct`([FieldType])
    case array(FieldType)
}

/// A defined type with its place in the subtype hierarchy.
public struct SubType: Sendable, Hashable {
    public var isFinal: Bool
    public var supertypes: [UInt32]
    public var composite: CompositeType
    /// Written with the `sub` prefix even where the short form would do (final, no supertypes).
    public var explicitSubPrefix: Bool

    public init(isFinal: Bool = true, supertypes: [UInt32] = [], composite: CompositeType, explicitSubPrefix: Bool = false) {
        self.isFinal = isFinal
        self.supertypes = supertypes
        self.composite = composite
        self.explicitSubPrefix = explicitSubPrefix
    }

    public var funcType: FuncType? {
        if case .func(let f) = composite { return f }
        return nil
    }
}

/// A recursion group: types that may refer to each other.
public struct RecGroup: Sendable, Hashable {
    public var types: [SubType]
    /// Written with the `rec` prefix even where a single type would not need it.
    public var explicitRec: Bool

    public init(types: [SubType], explicitRec: Bool = false) {
        self.types = types
        self.explicitRec = explicitRec
    }
}

/// Size limits of a memory or table; the flags record the encoding.
public struct Limits: Sendable, Hashable {
    public var min: UInt64
    public var max: UInt64?
    public var shared: Bool
    /// Addresses are i64 (memory64 / table64).
    public var is64: Bool

    public init(min: UInt64, max: UInt64? = nil, shared: Bool = false, is64: Bool = false) {
        self.min = min
        self.max = max
        self.shared = shared
        self.is64 = is64
    }

    /// The value type of an address or index into this memory or table.
    public var addressType: ValType { is64 ? .i64 : .i32 }
}

public struct MemoryType: Sendable, Hashable {
    public var limits: Limits
    public init(limits: Limits) { self.limits = limits }
}

public struct TableType: Sendable, Hashable {
    public var elementType: RefType
    public var limits: Limits
    public init(elementType: RefType, limits: Limits) {
        self.elementType = elementType
        self.limits = limits
    }
}

public struct GlobalType: Sendable, Hashable {
    public var valueType: ValType
    public var mutable: Bool
    public init(valueType: ValType, mutable: Bool) {
        self.valueType = valueType
        self.mutable = mutable
    }
}

/// An exception tag: its attribute (always 0, "exception") and its function type index.
public struct TagType: Sendable, Hashable {
    public var typeIndex: UInt32
    public init(typeIndex: UInt32) { self.typeIndex = typeIndex }
}

/// The type of a structured instruction (block, loop, if, try, try_table).
public enum BlockType: Sendable, Hashable {
    case empty
    case value(ValType)
    case typeIndex(UInt32)
}

/// A 128-bit vector constant, stored little-endian.
public struct V128: Sendable, Hashable {
    public var lo: UInt64
    public var hi: UInt64
    public init(lo: UInt64, hi: UInt64) {
        self.lo = lo
        self.hi = hi
    }
    public init(bytes: [UInt8]) {
        var lo: UInt64 = 0, hi: UInt64 = 0
        for i in 0..<8 { lo |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        for i in 0..<8 { hi |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
        self.init(lo: lo, hi: hi)
    }
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: lo >> UInt64(8 * i))
            out[8 + i] = UInt8(truncatingIfNeeded: hi >> UInt64(8 * i))
        }
        return out
    }
}

/// The kind of an external item (import/export descriptor).
public enum ExternalKind: UInt8, Sendable, Hashable {
    case function = 0, table = 1, memory = 2, global = 3, tag = 4

    public var keyword: String {
        switch self {
        case .function: "func"
        case .table: "table"
        case .memory: "memory"
        case .global: "global"
        case .tag: "tag"
        }
    }
}
