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
}
