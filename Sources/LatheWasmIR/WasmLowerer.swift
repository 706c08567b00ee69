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
/// constants (rematerialized at each use unless a size cost model finds one definition in a local
/// smaller, see `keepCostlyConstants`), unused values of instructions with no effect (left out)
/// and values whose definition immediately precedes their user (operands read from locals or
/// rematerialized may come between): used once, they stay on the operand stack as a tree; used
/// more often, they are computed inside the user and kept with `local.tee`. Block parameters are
/// written on the edge: all arguments are pushed, then popped into the parameters' locals in
/// reverse, which is a parallel copy without temporaries.
public struct WasmLowerer: ~Copyable {
    /// State reused from one function to the next, so its tables are allocated once (not copyable:
    /// a copy would duplicate every table).
    var state = LowerState()
    var assigner = LocalAssigner()

    public init() {}

    /// Lowers one function with a fresh lowerer (to lower many, keep one `WasmLowerer` and call `lower` on it).
    public static func lower(_ lifted: LiftedFunction) throws(LowerError) -> FunctionBody {
        var lowerer = WasmLowerer()
        return try lowerer.lower(lifted)
    }

    /// The inline hints of the calls in the body `lower` returned last (`Function.callHints` that
    /// survived), at their code-metadata byte offsets (counted from the locals' count).
    public private(set) var callHintOffsets: [(offset: UInt32, hint: UInt8)] = []

    public mutating func lower(_ lifted: LiftedFunction) throws(LowerError) -> FunctionBody {
        callHintOffsets = []
        try state.reset(for: lifted)
        do {
            let body = try state.run(&assigner)
            callHintOffsets = state.callHintOffsets
            return body
        } catch let error where error.isIrreducible {
            // Rare (wasm input is always reducible): route multi-entry cycles through dispatch blocks first.
            var reducible = lifted
            guard reducible.function.makeReducible() != nil else {
                throw LowerError("irreducible control flow into a block with a non-nullable reference parameter")
            }
            var again = LowerState()
            try again.reset(for: reducible)
            let body = try again.run(&assigner)
            callHintOffsets = again.callHintOffsets
            return body
        }
    }
}

enum Ctx: Equatable {
    case blockFollowedBy(Block)
    case loopHeadedBy(Block)
    case ifThenElse
    case plain
}

struct LowerState: ~Copyable {
    var lifted = LiftedFunction(function: Function(name: "", signature: Signature()), functionIndices: [], typeIndices: [])
    var f = Function(name: "", signature: Signature())
    var cfg = ControlFlowGraph()
    var dom = DominatorTree()
    var rpo = SecondaryMap<Block, Int>(default: -1)
    var isLoopHeader = EntitySet<Block>()
    var isMerge = EntitySet<Block>()
    var children = SecondaryMap<Block, [Block]>(default: [])
    /// The merge-node children of each block in the dominator tree, latest in reverse postorder first:
    /// `mergeChildren[mergeStart[b]..<mergeEnd[b]]`.
    var mergeChildren: [Block] = []
    var mergeStart = SecondaryMap<Block, Int32>(default: 0)
    var mergeEnd = SecondaryMap<Block, Int32>(default: 0)
    var forwardIn = SecondaryMap<Block, Int32>(default: 0)
    var uses = ScratchMap<Value, Int>(default: 0)
    /// What the lowerer decided for each instruction (`InstFlags` bits).
    var flags = ScratchMap<Inst, UInt8>(default: 0)
    var local = ScratchMap<Value, Int>(default: -1)
    var code = LoweredCode()
    /// The inline hints of the calls in the body `run` returned last, at their code-metadata offsets.
    var callHintOffsets: [(offset: UInt32, hint: UInt8)] = []
    var ctx: [Ctx] = []
    var localGroups: [LocalGroup] = []
    /// Lane shapes of vector instructions, recorded before `VectorLowering.prepare` erased them.
    var vectorShapes: [Inst: VectorShape] = [:]
    /// Dense numbers of the values in locals live at the start of each block (by block index), and
    /// the value of each dense number: borrowed from the `LocalAssigner` while the body is emitted.
    var liveStart = ScratchBuffer<Int32>(), liveValues = ScratchBuffer<Int32>()
    var denseValues: [Value] = []
    /// Instructions of the reachable blocks in layout order: block `b` holds `instList[blockStart[b]..<blockEnd[b]]`.
    var instList = ScratchBuffer<Inst>()
    var blockStart = SecondaryMap<Block, Int32>(default: 0)
    var blockEnd = SecondaryMap<Block, Int32>(default: 0)
    /// Stack operands of every instruction (see `appendStackOperands`): `ops[opBegin[i]..<opEnd[i]]`.
    var ops = ScratchBuffer<Value>()
    var opBegin = ScratchMap<Inst, Int32>(default: 0)
    var opEnd = ScratchMap<Inst, Int32>(default: 0)
    /// First instruction of the stack tree rooted at each instruction (written by `stackify` before it is read).
    var treeStart = ScratchMap<Inst, Inst>(default: .reservedValue)
    /// The instruction defining each value (reserved for block parameters and values outside the reachable blocks).
    var defOf = ScratchMap<Value, Inst>(default: .reservedValue)
    /// Position of each instruction in `instList`.
    var position = ScratchMap<Inst, Int32>(default: -1)

    /// Takes `lifted` as the function to lower, emptying every table (their storage is kept).
    mutating func reset(for lifted: LiftedFunction) throws(LowerError) {
        self.lifted = lifted
        (f, vectorShapes) = try VectorLowering.prepare(lifted.function)
        localGroups = []
        uses.removeAll(); flags.removeAll(); local.removeAll(); rpo.removeAll()
        code.removeAll(); ctx.removeAll(keepingCapacity: true)
        instList.removeAll(); ops.removeAll()
        blockStart.removeAll(); blockEnd.removeAll(); opBegin.removeAll(); opEnd.removeAll()
        treeStart.removeAll(); defOf.removeAll(); position.removeAll()
        isLoopHeader.removeAll(); isMerge.removeAll()
        mergeChildren.removeAll(keepingCapacity: true); mergeStart.removeAll(); mergeEnd.removeAll(); forwardIn.removeAll()
    }

    /// Bits of `flags`.
    enum InstFlags {
        /// Part of a stack tree: emitted inside its single user.
        static let stackified: UInt8 = 1
        /// A root with several uses emitted inside its next user's operands, its result kept with `local.tee`.
        static let deferred: UInt8 = 2
        static let deferredEmitted: UInt8 = 4
        /// Unused and without effect: not emitted.
        static let dead: UInt8 = 8
        /// A constant or reference rematerialized at each use.
        static let remat: UInt8 = 16
    }

    @inline(__always) func has(_ i: Inst, _ flag: UInt8) -> Bool { flags[i] & flag != 0 }
    @inline(__always) mutating func set(_ i: Inst, _ flag: UInt8) { flags[i] |= flag }

    // Direct reads of the function's arenas (inlined: these run for every instruction).
    @inline(__always) func data(_ i: Inst) -> InstructionData { f.dfg.insts[i] }
    @inline(__always) func typeOf(_ v: Value) -> IRType { f.dfg.values[v].type }
    @inline(__always) func resultCount(_ i: Inst) -> Int { f.dfg.pool.count(f.dfg.results[i]) }
    @inline(__always) func result(_ i: Inst, _ k: Int) -> Value { f.dfg.pool.get(f.dfg.results[i], k) }
    @inline(__always) func paramCount(_ b: Block) -> Int { f.dfg.pool.count(f.dfg.blockParams[b]) }
    @inline(__always) func param(_ b: Block, _ k: Int) -> Value { f.dfg.pool.get(f.dfg.blockParams[b], k) }
    @inline(__always) func target(_ call: ValueList) -> Block { Block(index: f.dfg.pool.get(call, 0).index) }
    @inline(__always) func arg(_ call: ValueList, _ k: Int) -> Value { f.dfg.pool.get(call, k + 1) }
    @inline(__always) func edgeCount(_ term: Inst) -> Int { f.dfg.blockCallCount(term) }
    @inline(__always) func edge(_ term: Inst, _ k: Int) -> ValueList { f.dfg.blockCall(term, edge: k) }

    @inline(__always) func isRemat(_ i: Inst) -> Bool { has(i, InstFlags.remat) }

    static func isRematOpcode(_ op: LatheIR.Opcode) -> Bool {
        switch op {
        case .iconst, .fconst, .vconst, .refNull, .refFunc: true
        default: false
        }
    }

    @inline(__always) func isZeroConst(_ i: Inst) -> Bool {
        let d = data(i)
        switch d.opcode {
        case .iconst, .fconst: return d.imm64 == 0
        case .refNull: return true
        case .vconst: return f.dfg.constants[ConstRef(index: Int(d.a))].allSatisfy { $0 == 0 }
        default: return false
        }
    }

    @inline(__always) func defInst(_ v: Value) -> Inst? {
        let i = defOf[v]
        return i == .reservedValue ? nil : i
    }

    /// Appends the operands instruction `i` takes from the wasm operand stack to `ops`, in push order.
    mutating func appendStackOperands(_ i: Inst) {
        let d = data(i)
        func v(_ x: UInt32) -> Value { Value(index: Int(x)) }
        func list(_ handle: UInt32, from: Int = 0) {
            let l = ValueList(handle: handle)
            let n = f.dfg.pool.count(l)
            if from < n { for k in from..<n { ops.append(f.dfg.pool.get(l, k)) } }
        }
        switch d.opcode.format {
        case .nullary, .intConst, .floatConst, .vectorConst, .memorySize, .globalGet, .tableSize, .refNull, .refFunc, .trap, .segmentDrop, .jump:
            break
        case .unary, .extractLane, .load, .memoryGrow, .condTrap, .branch, .branchTable:
            ops.append(v(d.a))
        case .binary, .intCompare, .floatCompare, .shuffle, .insertLane:
            ops.append(v(d.a)); ops.append(v(d.b))
        case .store, .memoryLane:
            ops.append(v(d.b)); ops.append(v(d.a))
        case .ternary:
            // wasm takes the condition or mask of select, bitselect and relaxed_laneselect last
            if d.opcode == .select || d.opcode == .bitselect || d.opcode == .relaxedLaneselect {
                ops.append(v(d.b)); ops.append(v(d.c)); ops.append(v(d.a))
            } else {
                ops.append(v(d.a)); ops.append(v(d.b)); ops.append(v(d.c))
            }
        case .memoryCopy, .memoryFill, .memoryInit, .tableInit, .tableCopy, .tableFill:
            ops.append(v(d.a)); ops.append(v(d.b)); ops.append(v(d.c))
        case .globalSet, .tableGet:
            ops.append(v(d.b))
        case .tableSet, .tableGrow:
            ops.append(v(d.b)); ops.append(v(d.c))
        case .call, .return:
            list(d.b)
        case .callIndirect, .callRef:
            // The callee (first in the list) comes last on the stack.
            list(d.b, from: 1)
            ops.append(f.dfg.pool.get(ValueList(handle: d.b), 0))
        }
    }

    /// Indices into `ops` of the stack operands of `i`.
    @inline(__always) func stackOps(_ i: Inst) -> Range<Int> { Int(opBegin[i])..<Int(opEnd[i]) }

    /// The instructions of reachable block `b`, as indices into `instList`.
    @inline(__always) func instRange(_ b: Block) -> Range<Int> { Int(blockStart[b])..<Int(blockEnd[b]) }

    /// Lists the reachable blocks' instructions, their stack operands and the use count of every value.
    mutating func collectInstructions(_ order: [Block]) {
        instList.reserveCapacity(f.dfg.instCount)
        ops.reserveCapacity(f.dfg.instCount * 2)
        opBegin.grow(to: f.dfg.instCount)
        opEnd.grow(to: f.dfg.instCount)
        uses.grow(to: f.dfg.valueCount)
        defOf.grow(to: f.dfg.valueCount)
        position.grow(to: f.dfg.instCount)
        flags.grow(to: f.dfg.instCount)
        treeStart.grow(to: f.dfg.instCount)
        local.grow(to: f.dfg.valueCount)
        for b in order {
            blockStart[b] = Int32(instList.count)
            var cursor = f.layout.firstInst(b)
            while let i = cursor {
                position[i] = Int32(instList.count)
                if Self.isRematOpcode(data(i).opcode) { set(i, InstFlags.remat) }
                instList.append(i)
                for k in 0..<resultCount(i) { defOf[result(i, k)] = i }
                opBegin[i] = Int32(ops.count)
                appendStackOperands(i)
                opEnd[i] = Int32(ops.count)
                for k in stackOps(i) { uses[ops[k]] += 1 }
                cursor = f.layout.nextInst(i)
            }
            blockEnd[b] = Int32(instList.count)
            if let term = instList.last, blockEnd[b] > blockStart[b] {
                for k in 0..<edgeCount(term) {
                    let e = edge(term, k)
                    let n = f.dfg.pool.count(e)
                    if n > 1 { for k in 1..<n { uses[f.dfg.pool.get(e, k)] += 1 } }
                }
            }
        }
    }

    mutating func run(_ assigner: inout LocalAssigner) throws(LowerError) -> FunctionBody {
        guard let entry = f.entryBlock else { throw LowerError("no entry block") }
        cfg.compute(f)
        dom.compute(cfg: cfg, entry: entry)
        let order = dom.reversePostorder
        for (n, b) in order.enumerated() { rpo[b] = n }
        for b in order {
            guard let term = f.layout.lastInst(b) else { throw LowerError("empty block") }
            let isTable = data(term).opcode == .brTable
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
        }
        collectInstructions(order)
        for b in order where forwardIn[b] >= 2 { isMerge.insert(b) }
        // Children are appended in reverse postorder, so the merge children come out latest first when read backwards.
        for b in order {
            mergeStart[b] = Int32(mergeChildren.count)
            for c in children[b].reversed() where isMerge.contains(c) { mergeChildren.append(c) }
            mergeEnd[b] = Int32(mergeChildren.count)
        }
        // Emptied now (capacity kept), so the next function finds them clean.
        for b in order { children[b].removeAll(keepingCapacity: true) }
        removeDeadCode(order)
        keepCostlyConstants(order)
        for b in order { stackify(b) }
        assignLocals(entry, &assigner)
        swap(&liveStart, &assigner.liveStart)
        swap(&liveValues, &assigner.liveValues)
        swap(&denseValues, &assigner.valueOf)
        defer {
            swap(&liveStart, &assigner.liveStart)
            swap(&liveValues, &assigner.liveValues)
            swap(&denseValues, &assigner.valueOf)
        }
        try doTree(entry)
        finish()
        let body = FunctionBody(locals: localGroups, code: code.encoded()[...])
        callHintOffsets = []
        if !code.callHintOffsets.isEmpty {
            let base = body.localsEncodedSize
            callHintOffsets = code.callHintOffsets.map { (UInt32(base + $0.offset), $0.hint) }
        }
        return body
    }

    // MARK: operand stack

    /// Marks instructions whose results are all unused and that have no effect, then their operands' definitions in turn.
    mutating func removeDeadCode(_ order: [Block]) {
        var work: [Inst] = []
        func consider(_ i: Inst) {
            let n = resultCount(i)
            guard n > 0, !has(i, InstFlags.dead), !isRemat(i), data(i).opcode.effects.isRemovableIfUnused else { return }
            for k in 0..<n where uses[result(i, k)] != 0 { return }
            set(i, InstFlags.dead)
            work.append(i)
        }
        for n in instList.indices { consider(instList[n]) }
        while let i = work.popLast() {
            for k in stackOps(i) {
                let v = ops[k]
                uses[v] -= 1
                if uses[v] == 0, let d = defInst(v) { consider(d) }
            }
        }
    }

    /// Whether an instruction is emitted where it stands (not a constant, not dead, not part of a tree).
    @inline(__always) func isRoot(_ i: Inst) -> Bool { !isRemat(i) && !has(i, InstFlags.dead) && !has(i, InstFlags.stackified) }

    /// Keeps values on the operand stack when their definitions immediately precede the user: a
    /// single-use value as a subtree; a value with more uses through `local.tee` inside the user.
    /// Operands read from locals or rematerialized may sit between them, since reading a local has no effect.
    mutating func stackify(_ b: Block) {
        let first = Int(blockStart[b])
        for n in instRange(b) {
            let i = instList[n]
            if isRemat(i) || has(i, InstFlags.dead) { continue }
            treeStart[i] = i
            var cursor = prevEmitted(i, blockStartsAt: first)
            let range = stackOps(i)
            for k in range.reversed() {
                let v = ops[k]
                guard let d = defInst(v) else { continue }
                if isRemat(d) { continue }
                // Anything else is read from its local at the user.
                guard d == cursor else { continue }
                guard resultCount(d) == 1, !data(d).opcode.isTerminator else { break }
                if uses[v] == 1 {
                    set(d, InstFlags.stackified)
                } else {
                    // The local is written by the tee, so earlier operands must not read it.
                    guard !(range.lowerBound..<k).contains(where: { ops[$0] == v }) else { break }
                    set(d, InstFlags.deferred)
                }
                treeStart[i] = treeStart[d]
                cursor = prevEmitted(treeStart[d], blockStartsAt: first)
            }
        }
    }

    /// The closest earlier instruction that is emitted at its place or as a tree (constants and dead code skipped).
    @inline(__always) func prevEmitted(_ i: Inst, blockStartsAt first: Int) -> Inst? {
        var n = Int(position[i]) - 1
        while n >= first {
            let x = instList[n]
            if !isRemat(x) && !has(x, InstFlags.dead) { return x }
            n -= 1
        }
        return nil
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
    @inline(__always) func needsLocal(_ v: Value) -> Bool {
        guard uses[v] > 0 else { return false }
        if let d = defInst(v) { return !isRemat(d) && !has(d, InstFlags.stackified) && !has(d, InstFlags.dead) }
        return true
    }

    // MARK: structure

    mutating func doTree(_ x: Block) throws(LowerError) {
        let ys = mergeChildren[Int(mergeStart[x])..<Int(mergeEnd[x])]
        if isLoopHeader.contains(x) {
            code.emptyBlock(.loop)
            ctx.append(.loopHeadedBy(x))
            try nodeWithin(x, ys)
            ctx.removeLast()
            code.op(.end)
        } else {
            try nodeWithin(x, ys)
        }
    }

    mutating func nodeWithin(_ x: Block, _ ys: ArraySlice<Block>) throws(LowerError) {
        if let y = ys.first {
            code.emptyBlock(.block)
            ctx.append(.blockFollowedBy(y))
            try nodeWithin(x, ys.dropFirst())
            ctx.removeLast()
            code.op(.end)
            try doTree(y)
        } else {
            for n in instRange(x) {
                let i = instList[n]
                if data(i).opcode.isTerminator { continue }
                if !isRoot(i) || has(i, InstFlags.deferred) { continue }
                try emitRoot(i)
            }
            guard let term = f.layout.lastInst(x) else { throw LowerError("empty block") }
            try emitTerminator(x, term)
        }
    }

    @inline(__always) func label(_ target: Block, loop: Bool) throws(LowerError) -> UInt32 {
        let want: Ctx = loop ? .loopHeadedBy(target) : .blockFollowedBy(target)
        guard let i = ctx.lastIndex(of: want) else { throw LowerError("no label for \(target)") }
        return UInt32(ctx.count - 1 - i)
    }

    @inline(__always) func isBackward(_ from: Block, _ to: Block) -> Bool { rpo[to] <= rpo[from] }

    /// The label a branch from `from` to `to` uses, or nil when the target is placed inline.
    @inline(__always) func branchLabel(_ from: Block, _ to: Block) throws(LowerError) -> UInt32? {
        if isBackward(from, to) { return try label(to, loop: true) }
        if isMerge.contains(to) { return try label(to, loop: false) }
        return nil
    }

    mutating func doBranch(_ from: Block, _ to: Block) throws(LowerError) {
        if let l = try branchLabel(from, to) { code.index(.br, l) }
        else { try doTree(to) }
    }

    /// The (parameter, argument) pairs an edge must copy: unused parameters and self-copies are skipped.
    @inline(__always) func copies(_ call: ValueList) -> [(Value, Value)] {
        let target = target(call)
        var out: [(Value, Value)] = []
        for k in 0..<paramCount(target) {
            let p = param(target, k), a = arg(call, k)
            if uses[p] > 0 && local[p] != local[a] { out.append((p, a)) }
        }
        return out
    }

    mutating func emitCopies(_ all: [(Value, Value)], fromEntry: Bool = false) throws(LowerError) {
        var cs = all
        if fromEntry {
            // Locals start at zero: on the way out of the entry block, a zero into a local not written yet is a no-op.
            let params = paramCount(f.entryBlock!)
            cs.removeAll { p, a in
                guard local[p] >= params, let d = defInst(a), isZeroConst(d) else { return false }
                let idx = UInt32(local[p])
                return !code.writesLocal(idx)
            }
        }
        for (_, a) in cs { try emitValue(a) }
        for (p, _) in cs.reversed() { code.index(.localSet, UInt32(local[p])) }
    }

    /// Whether the locals an edge's copies write hold nothing live where the other edge goes.
    @inline(__always) func copiesAreDead(_ cs: [(Value, Value)], on other: Block) -> Bool {
        let written = cs.map { local[$0.0] }
        for k in Int(liveStart[other.index])..<Int(liveStart[other.index + 1]) where written.contains(local[denseValues[Int(liveValues[k])]]) { return false }
        return true
    }

    mutating func emitTerminator(_ x: Block, _ term: Inst) throws(LowerError) {
        let d = data(term)
        switch d.opcode {
        case .jump:
            let call = ValueList(handle: d.a)
            try emitCopies(copies(call), fromEntry: x == f.entryBlock)
            try doBranch(x, target(call))
        case .brif:
            let t = target(edge(term, 0)), e = target(edge(term, 1))
            let tc = copies(edge(term, 0)), ec = copies(edge(term, 1))
            let cond = Value(index: Int(d.a))
            try emitValue(cond)
            if typeOf(cond) == .i64 { code.op(.i64Eqz); code.op(.i32Eqz) }
            if tc.isEmpty, let l = try branchLabel(x, t) {
                code.index(.brIf, l)
                try emitCopies(ec, fromEntry: x == f.entryBlock)
                try doBranch(x, e)
            } else if ec.isEmpty, let l = try branchLabel(x, e) {
                code.op(.i32Eqz)
                code.index(.brIf, l)
                try emitCopies(tc)
                try doBranch(x, t)
            } else if ec.isEmpty, let l = try branchLabel(x, t), copiesAreDead(tc, on: e) {
                // The copies clobber nothing the other way needs: do them before a `br_if` (the condition waits below them).
                try emitCopies(tc)
                code.index(.brIf, l)
                try doBranch(x, e)
            } else if tc.isEmpty, let l = try branchLabel(x, e), copiesAreDead(ec, on: t) {
                code.op(.i32Eqz)
                try emitCopies(ec)
                code.index(.brIf, l)
                try doBranch(x, t)
            } else {
                // The then arm always ends in a branch, return or trap, so the else arm can follow the `end`.
                code.emptyBlock(.if)
                ctx.append(.ifThenElse)
                try emitCopies(tc)
                try doBranch(x, t)
                ctx.removeLast()
                code.op(.end)
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
                    guard let l = try branchLabel(x, target(c)) else { throw LowerError("br_table target placed inline") }
                    labels.append(l)
                }
                try emitValue(index)
                code.other(Instruction(.brTable, .brTable(targets: Array(labels.dropFirst()), defaultTarget: labels[0])))
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
                code.emptyBlock(.block)
                ctx.append(.plain)
            }
            try emitValue(index)
            code.other(Instruction(.brTable, .brTable(targets: edgeOf.dropFirst().map { UInt32($0) }, defaultTarget: UInt32(edgeOf[0]))))
            for e in edges {
                ctx.removeLast()
                code.op(.end)
                try emitCopies(copies(e))
                try doBranch(x, target(e))
            }
        case .return:
            for k in stackOps(term) { try emitValue(ops[k]) }
            code.op(.return)
        case .trap, .unreachable:
            code.op(.unreachable)
        case .returnCall, .returnCallIndirect:
            for k in stackOps(term) { try emitValue(ops[k]) }
            try emitOp(term)
        default:
            throw LowerError("\(d.opcode.name) as a terminator")
        }
    }

    // MARK: values and instructions

    mutating func emitValue(_ v: Value) throws(LowerError) {
        if let d = defInst(v), has(d, InstFlags.deferred), !has(d, InstFlags.deferredEmitted) {
            // The first emitted use is the user it was deferred into: later uses read the local.
            set(d, InstFlags.deferredEmitted)
            for k in stackOps(d) { try emitValue(ops[k]) }
            try emitOp(d)
            code.index(.localTee, UInt32(local[v]))
            return
        }
        if let d = defInst(v), isRemat(d) || has(d, InstFlags.stackified) {
            if has(d, InstFlags.stackified) { for k in stackOps(d) { try emitValue(ops[k]) } }
            try emitOp(d)
            return
        }
        guard local[v] >= 0 else { throw LowerError("\(v) has no local") }
        code.localGet(UInt32(local[v]))
    }

    mutating func emitRoot(_ i: Inst) throws(LowerError) {
        for k in stackOps(i) { try emitValue(ops[k]) }
        try emitOp(i)
        for k in (0..<resultCount(i)).reversed() {
            let r = result(i, k)
            if uses[r] > 0 { code.index(.localSet, UInt32(local[r])) }
            else { code.op(.drop) }
        }
    }

    mutating func emitOp(_ i: Inst) throws(LowerError) {
        let d = data(i)
        func type(_ x: UInt32) -> IRType { typeOf(Value(index: Int(x))) }
        var result: IRType { typeOf(self.result(i, 0)) }
        if !vectorShapes.isEmpty, let shape = vectorShapes[i] {
            code.other(try VectorLowering.instruction(f, i, shape))
            return
        }
        switch d.opcode {
        case .iconst:
            if result == .i32 { code.signed(.i32Const, Int64(Int32(truncatingIfNeeded: d.imm64))) } else { code.signed(.i64Const, Int64(bitPattern: d.imm64)) }
        case .fconst:
            if result == .f32 { code.float32(UInt32(truncatingIfNeeded: d.imm64)) } else { code.float64(d.imm64) }
        case .vconst:
            code.other(Instruction(.v128Const, .v128(V128(bytes: f.dfg.constants[ConstRef(index: Int(d.a))]))))
        case .refNull:
            code.other(Instruction(.refNull, .heapType(.abstract(result == .externref ? .extern : .func))))
        case .refFunc:
            code.index(.refFunc, lifted.functionIndices[Int(d.a)])
        case .refIsNull: code.op(.refIsNull)
        case .select:
            let t = type(d.b)
            if t.isRef { code.other(Instruction(.selectTyped, .valTypes([Self.valType(t)]))) } else { code.op(.select) }
        case .load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32:
            guard let w = WasmOps.memoryByIR[.init(op: d.opcode, type: result)] else { throw LowerError("\(d.opcode.name).\(result)") }
            code.memArg(w, log2Align: UInt8(d.log2Align), offset: d.b, memory: UInt32(d.imm16))
        case .store, .istore8, .istore16, .istore32:
            guard let w = WasmOps.memoryByIR[.init(op: d.opcode, type: type(d.a))] else { throw LowerError("\(d.opcode.name) of \(type(d.a))") }
            code.memArg(w, log2Align: UInt8(d.log2Align), offset: d.c, memory: UInt32(d.imm16))
        case .memorySize: code.index(.memorySize, UInt32(d.imm16))
        case .memoryGrow: code.index(.memoryGrow, UInt32(d.imm16))
        case .memoryCopy: code.indexPair(.memoryCopy, UInt32(d.imm16), UInt32(d.imm8))
        case .memoryFill: code.index(.memoryFill, UInt32(d.imm16))
        case .memoryInit: code.indexPair(.memoryInit, UInt32(d.imm16), UInt32(d.imm8))
        case .dataDrop: code.index(.dataDrop, d.a)
        case .tableInit: code.indexPair(.tableInit, UInt32(d.imm16), UInt32(d.imm8))
        case .elemDrop: code.index(.elemDrop, d.a)
        case .tableCopy: code.indexPair(.tableCopy, UInt32(d.imm16), UInt32(d.imm8))
        case .tableFill: code.index(.tableFill, UInt32(d.imm16))
        case .globalGet: code.index(.globalGet, d.a)
        case .globalSet: code.index(.globalSet, d.a)
        case .tableGet: code.index(.tableGet, d.a)
        case .tableSet: code.index(.tableSet, d.a)
        case .tableSize: code.index(.tableSize, d.a)
        case .tableGrow: code.index(.tableGrow, d.a)
        case .call, .returnCall, .callIndirect, .returnCallIndirect:
            switch d.opcode {
            case .call: code.index(.call, lifted.functionIndices[Int(d.a)])
            case .returnCall: code.index(.returnCall, lifted.functionIndices[Int(d.a)])
            case .callIndirect: code.indexPair(.callIndirect, lifted.typeIndices[Int(d.a)], d.c)
            default: code.indexPair(.returnCallIndirect, lifted.typeIndices[Int(d.a)], d.c)
            }
            if !f.callHints.isEmpty, let hint = f.callHints[i] { code.markLastCall(hint: hint) }
        case .trapz, .trapnz:
            if type(d.a) == .i64 { code.op(.i64Eqz); if d.opcode == .trapnz { code.op(.i32Eqz) } }
            else if d.opcode == .trapz { code.op(.i32Eqz) }
            code.emptyBlock(.if)
            code.op(.unreachable)
            code.op(.end)
        default:
            let cc: UInt8 = (d.opcode == .icmp || d.opcode == .fcmp) ? d.imm8 : 0
            let key = WasmOps.NumericKey(op: d.opcode, cc: cc, arg: type(d.a), result: result)
            guard let w = WasmOps.numericByIR[key] else { throw LowerError("no wasm instruction for \(d.opcode.name) \(type(d.a)) -> \(result)") }
            code.op(w)
        }
    }

    // MARK: clean-up

    /// Drops branches to the position right after them, turns blocks skipped by a `br_if` into `if`s
/// (`blocksToIfs`), drops a final `return`, and adds `unreachable`
    /// where the end of the function is reachable only in the validator's eyes.
    mutating func finish() {
        code.dropFallthroughBranches()
        code.blocksToIfs()
        if code.lastOpcode == .return, code.depthBeforeLast() == 0 { code.removeLast() }
        else if code.lastOpcode == .end, !f.signature.results.isEmpty { code.op(.unreachable) }
        code.op(.end)
    }
}
