/// A handle to a variable-length list of entities stored in a `ListPool`; 4 bytes, 0 = empty.
///
/// The handle is the pool index of the first element; the length sits in the slot before it.
/// Lists live in power-of-two size classes (4, 8, 16, ... slots including the length), and freed
/// blocks are reused by class, so pushing onto a list is amortised O(1) without per-list arrays.
public struct EntityList<K: EntityRef>: Hashable, Sendable {
    public var handle: UInt32
    @inlinable public init() { handle = 0 }
    @inlinable public init(handle: UInt32) { self.handle = handle }
    @inlinable public var isEmptyHandle: Bool { handle == 0 }
}

/// Storage for many `EntityList`s in one array (no per-list allocation, no ARC per list).
public struct ListPool<K: EntityRef>: Sendable {
    /// Slot 0 is unused so handle 0 can mean "empty list".
    @usableFromInline var data: [UInt32] = [0]
    /// Heads of free blocks per size class; a free block stores the next free block in its first slot.
    @usableFromInline var freeHeads: [UInt32] = []

    @inlinable public init() {}

    @inlinable static func sizeClass(forSlots slots: Int) -> Int {
        // class c holds 4 << c slots (length slot included)
        var c = 0
        while (4 << c) < slots { c += 1 }
        return c
    }

    @inlinable mutating func allocate(sizeClass c: Int) -> Int {
        if c < freeHeads.count, freeHeads[c] != 0 {
            let block = Int(freeHeads[c])
            freeHeads[c] = data[block]
            return block
        }
        let block = data.count
        for _ in 0..<(4 << c) { data.append(0) }
        return block
    }

    @inlinable mutating func release(block: Int, sizeClass c: Int) {
        if c >= freeHeads.count { freeHeads.append(contentsOf: repeatElement(0, count: c + 1 - freeHeads.count)) }
        data[block] = freeHeads[c]
        freeHeads[c] = UInt32(block)
    }

    /// Creates a list holding `elements`.
    @inlinable public mutating func make<S: Sequence>(_ elements: S) -> EntityList<K> where S.Element == K {
        var list = EntityList<K>()
        for e in elements { push(e, to: &list) }
        return list
    }

    @inlinable public func count(_ list: EntityList<K>) -> Int {
        list.handle == 0 ? 0 : Int(data[Int(list.handle) - 1])
    }

    @inlinable public func get(_ list: EntityList<K>, _ i: Int) -> K {
        precondition(i < count(list), "list index out of range")
        return K(index: Int(data[Int(list.handle) + i]))
    }

    @inlinable public mutating func set(_ list: EntityList<K>, _ i: Int, _ value: K) {
        precondition(i < count(list), "list index out of range")
        data[Int(list.handle) + i] = UInt32(value.index)
    }

    @inlinable public func elements(_ list: EntityList<K>) -> [K] {
        let n = count(list)
        if n == 0 { return [] }
        let base = Int(list.handle)
        return (0..<n).map { K(index: Int(data[base + $0])) }
    }

    /// Appends `value`, moving the list to a larger block when its block is full.
    @inlinable public mutating func push(_ value: K, to list: inout EntityList<K>) {
        let n = count(list)
        if list.handle == 0 {
            let block = allocate(sizeClass: 0)
            data[block] = 1
            data[block + 1] = UInt32(value.index)
            list.handle = UInt32(block + 1)
            return
        }
        let oldClass = Self.sizeClass(forSlots: n + 1)
        let newClass = Self.sizeClass(forSlots: n + 2)
        if newClass != oldClass {
            let oldBlock = Int(list.handle) - 1
            let block = allocate(sizeClass: newClass)
            for i in 0...n { data[block + i] = data[oldBlock + i] }
            release(block: oldBlock, sizeClass: oldClass)
            list.handle = UInt32(block + 1)
        }
        data[Int(list.handle) + n] = UInt32(value.index)
        data[Int(list.handle) - 1] = UInt32(n + 1)
    }

    /// Removes element `i`, shifting later elements down.
    ///
    /// A list that shrinks into a smaller size class keeps its block; the spare tail is not reused.
    @inlinable public mutating func remove(at i: Int, from list: inout EntityList<K>) {
        let n = count(list)
        precondition(i < n, "list index out of range")
        let base = Int(list.handle)
        for j in i..<(n - 1) { data[base + j] = data[base + j + 1] }
        if n == 1 {
            clear(&list)
            return
        }
        data[base - 1] = UInt32(n - 1)
    }

    /// Frees the list's block and makes it empty.
    @inlinable public mutating func clear(_ list: inout EntityList<K>) {
        guard list.handle != 0 else { return }
        let n = Int(data[Int(list.handle) - 1])
        release(block: Int(list.handle) - 1, sizeClass: Self.sizeClass(forSlots: n + 1))
        list = EntityList()
    }

    /// Makes room for `slots` slots in all without reallocating.
    @inlinable public mutating func reserveCapacity(_ slots: Int) { data.reserveCapacity(slots) }

    /// Number of `UInt32` slots in use, including free blocks; for memory accounting.
    @inlinable public var storageSlots: Int { data.count }
}
