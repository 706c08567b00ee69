/// A typed index into an arena: a `UInt32` newtype such as `Value`, `Inst` or `Block`.
///
/// Conformers are plain structs holding one `UInt32`; `UInt32.max` is reserved as "no entity"
/// so optional-like fields in packed records cost no extra bytes (see `reservedValue`).
public protocol EntityRef: Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// Creates the entity with this arena index.
    init(index: Int)
    /// The arena index.
    var index: Int { get }
    /// The text prefix used when printing, e.g. `v` for values (`v12`).
    static var prefix: String { get }
}

extension EntityRef {
    /// The reserved "no entity" value; never a valid arena index.
    @inlinable public static var reservedValue: Self { Self(index: Int(UInt32.max)) }
    @inlinable public var isReserved: Bool { index == Int(UInt32.max) }
    @inlinable public var description: String { isReserved ? "\(Self.prefix)?" : "\(Self.prefix)\(index)" }
    @inlinable public static func < (lhs: Self, rhs: Self) -> Bool { lhs.index < rhs.index }
}
