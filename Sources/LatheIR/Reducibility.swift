import LatheEntity

extension Function {
    /// Whether every retreating edge of the reachable CFG goes to a block that dominates its source.
    public var isReducible: Bool {
        guard let entry = layout.entryBlock else { return true }
        let cfg = ControlFlowGraph(self)
        let dom = DominatorTree(cfg: cfg, entry: entry)
        var rpo = SecondaryMap<Block, Int>(default: -1)
        for (n, b) in dom.reversePostorder.enumerated() { rpo[b] = n }
        for b in dom.reversePostorder {
            for s in cfg.successors[b] where rpo[s] <= rpo[b] && !dom.dominates(s, b) { return false }
        }
        return true
    }

    /// Makes the CFG reducible by routing every multi-entry cycle through a new dispatch block.
    ///
    /// For each strongly connected region with several entry blocks E1…En, a header H is added
    /// with parameters (selector: i32, then per type as many slots as any entry needs). Each edge
    /// into an entry Ek goes instead to a small block that passes Ek's arguments in their slots,
    /// the constant k as selector and zeros in the unused slots, and jumps to H; H's `br_table`
    /// forwards the slots to Ek. Edges from inside and from outside the region get separate
    /// forwarding blocks, so H is the region's only entry. Regions are handled outermost first
    /// and their insides again without the header, as in a loop-nesting forest. Values keep their
    /// definitions, so SSA dominance still holds (a region's entries are reachable from outside
    /// without passing through the region, and every new path into an entry passes H).
    ///
    /// Returns the number of dispatch headers added, or nil (and leaves the function unchanged)
    /// when an entry takes a parameter that has no zero value (a non-nullable reference).
    public mutating func makeReducible() -> Int? {
        guard !isReducible, let oldEntry = layout.entryBlock else { return 0 }
        let cfg0 = ControlFlowGraph(self)
        if !cfg0.predecessors[oldEntry].isEmpty {
            // The entry block may be a cycle entry; give the function a fresh entry with no predecessors.
            var b = FunctionBuilder(editing: self)
            let newEntry = b.createBlock()
            b.function.layout.insertBlock(newEntry, before: oldEntry)
            b.switchToBlock(newEntry)
            let params = b.appendFunctionParams(newEntry)
            b.jump(oldEntry, params)
            self = b.function
        }
        let saved = self
        var headers = 0
        var regions: [[Block]] = [DominatorTree(cfg: ControlFlowGraph(self), entry: layout.entryBlock!).reversePostorder]
        while let region = regions.popLast() {
            let cfg = ControlFlowGraph(self)
            for scc in stronglyConnectedComponents(region, cfg) {
                let members = Set(scc)
                let isCycle = scc.count > 1 || cfg.successors[scc[0]].contains(scc[0])
                guard isCycle else { continue }
                let entries = scc.filter { b in cfg.predecessors[b].contains { !members.contains($0) } }
                if entries.count <= 1 {
                    let header = entries.first ?? scc[0]
                    regions.append(scc.filter { $0 != header })
                    continue
                }
                guard let added = addDispatch(entries: entries, members: members, cfg: cfg) else {
                    self = saved
                    return nil
                }
                headers += 1
                // H is the only entry now; the forwarding blocks from inside only lead to H.
                regions.append(scc)
                _ = added
            }
        }
        return headers
    }

    /// Routes all edges into `entries` through a new dispatch header; returns it, or nil when a slot has no zero value.
    private mutating func addDispatch(entries: [Block], members: Set<Block>, cfg: ControlFlowGraph) -> Block? {
        // Slots per type, shared between entries: entry k's i-th parameter of type t goes to the i-th slot of t.
        var slotTypes: [IRType] = []
        var slotOf: [[Int]] = []
        var firstSlot: [IRType: [Int]] = [:]
        for e in entries {
            var used: [IRType: Int] = [:]
            var map: [Int] = []
            for p in dfg.params(e) {
                let t = dfg.type(of: p)
                let n = used[t, default: 0]
                used[t] = n + 1
                if firstSlot[t, default: []].count <= n {
                    if t.kind == .typedRef { return nil }
                    firstSlot[t, default: []].append(slotTypes.count)
                    slotTypes.append(t)
                }
                map.append(firstSlot[t]![n])
            }
            slotOf.append(map)
        }
        var b = FunctionBuilder(editing: self)
        let header = b.createBlock()
        let selector = b.appendBlockParam(header, .i32)
        let slots = slotTypes.map { b.appendBlockParam(header, $0) }
        b.switchToBlock(header)
        let calls = entries.indices.map { k in (entries[k], slotOf[k].map { slots[$0] }) }
        b.brTable(selector, default: calls[calls.count - 1], Array(calls.dropLast()))

        for (k, e) in entries.enumerated() {
            // One forwarding block for edges from outside the region, one for edges from inside.
            var forward: [Bool: Block] = [:]
            for p in cfg.predecessors[e] {
                let inside = members.contains(p)
                let f: Block
                if let existing = forward[inside] { f = existing } else {
                    f = b.createBlock()
                    let params = dfg.params(e).map { b.appendBlockParam(f, dfg.type(of: $0)) }
                    b.switchToBlock(f)
                    var args = slotTypes.map { t -> Value in zero(t, &b) }
                    for (i, s) in slotOf[k].enumerated() { args[s] = params[i] }
                    b.jump(header, [b.iconst(.i32, Int64(k))] + args)
                    forward[inside] = f
                }
                guard let term = b.function.layout.lastInst(p) else { continue }
                for call in b.function.dfg.blockCalls(term) where b.function.dfg.blockCallTarget(call) == e {
                    b.function.dfg.pool.set(call, 0, Value(index: f.index))
                }
            }
        }
        self = b.function
        return header
    }

    private func zero(_ t: IRType, _ b: inout FunctionBuilder) -> Value {
        if t.isRef { return b.refNull(t) }
        if t.isVector { return b.vconst(t, bytes: [UInt8](repeating: 0, count: t.bytes)) }
        if t.isFloat { return b.fconst(t, bits: 0) }
        return b.iconst(t, 0)
    }

    /// Tarjan's strongly connected components of the subgraph induced by `nodes`, iteratively.
    private func stronglyConnectedComponents(_ nodes: [Block], _ cfg: ControlFlowGraph) -> [[Block]] {
        var inSet = EntitySet<Block>()
        for n in nodes { inSet.insert(n) }
        var index = SecondaryMap<Block, Int>(default: -1)
        var low = SecondaryMap<Block, Int>(default: 0)
        var onStack = EntitySet<Block>()
        var stack: [Block] = []
        var result: [[Block]] = []
        var counter = 0
        for root in nodes where index[root] < 0 {
            var work: [(Block, Int)] = [(root, 0)]
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack.insert(root)
            while let (v, k) = work.popLast() {
                let succ = cfg.successors[v]
                if k < succ.count {
                    work.append((v, k + 1))
                    let w = succ[k]
                    guard inSet.contains(w) else { continue }
                    if index[w] < 0 {
                        index[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack.insert(w)
                        work.append((w, 0))
                    } else if onStack.contains(w) {
                        low[v] = min(low[v], index[w])
                    }
                } else {
                    if let (parent, _) = work.last { low[parent] = min(low[parent], low[v]) }
                    if low[v] == index[v] {
                        var component: [Block] = []
                        while let w = stack.popLast() {
                            onStack.remove(w)
                            component.append(w)
                            if w == v { break }
                        }
                        result.append(component)
                    }
                }
            }
        }
        return result
    }
}
