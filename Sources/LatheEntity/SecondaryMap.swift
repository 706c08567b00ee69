/// Extra data for entities created by some `PrimaryMap`; reading a key never stored gives the default.
///
/// Grows on write, so keys created after the map need no registration.
public struct SecondaryMap<K: EntityRef, V> {
    public private(set) var elements: [V]
    public let defaultValue: V

    public init(default defaultValue: V) {
        self.defaultValue = defaultValue
        self.elements = []
    }

    public init(default defaultValue: V, capacity: Int) {
        self.defaultValue = defaultValue
        self.elements = Array(repeating: defaultValue, count: capacity)
    }

    public var count: Int { elements.count }

    public subscript(key: K) -> V {
        get { key.index < elements.count ? elements[key.index] : defaultValue }
        set {
            if key.index >= elements.count { grow(to: key.index + 1) }
            elements[key.index] = newValue
        }
    }

    /// Makes room for keys below `n` without changing reads.
    public mutating func grow(to n: Int) {
        if n > elements.count { elements.append(contentsOf: repeatElement(defaultValue, count: n - elements.count)) }
    }

    public mutating func removeAll() { elements.removeAll(keepingCapacity: true) }
}

extension SecondaryMap: Sendable where V: Sendable {}
