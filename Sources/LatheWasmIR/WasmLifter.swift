import LatheEntity
import LatheIR
import LatheWasm

/// Why a function body was kept as it was instead of being lifted.
public struct NotLiftable: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, countable reason (`gc`, `exceptions`, `memory.init`, ...).
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "not liftable: \(reason)" }
}

/// A lifted function and the module-level meaning of its declarations (for lowering).
public struct LiftedFunction: Sendable {
    public var function: Function
    /// The module-wide wasm function index of each `FuncRef`.
    public var functionIndices: [UInt32]
    /// The wasm type index of each `SigRef`.
    public var typeIndices: [UInt32]

    public init(function: Function, functionIndices: [UInt32], typeIndices: [UInt32]) {
        self.function = function
        self.functionIndices = functionIndices
        self.typeIndices = typeIndices
    }
}

/// Module-level facts the lifter needs: types, function signatures, globals, memories, tables.
public struct WasmModuleContext: Sendable {
    public let module: LatheWasm.Module
    public let types: [SubType]
    /// Type index of every function, imports first.
    public let functionTypes: [UInt32]
    public let globals: [GlobalType]
    public let memories: [MemoryType]
    public let tables: [TableType]

    public init(_ module: LatheWasm.Module) {
        self.module = module
        types = module.types
        var gl: [GlobalType] = [], mem: [MemoryType] = [], tab: [TableType] = []
        for imp in module.imports {
            switch imp.descriptor {
            case .global(let g): gl.append(g)
            case .memory(let m): mem.append(m)
            case .table(let t): tab.append(t)
            case .function, .tag: break
            }
        }
        functionTypes = module.functionTypeIndices
        functionNames = functionTypes.indices.map { "f\($0)" }
        globals = gl + module.globals.map(\.type)
        memories = mem + module.memories
        tables = tab + module.tables.map(\.type)
        usesGCTypes = module.types.contains { t in
            if case .func = t.composite { return !t.supertypes.isEmpty || !t.isFinal }
            return true
        }
        let byByte = (0..<256).map { LatheWasm.Opcode.decode(prefix: 0, code: UInt32($0)) }
        let numeric = byByte.map { op in op.flatMap { WasmOps.numeric[$0] } }
        let load = byByte.map { op in op.flatMap { WasmOps.load[$0] } }
        let store = byByte.map { op in op.flatMap { WasmOps.store[$0] } }
        (numericByByte, loadByByte, storeByByte) = (numeric, load, store)
        directKinds = (0..<256).map { byte in
            switch byte {
            case 0x1a: .drop
            case 0x20: .localGet
            case 0x21: .localSet
            case 0x22: .localTee
            case 0x41: .i32Const
            case 0x42: .i64Const
            case 0x43: .f32Const
            case 0x44: .f64Const
            default:
                numeric[byte] != nil ? .numeric : load[byte] != nil ? .load : store[byte] != nil ? .store : .decode
            }
        }
    }

    func funcType(_ typeIndex: UInt32) throws(NotLiftable) -> FuncType {
        guard Int(typeIndex) < types.count, let f = types[Int(typeIndex)].funcType else { throw NotLiftable("gc: non-function type used as a signature") }
        return f
    }

    /// Whether any defined type is a struct or array or has a supertype (then type identity needs GC rules).
    public let usesGCTypes: Bool
    /// The IR name of each function, `f` and its index: made once, not per function and callee lifted.
    let functionNames: [String]
    /// The proposal of each wasm opcode by raw value (`op.info.feature` copies the row's strings).
    let features: [Feature] = LatheWasm.Opcode.infoTable.map(\.feature)
    /// Whether each IR opcode by raw value takes its type from its result (`iconst.i32`), not an operand.
    let resultControlled: [Bool] = LatheIR.OpcodeInfo.table.map { $0.control == .result }
    /// `WasmOps`' lift tables, copied once: each read of a `static let` calls `swift_once` on Linux.
    let numericOps = WasmOps.numeric, loadOps = WasmOps.load, storeOps = WasmOps.store
    /// How `LiftState.liftDirect` handles each first byte, and the numeric, load and store rows by byte.
    let directKinds: [DirectKind]
    let numericByByte: [WasmOps.Numeric?], loadByByte: [WasmOps.Memory?], storeByByte: [WasmOps.Memory?]
}

/// IR type of a wasm value type, or the reason it has none yet.
func irType(_ t: ValType) throws(NotLiftable) -> IRType {
    switch t {
    case .i32: return .i32
    case .i64: return .i64
    case .f32: return .f32
    case .f64: return .f64
    case .v128: return WasmOps.v128
    case .ref(let r):
        guard r.nullable else { throw NotLiftable("function-references: non-null reference type") }
        switch r.heapType {
        case .abstract(.func): return .funcref
        case .abstract(.extern): return .externref
        case .abstract(.exn): throw NotLiftable("exceptions: exnref")
        default: throw NotLiftable("gc: reference type")
        }
    }
}

func irSignature(_ f: FuncType) throws(NotLiftable) -> Signature {
    var p: [IRType] = [], r: [IRType] = []
    for t in f.params { p.append(try irType(t)) }
    for t in f.results { r.append(try irType(t)) }
    return Signature(params: p, results: r)
}

/// Lifts wasm function bodies to IR functions: locals become builder variables, the operand stack
/// becomes SSA values, structured control becomes a CFG whose merge blocks take the block results
/// as parameters. Code after `br`, `br_table`, `return` and `unreachable` is dropped.
public struct WasmLifter: Sendable {
    public let context: WasmModuleContext
    let shared: SharedContext

    public init(module: LatheWasm.Module) { self.init(context: WasmModuleContext(module)) }
    public init(context: WasmModuleContext) {
        self.context = context
        shared = SharedContext(context)
    }

    /// Lifts the defined function with this index in the code section (not counting imports).
    ///
    /// `callHints` maps code-metadata byte offsets (counted from the body's locals, as in
    /// `metadata.code.inline`) to inline hints; a hint at a call instruction's offset goes to the IR
    /// call lifted from it (`Function.callHints`), any other offset is ignored.
    public func lift(definedFunction i: Int, callHints: [UInt32: UInt8] = [:]) throws(NotLiftable) -> LiftedFunction {
        let funcIndex = UInt32(context.module.importedFunctionCount + i)
        let body = context.module.bodies[i]
        // Decodes while lifting; a body that does not decode is a decode error whatever else it holds.
        var it = body.makeIterator()
        func next() throws(NotLiftable) -> Instruction? {
            do { return try it.next() } catch { throw NotLiftable("decode error") }
        }
        do {
            var state = try LiftState(shared, functionIndex: funcIndex)
            // About one instruction per 4 bytes of code.
            state.b.reserveCapacity(instructions: body.code.count / 4)
            try state.begin(locals: body.locals)
            // Loop bodies are scanned ahead for the locals they write (at most ~4 times the body in all).
            var scanBudget = 4 * body.code.count + 64
            // Code-metadata offset = index in `code` minus this.
            let base = callHints.isEmpty ? 0 : body.code.startIndex - context.module.codeMetadataOffsetOfCode(definedFunction: i)
            var hints: [Inst: UInt8] = [:]
            while true {
                // Most instructions go straight from the bytes to the builder; the rest through the decoder.
                if state.reachable, try state.liftDirect(&it.reader) { continue }
                guard let inst = try next() else { break }
                var hinted: (hint: UInt8, block: Block)? = nil
                if !callHints.isEmpty, inst.opcode.isCall, state.reachable, let block = state.b.currentBlock {
                    let offset = it.offset - base
                    if offset > 0, offset <= Int(UInt32.max), let hint = callHints[UInt32(offset)] { hinted = (hint, block) }
                }
                try state.step(inst)
                if let hinted, let call = state.b.function.layout.lastInst(hinted.block), state.b.function.dfg[call].opcode.isCall {
                    hints[call] = hinted.hint
                }
                if inst.opcode == .loop, state.reachable, scanBudget > 0 {
                    var ahead = it.reader
                    let start = ahead.position
                    if let written = ahead.localsWrittenInBlock(localCount: state.vars.count, budget: scanBudget) {
                        state.b.declareLoop(header: state.frames[state.frames.count - 1].header, written: written)
                    }
                    scanBudget -= ahead.position - start
                }
            }
            var lifted = try state.finish()
            if !hints.isEmpty { lifted.function.callHints = hints }
            return lifted
        } catch {
            do { while try it.next() != nil {} } catch { throw NotLiftable("decode error") }
            throw error
        }
    }

    public func lift(functionIndex: UInt32, locals: [LocalGroup], instructions: [Instruction]) throws(NotLiftable) -> LiftedFunction {
        var state = try LiftState(shared, functionIndex: functionIndex)
        try state.begin(locals: locals)
        for inst in instructions { try state.step(inst) }
        return try state.finish()
    }
}

/// The module context behind one reference: a function's lift state then retains one object
/// instead of every array of the module.
final class SharedContext: Sendable {
    let context: WasmModuleContext
    init(_ context: WasmModuleContext) { self.context = context }
}

struct Frame {
    enum Kind { case function, block, loop, `if` }
    var kind: Kind
    /// Where `end` continues (not used for the function frame).
    var next: Block
    /// Loop header (the branch target of a loop).
    var header: Block
    /// The else block of an `if`.
    var elseBlock: Block
    var elseSeen = false
    var paramTypes: [IRType]
    var resultTypes: [IRType]
    /// Operand stack height below the frame's parameters.
    var height: Int
    /// Values of the parameters at entry (an `if` without `else` passes them to `next`).
    var params: [Value]
    /// Some branch goes to `next`.
    var nextReached = false

    var branchTypes: [IRType] { kind == .loop ? paramTypes : resultTypes }
}

struct LiftState {
    let shared: SharedContext
    var context: WasmModuleContext { shared.context }
    /// Copies of the context's per-opcode tables, read per instruction.
    let features: [Feature], resultControlled: [Bool]
    let numericOps: ByWasmOpcode<WasmOps.Numeric>, loadOps: ByWasmOpcode<WasmOps.Memory>, storeOps: ByWasmOpcode<WasmOps.Memory>
    let directKinds: [DirectKind]
    let numericByByte: [WasmOps.Numeric?], loadByByte: [WasmOps.Memory?], storeByByte: [WasmOps.Memory?]
    var b: FunctionBuilder
    var stack: [Value] = []
    var frames: [Frame] = []
    var vars: [Variable] = []
    var reachable = true
    /// Depth of blocks opened while unreachable (skipped entirely).
    var skipDepth = 0
    var returnBlock: Block?
    /// The `FuncRef` declared for each wasm function index.
    var funcRefs = UInt64Table()
    var funcIndexOfRef: [UInt32] = []
    /// The `SigRef` declared for each wasm type index.
    var sigRefs = UInt64Table()
    var typeIndexOfSig: [UInt32] = []
    var declaredGlobals = 0, declaredMemories = 0, declaredTables = 0

    /// Everything that can fail comes before the first store, and the context's fields are read in
    /// place: a copy of the context (or of a partly built state) would retain and release every table.
    init(_ shared: SharedContext, functionIndex: UInt32) throws(NotLiftable) {
        if shared.context.usesGCTypes { throw NotLiftable("gc: module defines GC types") }
        let signature = try irSignature(try shared.context.funcType(shared.context.functionTypes[Int(functionIndex)]))
        self.shared = shared
        features = shared.context.features
        resultControlled = shared.context.resultControlled
        numericOps = shared.context.numericOps
        loadOps = shared.context.loadOps
        storeOps = shared.context.storeOps
        directKinds = shared.context.directKinds
        numericByByte = shared.context.numericByByte
        loadByByte = shared.context.loadByByte
        storeByByte = shared.context.storeByByte
        b = FunctionBuilder(name: shared.context.functionNames[Int(functionIndex)], signature: signature)
    }

    // MARK: declarations

    mutating func funcRef(_ index: UInt32) throws(NotLiftable) -> FuncRef {
        if let r = funcRefs[UInt64(index)] { return FuncRef(index: Int(r)) }
        guard Int(index) < context.functionTypes.count else { throw NotLiftable("bad function index") }
        // Callees of one type share its signature declaration.
        let r = b.declareFunction(context.functionNames[Int(index)], signature: try sigRef(context.functionTypes[Int(index)]))
        funcRefs.set(UInt64(index), UInt32(r.index))
        funcIndexOfRef.append(index)
        return r
    }

    mutating func sigRef(_ typeIndex: UInt32) throws(NotLiftable) -> SigRef {
        if let r = sigRefs[UInt64(typeIndex)] { return SigRef(index: Int(r)) }
        let r = b.declareSignature(try irSignature(try context.funcType(typeIndex)))
        typeIndexOfSig.append(typeIndex)
        sigRefs.set(UInt64(typeIndex), UInt32(r.index))
        return r
    }

    mutating func global(_ index: UInt32) throws(NotLiftable) -> GlobalRef {
        guard Int(index) < context.globals.count else { throw NotLiftable("bad global index") }
        while declaredGlobals <= Int(index) {
            let g = context.globals[declaredGlobals]
            _ = b.declareGlobal(try irType(g.valueType), mutable: g.mutable)
            declaredGlobals += 1
        }
        return GlobalRef(index: Int(index))
    }

    mutating func memory(_ index: UInt32) throws(NotLiftable) -> MemoryRef {
        guard Int(index) < context.memories.count else { throw NotLiftable("bad memory index") }
        while declaredMemories <= Int(index) {
            let l = context.memories[declaredMemories].limits
            if l.shared { throw NotLiftable("threads: shared memory") }
            _ = b.declareMemory(MemoryDecl(minPages: l.min, maxPages: l.max, is64: l.is64))
            declaredMemories += 1
        }
        return MemoryRef(index: Int(index))
    }

    mutating func table(_ index: UInt32) throws(NotLiftable) -> TableRef {
        guard Int(index) < context.tables.count else { throw NotLiftable("bad table index") }
        while declaredTables <= Int(index) {
            let t = context.tables[declaredTables]
            if t.limits.is64 { throw NotLiftable("memory64: table64") }
            _ = b.declareTable(TableDecl(elementType: try irType(.ref(t.elementType)), minSize: UInt32(truncatingIfNeeded: t.limits.min)))
            declaredTables += 1
        }
        return TableRef(index: Int(index))
    }

    @inline(__always) func blockSignature(_ bt: BlockType) throws(NotLiftable) -> ([IRType], [IRType]) {
        switch bt {
        case .empty: return ([], [])
        case .value(let t): return ([], [try irType(t)])
        case .typeIndex(let i):
            let s = try irSignature(try context.funcType(i))
            return (s.params, s.results)
        }
    }

    // MARK: stack

    mutating func pop() -> Value { stack.removeLast() }
    mutating func pop(_ n: Int) -> [Value] {
        let vs = top(n)
        stack.removeLast(n)
        return vs
    }
    /// The top `n` values, deepest first (an array built directly: `Array(stack.suffix(n))` goes through a slice buffer).
    @inline(__always) func top(_ n: Int) -> [Value] {
        if n == 0 { return [] }
        var vs: [Value] = []
        vs.reserveCapacity(n)
        for i in max(0, stack.count - n)..<stack.count { vs.append(stack[i]) }
        return vs
    }
    mutating func push(_ v: Value) { stack.append(v) }

    // MARK: driver

    /// Starts the function: the entry block, and a variable per parameter and local.
    ///
    /// The variables are the builder's first, so local `i` is variable `i` (`declareLoop` relies on it).
    mutating func begin(locals: [LocalGroup]) throws(NotLiftable) {
        let entry = b.createBlock()
        let params = b.appendFunctionParams(entry)
        b.switchToBlock(entry)
        b.sealBlock(entry)
        for (t, p) in zip(b.signature.params, params) {
            let v = b.declareVar(t)
            b.defVar(v, p)
            vars.append(v)
        }
        for g in locals {
            let t = try irType(g.type)
            if g.count > 50_000 { throw NotLiftable("too many locals") }
            for _ in 0..<g.count { vars.append(b.declareVar(t)) }
        }
        let results = b.signature.results
        frames.append(Frame(kind: .function, next: entry, header: entry, elseBlock: entry, paramTypes: [], resultTypes: results, height: 0, params: []))
    }

    mutating func step(_ inst: Instruction) throws(NotLiftable) {
        if frames.isEmpty { throw NotLiftable("code after the function's end") }
        if !reachable {
            try skip(inst)
        } else {
            try translate(inst)
        }
    }

    mutating func finish() throws(NotLiftable) -> LiftedFunction {
        if !frames.isEmpty { throw NotLiftable("missing end") }
        if let rb = returnBlock {
            b.sealBlock(rb)
            b.switchToBlock(rb)
            b.return(b.params(rb))
        }
        return LiftedFunction(function: b.finalize(), functionIndices: funcIndexOfRef, typeIndices: typeIndexOfSig)
    }

    /// Handles an instruction in unreachable code: only nesting and the current frame's `else`/`end` matter.
    mutating func skip(_ inst: Instruction) throws(NotLiftable) {
        switch inst.opcode {
        case .block, .loop, .if, .try, .tryTable: skipDepth += 1
        case .else where skipDepth == 0: try elseOp()
        case .end:
            if skipDepth > 0 { skipDepth -= 1 } else { try endOp() }
        default:
            try checkSupported(inst.opcode)
        }
    }

    @inline(__always) func checkSupported(_ op: LatheWasm.Opcode) throws(NotLiftable) {
        switch features[Int(op.rawValue)] {
        case .gc: throw NotLiftable("gc")
        case .exceptions, .legacyExceptions: throw NotLiftable("exceptions")
        case .threads: throw NotLiftable("threads: atomics")
        default: break
        }
    }

    /// Branch target block and arity for a label depth; nil for the function frame with `br` (a return).
    mutating func target(_ depth: UInt32) throws(NotLiftable) -> (Block, Int) {
        guard Int(depth) < frames.count else { throw NotLiftable("bad label") }
        let i = frames.count - 1 - Int(depth)
        switch frames[i].kind {
        case .function:
            if returnBlock == nil {
                let rb = b.createBlock()
                for t in b.signature.results { b.appendBlockParam(rb, t) }
                returnBlock = rb
            }
            return (returnBlock!, frames[i].resultTypes.count)
        case .loop:
            return (frames[i].header, frames[i].paramTypes.count)
        case .block, .if:
            frames[i].nextReached = true
            return (frames[i].next, frames[i].resultTypes.count)
        }
    }

    mutating func makeBlock(_ types: [IRType]) -> Block {
        let blk = b.createBlock()
        for t in types { b.appendBlockParam(blk, t) }
        return blk
    }

    mutating func elseOp() throws(NotLiftable) {
        guard var f = frames.popLast(), f.kind == .if, !f.elseSeen else { throw NotLiftable("else without if") }
        if reachable {
            let res = pop(f.resultTypes.count)
            b.jump(f.next, res)
            f.nextReached = true
        }
        f.elseSeen = true
        stack.removeLast(stack.count - f.height)
        b.switchToBlock(f.elseBlock)
        stack += b.params(f.elseBlock)
        reachable = true
        frames.append(f)
    }

    mutating func endOp() throws(NotLiftable) {
        guard var f = frames.popLast() else { throw NotLiftable("unbalanced end") }
        if f.kind == .function {
            if reachable { b.return(pop(f.resultTypes.count)) }
            reachable = false
            return
        }
        if reachable {
            b.jump(f.next, pop(f.resultTypes.count))
            f.nextReached = true
        }
        if f.kind == .if && !f.elseSeen {
            // The implicit else passes the parameters through (its type has params == results).
            b.switchToBlock(f.elseBlock)
            b.jump(f.next, b.params(f.elseBlock))
            f.nextReached = true
        }
        if f.kind == .loop { b.sealBlock(f.header) }
        stack.removeLast(stack.count - f.height)
        if f.nextReached {
            // Sealed first: a block entered only from the current one then continues its chain (`FunctionBuilder.switchToBlock`).
            b.sealBlock(f.next)
            b.switchToBlock(f.next)
            stack += b.params(f.next)
            reachable = true
        } else {
            reachable = false
        }
    }

    mutating func setUnreachable() { reachable = false }

    // MARK: instructions

    mutating func translate(_ inst: Instruction) throws(NotLiftable) {
        let op = inst.opcode
        switch op {
        case .nop: break
        case .unreachable:
            b.unreachable()
            setUnreachable()
        case .block, .loop, .if:
            guard case .blockType(let bt) = inst.immediate else { throw NotLiftable("bad block type") }
            let (pt, rt) = try blockSignature(bt)
            var cond: Value? = nil
            if op == .if { cond = pop() }
            let params = pop(pt.count)
            let height = stack.count
            let next = makeBlock(rt)
            switch op {
            case .block:
                frames.append(Frame(kind: .block, next: next, header: next, elseBlock: next, paramTypes: pt, resultTypes: rt, height: height, params: params))
                stack += params
            case .loop:
                let header = makeBlock(pt)
                b.jump(header, params)
                b.switchToBlock(header)
                frames.append(Frame(kind: .loop, next: next, header: header, elseBlock: next, paramTypes: pt, resultTypes: rt, height: height, params: params))
                stack += b.params(header)
            default:
                let thenBlock = makeBlock(pt), elseBlock = makeBlock(pt)
                b.brif(cond!, thenBlock, params, elseBlock, params)
                b.sealBlock(thenBlock)
                b.sealBlock(elseBlock)
                b.switchToBlock(thenBlock)
                frames.append(Frame(kind: .if, next: next, header: next, elseBlock: elseBlock, paramTypes: pt, resultTypes: rt, height: height, params: params))
                stack += b.params(thenBlock)
            }
        case .else: try elseOp()
        case .end: try endOp()
        case .br:
            guard Int(inst.index!) < frames.count else { throw NotLiftable("bad label") }
            if frames[frames.count - 1 - Int(inst.index!)].kind == .function {
                b.return(pop(b.signature.results.count))
            } else {
                let (t, n) = try target(inst.index!)
                b.jump(t, pop(n))
            }
            setUnreachable()
        case .brIf:
            let c = pop()
            let (t, n) = try target(inst.index!)
            let fall = b.createBlock()
            b.brif(c, t, top(n), fall, [])
            b.sealBlock(fall)
            b.switchToBlock(fall)
        case .brTable:
            guard case .brTable(let targets, let def) = inst.immediate else { throw NotLiftable("bad br_table") }
            let i = pop()
            let (d, n) = try target(def)
            let args = top(n)
            var ts: [(Block, [Value])] = []
            for l in targets { ts.append(((try target(l)).0, args)) }
            b.brTable(i, default: (d, args), ts)
            setUnreachable()
        case .return:
            b.return(pop(b.signature.results.count))
            setUnreachable()
        case .call:
            b.callUnchecked(try funcRef(inst.index!), operandStack: &stack)
        case .callIndirect, .returnCallIndirect:
            guard case .indexPair(let ti, let tab) = inst.immediate else { throw NotLiftable("bad call_indirect") }
            let s = try sigRef(ti)
            let t = try table(tab)
            if b.function.tables[t].elementType != .funcref { throw NotLiftable("call_indirect through a non-funcref table") }
            let callee = pop()
            let args = pop(b.function.signatures[s].params.count)
            if op == .callIndirect { stack += b.callIndirect(s, t, callee, args) } else {
                guard b.function.signatures[s].results == b.signature.results else { throw NotLiftable("return_call_indirect result subtyping") }
                b.returnCallIndirect(s, t, callee, args)
                setUnreachable()
            }
        case .returnCall:
            let f = try funcRef(inst.index!)
            guard b.signature(of: f).results == b.signature.results else { throw NotLiftable("return_call result subtyping") }
            b.returnCall(f, pop(b.signature(of: f).params.count))
            setUnreachable()
        case .drop: _ = pop()
        case .select, .selectTyped:
            let c = pop(), y = pop(), x = pop()
            push(b.select(c, x, y))
        case .localGet:
            guard let i = inst.index, Int(i) < vars.count else { throw NotLiftable("bad local") }
            push(b.useVar(vars[Int(i)]))
        case .localSet:
            guard let i = inst.index, Int(i) < vars.count else { throw NotLiftable("bad local") }
            b.defVar(vars[Int(i)], pop())
        case .localTee:
            guard let i = inst.index, Int(i) < vars.count else { throw NotLiftable("bad local") }
            b.defVar(vars[Int(i)], stack.last!)
        case .globalGet: push(b.globalGet(try global(inst.index!)))
        case .globalSet:
            let g = try global(inst.index!)
            b.globalSet(g, pop())
        case .tableGet:
            let t = try table(inst.index!)
            push(b.tableGet(t, pop()))
        case .tableSet:
            let t = try table(inst.index!)
            let x = pop(), i = pop()
            b.tableSet(t, i, x)
        case .tableSize: push(b.tableSize(try table(inst.index!)))
        case .tableGrow:
            let t = try table(inst.index!)
            let n = pop(), x = pop()
            push(b.tableGrow(t, x, n))
        case .i32Const:
            guard case .i32(let v) = inst.immediate else { throw NotLiftable("bad const") }
            push(b.insertUnchecked(.iconst(.i32, Int64(v)), result: .i32))
        case .i64Const:
            guard case .i64(let v) = inst.immediate else { throw NotLiftable("bad const") }
            push(b.insertUnchecked(.iconst(.i64, v), result: .i64))
        case .f32Const:
            guard case .f32(let v) = inst.immediate else { throw NotLiftable("bad const") }
            push(b.insertUnchecked(.fconst(bits: UInt64(v)), result: .f32))
        case .f64Const:
            guard case .f64(let v) = inst.immediate else { throw NotLiftable("bad const") }
            push(b.insertUnchecked(.fconst(bits: v), result: .f64))
        case .memorySize: push(b.memorySize(try memory(inst.index!)))
        case .memoryGrow:
            let m = try memory(inst.index!)
            push(b.memoryGrow(m, pop()))
        case .memoryCopy:
            guard case .indexPair(let d, let s) = inst.immediate else { throw NotLiftable("bad memory.copy") }
            if s > 255 { throw NotLiftable("memory.copy source memory above 255") }
            let dm = try memory(d), sm = try memory(s)
            let n = pop(), src = pop(), dst = pop()
            b.memoryCopy(dm, sm, dst, src, n)
        case .memoryFill:
            let m = try memory(inst.index!)
            let n = pop(), x = pop(), dst = pop()
            b.memoryFill(m, dst, x, n)
        case .memoryInit:
            guard case .indexPair(let segment, let mi) = inst.immediate else { throw NotLiftable("bad memory.init") }
            if mi > 255 || segment > 65535 { throw NotLiftable("memory.init memory above 255 or segment above 65535") }
            let m = try memory(mi)
            let n = pop(), offset = pop(), dst = pop()
            b.memoryInit(m, segment: UInt16(segment), dst, offset, n)
        case .dataDrop: b.dataDrop(segment: inst.index!)
        case .tableInit:
            guard case .indexPair(let segment, let ti) = inst.immediate else { throw NotLiftable("bad table.init") }
            if ti > 255 || segment > 65535 { throw NotLiftable("table.init table above 255 or segment above 65535") }
            let t = try table(ti)
            let n = pop(), offset = pop(), dst = pop()
            b.tableInit(t, segment: UInt16(segment), dst, offset, n)
        case .elemDrop: b.elemDrop(segment: inst.index!)
        case .tableCopy:
            guard case .indexPair(let dti, let sti) = inst.immediate else { throw NotLiftable("bad table.copy") }
            if dti > 65535 || sti > 255 { throw NotLiftable("table.copy table index too large") }
            let dt = try table(dti), st = try table(sti)
            let n = pop(), src = pop(), dst = pop()
            b.tableCopy(dt, st, dst, src, n)
        case .tableFill:
            let t = try table(inst.index!)
            let n = pop(), x = pop(), dst = pop()
            b.tableFill(t, dst, x, n)
        case .refNull:
            guard case .heapType(let h) = inst.immediate else { throw NotLiftable("bad ref.null") }
            switch h {
            case .abstract(.func): push(b.refNull(.funcref))
            case .abstract(.extern): push(b.refNull(.externref))
            case .abstract(.exn): throw NotLiftable("exceptions: exnref")
            default: throw NotLiftable("gc: ref.null of a GC heap type")
            }
        case .refIsNull: push(b.refIsNull(pop()))
        case .refFunc: push(b.refFunc(try funcRef(inst.index!)))
        default:
            let feature = features[Int(op.rawValue)]
            if feature == .simd || feature == .relaxedSimd { return try translateVector(inst) }
            if let m = loadOps[op] {
                guard case .memArg(let ma) = inst.immediate else { throw NotLiftable("bad memarg") }
                try load(m, ma)
            } else if let m = storeOps[op] {
                guard case .memArg(let ma) = inst.immediate else { throw NotLiftable("bad memarg") }
                try store(m, ma)
            } else if let n = numericOps[op] {
                try numeric(n)
            } else {
                try checkSupported(op)
                throw NotLiftable(op.name)
            }
        }
    }

    mutating func load(_ m: WasmOps.Memory, _ ma: MemArg) throws(NotLiftable) {
        let mem = try memory(ma.memory)
        guard ma.offset <= UInt64(UInt32.max) else { throw NotLiftable("memory64: offset above 4 GiB") }
        let address = pop()
        push(b.insertUnchecked(.load(m.op, m.type, address, offset: UInt32(ma.offset), memory: mem, align: 1 << Int(ma.align)), result: m.type))
    }

    mutating func store(_ m: WasmOps.Memory, _ ma: MemArg) throws(NotLiftable) {
        let mem = try memory(ma.memory)
        guard ma.offset <= UInt64(UInt32.max) else { throw NotLiftable("memory64: offset above 4 GiB") }
        let x = pop(), a = pop()
        b.store(m.op, x, a, offset: UInt32(ma.offset), memory: mem, align: 1 << Int(ma.align))
    }

    mutating func numeric(_ n: WasmOps.Numeric) throws(NotLiftable) {
        var data = InstructionData(opcode: n.op, imm8: n.cc)
        switch n.arity {
        case 1: data.a = pop().raw
        case 2:
            let y = pop(), x = pop()
            data.a = x.raw; data.b = y.raw
        default: preconditionFailure()
        }
        push(b.insertUnchecked(data, result: n.result))
    }
}
