import LatheEntity
import LatheIR
import LatheWasm

/// Local assignment for the lowerer: liveness, interference, coalescing and slot colouring.
///
/// Values that live in locals get dense indices (entry parameters first, then block parameters and
/// root results in reverse postorder). Liveness follows each value's uses up the predecessor edges
/// to its definition (path exploration: cost proportional to live-range size, no fixpoint), which
/// gives the same minimal live-in sets as the iterative data-flow solution. A block parameter is
/// defined on the incoming edges, so it is live into its own block and not out of predecessors.
extension LowerState {
    /// Locals: one per value, then values coalesced by interference (block parameters with their
    /// edge arguments first), slots per type reused, the busiest new locals numbered first.
    mutating func assignLocals(_ entry: Block, _ a: inout LocalAssigner) {
        a.reset(self, entry: entry)
        a.numberValues(self)
        a.collectUses(self)
        a.computeLiveness(self)
        a.collectInterference(self)
        a.buildAdjacency()
        a.coalesce(self)
        a.colour(self)
        localGroups = a.numberSlots(self)
        for d in 0..<a.valueOf.count { local[a.valueOf[d]] = a.localOfValue[d] }
    }
}

/// The state of one function's local assignment (see `LowerState.assignLocals`); indices are dense value numbers.
///
/// The lowerer's state is passed to each step (borrowed, not copied). One assigner serves many
/// functions in turn (`reset`), so its buffers are allocated once, not per function.
struct LocalAssigner: ~Copyable {
    var entry = Block(index: 0)
    var order: [Block] = []
    static let none: Int32 = -1

    /// Dense number of each value in a local, or -1.
    var dense = ScratchBuffer<Int32>()
    var valueOf: [Value] = []
    var defBlock = ScratchBuffer<Int32>()
    /// A parameter of a block entered on edges: defined on the edges, so live into its own block.
    var definedOnEdges = ScratchBuffer<Bool>()
    var entryParams: [Value] = []

    /// The dense values each root reads from locals, by the root's position in `instList`.
    var readBegin = ScratchBuffer<Int32>(), readEnd = ScratchBuffer<Int32>()
    var reads = ScratchBuffer<Int32>()
    /// Blocks where each value is used (CSR), and the (parameter, argument) pairs of every edge.
    var useStart = ScratchBuffer<Int32>(), useBlocks = ScratchBuffer<Int32>()
    var copyParam = ScratchBuffer<Int32>(), copyArg = ScratchBuffer<Int32>()
    var isTarget = ScratchBuffer<Bool>()

    /// Live-in values of each block in compressed rows, sorted by dense number: block `b`'s are
    /// `liveValues[liveStart[b]..<liveStart[b + 1]]`.
    var liveStart = ScratchBuffer<Int32>(), liveValues = ScratchBuffer<Int32>()
    /// Live-in (block, value) pairs in the order liveness finds them (by value), before the rows are built.
    var liveInBlock = ScratchBuffer<Int32>(), liveInValue = ScratchBuffer<Int32>()
    /// Reachable predecessors of each block in compressed rows, for the liveness walk (reading
    /// `cfg.predecessors` per visited block retains and releases an array each time).
    var predStart = ScratchBuffer<Int32>(), predBlocks = ScratchBuffer<Int32>()

    var pairA = ScratchBuffer<Int32>(), pairB = ScratchBuffer<Int32>()
    var adjStart = ScratchBuffer<Int32>(), adj = ScratchBuffer<Int32>()

    var parent = ScratchBuffer<Int32>(), nextMember = ScratchBuffer<Int32>(), lastMember = ScratchBuffer<Int32>()
    var classSize = ScratchBuffer<Int32>(), fixed = ScratchBuffer<Int32>()
    var slotOfClass = ScratchBuffer<Int32>()
    var slotType: [ValType] = []
    var newSlotsOfType: [ValType: [Int32]] = [:]
    var newSlotOrder: [ValType] = []
    /// The local of each dense value (`numberSlots`).
    var localOfValue: [Int] = []

    // Scratch of the steps.
    var useValue = ScratchBuffer<Int32>(), useBlock = ScratchBuffer<Int32>(), fill = ScratchBuffer<Int32>()
    var markedFor = ScratchBuffer<Int32>(), work = ScratchBuffer<Int32>()
    var live = DenseSet()
    var defined = ScratchBuffer<Int32>()
    var blockedBy = ScratchBuffer<Int32>()
    var slotUses: [Int] = [], localOfSlot: [Int] = []

    init() {}

    /// Empties every buffer (keeping its capacity) and sizes the per-value and per-block ones for `state`'s function.
    mutating func reset(_ state: borrowing LowerState, entry: Block) {
        self.entry = entry
        order = state.dom.reversePostorder
        let blocks = state.f.dfg.blockCount
        Self.refill(&dense, Self.none, state.f.dfg.valueCount)
        valueOf.removeAll(keepingCapacity: true)
        defBlock.removeAll()
        definedOnEdges.removeAll()
        entryParams.removeAll(keepingCapacity: true)
        Self.refill(&readBegin, 0, state.instList.count)
        Self.refill(&readEnd, 0, state.instList.count)
        reads.removeAll()
        copyParam.removeAll()
        copyArg.removeAll()
        Self.refill(&isTarget, false, blocks)
        liveInBlock.removeAll()
        liveInValue.removeAll()
        pairA.removeAll()
        pairB.removeAll()
        newSlotsOfType.removeAll(keepingCapacity: true)
        newSlotOrder.removeAll(keepingCapacity: true)
        useValue.removeAll()
        useBlock.removeAll()
        Self.refill(&markedFor, Self.none, blocks)
    }

    /// Makes `buffer` hold `count` copies of `value`, reusing its storage.
    static func refill<T: BitwiseCopyable>(_ buffer: inout ScratchBuffer<T>, _ value: T, _ count: Int) {
        buffer.refill(value, count: count)
    }

    /// Makes `array` hold `count` copies of `value`, reusing its storage.
    static func refill<T>(_ array: inout [T], _ value: T, _ count: Int) {
        array.removeAll(keepingCapacity: true)
        array.append(contentsOf: repeatElement(value, count: count))
    }

    mutating func number(_ v: Value, _ b: Block, param: Bool) {
        dense[v.index] = Int32(valueOf.count)
        valueOf.append(v)
        defBlock.append(Int32(b.index))
        definedOnEdges.append(param && b != entry)
    }

    /// Dense numbers: entry parameters, then block parameters and root results in reverse postorder.
    mutating func numberValues(_ s: borrowing LowerState) {
        for k in 0..<s.paramCount(entry) { entryParams.append(s.param(entry, k)) }
        for p in entryParams { number(p, entry, param: true) }
        for b in order {
            if b != entry {
                for k in 0..<s.paramCount(b) where s.needsLocal(s.param(b, k)) { number(s.param(b, k), b, param: true) }
            }
            for n in s.instRange(b) {
                let i = s.instList[n]
                guard s.isRoot(i) else { continue }
                for k in 0..<s.resultCount(i) where s.needsLocal(s.result(i, k)) { number(s.result(i, k), b, param: false) }
            }
        }
    }

    /// Appends the dense values root `i` reads from locals (the leaves of its stack tree).
    mutating func appendReads(_ s: borrowing LowerState, _ i: Inst) {
        for k in s.stackOps(i) {
            let v = s.ops[k]
            if let d = s.defInst(v), s.isRemat(d) || s.has(d, LowerState.InstFlags.stackified) {
                if s.has(d, LowerState.InstFlags.stackified) { appendReads(s, d) }
            } else if dense[v.index] >= 0 {
                reads.append(dense[v.index])
            }
        }
    }

    /// Each root's reads, the use blocks of every value (a read, or an argument on an outgoing edge), and the copy pairs.
    mutating func collectUses(_ s: borrowing LowerState) {
        for b in order {
            let bi = Int32(b.index)
            for n in s.instRange(b) where s.isRoot(s.instList[n]) {
                readBegin[n] = Int32(reads.count)
                appendReads(s, s.instList[n])
                readEnd[n] = Int32(reads.count)
                for k in Int(readBegin[n])..<reads.count { useValue.append(reads[k]); useBlock.append(bi) }
            }
            let range = s.instRange(b)
            guard !range.isEmpty else { continue }
            let term = s.instList[range.upperBound - 1]
            for j in 0..<s.edgeCount(term) {
                let e = s.edge(term, j)
                let t = s.target(e)
                isTarget[t.index] = true
                for k in 0..<s.paramCount(t) where s.needsLocal(s.param(t, k)) {
                    let p = s.param(t, k), a = s.arg(e, k)
                    guard s.needsLocal(a) else { continue }
                    useValue.append(dense[a.index]); useBlock.append(bi)
                    copyParam.append(dense[p.index]); copyArg.append(dense[a.index])
                }
            }
        }
        Self.buildRows(rowOf: useValue, item: useBlock, rowCount: valueOf.count, start: &useStart, items: &useBlocks, fill: &fill)
    }

    /// Compressed rows from (row, item) pairs: row `r`'s items are `items[start[r]..<start[r + 1]]`,
    /// in the order the pairs come (a stable counting sort).
    static func buildRows(rowOf: borrowing ScratchBuffer<Int32>, item: borrowing ScratchBuffer<Int32>, rowCount: Int,
                          start: inout ScratchBuffer<Int32>, items: inout ScratchBuffer<Int32>, fill: inout ScratchBuffer<Int32>) {
        start.refill(0, count: rowCount + 1)
        for k in rowOf.indices { start[Int(rowOf[k]) + 1] += 1 }
        for r in 0..<rowCount { start[r + 1] += start[r] }
        fill.removeAll()
        fill.append(contentsOf: start)
        items.refill(0, count: item.count)
        for k in rowOf.indices {
            let r = Int(rowOf[k])
            items[Int(fill[r])] = item[k]
            fill[r] += 1
        }
    }

    /// Live-in lists: each value's uses followed up the predecessor edges to its definition.
    mutating func computeLiveness(_ s: borrowing LowerState) {
        predStart.removeAll()
        predBlocks.removeAll()
        for b in 0..<markedFor.count {
            predStart.append(Int32(predBlocks.count))
            for q in s.cfg.predecessors[Block(index: b)] where s.rpo[q] >= 0 { predBlocks.append(Int32(q.index)) }
        }
        predStart.append(Int32(predBlocks.count))
        for d in 0..<valueOf.count {
            let home = defBlock[d], dd = Int32(d), onEdges = definedOnEdges[d]
            for u in Int(useStart[d])..<Int(useStart[d + 1]) {
                let x = useBlocks[u]
                if x == home {
                    if onEdges, markedFor[Int(home)] != dd { markedFor[Int(home)] = dd; liveInBlock.append(home); liveInValue.append(dd) }
                    continue
                }
                if markedFor[Int(x)] == dd { continue }
                markedFor[Int(x)] = dd; liveInBlock.append(x); liveInValue.append(dd)
                work.append(x)
                while let b = work.popLast() {
                    for p in Int(predStart[Int(b)])..<Int(predStart[Int(b) + 1]) {
                        let qi = predBlocks[p]
                        if qi == home {
                            if onEdges, markedFor[Int(home)] != dd { markedFor[Int(home)] = dd; liveInBlock.append(home); liveInValue.append(dd) }
                            continue
                        }
                        if markedFor[Int(qi)] == dd { continue }
                        markedFor[Int(qi)] = dd; liveInBlock.append(qi); liveInValue.append(dd)
                        work.append(qi)
                    }
                }
            }
        }
        // Rows by block; the pairs come by dense number, so each row stays sorted.
        Self.buildRows(rowOf: liveInBlock, item: liveInValue, rowCount: markedFor.count, start: &liveStart, items: &liveValues, fill: &fill)
    }

    /// Positions in `liveValues` of the values live into block `b`.
    @inline(__always) func liveRange(_ b: Int) -> Range<Int> { Int(liveStart[b])..<Int(liveStart[b + 1]) }

    /// Interference pairs: each definition against what is live after it.
    mutating func collectInterference(_ s: borrowing LowerState) {
        // Parameters are written together on the edge, so each interferes with everything live into its block.
        for b in order where isTarget[b.index] {
            for k in 0..<s.paramCount(b) where s.needsLocal(s.param(b, k)) {
                let dp = dense[s.param(b, k).index]
                for k in liveRange(b.index) where liveValues[k] != dp { pairA.append(dp); pairB.append(liveValues[k]) }
            }
        }
        live.reset(capacity: valueOf.count)
        for b in order {
            let range = s.instRange(b)
            guard !range.isEmpty else { continue }
            let term = s.instList[range.upperBound - 1]
            live.removeAll()
            for j in 0..<s.edgeCount(term) {
                let e = s.edge(term, j)
                let t = s.target(e)
                // The target's parameters are killed on the edge; their arguments are read there.
                for k in liveRange(t.index) {
                    let q = liveValues[k]
                    if !(defBlock[Int(q)] == Int32(t.index) && definedOnEdges[Int(q)]) { live.insert(q) }
                }
                for k in 0..<s.paramCount(t) where s.needsLocal(s.param(t, k)) {
                    let a = s.arg(e, k)
                    if s.needsLocal(a) { live.insert(dense[a.index]) }
                }
            }
            let termPos = range.upperBound - 1
            if s.isRoot(term) { for k in Int(readBegin[termPos])..<Int(readEnd[termPos]) { live.insert(reads[k]) } }
            for n in range.dropLast().reversed() {
                let i = s.instList[n]
                guard s.isRoot(i) else { continue }
                defined.removeAll()
                for k in 0..<s.resultCount(i) where dense[s.result(i, k).index] >= 0 {
                    let r = dense[s.result(i, k).index]
                    defined.append(r)
                    live.remove(r)
                }
                for j in defined.indices {
                    let r = defined[j]
                    for m in live.members.indices { pairA.append(r); pairB.append(live.members[m]) }
                    for j2 in defined.indices where defined[j2] != r { pairA.append(r); pairB.append(defined[j2]) }
                }
                for k in Int(readBegin[n])..<Int(readEnd[n]) { live.insert(reads[k]) }
            }
            if b == entry {
                // Entry parameters are all defined at function entry.
                for p in entryParams {
                    let dp = dense[p.index]
                    for m in live.members.indices where live.members[m] != dp { pairA.append(dp); pairB.append(live.members[m]) }
                    for p2 in entryParams where p2 != p { pairA.append(dp); pairB.append(dense[p2.index]) }
                }
            }
        }
    }

    /// Adjacency lists in compressed rows (duplicate pairs are harmless).
    mutating func buildAdjacency() {
        let n = valueOf.count
        Self.refill(&adjStart, 0, n + 1)
        for k in pairA.indices { adjStart[Int(pairA[k]) + 1] += 1; adjStart[Int(pairB[k]) + 1] += 1 }
        for k in 0..<n { adjStart[k + 1] += adjStart[k] }
        fill.removeAll()
        fill.append(contentsOf: adjStart)
        Self.refill(&adj, 0, Int(adjStart[n]))
        for k in pairA.indices {
            let a = Int(pairA[k]), b = Int(pairB[k])
            adj[Int(fill[a])] = Int32(b); fill[a] += 1
            adj[Int(fill[b])] = Int32(a); fill[b] += 1
        }
    }

    /// The class of a dense value (union-find with path halving).
    mutating func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]
            x = parent[Int(x)]
        }
        return x
    }

    /// Whether any member of class `a` interferes with any member of class `b`.
    mutating func classInterferes(_ a: Int32, _ b: Int32) -> Bool {
        let (small, big) = classSize[Int(a)] < classSize[Int(b)] ? (a, b) : (b, a)
        var m = small
        while m != Self.none {
            for k in Int(adjStart[Int(m)])..<Int(adjStart[Int(m) + 1]) where find(adj[k]) == big { return true }
            m = nextMember[Int(m)]
        }
        return false
    }

    /// Coalesces copy-related values whose classes do not interfere (members kept as linked lists).
    mutating func coalesce(_ s: borrowing LowerState) {
        let n = valueOf.count
        parent.removeAll()
        for k in 0..<Int32(n) { parent.append(k) }
        Self.refill(&nextMember, Self.none, n)
        lastMember.removeAll()
        for k in 0..<Int32(n) { lastMember.append(k) }
        Self.refill(&classSize, 1, n)
        Self.refill(&fixed, Self.none, n)
        for (k, p) in entryParams.enumerated() { fixed[Int(dense[p.index])] = Int32(k) }
        for c in copyParam.indices {
            let x = find(copyParam[c]), y = find(copyArg[c])
            guard x != y, s.typeOf(valueOf[Int(x)]) == s.typeOf(valueOf[Int(y)]) else { continue }
            if fixed[Int(x)] >= 0 && fixed[Int(y)] >= 0 { continue }
            if classInterferes(x, y) { continue }
            let (root, child) = fixed[Int(y)] >= 0 ? (y, x) : (x, y)
            parent[Int(child)] = root
            nextMember[Int(lastMember[Int(root)])] = child
            lastMember[Int(root)] = lastMember[Int(child)]
            classSize[Int(root)] += classSize[Int(child)]
            if fixed[Int(child)] >= 0 { fixed[Int(root)] = fixed[Int(child)] }
        }
    }

    /// Colours classes with slots: parameter locals first (slots 0..<P), then new locals (slots P...), first fit.
    mutating func colour(_ s: borrowing LowerState) {
        let n = valueOf.count
        var paramTypes: [ValType] = []
        for p in entryParams { paramTypes.append(LowerState.valType(s.typeOf(p))) }
        Self.refill(&slotOfClass, Self.none, n)
        slotType.removeAll(keepingCapacity: true)
        slotType.append(contentsOf: paramTypes)
        Self.refill(&blockedBy, Self.none, paramTypes.count)
        for r in 0..<Int32(n) where find(r) == r && fixed[Int(r)] >= 0 { slotOfClass[Int(r)] = fixed[Int(r)] }
        for r in 0..<Int32(n) where find(r) == r && fixed[Int(r)] < 0 {
            // Slots taken by an interfering class are blocked for this one.
            var m = r
            while m != Self.none {
                for k in Int(adjStart[Int(m)])..<Int(adjStart[Int(m) + 1]) {
                    let slot = slotOfClass[Int(find(adj[k]))]
                    if slot >= 0 { blockedBy[Int(slot)] = r }
                }
                m = nextMember[Int(m)]
            }
            let t = LowerState.valType(s.typeOf(valueOf[Int(r)]))
            var chosen = Self.none
            for p in paramTypes.indices where paramTypes[p] == t && blockedBy[p] != r { chosen = Int32(p); break }
            if chosen < 0, let slots = newSlotsOfType[t] {
                for slot in slots where blockedBy[Int(slot)] != r { chosen = slot; break }
            }
            if chosen < 0 {
                chosen = Int32(slotType.count)
                slotType.append(t)
                blockedBy.append(Self.none)
                if newSlotsOfType[t] == nil { newSlotOrder.append(t) }
                newSlotsOfType[t, default: []].append(chosen)
            }
            slotOfClass[Int(r)] = chosen
        }
    }

    /// Numbers new slots (types by total uses, busiest slot first within a type); returns each dense value's local and the local groups.
    mutating func numberSlots(_ s: borrowing LowerState) -> [LocalGroup] {
        let n = valueOf.count
        Self.refill(&slotUses, 0, slotType.count)
        for d in 0..<n { slotUses[Int(slotOfClass[Int(find(Int32(d)))])] += s.uses[valueOf[d]] }
        var totals: [ValType: Int] = [:]
        for t in newSlotOrder { totals[t] = newSlotsOfType[t]!.reduce(0) { $0 + slotUses[Int($1)] } }
        let typeOrder = newSlotOrder.sorted { totals[$0]! != totals[$1]! ? totals[$0]! > totals[$1]! : newSlotsOfType[$0]![0] < newSlotsOfType[$1]![0] }
        localOfSlot.removeAll(keepingCapacity: true)
        localOfSlot.append(contentsOf: 0..<slotType.count)
        var groups: [LocalGroup] = []
        var next = entryParams.count
        for t in typeOrder {
            let ids = newSlotsOfType[t]!.sorted { slotUses[Int($0)] != slotUses[Int($1)] ? slotUses[Int($0)] > slotUses[Int($1)] : $0 < $1 }
            for id in ids { localOfSlot[Int(id)] = next; next += 1 }
            groups.append(LocalGroup(count: UInt32(ids.count), type: t))
        }
        Self.refill(&localOfValue, 0, n)
        for d in 0..<n { localOfValue[d] = localOfSlot[Int(slotOfClass[Int(find(Int32(d)))])] }
        return groups
    }
}

/// A set of small integers with O(1) insert, remove and clear, iterated in insertion order (with holes filled by the last member).
struct DenseSet: ~Copyable {
    private var position = ScratchBuffer<Int32>()
    private(set) var members = ScratchBuffer<Int32>()

    init() {}

    /// Empties the set and makes room for members below `capacity`, reusing storage.
    mutating func reset(capacity: Int) {
        removeAll()
        if position.count < capacity { position.append(repeating: -1, count: capacity - position.count) }
    }

    mutating func insert(_ x: Int32) {
        guard position[Int(x)] < 0 else { return }
        position[Int(x)] = Int32(members.count)
        members.append(x)
    }

    mutating func remove(_ x: Int32) {
        let p = position[Int(x)]
        guard p >= 0 else { return }
        let last = members.removeLast()
        if last != x { members[Int(p)] = last; position[Int(last)] = p }
        position[Int(x)] = -1
    }

    mutating func removeAll() {
        for k in members.indices { position[Int(members[k])] = -1 }
        members.removeAll()
    }
}
