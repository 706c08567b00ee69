/// Extra data for entities created by some `PrimaryMap`; reading a key never stored gives the default.
///
/// Grows on write, so keys created after the map need no registration.
public struct SecondaryMap<K: EntityRef, V> {
    @usableFromInline var storage: [V]
    public let defaultValue: V

    /// Values stored so far, in key order (keys beyond the end read as the default).
    @inlinable public var elements: [V] { storage }

    @inlinable public init(default defaultValue: V) {
        self.defaultValue = defaultValue
        self.storage = []
    }

    @inlinable public init(default defaultValue: V, capacity: Int) {
        self.defaultValue = defaultValue
        self.storage = Array(repeating: defaultValue, count: capacity)
    }

    @inlinable public var count: Int { storage.count }

    @inlinable public subscript(key: K) -> V {
        get { key.index < storage.count ? storage[key.index] : defaultValue }
        set {
            if key.index >= storage.count { grow(to: key.index + 1) }
            storage[key.index] = newValue
        }
    }

    /// Makes room for keys below `n` without changing reads.
    @inlinable public mutating func grow(to n: Int) {
        if n > storage.count { storage.append(contentsOf: repeatElement(defaultValue, count: n - storage.count)) }
    }

    @inlinable public mutating func removeAll() { storage.removeAll(keepingCapacity: true) }
}

extension SecondaryMap: Sendable where V: Sendable {}
