/// A hash map from `UInt64` keys to `UInt32` values with open addressing (linear probing).
///
/// For hot paths keyed by packed entity indices: one multiply to hash, no allocation per entry.
/// `UInt64.max` cannot be a key.
public struct UInt64Table: Sendable {
    /// Key and value side by side: a probe touches one array (one bounds and uniqueness check).
    @usableFromInline struct Entry: Sendable {
        @usableFromInline var key: UInt64
        @usableFromInline var value: UInt32
        @inlinable init(key: UInt64, value: UInt32) { self.key = key; self.value = value }
    }
    @usableFromInline var entries: [Entry] = []
    @usableFromInline var used = 0
    @usableFromInline static var empty: UInt64 { .max }

    @inlinable public init() {}

    @inlinable public var count: Int { used }

    @inlinable static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    @inlinable public subscript(key: UInt64) -> UInt32? {
        entries.withUnsafeBufferPointer { e in
            guard !e.isEmpty else { return nil }
            let mask = e.count - 1
            var i = Self.slot(key, mask)
            while true {
                let k = e[i].key
                if k == key { return e[i].value }
                if k == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
    }

    /// Stores `value` under `key`, replacing any earlier value; returns true if the key was new.
    @discardableResult
    @inlinable public mutating func set(_ key: UInt64, _ value: UInt32) -> Bool {
        precondition(key != Self.empty, "UInt64.max is reserved")
        if (used + 1) * 2 > entries.count { grow() }
        let isNew = entries.withUnsafeMutableBufferPointer { e in
            let mask = e.count - 1
            var i = Self.slot(key, mask)
            while true {
                let k = e[i].key
                if k == key { e[i].value = value; return false }
                if k == Self.empty { e[i] = Entry(key: key, value: value); return true }
                i = (i + 1) & mask
            }
        }
        if isNew { used += 1 }
        return isNew
    }

    /// Makes room for `n` keys without rehashing.
    public mutating func reserveCapacity(_ n: Int) {
        var size = Swift.max(16, entries.count)
        while size < 2 * n { size *= 2 }
        if size > entries.count { rehash(size) }
    }

    @usableFromInline mutating func grow() { rehash(Swift.max(16, entries.count * 2)) }

    /// Moves every entry into a table of `n` slots (a power of two above twice the count).
    mutating func rehash(_ n: Int) {
        let old = entries
        entries = Array(repeating: Entry(key: Self.empty, value: 0), count: n)
        // One pass over both buffers: `set` per entry would check capacity and uniqueness each time.
        entries.withUnsafeMutableBufferPointer { e in
            let mask = n - 1
            for o in old where o.key != Self.empty {
                var i = Self.slot(o.key, mask)
                while e[i].key != Self.empty { i = (i + 1) & mask }
                e[i] = o
            }
        }
    }
}

/// A set of `UInt32` with open addressing; `UInt32.max` cannot be a member. Iteration order is unspecified.
public struct UInt32Set: Sendable, Sequence {
    @usableFromInline var slots: [UInt32] = []
    @usableFromInline var used = 0

    @inlinable public init() {}

    @inlinable public var count: Int { used }
    @inlinable public var isEmpty: Bool { used == 0 }

    @inlinable static func slot(_ key: UInt32, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    @inlinable public func contains(_ key: UInt32) -> Bool {
        guard !slots.isEmpty else { return false }
        let mask = slots.count - 1
        var i = Self.slot(key, mask)
        while true {
            let k = slots[i]
            if k == key { return true }
            if k == .max { return false }
            i = (i + 1) & mask
        }
    }

    /// Inserts `key`; returns true if it was not present.
    @discardableResult
    @inlinable public mutating func insert(_ key: UInt32) -> Bool {
        precondition(key != .max, "UInt32.max is reserved")
        if (used + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var i = Self.slot(key, mask)
        while true {
            let k = slots[i]
            if k == key { return false }
            if k == .max { slots[i] = key; used += 1; return true }
            i = (i + 1) & mask
        }
    }

    @inlinable public mutating func formUnion(_ other: UInt32Set) {
        for k in other.slots where k != .max { insert(k) }
    }

    @usableFromInline mutating func grow() {
        let old = slots
        slots = Array(repeating: .max, count: Swift.max(8, slots.count * 2))
        used = 0
        for k in old where k != .max { insert(k) }
    }

    @inlinable public func makeIterator() -> some IteratorProtocol<UInt32> {
        slots.lazy.filter { $0 != .max }.makeIterator()
    }
}

/// A set of small integers below a fixed bound: O(1) insert, remove and membership, clearing in
/// O(members), members in insertion order (until a removal swaps the last one into the gap).
public struct SparseIndexSet: Sendable {
    @usableFromInline var storage: [UInt32] = []
    @usableFromInline var position: [UInt32]

    /// The members, in insertion order unless removals moved some.
    @inlinable public var members: [UInt32] { storage }

    /// A set for integers in `0..<bound`.
    public init(bound: Int) { position = Array(repeating: .max, count: bound) }

    @inlinable public var count: Int { storage.count }

    @inlinable public func contains(_ x: UInt32) -> Bool { position[Int(x)] != .max }

    @inlinable public mutating func insert(_ x: UInt32) {
        guard position[Int(x)] == .max else { return }
        position[Int(x)] = UInt32(storage.count)
        storage.append(x)
    }

    @inlinable public mutating func remove(_ x: UInt32) {
        let p = position[Int(x)]
        guard p != .max else { return }
        let last = storage.removeLast()
        if last != x { storage[Int(p)] = last; position[Int(last)] = p }
        position[Int(x)] = .max
    }

    @inlinable public mutating func removeAll() {
        for x in storage { position[Int(x)] = .max }
        storage.removeAll(keepingCapacity: true)
    }
}
