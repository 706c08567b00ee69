/// A growable stack of plain values for the validator's hot loop.
///
/// Pushes and pops touch raw memory: no uniqueness check and no out-of-line call per operation,
/// as `Array` has. Callers check bounds themselves (the validator compares against frame
/// heights before popping). Copies of a `FlatStack` share storage, so it is used only inside
/// `CodeValidator`, which is never copied while validating.
struct FlatStack<Element: BitwiseCopyable> {
    final class Storage {
        var base: UnsafeMutablePointer<Element>
        var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 1)
            base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
        }

        func grow(keeping count: Int) {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            bigger.update(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }

        deinit { base.deallocate() }
    }

    let storage: Storage
    private(set) var count = 0

    init(capacity: Int = 64) { storage = Storage(capacity: capacity) }

    var isEmpty: Bool { count == 0 }
    var last: Element? { count > 0 ? storage.base[count - 1] : nil }

    @inline(__always) mutating func append(_ x: Element) {
        if count == storage.capacity { storage.grow(keeping: count) }
        storage.base[count] = x
        count += 1
    }

    /// Removes and returns the top element; the stack must not be empty.
    @inline(__always) @discardableResult mutating func removeLast() -> Element {
        precondition(count > 0, "pop from an empty validator stack")
        count -= 1
        return storage.base[count]
    }

    @inline(__always) mutating func removeLast(_ n: Int) {
        precondition(n >= 0 && n <= count, "pop past the bottom of a validator stack")
        count -= n
    }

    mutating func removeAll() { count = 0 }

    @inline(__always) subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "validator stack index out of range")
            return storage.base[i]
        }
        nonmutating set {
            precondition(i >= 0 && i < count, "validator stack index out of range")
            storage.base[i] = newValue
        }
    }

    /// A copy of the elements in `r` (for error messages).
    subscript(r: Range<Int>) -> [Element] {
        precondition(r.lowerBound >= 0 && r.upperBound <= count, "validator stack range out of range")
        return Array(UnsafeBufferPointer(start: storage.base + r.lowerBound, count: r.count))
    }

    subscript(r: PartialRangeFrom<Int>) -> [Element] { self[r.lowerBound ..< count] }
}
