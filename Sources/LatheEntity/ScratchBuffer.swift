/// A growable buffer of plain values that cannot be copied: scratch tables for passes that run
/// over many functions in turn.
///
/// An `Array` write checks that its storage is uniquely referenced, every time, because the array
/// could share it; inside a hot loop that check is a runtime call per element written. This buffer
/// is `~Copyable`, so it is unique by construction: writes are a bounds check and a store, and a
/// struct holding it cannot be copied by accident (a copy would also copy every table). Storage is
/// kept by `removeAll`, so one owner reuses it from one function to the next.
public struct ScratchBuffer<Element: BitwiseCopyable>: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var capacity: Int
    @usableFromInline var storedCount: Int
    @inlinable public var count: Int { storedCount }

    @inlinable public init() {
        capacity = 0
        storedCount = 0
        base = UnsafeMutablePointer<Element>.allocate(capacity: 0)
    }

    deinit { base.deallocate() }

    @inlinable public var isEmpty: Bool { count == 0 }
    @inlinable public var indices: Range<Int> { 0..<count }

    @inlinable public subscript(i: Int) -> Element {
        get {
            precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "scratch buffer index out of range")
            return base[i]
        }
        nonmutating set {
            precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "scratch buffer index out of range")
            base[i] = newValue
        }
    }

    @inlinable public var last: Element? { count == 0 ? nil : base[count - 1] }

    @inlinable public mutating func reserveCapacity(_ n: Int) {
        if n > capacity { reallocate(n) }
    }

    @usableFromInline mutating func reallocate(_ n: Int) {
        let fresh = UnsafeMutablePointer<Element>.allocate(capacity: n)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = n
    }

    @inlinable public mutating func append(_ x: Element) {
        if count == capacity { reallocate(Swift.max(16, capacity * 2)) }
        base[count] = x
        storedCount += 1
    }

    /// Appends `n` copies of `x`.
    @inlinable public mutating func append(repeating x: Element, count n: Int) {
        reserveCapacity(count + n)
        (base + count).initialize(repeating: x, count: n)
        storedCount += n
    }

    /// Appends the elements of another buffer.
    @inlinable public mutating func append(contentsOf other: borrowing ScratchBuffer<Element>) {
        reserveCapacity(count + other.count)
        (base + count).update(from: other.base, count: other.count)
        storedCount += other.count
    }

    /// Appends the elements of an array or other collection.
    @inlinable public mutating func append<C: Collection>(contentsOf c: C) where C.Element == Element {
        reserveCapacity(count + c.count)
        for x in c { base[storedCount] = x; storedCount += 1 }
    }

    /// Makes the buffer hold `n` copies of `x` (storage kept).
    @inlinable public mutating func refill(_ x: Element, count n: Int) {
        storedCount = 0
        append(repeating: x, count: n)
    }

    /// Empties the buffer, keeping its storage.
    @inlinable public mutating func removeAll() { storedCount = 0 }

    @inlinable @discardableResult public mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast from an empty scratch buffer")
        storedCount -= 1
        return base[count]
    }

    @inlinable public mutating func popLast() -> Element? {
        if count == 0 { return nil }
        storedCount -= 1
        return base[count]
    }

    /// Drops the last `n` elements.
    @inlinable public mutating func removeLast(_ n: Int) {
        precondition(n >= 0 && n <= count, "removeLast beyond the start of a scratch buffer")
        storedCount -= n
    }
}

/// A `SecondaryMap` for scratch tables: values by entity key, `~Copyable` so writes need no uniqueness check.
///
/// Keys at or beyond `count` read as the default; writes need the key below `count` (`grow(to:)` first).
public struct ScratchMap<K: EntityRef, V: BitwiseCopyable>: ~Copyable {
    @usableFromInline var values = ScratchBuffer<V>()
    public let defaultValue: V

    @inlinable public init(default defaultValue: V) { self.defaultValue = defaultValue }

    @inlinable public var count: Int { values.count }

    @inlinable public subscript(key: K) -> V {
        get { key.index < values.count ? values[key.index] : defaultValue }
        nonmutating set { values[key.index] = newValue }
    }

    /// Makes keys below `n` writable (new ones hold the default).
    @inlinable public mutating func grow(to n: Int) {
        if values.count < n { values.append(repeating: defaultValue, count: n - values.count) }
    }

    /// Resets every key to the default, keeping the storage.
    @inlinable public mutating func removeAll() { values.removeAll() }
}
