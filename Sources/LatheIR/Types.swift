/// The type of an IR value: scalar, 128/256-bit vector, or reference.
///
/// Packed in 4 bytes: the low 8 bits are the kind, the upper 24 bits the type index of a typed
/// reference (`ref 3` / `ref null 3`). Vectors are typed by lane; `bitcast` moves between vector
/// types of the same width.
public struct IRType: Hashable, Sendable, CustomStringConvertible {
    public let raw: UInt32
    public init(raw: UInt32) { self.raw = raw }

    /// The kinds of types; the raw value is the low byte of `IRType.raw`.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case i32 = 1, i64, f32, f64
        case i8x16, i16x8, i32x4, i64x2, f32x4, f64x2
        case i8x32, i16x16, i32x8, i64x4, f32x8, f64x4
        case funcref, externref, typedRef, typedRefNull
    }

    public init(_ kind: Kind, typeIndex: UInt32 = 0) { raw = UInt32(kind.rawValue) | typeIndex << 8 }

    public var kind: Kind { Kind(rawValue: UInt8(raw & 0xff))! }
    public var typeIndex: UInt32 { raw >> 8 }

    public static let i32 = IRType(.i32), i64 = IRType(.i64), f32 = IRType(.f32), f64 = IRType(.f64)
    public static let i8x16 = IRType(.i8x16), i16x8 = IRType(.i16x8), i32x4 = IRType(.i32x4)
    public static let i64x2 = IRType(.i64x2), f32x4 = IRType(.f32x4), f64x2 = IRType(.f64x2)
    public static let i8x32 = IRType(.i8x32), i16x16 = IRType(.i16x16), i32x8 = IRType(.i32x8)
    public static let i64x4 = IRType(.i64x4), f32x8 = IRType(.f32x8), f64x4 = IRType(.f64x4)
    public static let funcref = IRType(.funcref), externref = IRType(.externref)
    /// A non-null reference to the heap type with this index.
    public static func ref(_ typeIndex: UInt32) -> IRType { IRType(.typedRef, typeIndex: typeIndex) }
    /// A nullable reference to the heap type with this index.
    public static func refNull(_ typeIndex: UInt32) -> IRType { IRType(.typedRefNull, typeIndex: typeIndex) }

    public var isVector: Bool { (Kind.i8x16.rawValue...Kind.f64x4.rawValue).contains(kind.rawValue) }
    public var isRef: Bool { kind.rawValue >= Kind.funcref.rawValue }
    public var isScalar: Bool { kind.rawValue <= Kind.f64.rawValue }
    public var isInt: Bool { kind == .i32 || kind == .i64 }
    public var isFloat: Bool { kind == .f32 || kind == .f64 }
    /// Integer scalar or integer-lane vector.
    public var isIntLike: Bool { laneType.isInt }
    /// Float scalar or float-lane vector.
    public var isFloatLike: Bool { laneType.isFloat }

    /// Width in bits (references count as 64).
    public var bits: Int {
        switch kind {
        case .i32, .f32: 32
        case .i64, .f64: 64
        case .i8x16, .i16x8, .i32x4, .i64x2, .f32x4, .f64x2: 128
        case .i8x32, .i16x16, .i32x8, .i64x4, .f32x8, .f64x4: 256
        case .funcref, .externref, .typedRef, .typedRefNull: 64
        }
    }
    public var bytes: Int { bits / 8 }

    /// Lane width in bits; a scalar is one lane.
    public var laneBits: Int {
        switch kind {
        case .i8x16, .i8x32: 8
        case .i16x8, .i16x16: 16
        case .i32x4, .f32x4, .i32x8, .f32x8: 32
        case .i64x2, .f64x2, .i64x4, .f64x4: 64
        default: bits
        }
    }
    public var laneCount: Int { bits / laneBits }

    /// The scalar type of one lane; 8- and 16-bit integer lanes report `i32` (their scalar form).
    public var laneType: IRType {
        switch kind {
        case .i8x16, .i16x8, .i32x4, .i8x32, .i16x16, .i32x8: .i32
        case .i64x2, .i64x4: .i64
        case .f32x4, .f32x8: .f32
        case .f64x2, .f64x4: .f64
        default: self
        }
    }

    /// The integer type of the same shape (for compare masks): f32x4 -> i32x4, f64 -> i64.
    public var asIntShape: IRType {
        switch kind {
        case .f32: .i32
        case .f64: .i64
        case .f32x4: .i32x4
        case .f64x2: .i64x2
        case .f32x8: .i32x8
        case .f64x4: .i64x4
        default: self
        }
    }

    /// The vector of the same width whose lanes are `laneBits` wide (integer or float lanes), if one exists.
    public func withLanes(bits laneBits: Int, float: Bool) -> IRType? {
        guard isVector else { return nil }
        let kinds: [Kind]
        switch (bits, float, laneBits) {
        case (128, false, _): kinds = [.i8x16, .i16x8, .i32x4, .i64x2]
        case (256, false, _): kinds = [.i8x32, .i16x16, .i32x8, .i64x4]
        case (128, true, _): kinds = [.f32x4, .f64x2]
        default: kinds = [.f32x8, .f64x4]
        }
        return kinds.map { IRType($0) }.first { $0.laneBits == laneBits }
    }

    /// Integer lanes twice as wide, half as many (i8x16 -> i16x8); nil for 64-bit lanes and non-vectors.
    public var widenedIntLanes: IRType? { withLanes(bits: laneBits * 2, float: false) }
    /// Integer lanes half as wide, twice as many (i16x8 -> i8x16); nil for 8-bit lanes and non-vectors.
    public var narrowedIntLanes: IRType? { withLanes(bits: laneBits / 2, float: false) }

    /// Whether a value of this type is a valid instance of `other` (nullable subsumes non-null).
    public func isSubtype(of other: IRType) -> Bool {
        if self == other { return true }
        if kind == .typedRef && other.kind == .typedRefNull { return typeIndex == other.typeIndex }
        return false
    }

    /// Text names of the kinds, indexed by raw value (typed references are spelled by `description`).
    static let kindNames = ["", "i32", "i64", "f32", "f64", "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2",
                            "i8x32", "i16x16", "i32x8", "i64x4", "f32x8", "f64x4", "funcref", "externref"]
    static let kindsByName: [String: Kind] = Dictionary(uniqueKeysWithValues: (1..<kindNames.count).map { (kindNames[$0], Kind(rawValue: UInt8($0))!) })

    public var description: String {
        switch kind {
        case .typedRef: "ref(\(typeIndex))"
        case .typedRefNull: "ref(null \(typeIndex))"
        default: Self.kindNames[Int(kind.rawValue)]
        }
    }

    /// Parses a simple type name; typed references are handled by the text parser.
    public init?(name: String) {
        guard let k = Self.kindsByName[name] else { return nil }
        self.init(k)
    }
}

/// Parameter and result types of a function or call.
public struct Signature: Hashable, Sendable, CustomStringConvertible {
    public var params: [IRType]
    public var results: [IRType]
    public init(params: [IRType] = [], results: [IRType] = []) {
        self.params = params
        self.results = results
    }
    /// `(i32, i64) -> f32`; results are parenthesised when there are several, omitted when none.
    public var description: String {
        var s = "(" + params.map(\.description).joined(separator: ", ") + ")"
        if results.count == 1 { s += " -> \(results[0])" }
        else if results.count > 1 { s += " -> (" + results.map(\.description).joined(separator: ", ") + ")" }
        return s
    }
}
