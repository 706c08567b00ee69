/// A value type packed into 64 bits, as the validator keeps it on its operand stack.
///
/// Bits 0–7 kind, bit 8 nullable, bits 16–23 heap code (an `AbstractHeapType` raw value,
/// `VT.concreteHeap` or `VT.botHeap`), bits 32–63 the type index of a concrete heap type.
/// Storage types of struct fields and array elements use the extra kinds `i8` and `i16`.
struct VT: Equatable {
    var raw: UInt64

    static let kBottom: UInt8 = 0, kI32: UInt8 = 1, kI64: UInt8 = 2, kF32: UInt8 = 3, kF64: UInt8 = 4
    static let kV128: UInt8 = 5, kRef: UInt8 = 6, kI8: UInt8 = 7, kI16: UInt8 = 8

    static let concreteHeap: UInt8 = 0xFF
    /// The heap type of an unknown reference popped from a polymorphic stack; below every heap type.
    static let botHeap: UInt8 = 0x01

    /// The unknown type of a value popped from a polymorphic stack; a subtype of everything.
    static let bottom = VT(raw: 0)
    static let i32 = VT(raw: 1), i64 = VT(raw: 2), f32 = VT(raw: 3), f64 = VT(raw: 4), v128 = VT(raw: 5)
    static let i8 = VT(raw: 7), i16 = VT(raw: 8)

    @inline(__always) var kind: UInt8 { UInt8(truncatingIfNeeded: raw) }
    @inline(__always) var isRef: Bool { kind == VT.kRef }
    @inline(__always) var nullable: Bool { raw & 0x100 != 0 }
    @inline(__always) var heapCode: UInt8 { UInt8(truncatingIfNeeded: raw >> 16) }
    @inline(__always) var typeIndex: UInt32 { UInt32(truncatingIfNeeded: raw >> 32) }
    @inline(__always) var heap: HT { HT(code: heapCode, index: typeIndex) }
    var isNumeric: Bool { kind >= VT.kI32 && kind <= VT.kF64 }
    var isPacked: Bool { kind == VT.kI8 || kind == VT.kI16 }
    /// The type of a storage type once read onto the stack.
    var unpacked: VT { isPacked ? .i32 : self }
    var isDefaultable: Bool { !isRef || nullable }

    @inline(__always) static func ref(nullable: Bool, _ h: HT) -> VT {
        VT(raw: UInt64(kRef) | (nullable ? 0x100 : 0) | UInt64(h.code) << 16 | UInt64(h.index) << 32)
    }
    static func ref(nullable: Bool, _ a: AbstractHeapType) -> VT { ref(nullable: nullable, HT(a)) }
    static func ref(nullable: Bool, concrete index: UInt32) -> VT {
        ref(nullable: nullable, HT(code: concreteHeap, index: index))
    }
    func withNullable(_ n: Bool) -> VT { VT(raw: n ? raw | 0x100 : raw & ~0x100) }
}

/// A heap type as the validator keeps it: a code and, for concrete types, the type index.
struct HT: Equatable {
    var code: UInt8
    var index: UInt32
    init(code: UInt8, index: UInt32 = 0) {
        self.code = code
        self.index = index
    }
    init(_ a: AbstractHeapType) { self.init(code: a.rawValue) }
    var isConcrete: Bool { code == VT.concreteHeap }
    var isBot: Bool { code == VT.botHeap }
    var abstract: AbstractHeapType? { AbstractHeapType(rawValue: code) }
}

/// The module's defined types after validation: kinds, canonical ids for iso-recursive type
/// equivalence, declared supertypes, and flattened function signatures and fields.
struct TypeTable {
    static let kFunc: UInt8 = 0, kStruct: UInt8 = 1, kArray: UInt8 = 2

    var kinds: [UInt8] = []
    /// Equal ids mean equivalent types (same rec group shape, same position).
    var canon: [Int32] = []
    /// The declared supertype index, or -1.
    var supers: [Int32] = []
    var finals: [Bool] = []
    /// Function types: params then results in `sigPool`.
    var sigStart: [Int32] = []
    var paramCount: [Int32] = []
    var resultCount: [Int32] = []
    var sigPool: [VT] = []
    /// Struct fields / the array element, in `fieldPool` with their mutability.
    var fieldStart: [Int32] = []
    var fieldCount: [Int32] = []
    var fieldPool: [VT] = []
    var fieldMutable: [Bool] = []

    var count: Int { kinds.count }

    func isFunc(_ i: UInt32) -> Bool { Int(i) < kinds.count && kinds[Int(i)] == TypeTable.kFunc }

    @inline(__always) func params(_ t: Int) -> Range<Int> {
        let s = Int(sigStart[t])
        return s ..< s + Int(paramCount[t])
    }
    @inline(__always) func results(_ t: Int) -> Range<Int> {
        let s = Int(sigStart[t]) + Int(paramCount[t])
        return s ..< s + Int(resultCount[t])
    }

    // MARK: Subtyping

    @inline(__always) func isSub(_ a: VT, _ b: VT) -> Bool {
        if a.raw == b.raw || a.kind == VT.kBottom { return true }
        if a.kind != b.kind || a.kind != VT.kRef { return false }
        if a.nullable && !b.nullable { return false }
        return isSubHeap(a.heap, b.heap)
    }

    /// Type equality (used for mutable fields, which are invariant).
    func isSame(_ a: VT, _ b: VT) -> Bool {
        if a.raw == b.raw { return true }
        if a.kind != b.kind || a.kind != VT.kRef || a.nullable != b.nullable { return false }
        let x = a.heap, y = b.heap
        return x.isConcrete && y.isConcrete && canon[Int(x.index)] == canon[Int(y.index)]
    }

    func isSubConcrete(_ a: UInt32, _ b: UInt32) -> Bool {
        let target = canon[Int(b)]
        var x = Int32(a)
        while x >= 0 {
            if canon[Int(x)] == target { return true }
            x = supers[Int(x)]
        }
        return false
    }

    func isSubHeap(_ a: HT, _ b: HT) -> Bool {
        if a.isBot { return true }
        if a.isConcrete {
            if b.isConcrete { return isSubConcrete(a.index, b.index) }
            let k = kinds[Int(a.index)]
            switch b.abstract {
            case .func: return k == TypeTable.kFunc
            case .struct: return k == TypeTable.kStruct
            case .array: return k == TypeTable.kArray
            case .eq, .any: return k != TypeTable.kFunc
            default: return false
            }
        }
        guard let x = a.abstract else { return false }
        if b.isConcrete {
            let k = kinds[Int(b.index)]
            return (x == .none && k != TypeTable.kFunc) || (x == .noFunc && k == TypeTable.kFunc)
        }
        guard let y = b.abstract else { return false }
        if x == y { return true }
        switch y {
        case .any: return x.top == .any
        case .eq: return x == .i31 || x == .struct || x == .array || x == .none
        case .i31, .struct, .array: return x == .none
        case .func: return x == .noFunc
        case .extern: return x == .noExtern
        case .exn: return x == .noExn
        default: return false
        }
    }

    /// The top of the hierarchy a heap type belongs to.
    func top(_ h: HT) -> AbstractHeapType {
        if h.isConcrete { return kinds[Int(h.index)] == TypeTable.kFunc ? .func : .any }
        return h.abstract?.top ?? .any
    }

    /// Storage-type subtyping: packed types only match themselves.
    func isSubStorage(_ a: VT, _ b: VT) -> Bool {
        if a.isPacked || b.isPacked { return a.raw == b.raw }
        return isSub(a, b)
    }

    func isSubField(_ a: VT, _ am: Bool, _ b: VT, _ bm: Bool) -> Bool {
        if am != bm { return false }
        if bm { return a.isPacked || b.isPacked ? a.raw == b.raw : isSame(a, b) }
        return isSubStorage(a, b)
    }

    // MARK: Text

    func describe(_ t: VT) -> String {
        switch t.kind {
        case VT.kBottom: return "unknown"
        case VT.kI32: return "i32"
        case VT.kI64: return "i64"
        case VT.kF32: return "f32"
        case VT.kF64: return "f64"
        case VT.kV128: return "v128"
        case VT.kI8: return "i8"
        case VT.kI16: return "i16"
        default: break
        }
        let h = t.heap
        let hs: String
        if h.isConcrete {
            hs = "\(h.index)"
        } else if h.isBot {
            hs = "bot"
        } else if let a = h.abstract {
            if t.nullable {
                switch a {
                case .none: return "nullref"
                case .noFunc: return "nullfuncref"
                case .noExtern: return "nullexternref"
                case .noExn: return "nullexnref"
                default: return a.keyword + "ref"
                }
            }
            hs = a.keyword
        } else {
            hs = "?"
        }
        return t.nullable ? "(ref null \(hs))" : "(ref \(hs))"
    }

    func describe<C: Collection>(_ ts: C) -> String where C.Element == VT {
        "[" + ts.map { describe($0) }.joined(separator: " ") + "]"
    }
}
