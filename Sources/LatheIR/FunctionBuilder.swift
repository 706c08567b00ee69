import LatheEntity

/// Builds a function instruction by instruction, constructing SSA form from variables on the fly.
///
/// SSA construction follows Braun et al., "Simple and Efficient Construction of SSA Form" (CC 2013),
/// with block parameters in place of phis: `useVar` in a block whose predecessors are not all known
/// yet (not sealed) adds a block parameter and fills the branch arguments when the block is sealed.
/// Parameters that turn out to receive one value only (trivial phis) are removed again; `finalize`
/// repeats that to a fixpoint and rewrites uses of removed parameters.
///
/// Worked example, `sum(n) = 0 + 1 + ... + (n - 1)` with a loop whose header is sealed late:
/// ```swift
/// var b = FunctionBuilder(name: "sum", signature: Signature(params: [.i32], results: [.i32]))
/// let entry = b.createBlock(), header = b.createBlock(), body = b.createBlock(), exit = b.createBlock()
/// let n = b.appendFunctionParams(entry)[0]
/// let i = b.declareVar(.i32), acc = b.declareVar(.i32)
/// b.switchToBlock(entry); b.sealBlock(entry)
/// b.defVar(i, b.iconst(.i32, 0)); b.defVar(acc, b.iconst(.i32, 0))
/// b.jump(header)
/// b.switchToBlock(header)                       // not sealed: the back edge comes later
/// let more = b.icmp(.slt, b.useVar(i), n)       // adds parameter for i to header
/// b.brif(more, body, [], exit, [])
/// b.switchToBlock(body); b.sealBlock(body)
/// b.defVar(acc, b.iadd(b.useVar(acc), b.useVar(i)))
/// b.defVar(i, b.iadd(b.useVar(i), b.iconst(.i32, 1)))
/// b.jump(header)
/// b.sealBlock(header)                           // both edges known: arguments filled in
/// b.switchToBlock(exit); b.sealBlock(exit)
/// b.return([b.useVar(acc)])
/// let f = b.finalize()
/// ```
/// Types are checked as instructions are added (a mismatch is a programming error and stops);
/// run `Verifier` on the result for the structural rules.
public struct FunctionBuilder {
    public internal(set) var function: Function
    public private(set) var currentBlock: Block?

    /// A predecessor edge: branch `inst`, destination `edge` of it; `next` links the block's edges.
    private struct PredEdge { var inst: Inst; var edge: Int; var next: UInt32 }
    private struct PredList { var first = UInt32.max, last = UInt32.max, count = 0 }
    private var varTypes = PrimaryMap<Variable, IRType>()
    /// The value of each variable at the end of each block, keyed by `defKey` (see `recentDefs`).
    private var defs = UInt64Table()
    /// Each variable's latest definition in the current block (or an earlier one); it moves to `defs`
    /// when the variable is defined in a newer current block, so writes and reads within one block
    /// stay out of the hash table.
    private var recentDefs = SecondaryMap<Variable, RecentDef>(default: RecentDef(block: .reservedValue, value: .reservedValue))
    private struct RecentDef { var block: Block; var value: Value }
    private var sealed = EntitySet<Block>()
    /// Each block's predecessor edges, in the order they were added, as lists linked through
    /// `predEdges` (one array for the function instead of one per block).
    private var preds = SecondaryMap<Block, PredList>(default: PredList())
    private var predEdges: [PredEdge] = []
    /// Parameters added to unsealed blocks, per block in the order added (their branch arguments
    /// are filled in that order on sealing), as lists linked through one array.
    private struct IncompleteParam { var variable: Variable; var param: Value; var next: UInt32 }
    private var incompleteParams: [IncompleteParam] = []
    private var incomplete = SecondaryMap<Block, PredList>(default: PredList())
    private var varParams = EntitySet<Value>()
    /// Blocks whose predecessors' values `mergePredecessors` is reading, and those values (a stack).
    private var mergingBlocks = EntitySet<Block>()
    private var mergeValues: [Value] = []
    /// Unsealed loop headers whose body writes only some variables: the bitset of those (by variable
    /// index) and the block of the loop's entry edge. See `declareLoop`.
    private var loopWrites: [Block: (written: [UInt64], entry: Block)] = [:]
    /// Whether operands may name aliases (`finalize` then rewrites them); an edited function may have some already.
    private var madeAliases = false
    /// Chains of blocks built one after the other, each entered only from the one before (a
    /// `br_if` fall-through, the `then` of an `if`): the chain and position of each block.
    ///
    /// Inside a chain a variable's value at the end of a block is its latest definition in that
    /// block or an earlier one of the chain, so `def` reads it from `recentDefs` instead of walking
    /// the predecessors one block at a time. Switching back to a block built before ends its chain
    /// (`liveChains`), since a definition there would come after the later blocks had read it.
    private var chainOf = SecondaryMap<Block, ChainPosition>(default: ChainPosition(chain: 0, position: 0))
    private struct ChainPosition { var chain: UInt32; var position: UInt32 }
    /// Whether each chain (by number; 0 is no chain) still allows the shortcut.
    private var liveChains: [Bool] = [false]

    public init(name: String, signature: Signature) {
        function = Function(name: name, signature: signature)
    }

    /// A builder that appends new blocks and instructions to an existing function (no variables).
    init(editing function: Function) {
        self.function = function
        madeAliases = true
    }

    public var dfg: DataFlowGraph { function.dfg }

    /// Makes room for about `n` more instructions, so the arenas do not grow step by step.
    public mutating func reserveCapacity(instructions n: Int) {
        function.dfg.reserveCapacity(instructions: n)
        function.layout.reserveCapacity(instructions: function.dfg.instCount + n)
        // Some definitions outlive their block; a guess that saves the first few rehashes.
        defs.reserveCapacity(n / 2)
    }

    // Reads in place: from another module, `function.dfg.f(...)` may copy the whole function first.
    // Inlined: a call to a non-mutating method from a mutating context copies the whole builder first.
    @inlinable @inline(__always) public func firstResult(_ inst: Inst) -> Value? { function.dfg.firstResult(inst) }
    @inlinable @inline(__always) public func params(_ block: Block) -> [Value] { function.dfg.params(block) }
    @inlinable @inline(__always) public var signature: Signature { function.signature }
    @inlinable @inline(__always) public func signature(of f: FuncRef) -> Signature { function.signature(of: f) }

    // MARK: declarations

    public mutating func declareSignature(_ s: Signature) -> SigRef { function.signatures.push(s) }
    public mutating func declareFunction(_ name: String, _ s: Signature) -> FuncRef {
        function.functionRefs.push(ExternalFunction(name: name, signature: declareSignature(s)))
    }
    /// Declares a function whose signature is already declared (callees of one type share it).
    public mutating func declareFunction(_ name: String, signature: SigRef) -> FuncRef {
        function.functionRefs.push(ExternalFunction(name: name, signature: signature))
    }
    public mutating func declareGlobal(_ type: IRType, mutable: Bool) -> GlobalRef { function.globals.push(GlobalDecl(type: type, isMutable: mutable)) }
    public mutating func declareMemory(_ decl: MemoryDecl) -> MemoryRef { function.memories.push(decl) }
    public mutating func declareTable(_ decl: TableDecl) -> TableRef { function.tables.push(decl) }

    // MARK: blocks

    public mutating func createBlock() -> Block { function.dfg.makeBlock() }

    @discardableResult
    public mutating func appendBlockParam(_ block: Block, _ type: IRType) -> Value { function.dfg.appendParam(block, type: type) }

    /// Gives `block` one parameter per function parameter (use on the entry block).
    @discardableResult
    public mutating func appendFunctionParams(_ block: Block) -> [Value] {
        function.signature.params.map { appendBlockParam(block, $0) }
    }

    /// Makes `block` the insertion point, adding it to the layout if needed.
    public mutating func switchToBlock(_ block: Block) {
        if !function.layout.isInserted(block) { function.layout.appendBlock(block) }
        let previous = chainOf[block].chain
        if previous != 0 { liveChains[Int(previous)] = false }
        let edges = preds[block]
        if previous == 0, let current = currentBlock, sealed.contains(block), edges.count == 1,
           function.layout.block(of: predEdges[Int(edges.first)].inst) == current, liveChains[Int(chainOf[current].chain)] {
            chainOf[block] = ChainPosition(chain: chainOf[current].chain, position: chainOf[current].position + 1)
        } else {
            chainOf[block] = ChainPosition(chain: UInt32(liveChains.count), position: 0)
            liveChains.append(true)
        }
        currentBlock = block
    }

    /// Declares that every predecessor of `block` has been built.
    public mutating func sealBlock(_ block: Block) {
        guard sealed.insert(block) else { return }
        if !loopWrites.isEmpty { loopWrites[block] = nil }
        var n = incomplete[block].first
        while n != .max {
            let e = incompleteParams[Int(n)]
            n = e.next
            addPredecessorArgs(block, e.variable, e.param)
            _ = removeIfTrivial(block, e.param)
        }
        incomplete[block] = PredList()
    }

    /// Declares that the edges still to come into the unsealed `header` carry, for every variable
    /// outside `written` (a bitset over variable indices), the value its one edge known now carries.
    ///
    /// A wasm loop body that never writes a local leaves it unchanged on every back edge, so a read
    /// in the loop takes the value from before the loop instead of a header parameter that sealing
    /// would find trivial and remove again. Ignored unless `header` has exactly one edge so far.
    public mutating func declareLoop(header: Block, written: [UInt64]) {
        let edges = preds[header]
        guard !sealed.contains(header), edges.count == 1, let entry = function.layout.block(of: predEdges[Int(edges.first)].inst) else { return }
        loopWrites[header] = (written, entry)
    }

    public mutating func sealAllBlocks() {
        for b in function.layout.blocks { sealBlock(b) }
    }

    // MARK: variables

    public mutating func declareVar(_ type: IRType) -> Variable { varTypes.push(type) }

    public mutating func defVar(_ variable: Variable, _ value: Value) {
        guard let b = currentBlock else { preconditionFailure("defVar outside a block") }
        precondition(function.dfg.type(of: value) == varTypes[variable], "\(variable) has type \(varTypes[variable]), not \(function.dfg.type(of: value))")
        setDef(b, variable, value)
    }

    private func defKey(_ block: Block, _ variable: Variable) -> UInt64 { UInt64(block.index) << 32 | UInt64(variable.index) }

    @inline(__always) private func def(_ block: Block, _ variable: Variable) -> Value? {
        let r = recentDefs[variable]
        if r.block == block { return r.value }
        if !r.block.isReserved {
            // The latest definition, in an earlier block of `block`'s chain, reaches its end.
            let at = chainOf[block], from = chainOf[r.block]
            if at.chain == from.chain, at.position > from.position, liveChains[Int(at.chain)] { return r.value }
        }
        return defs[defKey(block, variable)].map { Value(index: Int($0)) }
    }

    private mutating func setDef(_ block: Block, _ variable: Variable, _ value: Value) {
        let r = recentDefs[variable]
        if r.block == block {
            recentDefs[variable].value = value
        } else if block == currentBlock {
            if !r.block.isReserved { defs.set(defKey(r.block, variable), UInt32(r.value.index)) }
            recentDefs[variable] = RecentDef(block: block, value: value)
        } else {
            // Definitions that `useVar` records in other blocks go straight to the table.
            defs.set(defKey(block, variable), UInt32(value.index))
        }
    }

    public mutating func useVar(_ variable: Variable) -> Value {
        guard let b = currentBlock else { preconditionFailure("useVar outside a block") }
        return useVar(variable, in: b)
    }

    private mutating func useVar(_ variable: Variable, in block: Block) -> Value {
        if let v = def(block, variable) { return function.dfg.resolve(v) }
        let type = varTypes[variable]
        if !sealed.contains(block) {
            if !loopWrites.isEmpty, let loop = loopWrites[block] {
                let i = variable.index
                if i >> 6 >= loop.written.count || loop.written[i >> 6] & (1 << UInt64(i & 63)) == 0 {
                    let v = useVar(variable, in: loop.entry)
                    setDef(block, variable, v)
                    return v
                }
            }
            let p = addVariableParam(block, variable, type)
            let k = UInt32(incompleteParams.count)
            incompleteParams.append(IncompleteParam(variable: variable, param: p, next: .max))
            let last = incomplete[block].last
            if last == .max { incomplete[block].first = k } else { incompleteParams[Int(last)].next = k }
            incomplete[block].last = k
            return p
        }
        let edges = preds[block]
        if edges.count == 1, let pred = function.layout.block(of: predEdges[Int(edges.first)].inst) {
            let v = useVar(variable, in: pred)
            setDef(block, variable, v)
            return v
        }
        if edges.count == 0 {
            let zero = zeroValue(type, atStartOf: block)
            setDef(block, variable, zero)
            return zero
        }
        return mergePredecessors(block, variable, type)
    }

    /// The value of `variable` on entry to the sealed `block` with several predecessors.
    ///
    /// Reads the predecessors' values first and adds a parameter only when they differ, instead of
    /// adding one and removing it again when all edges carry the same value (the common case after
    /// a wasm `block` that several branches leave). A read that comes back around a cycle to `block`
    /// while its predecessors are being read gets a parameter there, as Braun et al.'s marker
    /// algorithm does; the values read are then its arguments.
    private mutating func mergePredecessors(_ block: Block, _ variable: Variable, _ type: IRType) -> Value {
        if mergingBlocks.contains(block) { return addVariableParam(block, variable, type) }
        mergingBlocks.insert(block)
        let start = mergeValues.count
        var n = preds[block].first
        while n != .max {
            let e = predEdges[Int(n)]
            n = e.next
            guard let pred = function.layout.block(of: e.inst) else { continue }
            mergeValues.append(useVar(variable, in: pred))
        }
        mergingBlocks.remove(block)
        defer { mergeValues.removeLast(mergeValues.count - start) }
        let param: Value
        if let cycle = def(block, variable) {
            param = cycle
        } else if mergeValues.count == start {
            // No predecessor edge is in the layout any more: a parameter with no incoming value.
            return addVariableParam(block, variable, type)
        } else {
            let first = function.dfg.resolve(mergeValues[start])
            var same = true
            for k in (start + 1)..<mergeValues.count where function.dfg.resolve(mergeValues[k]) != first { same = false; break }
            if same {
                setDef(block, variable, first)
                return first
            }
            param = addVariableParam(block, variable, type)
        }
        var k = start
        n = preds[block].first
        while n != .max {
            let e = predEdges[Int(n)]
            n = e.next
            guard function.layout.block(of: e.inst) != nil else { continue }
            function.dfg.appendBranchArg(e.inst, edge: e.edge, mergeValues[k])
            k += 1
        }
        return removeIfTrivial(block, param)
    }

    /// A new parameter of `block` holding `variable` there (its arguments are added by the caller).
    private mutating func addVariableParam(_ block: Block, _ variable: Variable, _ type: IRType) -> Value {
        let p = function.dfg.appendParam(block, type: type)
        varParams.insert(p)
        setDef(block, variable, p)
        return p
    }

    /// Reading a variable never defined on some path gives zero of its type (wasm locals start at zero).
    private mutating func zeroValue(_ type: IRType, atStartOf block: Block) -> Value {
        var data: InstructionData
        if type.isRef { data = InstructionData(opcode: .refNull) }
        else if type.isVector {
            let c = function.dfg.constants.push(Array(repeating: 0, count: type.bytes))
            data = InstructionData(opcode: .vconst, a: c.raw)
        } else { data = InstructionData(opcode: type.isInt ? .iconst : .fconst) }
        let inst = function.dfg.makeInst(data)
        function.dfg.makeResult(inst, type: type)
        if let first = function.layout.firstInst(block) { function.layout.insertInst(inst, before: first) }
        else { function.layout.appendInst(inst, to: block) }
        return function.dfg.firstResult(inst)!
    }

    private mutating func addPredecessorArgs(_ block: Block, _ variable: Variable, _ param: Value) {
        var n = preds[block].first
        while n != .max {
            let e = predEdges[Int(n)]
            n = e.next
            guard let pred = function.layout.block(of: e.inst) else { continue }
            let v = useVar(variable, in: pred)
            function.dfg.appendBranchArg(e.inst, edge: e.edge, v)
        }
    }

    /// Removes `param` if all incoming arguments are one other value; returns what to use instead.
    private mutating func removeIfTrivial(_ block: Block, _ param: Value) -> Value {
        guard case .param(_, let index) = function.dfg.definition(of: param) else { return function.dfg.resolve(param) }
        var same: Value? = nil
        var n = preds[block].first
        while n != .max {
            let e = predEdges[Int(n)]
            n = e.next
            let call = function.dfg.blockCall(e.inst, edge: e.edge)
            let arg = function.dfg.resolve(function.dfg.blockCallArg(call, index))
            if arg == param || arg == same { continue }
            if same != nil { return param }
            same = arg
        }
        guard let replacement = same else { return param }
        function.dfg.removeParam(block, at: index)
        n = preds[block].first
        while n != .max {
            let e = predEdges[Int(n)]
            n = e.next
            function.dfg.removeBranchArg(e.inst, edge: e.edge, argIndex: index)
        }
        function.dfg.makeAlias(param, of: replacement)
        madeAliases = true
        varParams.remove(param)
        return replacement
    }

    /// Seals remaining blocks, removes trivial parameters to a fixpoint, and rewrites aliased operands.
    public mutating func finalize() -> Function {
        sealAllBlocks()
        var changed = true
        while changed {
            changed = false
            for p in varParams.members {
                guard case .param(let block, _) = function.dfg.definition(of: p) else { continue }
                if removeIfTrivial(block, p) != p { changed = true }
            }
        }
        if madeAliases { function.dfg.resolveAllAliases() }
        return function
    }

    // MARK: inserting instructions

    /// Adds `data` at the end of the current block, with results typed from `ctrl` (the controlling type).
    @discardableResult
    public mutating func insert(_ data: InstructionData, ctrl: IRType? = nil) -> Inst {
        guard let block = currentBlock else { preconditionFailure("no current block; call switchToBlock first") }
        var ctrl = ctrl
        if ctrl == nil, case .operand(let n) = data.opcode.control {
            let inst = function.dfg.makeInst(data)
            switch data.opcode.format {
            case .unary, .binary, .ternary, .intCompare, .floatCompare, .extractLane, .insertLane, .shuffle, .store, .memoryLane, .condTrap:
                ctrl = function.dfg.type(of: Value(index: Int(n == 0 ? data.a : n == 1 ? data.b : data.c)))
            default:
                ctrl = function.dfg.type(of: function.dfg.valueOperands(inst)[n])
            }
            return finishInsert(inst, ctrl: ctrl, block: block)
        }
        return finishInsert(function.dfg.makeInst(data), ctrl: ctrl, block: block)
    }

    private mutating func finishInsert(_ inst: Inst, ctrl: IRType?, block: Block) -> Inst {
        let data = function.dfg[inst]
        switch function.quickResults(of: data, ctrl: ctrl) {
        case .none: break
        case .one(let t): function.dfg.makeResult(inst, type: t)
        case .slow:
            let typing: InstTyping
            do { typing = try function.typing(of: data, ctrl: ctrl) }
            catch { preconditionFailure("\(data.opcode.name): \(error.message)") }
            function.dfg.makeResults(inst, types: typing.results)
        }
        function.layout.appendInst(inst, to: block)
        switch data.opcode.format {
        case .jump: addPredecessor(ValueList(handle: data.a), inst, 0)
        case .branch:
            addPredecessor(ValueList(handle: data.b), inst, 0)
            addPredecessor(ValueList(handle: data.c), inst, 1)
        case .branchTable:
            for (n, call) in function.dfg.jumpTables[JumpTableRef(index: Int(data.b))].enumerated() { addPredecessor(call, inst, n) }
        default: break
        }
        return inst
    }

    private mutating func addPredecessor(_ call: ValueList, _ inst: Inst, _ edge: Int) {
        let target = function.dfg.blockCallTarget(call)
        precondition(!sealed.contains(target), "branch to sealed \(target)")
        let n = UInt32(predEdges.count)
        predEdges.append(PredEdge(inst: inst, edge: edge, next: .max))
        let last = preds[target].last
        if last == .max { preds[target].first = n } else { predEdges[Int(last)].next = n }
        preds[target].last = n
        preds[target].count += 1
    }

    /// Adds `data`, a non-branching instruction with one result of type `result`, without type checks.
    ///
    /// For producers whose input is type-checked already (the wasm lifter runs on validated code);
    /// `Verifier` still checks the finished function. Skips the typing step `insert` does per instruction.
    public mutating func insertUnchecked(_ data: InstructionData, result: IRType) -> Value {
        guard let block = currentBlock else { preconditionFailure("no current block; call switchToBlock first") }
        precondition(!data.opcode.isTerminator, "\(data.opcode.name) needs insert (it branches)")
        let inst = function.dfg.makeInst(data)
        let v = function.dfg.makeResult(inst, type: result)
        function.layout.appendInst(inst, to: block)
        return v
    }

    /// Adds a direct call to `f` whose arguments are the top values of `stack` (popped, deepest
    /// first) and pushes its results there, without type checks.
    ///
    /// For producers that keep an operand stack of checked code (the wasm lifter): no argument or
    /// result array is made, and the results are typed from `f`'s signature directly.
    public mutating func callUnchecked(_ f: FuncRef, operandStack stack: inout [Value]) {
        guard let block = currentBlock else { preconditionFailure("no current block; call switchToBlock first") }
        let s = function.functionRefs[f].signature
        let n = function.signatures[s].params.count
        precondition(stack.count >= n, "call needs \(n) arguments, the stack holds \(stack.count)")
        var args = ValueList()
        for k in (stack.count - n)..<stack.count { function.dfg.pool.push(stack[k], to: &args) }
        stack.removeLast(n)
        let inst = function.dfg.makeInst(InstructionData(opcode: .call, a: f.raw, b: args.handle))
        function.dfg.makeResults(inst, types: function.signatures[s].results)
        function.layout.appendInst(inst, to: block)
        for k in 0..<function.dfg.resultCount(inst) { stack.append(function.dfg.pool.get(function.dfg.results[inst], k)) }
    }

    /// Inserts and returns the single result.
    mutating func value(_ data: InstructionData, ctrl: IRType? = nil) -> Value {
        let inst = insert(data, ctrl: ctrl)  // insert before reading the DFG: `function.dfg.f(insert())` reads the old DFG
        return function.dfg.firstResult(inst)!
    }

    mutating func list(_ values: [Value]) -> UInt32 { function.dfg.pool.make(values).handle }
    mutating func blockCall(_ block: Block, _ args: [Value]) -> UInt32 { function.dfg.makeBlockCall(block, args).handle }
}
