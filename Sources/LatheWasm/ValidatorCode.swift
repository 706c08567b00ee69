/// Type-checks function bodies and constant expressions (the spec's validation algorithm).
///
/// One instance validates all code of a module and keeps its operand stack, control stack and
/// label-type pool between functions, so steady-state validation does not allocate. Instructions
/// are decoded one at a time from the encoded body. Locals are looked up in a flat table when
/// there are at most 65536 of them, else by binary search over the local groups, so a body
/// declaring 2^32-1 locals costs nothing per local. Only non-defaultable locals are tracked for
/// initialization.
struct CodeValidator {
    let ctx: ModuleContext
    let types: TypeTable
    let ops: OpTables

    var vals = FlatStack<VT>()
    var ctrls = FlatStack<Frame>(capacity: 16)
    /// Block parameter and result types of the open frames.
    var pool = FlatStack<VT>()
    var scratch: [VT] = []
    /// The targets of the br_table being checked.
    var brTargets: [UInt32] = []
    /// The catch clauses of the try_table being checked.
    var catchClauses: [CatchClause] = []

    // Locals.
    var localTypes: [VT] = []
    var flatLocals = true
    var localCount: UInt64 = 0
    var paramCount = 0
    var groupEnds: [UInt64] = []
    var groupTypes: [VT] = []
    var hasNonDefaultable = false
    var initialized = Set<UInt32>()
    var initStack: [UInt32] = []

    // The instruction being checked, for errors.
    var offset = 0
    var opcode = Opcode.nop
    var function: UInt32? = nil
    var section = "code"

    var constMode = false
    var globalLimit = 0

    // Mirrors of the top frame.
    var curHeight = 0
    var curUnreachable = false

    enum FrameKind: UInt8 { case function, block, loop, `if`, `else`, `try`, `catch`, catchAll, tryTable }

    struct Frame {
        var kind: FrameKind
        var unreachable = false
        var height: Int
        var initHeight: Int
        var poolMark: Int
        var paramStart: Int
        var paramCount: Int
        var resultStart: Int
        var resultCount: Int
    }

    init(ctx: ModuleContext) {
        self.ctx = ctx
        self.types = ctx.types
        self.ops = OpTables.shared
    }

    // MARK: Entry points

    mutating func validateFunction(_ body: FunctionBody, index: UInt32, typeIndex: UInt32) throws(WasmError) {
        constMode = false
        function = index
        section = "code"
        offset = body.code.startIndex
        opcode = .block
        reset()
        let t = Int(typeIndex)
        let params = types.params(t), results = types.results(t)
        for i in results { pool.append(types.sigPool[i]) }
        try setupLocals(params: params, groups: body.locals)
        ctrls.append(Frame(kind: .function, height: 0, initHeight: 0, poolMark: 0, paramStart: 0, paramCount: 0,
                           resultStart: 0, resultCount: results.count))
        curHeight = 0
        curUnreachable = false
        try run(body.code)
    }

    mutating func validateConst(_ e: ConstExpr, expected: VT, globalLimit: Int, section: String) throws(WasmError) {
        constMode = true
        function = nil
        self.section = section
        self.globalLimit = globalLimit
        offset = e.bytes.startIndex
        reset()
        localCount = 0
        paramCount = 0
        hasNonDefaultable = false
        flatLocals = true
        localTypes.removeAll(keepingCapacity: true)
        pool.append(expected)
        ctrls.append(Frame(kind: .function, height: 0, initHeight: 0, poolMark: 0, paramStart: 0, paramCount: 0,
                           resultStart: 0, resultCount: 1))
        curHeight = 0
        curUnreachable = false
        try run(e.bytes)
    }

    mutating func reset() {
        vals.removeAll()
        ctrls.removeAll()
        pool.removeAll()
        if !initialized.isEmpty { initialized.removeAll(keepingCapacity: true) }
        initStack.removeAll(keepingCapacity: true)
    }

    mutating func setupLocals(params: Range<Int>, groups: [LocalGroup]) throws(WasmError) {
        paramCount = params.count
        localTypes.removeAll(keepingCapacity: true)
        for i in params { localTypes.append(types.sigPool[i]) }
        groupEnds.removeAll(keepingCapacity: true)
        groupTypes.removeAll(keepingCapacity: true)
        hasNonDefaultable = false
        var total = UInt64(paramCount)
        for g in groups {
            let t = try valType(g.type)
            if !t.isDefaultable && g.count > 0 { hasNonDefaultable = true }
            total += UInt64(g.count)
            groupEnds.append(total)
            groupTypes.append(t)
        }
        guard total <= UInt64(UInt32.max) else { throw fail("too many locals") }
        localCount = total
        flatLocals = total <= 65536
        if flatLocals {
            for (i, g) in groups.enumerated() where g.count > 0 {
                localTypes.append(contentsOf: repeatElement(groupTypes[i], count: Int(g.count)))
            }
        }
    }

    @inline(__always) func localType(_ x: UInt32) -> VT? {
        let i = UInt64(x)
        if i >= localCount { return nil }
        if flatLocals || Int(i) < paramCount { return localTypes[Int(i)] }
        var lo = 0, hi = groupEnds.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if groupEnds[mid] > i { hi = mid } else { lo = mid + 1 }
        }
        return groupTypes[lo]
    }

    // MARK: Errors

    func fail(_ message: String) -> WasmError {
        WasmError(offset: offset, section: section, function: function, message: message)
    }

    func mismatch(_ expected: VT, _ found: VT?) -> WasmError {
        fail("type mismatch in \(opcode.name): expected \(types.describe(expected)), found \(found.map { types.describe($0) } ?? "nothing")")
    }

    func mismatch(_ expected: String, _ found: VT?) -> WasmError {
        fail("type mismatch in \(opcode.name): expected \(expected), found \(found.map { types.describe($0) } ?? "nothing")")
    }

    func valType(_ t: ValType) throws(WasmError) -> VT {
        do { return try ctx.vt(t) } catch { throw fail(error.message) }
    }

    func heapType(_ h: HeapType) throws(WasmError) -> HT {
        do { return try ctx.heap(h) } catch { throw fail(error.message) }
    }

    // MARK: Operand stack

    @inline(__always) mutating func push(_ t: VT) { vals.append(t) }

    @inline(__always) mutating func popAny() throws(WasmError) -> VT {
        if vals.count == curHeight {
            if curUnreachable { return .bottom }
            throw fail("type mismatch in \(opcode.name): expected a value, found nothing")
        }
        return vals.removeLast()
    }

    @discardableResult
    @inline(__always) mutating func pop(_ e: VT) throws(WasmError) -> VT {
        if vals.count > curHeight {
            let a = vals[vals.count - 1]
            if a.raw == e.raw {
                vals.removeLast()
                return a
            }
        }
        return try popSlow(e)
    }

    mutating func popSlow(_ e: VT) throws(WasmError) -> VT {
        if vals.count == curHeight {
            if curUnreachable { return .bottom }
            throw mismatch(e, nil)
        }
        let a = vals.removeLast()
        if !types.isSub(a, e) { throw mismatch(e, a) }
        return a
    }

    /// Pops a reference of any type; an unknown operand gives `(ref bot)`.
    mutating func popRef() throws(WasmError) -> VT {
        if vals.count == curHeight {
            if curUnreachable { return .ref(nullable: false, HT(code: VT.botHeap)) }
            throw mismatch("a reference", nil)
        }
        let a = vals.removeLast()
        if a.kind == VT.kBottom { return .ref(nullable: false, HT(code: VT.botHeap)) }
        if !a.isRef { throw mismatch("a reference", a) }
        return a
    }

    mutating func popPool(_ r: Range<Int>) throws(WasmError) {
        var i = r.upperBound
        while i > r.lowerBound {
            i -= 1
            try pop(pool[i])
        }
    }

    mutating func pushPool(_ r: Range<Int>) {
        for i in r { vals.append(pool[i]) }
    }

    mutating func popSig(_ r: Range<Int>) throws(WasmError) {
        var i = r.upperBound
        while i > r.lowerBound {
            i -= 1
            try pop(types.sigPool[i])
        }
    }

    mutating func pushSig(_ r: Range<Int>) {
        for i in r { vals.append(types.sigPool[i]) }
    }

    /// Pops `n` operands of one type without looping past what the stack holds.
    mutating func popMany(_ t: VT, _ n: UInt32) throws(WasmError) {
        let avail = vals.count - curHeight
        if Int(n) > avail {
            if !curUnreachable {
                throw fail("type mismatch in \(opcode.name): expected \(n) operands, found \(avail)")
            }
            for _ in 0..<avail { try pop(t) }
            return
        }
        for _ in 0..<n { try pop(t) }
    }

    mutating func setUnreachable() {
        vals.removeLast(vals.count - curHeight)
        curUnreachable = true
        ctrls[ctrls.count - 1].unreachable = true
    }

    // MARK: Control stack

    mutating func pushFrame(_ kind: FrameKind, _ bt: BlockType) throws(WasmError) {
        let mark = pool.count
        var pc = 0, rc = 0
        switch bt {
        case .empty: break
        case .value(let t):
            pool.append(try valType(t))
            rc = 1
        case .typeIndex(let x):
            guard Int(x) < types.count else { throw fail("unknown type \(x)") }
            guard types.kinds[Int(x)] == TypeTable.kFunc else { throw fail("type mismatch: block type \(x) is not a function type") }
            let p = types.params(Int(x)), r = types.results(Int(x))
            for i in p { pool.append(types.sigPool[i]) }
            for i in r { pool.append(types.sigPool[i]) }
            pc = p.count
            rc = r.count
        }
        try popPool(mark ..< mark + pc)
        if kind == .tryTable {
            for i in catchClauses.indices { try checkCatch(catchClauses[i]) }
        }
        openFrame(kind, mark: mark, paramCount: pc, resultCount: rc)
        pushPool(mark ..< mark + pc)
    }

    mutating func openFrame(_ kind: FrameKind, mark: Int, paramCount pc: Int, resultCount rc: Int) {
        ctrls.append(Frame(kind: kind, height: vals.count, initHeight: initStack.count, poolMark: mark,
                           paramStart: mark, paramCount: pc, resultStart: mark + pc, resultCount: rc))
        curHeight = vals.count
        curUnreachable = false
    }

    /// Checks that the stack holds exactly the top frame's results.
    mutating func checkFrameEnd() throws(WasmError) {
        let f = ctrls[ctrls.count - 1]
        try popPool(f.resultStart ..< f.resultStart + f.resultCount)
        if vals.count != f.height {
            let extra = vals[f.height...]
            throw fail("type mismatch in \(opcode.name): expected \(types.describe(pool[f.resultStart ..< f.resultStart + f.resultCount])) at the end of the block, found \(extra.count) more value\(extra.count == 1 ? "" : "s") \(types.describe(extra))")
        }
    }

    mutating func resetLocals(to height: Int) {
        while initStack.count > height { initialized.remove(initStack.removeLast()) }
    }

    /// Starts the next arm of the top frame (else, catch, catch_all) with these operands.
    mutating func restartFrame(_ kind: FrameKind) {
        let i = ctrls.count - 1
        resetLocals(to: ctrls[i].initHeight)
        ctrls[i].kind = kind
        ctrls[i].unreachable = false
        curUnreachable = false
    }

    mutating func popFrame() -> Frame {
        let f = ctrls.removeLast()
        resetLocals(to: f.initHeight)
        if let top = ctrls.last {
            curHeight = top.height
            curUnreachable = top.unreachable
        }
        return f
    }

    /// The types a branch to label `l` carries.
    @inline(__always) func label(_ l: UInt32) throws(WasmError) -> Range<Int> {
        guard Int(l) < ctrls.count else { throw fail("unknown label \(l)") }
        let f = ctrls[ctrls.count - 1 - Int(l)]
        return f.kind == .loop ? f.paramStart ..< f.paramStart + f.paramCount
                               : f.resultStart ..< f.resultStart + f.resultCount
    }

    var returnTypes: Range<Int> {
        let f = ctrls[0]
        return f.resultStart ..< f.resultStart + f.resultCount
    }


    mutating func checkCatch(_ c: CatchClause) throws(WasmError) {
        let lt = try label(c.label)
        let exnRef = VT.ref(nullable: false, .exn)
        var n = 0
        switch c.kind {
        case .catch, .catchRef:
            guard Int(c.tag) < ctx.tagTypes.count else { throw fail("unknown tag \(c.tag)") }
            let p = types.params(Int(ctx.tagTypes[Int(c.tag)]))
            n = p.count + (c.kind == .catchRef ? 1 : 0)
            if n == lt.count {
                for (a, b) in zip(p, lt) where !types.isSub(types.sigPool[a], pool[b]) {
                    throw fail("type mismatch in \(c.kind.keyword): tag \(c.tag) carries \(types.describe(p.map { types.sigPool[$0] })), label \(c.label) expects \(types.describe(pool[lt]))")
                }
            }
            if c.kind == .catchRef, n == lt.count, !types.isSub(exnRef, pool[lt.upperBound - 1]) {
                throw fail("type mismatch in catch_ref: label \(c.label) does not take an exnref")
            }
        case .catchAll:
            n = 0
        case .catchAllRef:
            n = 1
            if lt.count == 1, !types.isSub(exnRef, pool[lt.lowerBound]) {
                throw fail("type mismatch in catch_all_ref: label \(c.label) does not take an exnref")
            }
        }
        if n != lt.count {
            throw fail("type mismatch in \(c.kind.keyword): label \(c.label) expects \(lt.count) values, the handler gives \(n)")
        }
    }

    // MARK: Immediates

    @inline(__always) func memory(_ m: UInt32) throws(WasmError) -> VT {
        guard Int(m) < ctx.memoryIs64.count else { throw fail("unknown memory \(m)") }
        return ctx.memoryIs64[Int(m)] ? .i64 : .i32
    }

    @inline(__always) func memArg(_ m: MemArg) throws(WasmError) -> VT {
        let addr = try memory(m.memory)
        let natural = UInt32(ops.natural[Int(opcode.rawValue)])
        if ops.atomic[Int(opcode.rawValue)] {
            if m.align != natural { throw fail("alignment must be equal to natural in \(opcode.name): alignment 2^\(m.align), natural 2^\(natural)") }
        } else if m.align > natural {
            throw fail("alignment must not be larger than natural in \(opcode.name): alignment 2^\(m.align), natural 2^\(natural)")
        }
        if addr.raw == VT.i32.raw && m.offset > UInt64(UInt32.max) {
            throw fail("offset out of range in \(opcode.name): \(m.offset) does not fit a 32-bit memory")
        }
        return addr
    }

    @inline(__always) func table(_ t: UInt32) throws(WasmError) -> (elem: VT, addr: VT) {
        guard Int(t) < ctx.tableTypes.count else { throw fail("unknown table \(t)") }
        return (ctx.tableTypes[Int(t)], ctx.tableIs64[Int(t)] ? .i64 : .i32)
    }

    func dataIndex(_ d: UInt32) throws(WasmError) {
        if !constMode && !ctx.hasDataCount { throw fail("data count section required for \(opcode.name)") }
        guard Int(d) < ctx.dataCount else { throw fail("unknown data segment \(d)") }
    }

    func elemIndex(_ e: UInt32) throws(WasmError) -> VT {
        guard Int(e) < ctx.elementTypes.count else { throw fail("unknown elem segment \(e)") }
        return ctx.elementTypes[Int(e)]
    }

    func funcType(_ x: UInt32) throws(WasmError) -> Int {
        guard Int(x) < types.count else { throw fail("unknown type \(x)") }
        guard types.kinds[Int(x)] == TypeTable.kFunc else { throw fail("type mismatch in \(opcode.name): type \(x) is not a function type") }
        return Int(x)
    }

    func structType(_ x: UInt32) throws(WasmError) -> Int {
        guard Int(x) < types.count else { throw fail("unknown type \(x)") }
        guard types.kinds[Int(x)] == TypeTable.kStruct else { throw fail("type mismatch in \(opcode.name): type \(x) is not a struct type") }
        return Int(x)
    }

    func arrayType(_ x: UInt32) throws(WasmError) -> (elem: VT, mutable: Bool) {
        guard Int(x) < types.count else { throw fail("unknown type \(x)") }
        guard types.kinds[Int(x)] == TypeTable.kArray else { throw fail("type mismatch in \(opcode.name): type \(x) is not an array type") }
        let f = Int(types.fieldStart[Int(x)])
        return (types.fieldPool[f], types.fieldMutable[f])
    }

    func field(_ x: UInt32, _ i: UInt32) throws(WasmError) -> (type: VT, mutable: Bool) {
        let s = try structType(x)
        guard i < UInt32(types.fieldCount[s]) else { throw fail("unknown field \(i) of type \(x)") }
        let f = Int(types.fieldStart[s]) + Int(i)
        return (types.fieldPool[f], types.fieldMutable[f])
    }

    /// Checks that a tail call's results fit the caller's.
    func checkReturnCall(_ results: Range<Int>) throws(WasmError) {
        let rt = returnTypes
        guard results.count == rt.count else {
            throw fail("type mismatch in \(opcode.name): callee returns \(types.describe(results.map { types.sigPool[$0] })), caller returns \(types.describe(pool[rt]))")
        }
        for (a, b) in zip(results, rt) where !types.isSub(types.sigPool[a], pool[b]) {
            throw fail("type mismatch in \(opcode.name): callee returns \(types.describe(results.map { types.sigPool[$0] })), caller returns \(types.describe(pool[rt]))")
        }
    }

    // MARK: The loop

    /// Decodes and checks the expression's instructions until the `end` that closes its last frame.
    ///
    /// Opcodes are looked up in flat tables (no `OpcodeInfo` copies) and immediates are decoded in
    /// place into `Operands` (no `Instruction` values), with the same checks and errors as the reader.
    mutating func run(_ code: ArraySlice<UInt8>) throws(WasmError) {
        var r = ByteReader(bytes: code)
        r.section = section
        r.function = function
        while !ctrls.isEmpty {
            offset = r.position
            if r.isAtEnd { throw fail("unexpected end of section or function: expected an instruction or `end`") }
            let first = try r.readByte()
            var raw = ops.singleByte[Int(first)]
            if raw == 0 {
                let p = ops.prefixSlot[Int(first)]
                guard p != 0 else { throw fail("illegal opcode 0x\(String(first, radix: 16))") }
                let code = try r.readU32()
                let table = ops.prefixed[Int(p) - 1]
                guard code < table.count, table[Int(code)] != 0 else {
                    throw fail("illegal opcode 0x\(String(first, radix: 16)) \(code)")
                }
                raw = table[Int(code)]
            }
            let op = unsafeBitCast(raw - 1, to: Opcode.self)  // raw values are the dense case indices
            let o = Int(raw - 1)
            let kind = ops.immediates[o]
            // Fast paths for the common instructions.
            if !constMode {
                let s = ops.sig[o]
                if s != 0 {
                    switch kind {
                    case .none:
                        opcode = op
                        try applySignature(s, .i32)
                        continue
                    case .i32:
                        _ = try r.readS32()
                        opcode = op
                        try applySignature(s, .i32)
                        continue
                    case .i64:
                        _ = try r.readS64()
                        opcode = op
                        try applySignature(s, .i32)
                        continue
                    case .memArg:
                        let m = try r.readMemArg()
                        opcode = op
                        try applySignature(s, try memArg(m))
                        continue
                    default: break
                    }
                } else {
                    switch op {
                    case .localGet:
                        let x = try r.readU32()
                        opcode = op
                        try localGet(x)
                        continue
                    case .localSet, .localTee:
                        let x = try r.readU32()
                        opcode = op
                        try localSet(x, tee: op == .localTee)
                        continue
                    case .end:
                        opcode = op
                        try end()
                        continue
                    case .brIf:
                        let l = try r.readU32()
                        opcode = op
                        try brIf(l)
                        continue
                    case .br:
                        let l = try r.readU32()
                        opcode = op
                        try br(l)
                        continue
                    case .block, .loop:
                        let bt = try r.readBlockType()
                        opcode = op
                        try pushFrame(op == .block ? .block : .loop, bt)
                        continue
                    case .if:
                        let bt = try r.readBlockType()
                        opcode = op
                        try pop(.i32)
                        try pushFrame(.if, bt)
                        continue
                    case .call:
                        let x = try r.readU32()
                        opcode = op
                        try call(x, tail: false)
                        continue
                    case .globalGet:
                        let x = try r.readU32()
                        opcode = op
                        try globalGet(x)
                        continue
                    case .globalSet:
                        let x = try r.readU32()
                        opcode = op
                        try globalSet(x)
                        continue
                    case .drop:
                        opcode = op
                        _ = try popAny()
                        continue
                    default: break
                    }
                }
            }
            let operands = try readOperands(kind, &r)
            try step(op, kind, operands)
        }
        if !r.isAtEnd { throw fail("section size mismatch: \(r.remaining) bytes after the final end") }
    }

    @inline(__always) mutating func step(_ op: Opcode, _ kind: ImmediateKind, _ o: Operands) throws(WasmError) {
        opcode = op
        let i = Int(opcode.rawValue)
        if constMode && !ops.constant[i] && opcode != .end {
            throw fail("constant expression required: \(opcode.name) is not a constant instruction")
        }
        let s = ops.sig[i]
        if s != 0 {
            var addr = VT.i32
            switch kind {
            case .none, .i32, .i64, .f32, .f64, .atomicFence: break
            case .memArg: addr = try memArg(o.memArg)
            case .memArgLane:
                addr = try memArg(o.memArg)
                if UInt32(o.lane) >= 16 >> UInt32(ops.natural[i]) { throw fail("invalid lane index \(o.lane) in \(opcode.name)") }
            case .lane:
                if o.lane >= ops.lanes[i] { throw fail("invalid lane index \(o.lane) in \(opcode.name)") }
            case .v128, .shuffle:
                if opcode == .i8x16Shuffle {
                    for b in o.v128.bytes where b >= 32 { throw fail("invalid lane index \(b) in i8x16.shuffle") }
                }
            case .label, .function, .type, .local, .global, .table, .tag, .memory, .data, .elem:
                switch opcode {
                case .dataDrop: try dataIndex(o.a)
                case .elemDrop: _ = try elemIndex(o.a)
                default: addr = try memory(o.a)  // memory.size, memory.grow, memory.fill
                }
            case .callIndirect, .memoryInit, .memoryCopy, .tableInit, .tableCopy, .structField, .arrayFixed,
                 .arrayData, .arrayElem, .arrayCopy:  // memory.init
                try dataIndex(o.a)
                addr = try memory(o.b)
            default: break
            }
            try applySignature(s, addr)
            return
        }
        try special(o)
    }

    /// Pops the parameters and pushes the results of an opcode typed by its table signature.
    @inline(__always) mutating func applySignature(_ s: UInt32, _ addr: VT) throws(WasmError) {
        let start = Int(s & 0xFFFF), np = Int((s >> 16) & 0xF), nr = Int((s >> 20) & 0xF)
        var i = start + np
        while i > start {
            i -= 1
            let c = ops.codes[i]
            try pop(c == OpTables.addressCode ? addr : VT(raw: UInt64(c)))
        }
        for j in start + np ..< start + np + nr {
            let c = ops.codes[j]
            vals.append(c == OpTables.addressCode ? addr : VT(raw: UInt64(c)))
        }
    }

    @inline(__always) mutating func localGet(_ x: UInt32) throws(WasmError) {
        guard let t = localType(x) else { throw fail("unknown local \(x)") }
        if hasNonDefaultable && Int(x) >= paramCount && !t.isDefaultable && !initialized.contains(x) {
            throw fail("uninitialized local \(x) of type \(types.describe(t))")
        }
        push(t)
    }

    @inline(__always) mutating func localSet(_ x: UInt32, tee: Bool) throws(WasmError) {
        guard let t = localType(x) else { throw fail("unknown local \(x)") }
        try pop(t)
        if hasNonDefaultable && Int(x) >= paramCount && !t.isDefaultable && initialized.insert(x).inserted {
            initStack.append(x)
        }
        if tee { push(t) }
    }

    // MARK: Instructions with fast paths in `run` (also reached through `special`)

    @inline(__always) mutating func end() throws(WasmError) {
        try checkFrameEnd()
        let top = ctrls[ctrls.count - 1]
        if top.kind == .if {
            // The missing else passes the parameters through: they must match the results.
            restartFrame(.else)
            pushPool(top.paramStart ..< top.paramStart + top.paramCount)
            try checkFrameEnd()
        }
        let f = popFrame()
        if ctrls.isEmpty { return }
        pushPool(f.resultStart ..< f.resultStart + f.resultCount)
        pool.removeLast(pool.count - f.poolMark)
    }

    @inline(__always) mutating func br(_ l: UInt32) throws(WasmError) {
        let lt = try label(l)
        try popPool(lt)
        setUnreachable()
    }

    @inline(__always) mutating func brIf(_ l: UInt32) throws(WasmError) {
        let lt = try label(l)
        try pop(.i32)
        try popPool(lt)
        pushPool(lt)
    }

    @inline(__always) mutating func call(_ x: UInt32, tail: Bool) throws(WasmError) {
        guard Int(x) < ctx.funcTypes.count else { throw fail("unknown function \(x)") }
        let t = Int(ctx.funcTypes[Int(x)])
        try popSig(types.params(t))
        if tail {
            try checkReturnCall(types.results(t))
            setUnreachable()
        } else {
            pushSig(types.results(t))
        }
    }

    /// global.get outside constant expressions.
    @inline(__always) mutating func globalGet(_ x: UInt32) throws(WasmError) {
        guard Int(x) < ctx.globalTypes.count else { throw fail("unknown global \(x)") }
        push(ctx.globalTypes[Int(x)])
    }

    @inline(__always) mutating func globalSet(_ x: UInt32) throws(WasmError) {
        guard Int(x) < ctx.globalTypes.count else { throw fail("unknown global \(x)") }
        guard ctx.globalMutable[Int(x)] else { throw fail("global is immutable: global.set of global \(x)") }
        try pop(ctx.globalTypes[Int(x)])
    }

    mutating func special(_ o: Operands) throws(WasmError) {
        switch opcode {
        // Control.
        case .unreachable:
            setUnreachable()
        case .block, .loop:
            let bt = o.blockType
            try pushFrame(opcode == .block ? .block : .loop, bt)
        case .if:
            let bt = o.blockType
            try pop(.i32)
            try pushFrame(.if, bt)
        case .try:
            let bt = o.blockType
            try pushFrame(.try, bt)
        case .tryTable:
            let bt = o.blockType
            try pushFrame(.tryTable, bt)
        case .else:
            guard ctrls[ctrls.count - 1].kind == .if else { throw fail("else found outside an if block") }
            try checkFrameEnd()
            restartFrame(.else)
            let f = ctrls[ctrls.count - 1]
            pushPool(f.paramStart ..< f.paramStart + f.paramCount)
        case .catch:
            let k = ctrls[ctrls.count - 1].kind
            guard k == .try || k == .catch else {
                throw fail(k == .catchAll ? "catch found after catch_all" : "catch found outside a try block")
            }
            let x = o.a
            guard Int(x) < ctx.tagTypes.count else { throw fail("unknown tag \(o.a)") }
            try checkFrameEnd()
            restartFrame(.catch)
            pushSig(types.params(Int(ctx.tagTypes[Int(x)])))
        case .catchAll:
            let k = ctrls[ctrls.count - 1].kind
            guard k == .try || k == .catch else {
                throw fail(k == .catchAll ? "catch_all found after catch_all" : "catch_all found outside a try block")
            }
            try checkFrameEnd()
            restartFrame(.catchAll)
        case .delegate:
            guard ctrls[ctrls.count - 1].kind == .try else { throw fail("delegate found outside a try block") }
            try checkFrameEnd()
            let f = popFrame()
            let l = o.a
            guard Int(l) < ctrls.count else { throw fail("unknown label \(o.a)") }
            pushPool(f.resultStart ..< f.resultStart + f.resultCount)
            pool.removeLast(pool.count - f.poolMark)
        case .end:
            try end()
        case .br:
            try br(o.a)
        case .brIf:
            try brIf(o.a)
        case .brTable:
            let def = o.a
            try pop(.i32)
            let dt = try label(def)
            for k in brTargets.indices {
                let l = brTargets[k]
                let lt = try label(l)
                if lt.count != dt.count {
                    throw fail("type mismatch in br_table: label \(l) takes \(lt.count) values, the default label \(def) takes \(dt.count)")
                }
                // Check the operands against this label and put back what was there.
                scratch.removeAll(keepingCapacity: true)
                var i = lt.upperBound
                while i > lt.lowerBound {
                    i -= 1
                    let t = try pop(pool[i])
                    scratch.append(t)
                }
                var j = scratch.count
                while j > 0 {
                    j -= 1
                    vals.append(scratch[j])
                }
            }
            try popPool(dt)
            setUnreachable()
        case .return:
            try popPool(returnTypes)
            setUnreachable()
        case .call, .returnCall:
            try call(o.a, tail: opcode == .returnCall)
        case .callIndirect, .returnCallIndirect:
            let x = o.a, tbl = o.b
            let tt = try table(tbl)
            let t = try funcType(x)
            if !types.isSub(tt.elem, .ref(nullable: true, .func)) {
                throw fail("type mismatch in \(opcode.name): table \(tbl) holds \(types.describe(tt.elem)), not function references")
            }
            try pop(tt.addr)
            try popSig(types.params(t))
            if opcode == .returnCallIndirect {
                try checkReturnCall(types.results(t))
                setUnreachable()
            } else {
                pushSig(types.results(t))
            }
        case .callRef, .returnCallRef:
            let t = try funcType(o.a)
            try pop(.ref(nullable: true, concrete: UInt32(t)))
            try popSig(types.params(t))
            if opcode == .returnCallRef {
                try checkReturnCall(types.results(t))
                setUnreachable()
            } else {
                pushSig(types.results(t))
            }
        case .throw:
            let x = o.a
            guard Int(x) < ctx.tagTypes.count else { throw fail("unknown tag \(o.a)") }
            try popSig(types.params(Int(ctx.tagTypes[Int(x)])))
            setUnreachable()
        case .throwRef:
            try pop(.ref(nullable: true, .exn))
            setUnreachable()
        case .rethrow:
            let l = o.a
            guard Int(l) < ctrls.count else { throw fail("unknown label \(l)") }
            let k = ctrls[ctrls.count - 1 - Int(l)].kind
            guard k == .catch || k == .catchAll else { throw fail("invalid rethrow label \(l): not a catch block") }
            setUnreachable()

        // Parametric.
        case .drop:
            _ = try popAny()
        case .select:
            try pop(.i32)
            let t1 = try popAny()
            let t2 = try popAny()
            func plain(_ t: VT) -> Bool { t.kind == VT.kBottom || t.isNumeric || t.kind == VT.kV128 }
            guard plain(t1) && plain(t2) else {
                throw mismatch("numeric or vector operands (use a typed select for references)", plain(t1) ? t2 : t1)
            }
            if t1.raw != t2.raw && t1.kind != VT.kBottom && t2.kind != VT.kBottom { throw mismatch(t1, t2) }
            push(t1.kind == VT.kBottom ? t2 : t1)
        case .selectTyped:
                        guard o.count == 1 else { throw fail("invalid result arity in select: \(o.count) types") }
            let t = try valType(o.valType)
            try pop(.i32)
            try pop(t)
            try pop(t)
            push(t)

        // Variables.
        case .localGet:
            try localGet(o.a)
        case .localSet, .localTee:
            try localSet(o.a, tee: opcode == .localTee)
        case .globalGet:
            let x = o.a
            if constMode {
                guard Int(x) < globalLimit else { throw fail("unknown global \(x)") }
                if ctx.globalMutable[Int(x)] { throw fail("constant expression required: global \(x) is mutable") }
            }
            guard Int(x) < ctx.globalTypes.count else { throw fail("unknown global \(x)") }
            push(ctx.globalTypes[Int(x)])
        case .globalSet:
            try globalSet(o.a)

        // Tables.
        case .tableGet:
            let t = try table(o.a)
            try pop(t.addr)
            push(t.elem)
        case .tableSet:
            let t = try table(o.a)
            try pop(t.elem)
            try pop(t.addr)
        case .tableSize:
            push(try table(o.a).addr)
        case .tableGrow:
            let t = try table(o.a)
            try pop(t.addr)
            try pop(t.elem)
            push(t.addr)
        case .tableFill:
            let t = try table(o.a)
            try pop(t.addr)
            try pop(t.elem)
            try pop(t.addr)
        case .tableCopy:
            let dst = o.a, src = o.b
            let d = try table(dst), s = try table(src)
            if !types.isSub(s.elem, d.elem) {
                throw fail("type mismatch in table.copy: table \(src) of \(types.describe(s.elem)) into table \(dst) of \(types.describe(d.elem))")
            }
            try pop(d.addr.raw == VT.i64.raw && s.addr.raw == VT.i64.raw ? .i64 : .i32)
            try pop(s.addr)
            try pop(d.addr)
        case .tableInit:
            let e = o.a, tbl = o.b
            let et = try elemIndex(e)
            let t = try table(tbl)
            if !types.isSub(et, t.elem) {
                throw fail("type mismatch in table.init: segment \(e) of \(types.describe(et)) into table \(tbl) of \(types.describe(t.elem))")
            }
            try pop(.i32)
            try pop(.i32)
            try pop(t.addr)
        case .memoryCopy:
            let dst = o.a, src = o.b
            let d = try memory(dst), s = try memory(src)
            try pop(d.raw == VT.i64.raw && s.raw == VT.i64.raw ? .i64 : .i32)
            try pop(s)
            try pop(d)

        // References.
        case .refNull:
            let h = o.heap
            push(.ref(nullable: true, try heapType(h)))
        case .refIsNull:
            _ = try popRef()
            push(.i32)
        case .refFunc:
            let x = o.a
            guard Int(x) < ctx.funcTypes.count else { throw fail("unknown function \(x)") }
            if !constMode && !ctx.declaredRefs[Int(x)] {
                throw fail("undeclared function reference: function \(x) must be declared in an element segment, export or global before ref.func uses it")
            }
            push(.ref(nullable: false, concrete: ctx.funcTypes[Int(x)]))
        case .refEq:
            try pop(.ref(nullable: true, .eq))
            try pop(.ref(nullable: true, .eq))
            push(.i32)
        case .refAsNonNull:
            push(try popRef().withNullable(false))
        case .brOnNull:
            let r = try popRef()
            let lt = try label(o.a)
            try popPool(lt)
            pushPool(lt)
            push(r.withNullable(false))
        case .brOnNonNull:
            let r = try popRef()
            let lt = try label(o.a)
            guard let last = lt.last, pool[last].isRef || pool[last].kind == VT.kBottom else {
                throw fail("type mismatch in br_on_non_null: label \(o.a) must take a reference last, it takes \(types.describe(pool[lt]))")
            }
            if !types.isSub(r.withNullable(false), pool[last]) { throw mismatch(pool[last], r.withNullable(false)) }
            try popPool(lt.lowerBound ..< last)
            pushPool(lt.lowerBound ..< last)
        case .refTest, .refTestNullable, .refCast, .refCastNullable:
            let h = o.heap
            let ht = try heapType(h)
            try pop(.ref(nullable: true, types.top(ht)))
            if opcode == .refTest || opcode == .refTestNullable {
                push(.i32)
            } else {
                push(.ref(nullable: opcode == .refCastNullable, ht))
            }
        case .brOnCast, .brOnCastFail:
            let flags = o.flags, l = o.a, src = o.heap, dst = o.heap2
            let rt1 = VT.ref(nullable: flags & 1 != 0, try heapType(src))
            let rt2 = VT.ref(nullable: flags & 2 != 0, try heapType(dst))
            if !types.isSub(rt2, rt1) {
                throw fail("type mismatch in \(opcode.name): target type \(types.describe(rt2)) is not a subtype of source type \(types.describe(rt1))")
            }
            try pop(rt1)
            let lt = try label(l)
            let diff = rt1.withNullable(rt1.nullable && !rt2.nullable)
            let branchType = opcode == .brOnCast ? rt2 : diff
            guard let last = lt.last else {
                throw fail("type mismatch in \(opcode.name): label \(l) must take a reference last, it takes nothing")
            }
            if !types.isSub(branchType, pool[last]) { throw mismatch(pool[last], branchType) }
            try popPool(lt.lowerBound ..< last)
            pushPool(lt.lowerBound ..< last)
            push(opcode == .brOnCast ? diff : rt2)
        case .anyConvertExtern:
            let a = try pop(.ref(nullable: true, .extern))
            push(.ref(nullable: a.kind != VT.kBottom && a.nullable, .any))
        case .externConvertAny:
            let a = try pop(.ref(nullable: true, .any))
            push(.ref(nullable: a.kind != VT.kBottom && a.nullable, .extern))
        case .refI31:
            try pop(.i32)
            push(.ref(nullable: false, .i31))
        case .i31GetS, .i31GetU:
            try pop(.ref(nullable: true, .i31))
            push(.i32)

        // GC structs.
        case .structNew:
            let x = o.a
            let s = try structType(x)
            let start = Int(types.fieldStart[s])
            var i = start + Int(types.fieldCount[s])
            while i > start {
                i -= 1
                try pop(types.fieldPool[i].unpacked)
            }
            push(.ref(nullable: false, concrete: x))
        case .structNewDefault:
            let x = o.a
            let s = try structType(x)
            let start = Int(types.fieldStart[s])
            for i in start ..< start + Int(types.fieldCount[s]) where !types.fieldPool[i].isDefaultable {
                throw fail("struct.new_default: field \(i - start) of type \(x) is not defaultable (\(types.describe(types.fieldPool[i])))")
            }
            push(.ref(nullable: false, concrete: x))
        case .structGet, .structGetS, .structGetU:
            let x = o.a, i = o.b
            let f = try field(x, i)
            if (opcode == .structGet) == f.type.isPacked {
                throw fail(f.type.isPacked ? "type mismatch in struct.get: field \(i) is packed, use struct.get_s or struct.get_u"
                                           : "type mismatch in \(opcode.name): field \(i) is not packed, use struct.get")
            }
            try pop(.ref(nullable: true, concrete: x))
            push(f.type.unpacked)
        case .structSet:
            let x = o.a, i = o.b
            let f = try field(x, i)
            guard f.mutable else { throw fail("field is immutable: struct.set of field \(i) of type \(x)") }
            try pop(f.type.unpacked)
            try pop(.ref(nullable: true, concrete: x))

        // GC arrays.
        case .arrayNew:
            let x = o.a
            let a = try arrayType(x)
            try pop(.i32)
            try pop(a.elem.unpacked)
            push(.ref(nullable: false, concrete: x))
        case .arrayNewDefault:
            let x = o.a
            let a = try arrayType(x)
            guard a.elem.isDefaultable else { throw fail("array.new_default: element type \(types.describe(a.elem)) of type \(x) is not defaultable") }
            try pop(.i32)
            push(.ref(nullable: false, concrete: x))
        case .arrayNewFixed:
            let x = o.a, n = o.b
            let a = try arrayType(x)
            try popMany(a.elem.unpacked, n)
            push(.ref(nullable: false, concrete: x))
        case .arrayNewData, .arrayInitData:
            let x = o.a, d = o.b
            let a = try arrayType(x)
            if opcode == .arrayInitData && !a.mutable { throw fail("array is immutable: array.init_data on type \(x)") }
            guard !a.elem.isRef else { throw fail("array type is not numeric or vector: \(opcode.name) on an array of \(types.describe(a.elem))") }
            try dataIndex(d)
            try pop(.i32)
            try pop(.i32)
            if opcode == .arrayNewData {
                push(.ref(nullable: false, concrete: x))
            } else {
                try pop(.i32)
                try pop(.ref(nullable: true, concrete: x))
            }
        case .arrayNewElem, .arrayInitElem:
            let x = o.a, e = o.b
            let a = try arrayType(x)
            if opcode == .arrayInitElem && !a.mutable { throw fail("array is immutable: array.init_elem on type \(x)") }
            let et = try elemIndex(e)
            if !types.isSub(et, a.elem) {
                throw fail("type mismatch in \(opcode.name): segment \(e) of \(types.describe(et)) into an array of \(types.describe(a.elem))")
            }
            try pop(.i32)
            try pop(.i32)
            if opcode == .arrayNewElem {
                push(.ref(nullable: false, concrete: x))
            } else {
                try pop(.i32)
                try pop(.ref(nullable: true, concrete: x))
            }
        case .arrayGet, .arrayGetS, .arrayGetU:
            let x = o.a
            let a = try arrayType(x)
            if (opcode == .arrayGet) == a.elem.isPacked {
                throw fail(a.elem.isPacked ? "type mismatch in array.get: the element is packed, use array.get_s or array.get_u"
                                           : "type mismatch in \(opcode.name): the element is not packed, use array.get")
            }
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: x))
            push(a.elem.unpacked)
        case .arraySet:
            let x = o.a
            let a = try arrayType(x)
            guard a.mutable else { throw fail("array is immutable: array.set on type \(x)") }
            try pop(a.elem.unpacked)
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: x))
        case .arrayLen:
            try pop(.ref(nullable: true, .array))
            push(.i32)
        case .arrayFill:
            let x = o.a
            let a = try arrayType(x)
            guard a.mutable else { throw fail("array is immutable: array.fill on type \(x)") }
            try pop(.i32)
            try pop(a.elem.unpacked)
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: x))
        case .arrayCopy:
            let x = o.a, y = o.b
            let d = try arrayType(x), s = try arrayType(y)
            guard d.mutable else { throw fail("array is immutable: array.copy into type \(x)") }
            if !types.isSubStorage(s.elem, d.elem) {
                throw fail("type mismatch in array.copy: elements of \(types.describe(s.elem)) into an array of \(types.describe(d.elem))")
            }
            try pop(.i32)
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: y))
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: x))

        default:
            throw fail("unsupported instruction \(opcode.name)")
        }
    }
}

/// Per-opcode data the validator needs on every instruction, precomputed from the opcode table
/// so the loop does not touch `OpcodeInfo` (which holds strings).
struct OpTables: Sendable {
    /// Stands for the address type of the memory an instruction names.
    static let addressCode: UInt8 = 9

    /// 0 when the opcode needs special typing; else the start of its codes in `codes` (bits 0–15),
    /// the parameter count (bits 16–19) and the result count (bits 20–23).
    var sig: [UInt32] = []
    /// Value kinds (`VT.kI32` ...) or `addressCode`.
    var codes: [UInt8] = []
    var natural: [UInt8] = []
    var atomic: [Bool] = []
    var lanes: [UInt8] = []
    var constant: [Bool] = []

    /// Opcode raw value + 1 by single byte; 0 where the byte is a prefix or unassigned.
    var singleByte = [UInt16](repeating: 0, count: 256)
    /// 1-based index into `prefixed` by prefix byte; 0 when the byte is no prefix.
    var prefixSlot = [UInt8](repeating: 0, count: 256)
    /// Opcode raw value + 1 by sub-opcode, one table per prefix.
    var prefixed: [[UInt16]] = []
    var immediates: [ImmediateKind] = []

    static let shared = OpTables()

    init() {
        for op in Opcode.allCases {
            let info = op.info
            immediates.append(info.immediate)
            if info.prefix == 0 {
                singleByte[Int(info.code)] = op.rawValue + 1
            } else {
                if prefixSlot[Int(info.prefix)] == 0 {
                    prefixed.append([])
                    prefixSlot[Int(info.prefix)] = UInt8(prefixed.count)
                }
                let slot = Int(prefixSlot[Int(info.prefix)]) - 1
                let code = Int(info.code)
                if prefixed[slot].count <= code { prefixed[slot] += [UInt16](repeating: 0, count: code + 1 - prefixed[slot].count) }
                prefixed[slot][code] = op.rawValue + 1
            }
            natural.append(info.naturalAlignment ?? 0)
            atomic.append(info.prefix == 0xFE && info.immediate == .memArg)
            constant.append(info.isConstant)
            var lane: UInt8 = 0
            for (prefix, n) in [("i8x16.", 16), ("i16x8.", 8), ("i32x4.", 4), ("i64x2.", 2), ("f32x4.", 4), ("f64x2.", 2)]
            where info.name.hasPrefix(prefix) {
                lane = UInt8(n)
            }
            lanes.append(lane)
            guard let signature = info.signature else {
                sig.append(0)
                continue
            }
            let sides = signature.split(separator: "-", omittingEmptySubsequences: false)
            let params = sides[0].split(separator: " "), results = sides.count > 1 ? sides[1].dropFirst().split(separator: " ") : []
            func code(_ s: Substring) -> UInt8 {
                switch s {
                case "i32": return VT.kI32
                case "i64": return VT.kI64
                case "f32": return VT.kF32
                case "f64": return VT.kF64
                case "v128": return VT.kV128
                case "a": return OpTables.addressCode
                default: fatalError("unknown type \(s) in the signature of \(info.name)")
                }
            }
            let start = codes.count
            for p in params { codes.append(code(p)) }
            for r in results { codes.append(code(r)) }
            sig.append(1 << 31 | UInt32(start) | UInt32(params.count) << 16 | UInt32(results.count) << 20)
        }
    }
}
