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

    /// Reading an unset key gives the default; writing grows the map. In-place mutation
    /// (`map[k].append(x)`) does not copy the stored value.
    @inlinable public subscript(key: K) -> V {
        get { key.index < storage.count ? storage[key.index] : defaultValue }
        _modify {
            if key.index >= storage.count { grow(to: key.index + 1) }
            yield &storage[key.index]
        }
    }

    /// Makes room for keys below `n` without changing reads.
    @inlinable public mutating func grow(to n: Int) {
        // One `append` per key: maps mostly grow by one key at a time, and the generic
        // `append(contentsOf:)` costs more than the element.
        while storage.count < n { storage.append(defaultValue) }
    }

    /// Makes room for keys below `n` without reallocating (reads do not change).
    @inlinable public mutating func reserveCapacity(_ n: Int) { storage.reserveCapacity(n) }

    @inlinable public mutating func removeAll() { storage.removeAll(keepingCapacity: true) }
}

extension SecondaryMap: Sendable where V: Sendable {}
