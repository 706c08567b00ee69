import Testing
import LatheEntity
@testable import LatheIR

@Suite struct EntityTests {
    @Test func instructionRecordIsSixteenBytes() {
        #expect(MemoryLayout<InstructionData>.size == 16)
        #expect(MemoryLayout<ValueData>.size == 12)
        #expect(MemoryLayout<Value>.size == 4)
        #expect(MemoryLayout<IRType>.size == 4)
    }

    @Test func primaryAndSecondaryMaps() {
        var p = PrimaryMap<Value, String>()
        let a = p.push("a"), b = p.push("b")
        #expect(a.index == 0 && b.index == 1 && p[b] == "b")
        var s = SecondaryMap<Value, Int>(default: 7)
        #expect(s[b] == 7)
        s[b] = 3
        #expect(s[b] == 3 && s[a] == 7)
    }

    @Test func scratchBufferGrowsRefillsAndKeepsValues() {
        var b = ScratchBuffer<Int32>()
        #expect(b.isEmpty && b.last == nil && b.popLast() == nil)
        for k in 0..<100 { b.append(Int32(k)) }
        #expect(b.count == 100 && b[0] == 0 && b[99] == 99 && b.last == 99)
        b[5] = -5
        #expect(b[5] == -5)
        b.append(repeating: 7, count: 3)
        #expect(b.count == 103 && b[102] == 7)
        var other = ScratchBuffer<Int32>()
        other.append(contentsOf: [1, 2])
        other.append(contentsOf: b)
        #expect(other.count == 105 && other[0] == 1 && other[2] == 0 && other[7] == -5)
        #expect(b.removeLast() == 7 && b.popLast() == 7 && b.count == 101)
        b.removeLast(100)
        #expect(b.count == 1 && b[0] == 0)
        b.refill(9, count: 4)
        #expect(b.count == 4 && b[0] == 9 && b[3] == 9)
        b.removeAll()
        // `#expect` cannot read a property of a noncopyable value directly.
        let isEmpty = b.isEmpty
        #expect(isEmpty)
    }

    @Test func scratchMapReadsDefaultsBeyondItsKeys() {
        var m = ScratchMap<Value, Int32>(default: -1)
        #expect(m[Value(index: 10)] == -1 && m.count == 0)
        m.grow(to: 11)
        m[Value(index: 10)] = 4
        #expect(m[Value(index: 10)] == 4 && m[Value(index: 3)] == -1 && m[Value(index: 50)] == -1)
        m.removeAll()
        #expect(m[Value(index: 10)] == -1)
        m.grow(to: 11)
        #expect(m[Value(index: 10)] == -1)
    }

    @Test func entitySetMembers() {
        var set = EntitySet<Block>()
        let first = set.insert(Block(index: 70)), second = set.insert(Block(index: 70))
        #expect(first && !second)
        set.insert(Block(index: 3))
        #expect(set.members == [Block(index: 3), Block(index: 70)])
        set.remove(Block(index: 3))
        #expect(!set.contains(Block(index: 3)) && set.count == 1)
    }

    @Test func listPoolGrowsAndReusesBlocks() {
        var pool = ListPool<Value>()
        var l = EntityList<Value>()
        for i in 0..<40 { pool.push(Value(index: i), to: &l) }
        #expect(pool.elements(l) == (0..<40).map { Value(index: $0) })
        pool.remove(at: 0, from: &l)
        #expect(pool.count(l) == 39 && pool.get(l, 0) == Value(index: 1))
        let slots = pool.storageSlots
        pool.clear(&l)
        var m = EntityList<Value>()
        for i in 0..<40 { pool.push(Value(index: i), to: &m) }
        #expect(pool.storageSlots == slots, "a freed block of the same class is reused")
    }

    @Test func layoutInsertRemoveAndOrder() {
        var dfg = DataFlowGraph()
        var layout = Layout()
        let b = dfg.makeBlock()
        layout.appendBlock(b)
        let i0 = dfg.makeInst(InstructionData(opcode: .trap)), i1 = dfg.makeInst(InstructionData(opcode: .trap))
        layout.appendInst(i0, to: b)
        layout.appendInst(i1, to: b)
        var middle: [Inst] = []
        for _ in 0..<40 {  // more than the gap between sequence numbers allows: forces renumbering
            let i = dfg.makeInst(InstructionData(opcode: .trap))
            layout.insertInst(i, before: i1)
            middle.append(i)
        }
        #expect(layout.insts(b) == [i0] + middle + [i1])
        for (x, y) in zip(layout.insts(b), layout.insts(b).dropFirst()) { #expect(layout.instComesBefore(x, y)) }
        layout.removeInst(middle[5])
        #expect(layout.insts(b).count == 41 && layout.block(of: middle[5]) == nil)
    }

    @Test func opcodeTableIsInOpcodeOrderAndNamesAreUnique() {
        #expect(OpcodeInfo.table.count == Opcode.allCases.count)
        for (n, info) in OpcodeInfo.table.enumerated() { #expect(Int(info.opcode.rawValue) == n) }
        #expect(Set(OpcodeInfo.table.map(\.name)).count == Opcode.allCases.count)
        #expect(Opcode.sdiv.effects.contains(.mayTrap) && !Opcode.iadd.effects.contains(.mayTrap))
        #expect(Opcode.iadd.effects.isPure && !Opcode.load.effects.isRemovableIfUnused == true)
        #expect(Opcode.load.effects.readsState && Opcode.call.effects.writesState && Opcode.jump.isTerminator)
    }
}

@Suite struct SecondaryMapMutationTests {
    @Test func inPlaceMutationOfStoredCollections() {
        var m = SecondaryMap<Block, [Int]>(default: [])
        m[Block(index: 2)].append(1)
        m[Block(index: 2)].append(2)
        #expect(m[Block(index: 2)] == [1, 2] && m[Block(index: 0)] == [] && m.count == 3)
    }
}
