/// A set of entities stored as a bitset indexed by entity number.
public struct EntitySet<K: EntityRef>: Sendable, Equatable {
    @usableFromInline var words: [UInt64] = []

    @inlinable public init() {}

    @inlinable public func contains(_ key: K) -> Bool {
        let w = key.index >> 6
        return w < words.count && words[w] & (1 << UInt64(key.index & 63)) != 0
    }

    /// Inserts `key`; returns true if it was not present.
    @discardableResult
    @inlinable public mutating func insert(_ key: K) -> Bool {
        let w = key.index >> 6
        while w >= words.count { words.append(0) }
        let bit: UInt64 = 1 << UInt64(key.index & 63)
        let fresh = words[w] & bit == 0
        words[w] |= bit
        return fresh
    }

    @inlinable public mutating func remove(_ key: K) {
        let w = key.index >> 6
        if w < words.count { words[w] &= ~(1 << UInt64(key.index & 63)) }
    }

    @inlinable public mutating func removeAll() { words.removeAll(keepingCapacity: true) }

    @inlinable public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
    @inlinable public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Members in increasing index order.
    @inlinable public var members: [K] {
        var out: [K] = []
        for (w, word) in words.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                out.append(K(index: w << 6 | b))
                bits &= bits - 1
            }
        }
        return out
    }
}
