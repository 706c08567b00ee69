import Testing
import LatheEntity

/// The open-addressing tables agree with the standard library's Dictionary and Set.
@Suite struct IntKeyTableTests {
    @Test func uint64TableMatchesDictionary() {
        var rng = SystemRandomNumberGenerator()
        var table = UInt64Table(), reference: [UInt64: UInt32] = [:]
        for _ in 0..<20_000 {
            let key = UInt64.random(in: 0..<3_000, using: &rng) << 32 | UInt64.random(in: 0..<4, using: &rng)
            let value = UInt32.random(in: 0..<1_000, using: &rng)
            #expect(table.set(key, value) == (reference[key] == nil))
            reference[key] = value
        }
        #expect(table.count == reference.count)
        for key in UInt64(0)..<4 { #expect(table[key] == reference[key]) }
        for (k, v) in reference { #expect(table[k] == v) }
        #expect(table[UInt64(5_000) << 32] == nil)
    }

    @Test func uint32SetMatchesSet() {
        var set = UInt32Set(), reference = Set<UInt32>()
        for i in 0..<5_000 {
            let x = UInt32(i * 7919 % 3_001)
            #expect(set.insert(x) == reference.insert(x).inserted)
        }
        #expect(set.count == reference.count)
        #expect(Set(set) == reference)
        var other = UInt32Set()
        other.insert(100_000); other.insert(5)
        set.formUnion(other)
        #expect(set.contains(100_000) && set.contains(5) && !set.contains(100_001))
    }

    @Test func sparseIndexSetInsertRemoveClear() {
        var s = SparseIndexSet(bound: 100)
        for x: UInt32 in [5, 9, 5, 42, 0] { s.insert(x) }
        #expect(s.members == [5, 9, 42, 0])
        s.remove(9)
        s.remove(77)
        #expect(Set(s.members) == [5, 42, 0] && !s.contains(9) && s.contains(42))
        s.removeAll()
        #expect(s.count == 0 && !s.contains(5))
        s.insert(5)
        #expect(s.members == [5])
    }
}
