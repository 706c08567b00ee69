import LatheEntity
import LatheIR

/// `inline`: replaces direct calls by copies of the callee's body, callees first.
///
/// Which calls: call sites or callees hinted `always`; tiny callees; a callee with one call site that
/// nothing outside the IR references (inlining it there removes it); at -O3 also small callees with
/// several sites, weighted by a call-site frequency hint. Calls inside a strongly connected
/// component of the call graph (recursion) are never inlined, and sites or callees hinted `never`
/// stay calls. Precedence: a command-line request, then the call-site hint, then the callee's
/// function-level hint (`decision(site:callee:)`). Functions are processed bottom-up over the call
/// graph, so a callee is already in its final shape when copied. A callee left without callers that
/// nothing outside references is marked removed.
public struct Inline: ModulePass {
    public init() {}
    public var name: String { "inline" }
    public var summary: String { "Inlines hinted (call site or callee), tiny and single-call-site callees (small multi-site ones at -O3), bottom-up; never recursion; drops callees left unused." }

    public func run(_ program: inout ProgramIR, options: ModulePassOptions) -> Set<Int> {
        let graph = CallGraph(program)
        var sizes = program.entries.map { e in e.function.map(\.layoutInstructionCount) ?? 0 }
        var callSites = graph.callSiteCounts
        var changed = Set<Int>()
        for component in graph.bottomUpComponents {
            let members = Set(component)
            for caller in component {
                guard var f = program.entries[caller].function else { continue }
                var typeIndices = program.entries[caller].typeIndexOfSignature
                var growth = 0
                var inlinedAny = false
                for (call, calleeIndex) in directCalls(f, program) {
                    let callee = program.entries[calleeIndex]
                    guard let body = callee.function, !members.contains(calleeIndex) else { continue }
                    let (hint, frequency) = Self.decision(site: f.callHint(call), callee: callee)
                    if hint == .never { continue }
                    let size = sizes[calleeIndex]
                    let decision: Bool
                    if hint == .always || size <= options.tinyCalleeSize {
                        decision = true
                    } else if !callee.isRoot, callSites[calleeIndex] == 1, size <= options.singleCallSiteSize {
                        decision = true
                    } else {
                        decision = options.inlinesMultiSiteCallees && size <= Self.multiSiteLimit(options.multiSiteCalleeSize, frequency: frequency)
                            && growth + size <= options.inlineGrowthBudget
                        if decision { growth += size }
                    }
                    guard decision else { continue }
                    var inliner = BodyCopier(caller: f, callerTypeIndices: typeIndices, callee: body, calleeTypeIndices: callee.typeIndexOfSignature)
                    inliner.inline(at: call)
                    f = inliner.caller
                    typeIndices = inliner.callerTypeIndices
                    callSites[calleeIndex] -= 1
                    for (other, count) in CallGraph.calls(in: body, program) { callSites[other] += count }
                    inlinedAny = true
                }
                if inlinedAny {
                    f.dfg.resolveAllAliases()
                    program.entries[caller].function = f
                    program.entries[caller].typeIndexOfSignature = typeIndices
                    sizes[caller] = f.layoutInstructionCount
                    changed.insert(caller)
                }
            }
        }
        // Functions left without calls or references, that nothing outside the IR reaches, go (to a
        // fixpoint: a removed function's calls no longer count).
        var removedAny = true
        while removedAny {
            removedAny = false
            let references = CallGraph(program).referenceCounts
            for k in program.entries.indices where program.entries[k].function != nil && !program.entries[k].isRoot && !program.entries[k].isRemoved && references[k] == 0 {
                program.entries[k].isRemoved = true
                changed.insert(k)
                removedAny = true
            }
        }
        return changed
    }

    /// The hint that rules one call site, and the site's call frequency when it gave one (1...126).
    ///
    /// A `--inline`/`--no-inline` request wins; else a call-site hint (127 always, 0 never, a
    /// frequency overrides the callee's function-level hint, as the hint format says); else the
    /// callee's function-level hint.
    static func decision(site: UInt8?, callee: ProgramIR.Entry) -> (InlineHint, frequency: UInt8?) {
        if callee.inlineHintIsRequest { return (callee.inlineHint, nil) }
        switch site {
        case 127?: return (.always, nil)
        case 0?: return (.never, nil)
        case let f?: return (.none, f)
        case nil: return (callee.inlineHint, nil)
        }
    }

    /// Largest callee a multi-site call (-O3) inlines at a site of this frequency hint: none when
    /// cold (below 22, under 0.1 calls per call of the caller), twice the limit when hot (42 and
    /// up, ten calls or more), else the limit. The growth budget bounds them all.
    static func multiSiteLimit(_ limit: Int, frequency: UInt8?) -> Int {
        guard let frequency else { return limit }
        if frequency < 22 { return 0 }
        return frequency >= 42 ? 2 * limit : limit
    }

    /// The direct `call`s and `return_call`s of `f` with their callee's entry index, in layout order.
    func directCalls(_ f: Function, _ program: ProgramIR) -> [(Inst, Int)] {
        var out: [(Inst, Int)] = []
        CallGraph.forEachReference(in: f, program) { i, callee, isCall in if isCall { out.append((i, callee)) } }
        return out
    }
}

/// Who calls whom among a program's functions with IR.
struct CallGraph {
    /// Direct callees of each entry (with repeats, one per call site).
    var callees: [[Int]]
    /// Direct call sites targeting each entry.
    var callSiteCounts: [Int]
    /// Call sites plus `ref.func` uses of each entry.
    var referenceCounts: [Int]

    init(_ program: ProgramIR) {
        let n = program.entries.count
        callees = Array(repeating: [], count: n)
        callSiteCounts = Array(repeating: 0, count: n)
        referenceCounts = Array(repeating: 0, count: n)
        for (k, e) in program.entries.enumerated() where !e.isRemoved {
            guard let f = e.function else { continue }
            Self.forEachReference(in: f, program) { _, callee, isCall in
                referenceCounts[callee] += 1
                if isCall {
                    callees[k].append(callee)
                    callSiteCounts[callee] += 1
                }
            }
        }
    }

    /// Visits each direct `call`/`return_call` (`isCall`) and `ref.func` of `f` that names a program entry, in layout order.
    static func forEachReference(in f: Function, _ program: ProgramIR, _ visit: (_ inst: Inst, _ callee: Int, _ isCall: Bool) -> Void) {
        for b in f.layout.blocks {
            for i in f.layout.insts(b) {
                let d = f.dfg[i]
                let isCall = d.opcode == .call || d.opcode == .returnCall
                guard isCall || d.opcode == .refFunc, let callee = program.callee(FuncRef(index: Int(d.a)), in: f) else { continue }
                visit(i, callee, isCall)
            }
        }
    }

    /// Direct call sites in `f` per callee entry.
    static func calls(in f: Function, _ program: ProgramIR) -> [Int: Int] {
        var out: [Int: Int] = [:]
        forEachReference(in: f, program) { _, callee, isCall in if isCall { out[callee, default: 0] += 1 } }
        return out
    }

    /// Strongly connected components, callees before callers (Tarjan's algorithm, iterative).
    var bottomUpComponents: [[Int]] {
        let n = callees.count
        var index = Array(repeating: -1, count: n), low = Array(repeating: 0, count: n)
        var onStack = Array(repeating: false, count: n)
        var stack: [Int] = [], components: [[Int]] = []
        var counter = 0
        for root in 0..<n where index[root] < 0 {
            // Frames of (node, next callee position).
            var frames: [(Int, Int)] = [(root, 0)]
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack[root] = true
            while let (v, next) = frames.last {
                if next < callees[v].count {
                    frames[frames.count - 1].1 += 1
                    let w = callees[v][next]
                    if index[w] < 0 {
                        index[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        frames.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                } else {
                    frames.removeLast()
                    if let (parent, _) = frames.last { low[parent] = min(low[parent], low[v]) }
                    if low[v] == index[v] {
                        var component: [Int] = []
                        while true {
                            let w = stack.removeLast()
                            onStack[w] = false
                            component.append(w)
                            if w == v { break }
                        }
                        // Tarjan emits a component after every component it reaches: callees first.
                        components.append(component.sorted())
                    }
                }
            }
        }
        return components
    }
}

/// Copies a callee's body into a caller in place of one call.
struct BodyCopier {
    var caller: Function
    var callerTypeIndices: [UInt32]
    let callee: Function
    let calleeTypeIndices: [UInt32]

    init(caller: Function, callerTypeIndices: [UInt32], callee: Function, calleeTypeIndices: [UInt32]) {
        self.caller = caller
        self.callerTypeIndices = callerTypeIndices
        self.callee = callee
        self.calleeTypeIndices = calleeTypeIndices
    }

    /// Replaces the `call` or `return_call` instruction `site` by the callee's body.
    mutating func inline(at site: Inst) {
        let siteData = caller.dfg[site]
        let isTailCall = siteData.opcode == .returnCall
        let args = caller.dfg.valueOperands(site)
        guard let block = caller.layout.block(of: site), let calleeEntry = callee.entryBlock else { preconditionFailure("inlining a call outside the layout") }
        let following = caller.layout.nextBlock(block)

        // The continuation: what followed the call, entered with the call's results as parameters.
        var continuation: Block?
        if !isTailCall {
            let cont = caller.dfg.makeBlock()
            if let following { caller.layout.insertBlock(cont, before: following) } else { caller.layout.appendBlock(cont) }
            for r in caller.dfg.results(of: site) {
                let p = caller.dfg.appendParam(cont, type: caller.dfg.type(of: r))
                caller.dfg.makeAlias(r, of: p)
            }
            while let next = caller.layout.nextInst(site) {
                caller.layout.removeInst(next)
                caller.layout.appendInst(next, to: cont)
            }
            continuation = cont
        }

        // Blocks and their parameters first, so branches can name blocks laid out later.
        var blockMap = SecondaryMap<Block, Block>(default: Block.reservedValue)
        var valueMap = SecondaryMap<Value, Value>(default: Value.reservedValue)
        let calleeBlocks = callee.layout.blocks
        // The copy goes between the call's block and the continuation.
        let copyBefore = continuation ?? following
        for b in calleeBlocks {
            let nb = caller.dfg.makeBlock()
            blockMap[b] = nb
            for p in callee.dfg.params(b) { valueMap[p] = caller.dfg.appendParam(nb, type: callee.dfg.type(of: p)) }
            if let copyBefore { caller.layout.insertBlock(nb, before: copyBefore) } else { caller.layout.appendBlock(nb) }
        }

        // Copy instructions with their results; operands are callee values until remapped below.
        var copies: [Inst] = []
        var pendingJumps: [(after: Inst, results: [Value])] = []
        for b in calleeBlocks {
            let nb = blockMap[b]
            for i in callee.layout.insts(b) {
                var d = callee.dfg[i]
                let results = callee.dfg.results(of: i)
                var tailCallResults = false
                switch d.format {
                case .return:
                    if let continuation {
                        let values = callee.dfg.valueOperands(i)
                        d = InstructionData(opcode: .jump, a: caller.dfg.makeBlockCall(continuation, values).handle)
                    } else {
                        d.b = caller.dfg.pool.make(callee.dfg.valueOperands(i)).handle
                    }
                case .call, .callIndirect, .callRef:
                    d.b = caller.dfg.pool.make(callee.dfg.valueOperands(i)).handle
                    if d.format == .call { d.a = mapFuncRef(FuncRef(index: Int(d.a))).raw }
                    if d.format == .callIndirect || d.format == .callRef { d.a = mapSignature(SigRef(index: Int(d.a))).raw }
                    // A tail call in a callee inlined at a plain call returns to the continuation.
                    if continuation != nil, let plain = plainCall(d.opcode) {
                        d.opcode = plain
                        tailCallResults = true
                    }
                case .refFunc:
                    d.a = mapFuncRef(FuncRef(index: Int(d.a))).raw
                case .vectorConst:
                    d.a = caller.dfg.constants.push(callee.dfg.constants[ConstRef(index: Int(d.a))]).raw
                case .shuffle:
                    d.c = caller.dfg.constants.push(callee.dfg.constants[ConstRef(index: Int(d.c))]).raw
                case .jump:
                    d.a = copyBlockCall(ValueList(handle: d.a), blockMap).handle
                case .branch:
                    d.b = copyBlockCall(ValueList(handle: d.b), blockMap).handle
                    d.c = copyBlockCall(ValueList(handle: d.c), blockMap).handle
                case .branchTable:
                    let table = callee.dfg.jumpTables[JumpTableRef(index: Int(d.b))].map { copyBlockCall($0, blockMap) }
                    d.b = caller.dfg.jumpTables.push(table).raw
                default:
                    break
                }
                let ni = caller.dfg.makeInst(d)
                var newResults: [Value] = []
                if tailCallResults {
                    caller.dfg.makeResults(ni, types: callee.signature.results)
                    newResults = caller.dfg.results(of: ni)
                    pendingJumps.append((ni, newResults))
                } else {
                    caller.dfg.makeResults(ni, types: results.map { callee.dfg.type(of: $0) })
                    for (old, new) in zip(results, caller.dfg.results(of: ni)) { valueMap[old] = new }
                }
                caller.layout.appendInst(ni, to: nb)
                copies.append(ni)
                // A call copied from the callee keeps its inline hint.
                if !callee.callHints.isEmpty, let hint = callee.callHints[i], d.opcode.isCall { caller.callHints[ni] = hint }
            }
        }
        for ni in copies {
            caller.dfg.mapValueOperands(ni) { v in
                let mapped = valueMap[callee.dfg.resolve(v)]
                precondition(mapped != Value.reservedValue, "callee operand \(v) has no copy")
                return mapped
            }
        }
        for (call, results) in pendingJumps {
            let jump = caller.dfg.makeInst(InstructionData(opcode: .jump, a: caller.dfg.makeBlockCall(continuation!, results).handle))
            caller.layout.appendInst(jump, to: caller.layout.block(of: call)!)
        }

        // Enter the copy: the call becomes a jump to the callee's entry with the arguments.
        let entryJump = caller.dfg.makeInst(InstructionData(opcode: .jump, a: caller.dfg.makeBlockCall(blockMap[calleeEntry], args).handle))
        caller.layout.insertInst(entryJump, before: site)
        caller.layout.removeInst(site)
        caller.callHints[site] = nil
        declareModuleEntities()
    }

    /// The plain call opcode a tail call becomes when its callee was inlined at a plain call.
    func plainCall(_ op: Opcode) -> Opcode? {
        switch op {
        case .returnCall: .call
        case .returnCallIndirect: .callIndirect
        case .returnCallRef: .callRef
        default: nil
        }
    }

    /// A copy of a callee block call in the caller's pool, with the block mapped and the arguments still callee values.
    mutating func copyBlockCall(_ call: ValueList, _ blockMap: SecondaryMap<Block, Block>) -> ValueList {
        caller.dfg.makeBlockCall(blockMap[callee.dfg.blockCallTarget(call)], callee.dfg.blockCallArgs(call))
    }

    /// The caller's declaration of a function the callee refers to (declared when missing).
    mutating func mapFuncRef(_ ref: FuncRef) -> FuncRef {
        let declared = callee.functionRefs[ref]
        if let k = caller.functionRef(named: declared.name) { return k }
        return caller.functionRefs.push(ExternalFunction(name: declared.name, signature: mapSignature(declared.signature)))
    }

    /// The caller's declaration of a callee signature: an equal one with the same type index, or a new one.
    mutating func mapSignature(_ sig: SigRef) -> SigRef {
        let signature = callee.signatures[sig]
        let typeIndex = sig.index < calleeTypeIndices.count ? calleeTypeIndices[sig.index] : nil
        for k in caller.signatures.keys where caller.signatures[k] == signature {
            let callerType = k.index < callerTypeIndices.count ? callerTypeIndices[k.index] : nil
            if callerType == typeIndex { return k }
        }
        let k = caller.signatures.push(signature)
        if let typeIndex { callerTypeIndices.append(typeIndex) }
        return k
    }

    /// Extends the caller's module-wide declarations (globals, memories, tables, segments) to cover the callee's.
    mutating func declareModuleEntities() {
        while caller.globals.count < callee.globals.count { _ = caller.globals.push(callee.globals[GlobalRef(index: caller.globals.count)]) }
        while caller.memories.count < callee.memories.count { _ = caller.memories.push(callee.memories[MemoryRef(index: caller.memories.count)]) }
        while caller.tables.count < callee.tables.count { _ = caller.tables.push(callee.tables[TableRef(index: caller.tables.count)]) }
        caller.dataSegments.merge(callee.dataSegments) { mine, _ in mine }
        caller.elemSegments.merge(callee.elemSegments) { mine, _ in mine }
    }
}
