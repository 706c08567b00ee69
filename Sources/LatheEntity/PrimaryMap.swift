/// An arena that creates entities: pushing a value returns its new typed key.
public struct PrimaryMap<K: EntityRef, V> {
    @usableFromInline var storage: [V] = []

    @inlinable public init() {}

    /// The values in key order.
    @inlinable public var elements: [V] { storage }

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }

    /// Appends `value` and returns the key that now names it.
    @discardableResult
    @inlinable public mutating func push(_ value: V) -> K {
        storage.append(value)
        return K(index: storage.count - 1)
    }

    /// Whether `key` names an element of this arena.
    @inlinable public func isValid(_ key: K) -> Bool { key.index < storage.count }

    /// The key the next `push` will return.
    @inlinable public var nextKey: K { K(index: storage.count) }

    @inlinable public subscript(key: K) -> V {
        get { storage[key.index] }
        _modify { yield &storage[key.index] }
        set { storage[key.index] = newValue }
    }

    /// All keys in creation order.
    @inlinable public var keys: LazyMapSequence<Range<Int>, K> { (0..<storage.count).lazy.map { K(index: $0) } }

    @inlinable public mutating func reserveCapacity(_ n: Int) { storage.reserveCapacity(n) }
}

extension PrimaryMap: Sendable where V: Sendable {}
extension PrimaryMap: Equatable where V: Equatable {}
