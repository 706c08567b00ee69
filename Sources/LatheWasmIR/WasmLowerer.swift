import LatheEntity
import LatheIR
import LatheWasm

/// Why an IR function could not be lowered to wasm.
public struct LowerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Set for a retreating edge to a block that does not dominate its source.
    public var isIrreducible = false
    public init(_ message: String, irreducible: Bool = false) { self.message = message; self.isIrreducible = irreducible }
    public var description: String { "cannot lower: \(message)" }
}

/// Lowers an IR function to a wasm function body.
///
/// Control flow: structured from the dominator tree after Ramsey, "Beyond Relooper" (ICFP 2022):
/// a loop around each loop header, a block ending just before each merge node (a block with two or
/// more forward edges, or a `br_table` target), `if`/`else` for two-way branches that are not
/// simply a branch to a label (those become `br_if`), and targets with one forward edge placed
/// inline. Irreducible control flow (never lifted from wasm, but other producers make it) is first
/// made reducible by `Function.makeReducible()`.
///
/// Values: function parameters keep their locals; every other value gets a local, except
/// constants (rematerialized at each use), unused values of instructions with no effect (left out)
/// and values whose definition immediately precedes their user (operands read from locals or
/// rematerialized may come between): used once, they stay on the operand stack as a tree; used
/// more often, they are computed inside the user and kept with `local.tee`. Block parameters are
/// written on the edge: all arguments are pushed, then popped into the parameters' locals in
/// reverse, which is a parallel copy without temporaries.
public struct WasmLowerer {
    public static func lower(_ lifted: LiftedFunction) throws(LowerError) -> FunctionBody {
        var l = try LowerState(lifted)
        do {
            return try l.run()
        } catch let error where error.isIrreducible {
            // Rare (wasm input is always reducible): route multi-entry cycles through dispatch blocks first.
            var reducible = lifted
            guard reducible.function.makeReducible() != nil else {
                throw LowerError("irreducible control flow into a block with a non-nullable reference parameter")
            }
            var again = try LowerState(reducible)
            return try again.run()
        }
    }
}

private enum Ctx: Equatable {
    case blockFollowedBy(Block)
    case loopHeadedBy(Block)
    case ifThenElse
    case plain
}

private struct LowerState {
    let lifted: LiftedFunction
    let f: Function
    var cfg: ControlFlowGraph
    var dom: DominatorTree
    var rpo = SecondaryMap<Block, Int>(default: -1)
    var isLoopHeader = EntitySet<Block>()
    var isMerge = EntitySet<Block>()
    var children = SecondaryMap<Block, [Block]>(default: [])
    var uses = SecondaryMap<Value, Int>(default: 0)
    var stackified = EntitySet<Inst>()
    /// Roots with several uses emitted inside their next user's operands, their result kept with `local.tee`.
    var deferred = EntitySet<Inst>()
    var deferredEmitted = EntitySet<Inst>()
    /// Unused instructions with no effect: not emitted.
    var dead = EntitySet<Inst>()
    var local = SecondaryMap<Value, Int>(default: -1)
    var out: [Instruction] = []
    var ctx: [Ctx] = []
    var localGroups: [LocalGroup] = []
    /// Lane shapes of vector instructions, recorded before `VectorLowering.prepare` erased them.
    let vectorShapes: [Inst: VectorShape]
    /// Values in locals live at the start of each block (block parameters included when used).
    var liveAtStart = SecondaryMap<Block, Set<Value>>(default: [])

    init(_ lifted: LiftedFunction) throws(LowerError) {
        self.lifted = lifted
        (f, vectorShapes) = try VectorLowering.prepare(lifted.function)
        cfg = ControlFlowGraph(f)
        dom = DominatorTree(cfg: cfg, entry: f.entryBlock ?? Block(index: 0))
    }

    func isRemat(_ i: Inst) -> Bool {
        switch f.dfg[i].opcode {
        case .iconst, .fconst, .vconst, .refNull, .refFunc: true
        default: false
        }
    }

    func isZeroConst(_ i: Inst) -> Bool {
        let d = f.dfg[i]
        switch d.opcode {
        case .iconst, .fconst: return d.imm64 == 0
        case .refNull: return true
        case .vconst: return f.dfg.constants[ConstRef(index: Int(d.a))].allSatisfy { $0 == 0 }
        default: return false
        }
    }

    func defInst(_ v: Value) -> Inst? {
        if case .result(let i, _) = f.dfg.definition(of: v) { return i }
        return nil
    }

    /// The operands an instruction takes from the wasm operand stack, in push order.
    func stackOperands(_ i: Inst) -> [Value] {
        let d = f.dfg[i]
        func v(_ x: UInt32) -> Value { Value(index: Int(x)) }
        switch d.opcode.format {
        case .ternary:
            // wasm takes the condition or mask of select, bitselect and relaxed_laneselect last
            return [.select, .bitselect, .relaxedLaneselect].contains(d.opcode) ? [v(d.b), v(d.c), v(d.a)] : [v(d.a), v(d.b), v(d.c)]
        case .store, .memoryLane: return [v(d.b), v(d.a)]
        case .callIndirect, .callRef:
            let l = f.dfg.pool.elements(ValueList(handle: d.b))
            return Array(l.dropFirst()) + [l[0]]
        case .jump: return []
        case .branch, .branchTable: return [v(d.a)]
        default: return f.dfg.valueOperands(i)
        }
    }

    mutating func run() throws(LowerError) -> FunctionBody {
        guard let entry = f.entryBlock else { throw LowerError("no entry block") }
        let order = dom.reversePostorder
        for (n, b) in order.enumerated() { rpo[b] = n }
        var forwardIn = SecondaryMap<Block, Int>(default: 0)
        for b in order {
            guard let term = f.layout.lastInst(b) else { throw LowerError("empty block") }
            let isTable = f.dfg[term].opcode == .brTable
            for s in cfg.successors[b] {
                if rpo[s] <= rpo[b] {
                    guard dom.dominates(s, b) else { throw LowerError("irreducible control flow (edge \(b) -> \(s))", irreducible: true) }
                    isLoopHeader.insert(s)
                } else {
                    forwardIn[s] += 1
                    if isTable { isMerge.insert(s) }
                }
            }
            if b != entry, let d = dom.immediateDominator(b) { children[d].append(b) }
            for i in f.layout.insts(b) {
                for v in f.dfg.valueOperands(i) { uses[v] += 1 }
            }
        }
        for b in order where forwardIn[b] >= 2 { isMerge.insert(b) }
        removeDeadCode(order)
        for b in order { stackify(b) }
        assignLocals(entry)
        try doTree(entry)
        finish()
        return FunctionBody(locals: localGroups, instructions: out)
    }

    // MARK: operand stack

    /// Marks instructions whose results are all unused and that have no effect, then their operands' definitions in turn.
    mutating func removeDeadCode(_ order: [Block]) {
        var work: [Inst] = []
        func consider(_ i: Inst) {
            guard !dead.contains(i), !isRemat(i), f.dfg.resultCount(i) > 0, f.dfg[i].opcode.effects.isRemovableIfUnused else { return }
            guard f.dfg.results(of: i).allSatisfy({ uses[$0] == 0 }) else { return }
            dead.insert(i)
            work.append(i)
        }
        for b in order { for i in f.layout.insts(b) { consider(i) } }
        while let i = work.popLast() {
            for v in f.dfg.valueOperands(i) {
                uses[v] -= 1
                if uses[v] == 0, let d = defInst(v) { consider(d) }
            }
        }
    }

    /// Whether an instruction is emitted where it stands (not a constant, not dead, not part of a tree).
    func isRoot(_ i: Inst) -> Bool { !isRemat(i) && !dead.contains(i) && !stackified.contains(i) }

    /// Keeps values on the operand stack when their definitions immediately precede the user: a
    /// single-use value as a subtree; a value with more uses through `local.tee` inside the user.
    /// Operands read from locals or rematerialized may sit between them, since reading a local has no effect.
    mutating func stackify(_ b: Block) {
        var treeStart = SecondaryMap<Inst, Inst>(default: .reservedValue)
        for i in f.layout.insts(b) {
            if isRemat(i) || dead.contains(i) { continue }
            treeStart[i] = i
            var cursor = prevEmitted(i)
            let ops = stackOperands(i)
            for (k, v) in ops.enumerated().reversed() {
                guard let d = defInst(v) else { continue }
                if isRemat(d) { continue }
                // Anything else is read from its local at the user.
                guard d == cursor else { continue }
                guard f.dfg.resultCount(d) == 1, !f.dfg[d].opcode.isTerminator else { break }
                if uses[v] == 1 {
                    stackified.insert(d)
                } else {
                    // The local is written by the tee, so earlier operands must not read it.
                    guard !ops[..<k].contains(v) else { break }
                    deferred.insert(d)
                }
                treeStart[i] = treeStart[d]
                cursor = prevEmitted(treeStart[d])
            }
        }
    }

    /// The closest earlier instruction that is emitted at its place or as a tree (constants and dead code skipped).
    func prevEmitted(_ i: Inst) -> Inst? {
        var p = f.layout.prevInst(i)
        while let x = p, isRemat(x) || dead.contains(x) { p = f.layout.prevInst(x) }
        return p
    }

    // MARK: locals

    static func valType(_ t: IRType) -> ValType {
        switch t.kind {
        case .i32: .i32
        case .i64: .i64
        case .f32: .f32
        case .f64: .f64
        case .funcref: .funcref
        case .externref: .externref
        default: t.isVector ? .v128 : .funcref
        }
    }

    /// Whether `v` lives in a local (not a constant, not kept on the stack, and used).
    func needsLocal(_ v: Value) -> Bool {
        guard uses[v] > 0 else { return false }
        if let d = defInst(v) { return !isRemat(d) && !stackified.contains(d) && !dead.contains(d) }
        return true
    }

    /// The values a root instruction reads from locals (the leaves of its stack tree).
    func localReads(_ i: Inst, into out: inout [Value]) {
        for v in stackOperands(i) {
            if let d = defInst(v), isRemat(d) || stackified.contains(d) {
                if stackified.contains(d) { localReads(d, into: &out) }
            } else { out.append(v) }
        }
    }

    /// Locals: one per value, then values coalesced by interference (block parameters with their
    /// edge arguments first), slots per type reused, the busiest new locals numbered first.
    mutating func assignLocals(_ entry: Block) {
        let order = dom.reversePostorder
        // Liveness, with block parameters defined on the incoming edges.
        var liveIn = SecondaryMap<Block, Set<Value>>(default: [])
        var interference: [Value: Set<Value>] = [:]
        var copyPairs: [(Value, Value)] = []
        func interfere(_ a: Value, _ b: Value) {
            guard a != b else { return }
            interference[a, default: []].insert(b)
            interference[b, default: []].insert(a)
        }
        // Live-in sets to a fixpoint, then interference from them.
        var changed = true
        var rounds = 0
        while changed && rounds < 1000 {
            changed = false
            rounds += 1
            for b in order.reversed() {
                guard let live = blockLiveIn(b, entry, liveIn, interfere: nil, copyPairs: &copyPairs) else { continue }
                if live != liveIn[b] { liveIn[b] = live; changed = true }
            }
        }
        // Interference from the final live-in sets.
        for b in order { _ = blockLiveIn(b, entry, liveIn, interfere: interfere, copyPairs: &copyPairs) }
        liveAtStart = liveIn

        // Coalesce copy-related values whose classes do not interfere.
        var parent: [Value: Value] = [:]
        func find(_ v: Value) -> Value {
            var x = v
            while let p = parent[x], p != x { x = p }
            return x
        }
        var members: [Value: [Value]] = [:]
        var classAdj: [Value: Set<Value>] = [:]
        let entryParams = f.dfg.params(entry)
        var fixed: [Value: Int] = [:]
        for (n, p) in entryParams.enumerated() { fixed[p] = n }
        var all: [Value] = entryParams
        for b in order {
            if b != entry { all += f.dfg.params(b).filter(needsLocal) }
            for i in f.layout.insts(b) where isRoot(i) { all += f.dfg.results(of: i).filter(needsLocal) }
        }
        for v in all { parent[v] = v; members[v] = [v]; classAdj[v] = interference[v] ?? [] }
        func classInterferes(_ a: Value, _ b: Value) -> Bool {
            let (small, big) = members[a]!.count < members[b]!.count ? (a, b) : (b, a)
            let adj = classAdj[big]!
            return members[small]!.contains { adj.contains($0) }
        }
        for (p, a) in copyPairs {
            let x = find(p), y = find(a)
            guard x != y, parent[x] != nil, parent[y] != nil, f.dfg.type(of: x) == f.dfg.type(of: y) else { continue }
            if fixed[x] != nil && fixed[y] != nil { continue }
            if classInterferes(x, y) { continue }
            let (root, child) = fixed[y] != nil ? (y, x) : (x, y)
            parent[child] = root
            members[root]! += members[child]!
            classAdj[root]!.formUnion(classAdj[child]!)
            if let fx = fixed[child] { fixed[root] = fx }
            members[child] = nil; classAdj[child] = nil
        }
        // Colour classes with slots per type: parameter locals first, then new locals.
        var slotOfClass: [Value: Int] = [:]   // >= 0: local index of a parameter; < 0: -(new slot + 1)
        var slotsByType: [ValType: [[Value]]] = [:]  // new slot -> classes in it
        var paramSlotClasses: [Int: [Value]] = [:]
        let roots = all.filter { find($0) == $0 }
        for r in roots { if let fx = fixed[r] { slotOfClass[r] = fx; paramSlotClasses[fx, default: []].append(r) } }
        func conflicts(_ r: Value, _ classes: [Value]) -> Bool { classes.contains { classInterferes(r, $0) } }
        var newSlotType: [Int: ValType] = [:]
        var newSlotCount = 0
        var newSlotIDs: [ValType: [Int]] = [:]
        for r in roots where fixed[r] == nil {
            let t = Self.valType(f.dfg.type(of: r))
            if let p = entryParams.indices.first(where: { Self.valType(f.dfg.type(of: entryParams[$0])) == t && !conflicts(r, paramSlotClasses[$0] ?? []) }) {
                slotOfClass[r] = p; paramSlotClasses[p, default: []].append(r); continue
            }
            var placed = false
            for (k, id) in (newSlotIDs[t] ?? []).enumerated() where !conflicts(r, slotsByType[t]![k]) {
                slotsByType[t]![k].append(r); slotOfClass[r] = -(id + 1); placed = true; break
            }
            if !placed {
                let id = newSlotCount; newSlotCount += 1
                newSlotType[id] = t
                newSlotIDs[t, default: []].append(id)
                slotsByType[t, default: []].append([r])
                slotOfClass[r] = -(id + 1)
            }
        }
        // Number new slots: types by total uses, busiest slot first within a type.
        var slotUses = [Int](repeating: 0, count: newSlotCount)
        for v in all { if let s = slotOfClass[find(v)], s < 0 { slotUses[-s - 1] += uses[v] } }
        var typeOrder = Array(newSlotIDs.keys)
        func total(_ t: ValType) -> Int { newSlotIDs[t]!.reduce(0) { $0 + slotUses[$1] } }
        typeOrder.sort { total($0) != total($1) ? total($0) > total($1) : newSlotIDs[$0]![0] < newSlotIDs[$1]![0] }
        var indexOfSlot = [Int](repeating: 0, count: newSlotCount)
        var next = entryParams.count
        for t in typeOrder {
            let ids = newSlotIDs[t]!.sorted { slotUses[$0] != slotUses[$1] ? slotUses[$0] > slotUses[$1] : $0 < $1 }
            for id in ids { indexOfSlot[id] = next; next += 1 }
            localGroups.append(LocalGroup(count: UInt32(ids.count), type: t))
        }
        for v in all {
            let s = slotOfClass[find(v)]!
            local[v] = s >= 0 ? s : indexOfSlot[-s - 1]
        }
    }

    /// Values in locals live at the start of `b`, from its successors' live-in sets; nil for a block without instructions.
    ///
    /// With `interfere`, also reports each definition against what is live after it (edge
    /// parameters against the target's live-in, entry parameters against each other) and collects
    /// the (parameter, argument) copy pairs of the block's outgoing edges.
    func blockLiveIn(_ b: Block, _ entry: Block, _ liveIn: SecondaryMap<Block, Set<Value>>,
                     interfere: ((Value, Value) -> Void)?, copyPairs: inout [(Value, Value)]) -> Set<Value>? {
        let insts = f.layout.insts(b)
        guard let term = insts.last else { return nil }
        var live = Set<Value>()
        for e in f.dfg.blockCalls(term) {
            let s = f.dfg.blockCallTarget(e)
            var l = liveIn[s]
            let params = f.dfg.params(s)
            // Parameters are written together at the edge, after all arguments are read (an argument may be a parameter).
            if let interfere { for p in params where needsLocal(p) { for q in l { interfere(p, q) } } }
            for p in params where needsLocal(p) { l.remove(p) }
            for (p, a) in zip(params, f.dfg.blockCallArgs(e)) where needsLocal(p) && needsLocal(a) {
                l.insert(a)
                if interfere != nil { copyPairs.append((p, a)) }
            }
            live.formUnion(l)
        }
        var reads: [Value] = []
        localReads(term, into: &reads)
        live.formUnion(reads)
        for i in insts.dropLast().reversed() where isRoot(i) {
            let results = f.dfg.results(of: i)
            for r in results { live.remove(r) }
            if let interfere {
                let defined = results.filter(needsLocal)
                for r in defined {
                    for q in live { interfere(r, q) }
                    for r2 in defined { interfere(r, r2) }
                }
            }
            reads.removeAll(keepingCapacity: true)
            localReads(i, into: &reads)
            live.formUnion(reads)
        }
        if b == entry {
            let ps = f.dfg.params(b)
            // Entry parameters are all defined at function entry.
            if let interfere { for p in ps { for q in live { interfere(p, q) }; for p2 in ps { interfere(p, p2) } } }
            for p in ps { live.remove(p) }
        }
        return live
    }

    // MARK: structure

    mutating func doTree(_ x: Block) throws(LowerError) {
        let ys = children[x].filter { isMerge.contains($0) }.sorted { rpo[$0] > rpo[$1] }
        if isLoopHeader.contains(x) {
            out.append(Instruction(.loop, .blockType(.empty)))
            ctx.append(.loopHeadedBy(x))
            try nodeWithin(x, ys[...])
            ctx.removeLast()
            out.append(Instruction(.end))
        } else {
            try nodeWithin(x, ys[...])
        }
    }

    mutating func nodeWithin(_ x: Block, _ ys: ArraySlice<Block>) throws(LowerError) {
        if let y = ys.first {
            out.append(Instruction(.block, .blockType(.empty)))
            ctx.append(.blockFollowedBy(y))
            try nodeWithin(x, ys.dropFirst())
            ctx.removeLast()
            out.append(Instruction(.end))
            try doTree(y)
        } else {
            for i in f.layout.insts(x) where !f.dfg[i].opcode.isTerminator {
                if !isRoot(i) || deferred.contains(i) { continue }
                try emitRoot(i)
            }
            guard let term = f.layout.lastInst(x) else { throw LowerError("empty block") }
            try emitTerminator(x, term)
        }
    }

    func label(_ target: Block, loop: Bool) throws(LowerError) -> UInt32 {
        let want: Ctx = loop ? .loopHeadedBy(target) : .blockFollowedBy(target)
        guard let i = ctx.lastIndex(of: want) else { throw LowerError("no label for \(target)") }
        return UInt32(ctx.count - 1 - i)
    }

    func isBackward(_ from: Block, _ to: Block) -> Bool { rpo[to] <= rpo[from] }

    /// The label a branch from `from` to `to` uses, or nil when the target is placed inline.
    func branchLabel(_ from: Block, _ to: Block) throws(LowerError) -> UInt32? {
        if isBackward(from, to) { return try label(to, loop: true) }
        if isMerge.contains(to) { return try label(to, loop: false) }
        return nil
    }

    mutating func doBranch(_ from: Block, _ to: Block) throws(LowerError) {
        if let l = try branchLabel(from, to) { out.append(Instruction(.br, .index(l))) }
        else { try doTree(to) }
    }

    /// The (parameter, argument) pairs an edge must copy: unused parameters and self-copies are skipped.
    func copies(_ call: ValueList) -> [(Value, Value)] {
        let target = f.dfg.blockCallTarget(call)
        let params = f.dfg.params(target), args = f.dfg.blockCallArgs(call)
        var out: [(Value, Value)] = []
        for (p, a) in zip(params, args) where uses[p] > 0 && local[p] != local[a] {
            out.append((p, a))
        }
        return out
    }

    mutating func emitCopies(_ all: [(Value, Value)], fromEntry: Bool = false) throws(LowerError) {
        var cs = all
        if fromEntry {
            // Locals start at zero: on the way out of the entry block, a zero into a local not written yet is a no-op.
            let params = f.dfg.params(f.entryBlock!).count
            cs.removeAll { p, a in
                guard local[p] >= params, let d = defInst(a), isZeroConst(d) else { return false }
                let idx = UInt32(local[p])
                return !out.contains { ($0.opcode == .localSet || $0.opcode == .localTee) && $0.index == idx }
            }
        }
        for (_, a) in cs { try emitValue(a) }
        for (p, _) in cs.reversed() { out.append(Instruction(.localSet, .index(UInt32(local[p])))) }
    }

    /// Whether the locals an edge's copies write hold nothing live where the other edge goes.
    func copiesAreDead(_ cs: [(Value, Value)], on other: Block) -> Bool {
        let written = Set(cs.map { local[$0.0] })
        return !liveAtStart[other].contains { written.contains(local[$0]) }
    }

    mutating func emitTerminator(_ x: Block, _ term: Inst) throws(LowerError) {
        let d = f.dfg[term]
        switch d.opcode {
        case .jump:
            let call = ValueList(handle: d.a)
            try emitCopies(copies(call), fromEntry: x == f.entryBlock)
            try doBranch(x, f.dfg.blockCallTarget(call))
        case .brif:
            let calls = f.dfg.blockCalls(term)
            let t = f.dfg.blockCallTarget(calls[0]), e = f.dfg.blockCallTarget(calls[1])
            let tc = copies(calls[0]), ec = copies(calls[1])
            let cond = Value(index: Int(d.a))
            try emitValue(cond)
            if f.dfg.type(of: cond) == .i64 { out.append(Instruction(.i64Eqz)); out.append(Instruction(.i32Eqz)) }
            if tc.isEmpty, let l = try branchLabel(x, t) {
                out.append(Instruction(.brIf, .index(l)))
                try emitCopies(ec, fromEntry: x == f.entryBlock)
                try doBranch(x, e)
            } else if ec.isEmpty, let l = try branchLabel(x, e) {
                out.append(Instruction(.i32Eqz))
                out.append(Instruction(.brIf, .index(l)))
                try emitCopies(tc)
                try doBranch(x, t)
            } else if ec.isEmpty, let l = try branchLabel(x, t), copiesAreDead(tc, on: e) {
                // The copies clobber nothing the other way needs: do them before a `br_if` (the condition waits below them).
                try emitCopies(tc)
                out.append(Instruction(.brIf, .index(l)))
                try doBranch(x, e)
            } else if tc.isEmpty, let l = try branchLabel(x, e), copiesAreDead(ec, on: t) {
                out.append(Instruction(.i32Eqz))
                try emitCopies(ec)
                out.append(Instruction(.brIf, .index(l)))
                try doBranch(x, t)
            } else {
                // The then arm always ends in a branch, return or trap, so the else arm can follow the `end`.
                out.append(Instruction(.if, .blockType(.empty)))
                ctx.append(.ifThenElse)
                try emitCopies(tc)
                try doBranch(x, t)
                ctx.removeLast()
                out.append(Instruction(.end))
                try emitCopies(ec, fromEntry: x == f.entryBlock)
                try doBranch(x, e)
            }
        case .brTable:
            let calls = f.dfg.jumpTables[JumpTableRef(index: Int(d.b))]
            let index = Value(index: Int(d.a))
            var direct = true
            for c in calls where !copies(c).isEmpty { direct = false }
            if direct {
                var labels: [UInt32] = []
                for c in calls {
                    guard let l = try branchLabel(x, f.dfg.blockCallTarget(c)) else { throw LowerError("br_table target placed inline") }
                    labels.append(l)
                }
                try emitValue(index)
                out.append(Instruction(.brTable, .brTable(targets: Array(labels.dropFirst()), defaultTarget: labels[0])))
                return
            }
            // One trampoline block per distinct edge: the innermost block is edge 0.
            var edges: [ValueList] = []
            var edgeOf: [Int] = []
            for c in calls {
                let key = f.dfg.pool.elements(c)
                if let k = edges.firstIndex(where: { f.dfg.pool.elements($0) == key }) { edgeOf.append(k) }
                else { edgeOf.append(edges.count); edges.append(c) }
            }
            for _ in edges {
                out.append(Instruction(.block, .blockType(.empty)))
                ctx.append(.plain)
            }
            try emitValue(index)
            out.append(Instruction(.brTable, .brTable(targets: edgeOf.dropFirst().map { UInt32($0) }, defaultTarget: UInt32(edgeOf[0]))))
            for e in edges {
                ctx.removeLast()
                out.append(Instruction(.end))
                try emitCopies(copies(e))
                try doBranch(x, f.dfg.blockCallTarget(e))
            }
        case .return:
            for v in stackOperands(term) { try emitValue(v) }
            out.append(Instruction(.return))
        case .trap, .unreachable:
            out.append(Instruction(.unreachable))
        case .returnCall, .returnCallIndirect:
            for v in stackOperands(term) { try emitValue(v) }
            try emitOp(term)
        default:
            throw LowerError("\(d.opcode.name) as a terminator")
        }
    }

    // MARK: values and instructions

    mutating func emitValue(_ v: Value) throws(LowerError) {
        if let d = defInst(v), deferred.contains(d), !deferredEmitted.contains(d) {
            // The first emitted use is the user it was deferred into: later uses read the local.
            deferredEmitted.insert(d)
            for o in stackOperands(d) { try emitValue(o) }
            try emitOp(d)
            out.append(Instruction(.localTee, .index(UInt32(local[v]))))
            return
        }
        if let d = defInst(v), isRemat(d) || stackified.contains(d) {
            if stackified.contains(d) { for o in stackOperands(d) { try emitValue(o) } }
            try emitOp(d)
            return
        }
        guard local[v] >= 0 else { throw LowerError("\(v) has no local") }
        out.append(Instruction(.localGet, .index(UInt32(local[v]))))
    }

    mutating func emitRoot(_ i: Inst) throws(LowerError) {
        for v in stackOperands(i) { try emitValue(v) }
        try emitOp(i)
        for r in f.dfg.results(of: i).reversed() {
            if uses[r] > 0 { out.append(Instruction(.localSet, .index(UInt32(local[r])))) }
            else { out.append(Instruction(.drop)) }
        }
    }

    func memArg(_ d: InstructionData, offset: UInt32) -> Immediate {
        .memArg(MemArg(align: UInt32(d.log2Align), offset: UInt64(offset), memory: UInt32(d.imm16)))
    }

    mutating func emitOp(_ i: Inst) throws(LowerError) {
        let d = f.dfg[i]
        func type(_ x: UInt32) -> IRType { f.dfg.type(of: Value(index: Int(x))) }
        var result: IRType { f.dfg.type(of: f.dfg.firstResult(i)!) }
        if let shape = vectorShapes[i] {
            out.append(try VectorLowering.instruction(f, i, shape))
            return
        }
        switch d.opcode {
        case .iconst:
            out.append(result == .i32 ? Instruction(.i32Const, .i32(Int32(truncatingIfNeeded: d.imm64))) : Instruction(.i64Const, .i64(Int64(bitPattern: d.imm64))))
        case .fconst:
            out.append(result == .f32 ? Instruction(.f32Const, .f32(UInt32(truncatingIfNeeded: d.imm64))) : Instruction(.f64Const, .f64(d.imm64)))
        case .vconst:
            out.append(Instruction(.v128Const, .v128(V128(bytes: f.dfg.constants[ConstRef(index: Int(d.a))]))))
        case .refNull:
            out.append(Instruction(.refNull, .heapType(.abstract(result == .externref ? .extern : .func))))
        case .refFunc:
            out.append(Instruction(.refFunc, .index(lifted.functionIndices[Int(d.a)])))
        case .refIsNull: out.append(Instruction(.refIsNull))
        case .select:
            let t = type(d.b)
            out.append(t.isRef ? Instruction(.selectTyped, .valTypes([Self.valType(t)])) : Instruction(.select))
        case .load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32:
            guard let w = WasmOps.memoryByIR[.init(op: d.opcode, type: result)] else { throw LowerError("\(d.opcode.name).\(result)") }
            out.append(Instruction(w, memArg(d, offset: d.b)))
        case .store, .istore8, .istore16, .istore32:
            guard let w = WasmOps.memoryByIR[.init(op: d.opcode, type: type(d.a))] else { throw LowerError("\(d.opcode.name) of \(type(d.a))") }
            out.append(Instruction(w, memArg(d, offset: d.c)))
        case .memorySize: out.append(Instruction(.memorySize, .index(UInt32(d.imm16))))
        case .memoryGrow: out.append(Instruction(.memoryGrow, .index(UInt32(d.imm16))))
        case .memoryCopy: out.append(Instruction(.memoryCopy, .indexPair(UInt32(d.imm16), UInt32(d.imm8))))
        case .memoryFill: out.append(Instruction(.memoryFill, .index(UInt32(d.imm16))))
        case .memoryInit: out.append(Instruction(.memoryInit, .indexPair(UInt32(d.imm16), UInt32(d.imm8))))
        case .dataDrop: out.append(Instruction(.dataDrop, .index(d.a)))
        case .tableInit: out.append(Instruction(.tableInit, .indexPair(UInt32(d.imm16), UInt32(d.imm8))))
        case .elemDrop: out.append(Instruction(.elemDrop, .index(d.a)))
        case .tableCopy: out.append(Instruction(.tableCopy, .indexPair(UInt32(d.imm16), UInt32(d.imm8))))
        case .tableFill: out.append(Instruction(.tableFill, .index(UInt32(d.imm16))))
        case .globalGet: out.append(Instruction(.globalGet, .index(d.a)))
        case .globalSet: out.append(Instruction(.globalSet, .index(d.a)))
        case .tableGet: out.append(Instruction(.tableGet, .index(d.a)))
        case .tableSet: out.append(Instruction(.tableSet, .index(d.a)))
        case .tableSize: out.append(Instruction(.tableSize, .index(d.a)))
        case .tableGrow: out.append(Instruction(.tableGrow, .index(d.a)))
        case .call: out.append(Instruction(.call, .index(lifted.functionIndices[Int(d.a)])))
        case .returnCall: out.append(Instruction(.returnCall, .index(lifted.functionIndices[Int(d.a)])))
        case .callIndirect: out.append(Instruction(.callIndirect, .indexPair(lifted.typeIndices[Int(d.a)], d.c)))
        case .returnCallIndirect: out.append(Instruction(.returnCallIndirect, .indexPair(lifted.typeIndices[Int(d.a)], d.c)))
        case .trapz, .trapnz:
            if type(d.a) == .i64 { out.append(Instruction(.i64Eqz)); if d.opcode == .trapnz { out.append(Instruction(.i32Eqz)) } }
            else if d.opcode == .trapz { out.append(Instruction(.i32Eqz)) }
            out.append(Instruction(.if, .blockType(.empty)))
            out.append(Instruction(.unreachable))
            out.append(Instruction(.end))
        default:
            let cc: UInt8 = (d.opcode == .icmp || d.opcode == .fcmp) ? d.imm8 : 0
            let key = WasmOps.NumericKey(op: d.opcode, cc: cc, arg: type(d.a), result: result)
            guard let w = WasmOps.numericByIR[key] else { throw LowerError("no wasm instruction for \(d.opcode.name) \(type(d.a)) -> \(result)") }
            out.append(Instruction(w))
        }
    }

    // MARK: clean-up

    /// Drops branches to the position right after them, a final `return`, and adds `unreachable`
    /// where the end of the function is reachable only in the validator's eyes.
    mutating func finish() {
        out = Self.mergingTees(out)
        out = Self.droppingFallthroughBranches(out)
        if out.last?.opcode == .return, depthAtEnd() == 0 { out.removeLast() }
        else if out.last?.opcode == .end, !f.signature.results.isEmpty { out.append(Instruction(.unreachable)) }
        out.append(Instruction(.end))
    }

    /// `local.set x; local.get x` becomes `local.tee x`.
    static func mergingTees(_ code: [Instruction]) -> [Instruction] {
        var merged: [Instruction] = []
        merged.reserveCapacity(code.count)
        var previousSet: UInt32? = nil
        for inst in code {
            if inst.opcode == .localGet, let x = previousSet, inst.index == x {
                merged[merged.count - 1] = Instruction(.localTee, .index(x))
                previousSet = nil
                continue
            }
            merged.append(inst)
            previousSet = inst.opcode == .localSet ? inst.index : nil
        }
        return merged
    }

    /// Removes each `br k` that is followed by the `end`s of the k+1 innermost constructs, the outermost a block.
    static func droppingFallthroughBranches(_ code: [Instruction]) -> [Instruction] {
        var kinds: [LatheWasm.Opcode] = []
        var keep = [Bool](repeating: true, count: code.count)
        var removed = 0
        for p in code.indices {
            let op = code[p].opcode
            if op == .block || op == .loop || op == .if { kinds.append(op); continue }
            if op == .end { kinds.removeLast(); continue }
            guard op == .br, let depth = code[p].index, Int(depth) < kinds.count else { continue }
            var fallsThrough = true
            var j = 0
            while fallsThrough && j <= Int(depth) {
                let q = p + 1 + j
                // Falling out of an inner loop or `if` also continues after it; the target itself must be a block.
                fallsThrough = q < code.count && code[q].opcode == .end && (j < Int(depth) || kinds[kinds.count - 1 - j] == .block)
                j += 1
            }
            if fallsThrough { keep[p] = false; removed += 1 }
        }
        if removed == 0 { return code }
        var result: [Instruction] = []
        result.reserveCapacity(code.count - removed)
        for p in code.indices where keep[p] { result.append(code[p]) }
        return result
    }

    func depthAtEnd() -> Int {
        var depth = 0
        for inst in out.dropLast() {
            switch inst.opcode {
            case .block, .loop, .if: depth += 1
            case .end: depth -= 1
            default: break
            }
        }
        return depth
    }
}
