/// An arena that creates entities: pushing a value returns its new typed key.
public struct PrimaryMap<K: EntityRef, V> {
    public private(set) var elements: [V] = []

    public init() {}

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }

    /// Appends `value` and returns the key that now names it.
    @discardableResult
    public mutating func push(_ value: V) -> K {
        elements.append(value)
        return K(index: elements.count - 1)
    }

    /// Whether `key` names an element of this arena.
    public func isValid(_ key: K) -> Bool { key.index < elements.count }

    /// The key the next `push` will return.
    public var nextKey: K { K(index: elements.count) }

    public subscript(key: K) -> V {
        get { elements[key.index] }
        _modify { yield &elements[key.index] }
        set { elements[key.index] = newValue }
    }

    /// All keys in creation order.
    public var keys: LazyMapSequence<Range<Int>, K> { (0..<elements.count).lazy.map { K(index: $0) } }

    public mutating func reserveCapacity(_ n: Int) { elements.reserveCapacity(n) }
}

extension PrimaryMap: Sendable where V: Sendable {}
extension PrimaryMap: Equatable where V: Equatable {}
