import LatheEntity

/// Why a run stopped early: the trap code and the instruction that raised it.
public struct Trap: Error, Sendable, CustomStringConvertible {
    public var code: TrapCode
    public var function: String
    public var inst: Inst?
    /// The trapping instruction as printed, for messages.
    public var instText: String
    public var description: String { "trap \(code) in %\(function)" + (instText.isEmpty ? "" : " at: " + String(instText.drop { $0 == " " })) }
}

/// Runs IR functions of a module with wasm semantics (see `Semantics` for the NaN policy).
///
/// Globals, memories and tables are module-wide by index; each is created from the first
/// declaration found in module order (globals start at zero, tables hold their listed elements
/// then nulls). Every executed instruction costs one unit of `fuel`; running out traps with
/// `out_of_fuel`. Calls nest at most `maxCallDepth` deep (`stack_overflow`). Run only verified functions.
public struct Interpreter {
    public let module: Module
    public var fuel: Int
    public var maxCallDepth = 200
    public private(set) var memories: [[UInt8]] = []
    private var memoryDecls: [MemoryDecl] = []
    public private(set) var globals: [SIMD4<UInt64>] = []
    public private(set) var tables: [[UInt64]] = []
    /// Passive data segments by index; dropped or undeclared ones are empty.
    public private(set) var dataSegments: [UInt32: [UInt8]] = [:]
    /// Passive element segments by index (function indices or the null bits); dropped or undeclared ones are empty.
    public private(set) var elemSegments: [UInt32: [UInt64]] = [:]
    private var depth = 0

    public static let pageSize = 65536

    public init(module: Module, fuel: Int = 10_000_000) {
        self.module = module
        self.fuel = fuel
        for f in module.functions {
            for m in f.memories.keys where m.index >= memories.count {
                let d = f.memories[m]
                memories.append([UInt8](repeating: 0, count: Int(d.minPages) * Self.pageSize))
                memoryDecls.append(d)
            }
            for g in f.globals.keys where g.index >= globals.count { globals.append(SIMD4(repeating: 0)) }
            for t in f.tables.keys where t.index >= tables.count {
                let d = f.tables[t]
                var elems = [UInt64](repeating: RuntimeValue.nullBits, count: Int(d.minSize))
                for (i, name) in d.elements.enumerated() where i < elems.count {
                    elems[i] = module.index(of: name).map(UInt64.init) ?? RuntimeValue.nullBits
                }
                tables.append(elems)
            }
            for (i, bytes) in f.dataSegments where dataSegments[i] == nil { dataSegments[i] = bytes }
            for (i, names) in f.elemSegments where elemSegments[i] == nil {
                elemSegments[i] = names.map { name in name.flatMap { module.index(of: $0) }.map(UInt64.init) ?? RuntimeValue.nullBits }
            }
        }
    }

    /// Writes `bytes` into memory `index` at `offset` (data segments, test setup); false if they do not fit.
    public mutating func writeMemory(_ index: Int, at offset: Int, _ bytes: [UInt8]) -> Bool {
        guard index < memories.count, offset >= 0, offset <= memories[index].count - bytes.count else { return false }
        memories[index].replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        return true
    }

    /// Calls function `name` with `args`; results, or the trap that stopped it.
    public mutating func call(_ name: String, _ args: [RuntimeValue]) -> Result<[RuntimeValue], Trap> {
        guard let index = module.index(of: name) else {
            return .failure(Trap(code: .user, function: name, inst: nil, instText: "no function %\(name)"))
        }
        do {
            let out = try execute(index, args.map(\.bits))
            let types = module.functions[index].signature.results
            return .success(zip(types, out).map { RuntimeValue(type: $0, bits: $1) })
        } catch {
            return .failure(error)
        }
    }

    private func trap(_ code: TrapCode, _ f: Function, _ inst: Inst) -> Trap {
        Trap(code: code, function: f.name, inst: inst, instText: FunctionPrinter(f).instLine(inst).text)
    }

    /// Runs function `index`; tail calls replace the running function without growing the stack.
    private mutating func execute(_ startIndex: Int, _ startArgs: [SIMD4<UInt64>]) throws(Trap) -> [SIMD4<UInt64>] {
        depth += 1
        defer { depth -= 1 }
        var funcIndex = startIndex
        var args = startArgs
        tailCall: while true {
            let f = module.functions[funcIndex]
            guard depth <= maxCallDepth else {
                throw Trap(code: .stack_overflow, function: f.name, inst: nil, instText: "")
            }
            guard let entry = f.entryBlock else { throw Trap(code: .unreachable, function: f.name, inst: nil, instText: "empty function") }
            let dfg = f.dfg
            var regs = [SIMD4<UInt64>](repeating: SIMD4(repeating: 0), count: dfg.valueCount)
            for (p, a) in zip(dfg.params(entry), args) { regs[p.index] = a }
            var next = f.layout.firstInst(entry)
            while let inst = next {
                fuel -= 1
                if fuel < 0 { throw trap(.out_of_fuel, f, inst) }
                next = f.layout.nextInst(inst)
                let d = dfg[inst]
                @inline(__always) func arg(_ x: UInt32) -> SIMD4<UInt64> { regs[Int(x)] }
                @inline(__always) func type(_ x: UInt32) -> IRType { dfg.type(of: Value(index: Int(x))) }
                func result() -> Int { dfg.firstResult(inst)!.index }
                func resultType() -> IRType { dfg.type(of: dfg.firstResult(inst)!) }
                func take(_ call: ValueList) {
                    let target = dfg.blockCallTarget(call)
                    let values = dfg.blockCallArgs(call).map { regs[$0.index] }  // read all before writing
                    for (p, v) in zip(dfg.params(target), values) { regs[p.index] = v }
                    next = f.layout.firstInst(target)
                }
                switch d.opcode.format {
                case .intConst, .floatConst:
                    regs[result()] = SIMD4(d.imm64, 0, 0, 0)
                case .vectorConst:
                    regs[result()] = Self.fromBytes(dfg.constants[ConstRef(index: Int(d.a))])
                case .binary, .unary, .intCompare, .floatCompare, .ternary, .shuffle, .extractLane, .insertLane:
                    let rt = resultType()
                    switch Self.pure(d, Self.evaluationType(d, resultType: rt, dfg), arg(d.a), arg(d.b), arg(d.c), rt, dfg) {
                    case .success(let r): regs[result()] = r
                    case .failure(let code): throw trap(code, f, inst)
                    }
                case .load:
                    let t = resultType()
                    let width = Function.accessBytes(d.opcode, t)
                    let ea = try address(arg(d.a)[0], UInt64(d.b), width, memory: Int(d.imm16), f, inst)
                    var v = SIMD4<UInt64>(repeating: 0)
                    let mem = Int(d.imm16)
                    for k in 0..<width { Lanes.set(&v, k, 8, UInt64(memories[mem][ea + k])) }
                    switch d.opcode {
                    case .sload8: v[0] = UInt64(bitPattern: Semantics.signed(v[0], 8)) & Semantics.mask(t.bits)
                    case .sload16: v[0] = UInt64(bitPattern: Semantics.signed(v[0], 16)) & Semantics.mask(t.bits)
                    case .sload32: v[0] = UInt64(bitPattern: Semantics.signed(v[0], 32))
                    case .load, .uload8, .uload16, .uload32, .loadZero: break
                    default: v = Self.finishVectorLoad(d.opcode, t, v)
                    }
                    regs[result()] = v
                case .store:
                    let v = arg(d.a)
                    let width = Function.accessBytes(d.opcode, type(d.a))
                    let ea = try address(arg(d.b)[0], UInt64(d.c), width, memory: Int(d.imm16), f, inst)
                    let mem = Int(d.imm16)
                    for k in 0..<width { memories[mem][ea + k] = UInt8(truncatingIfNeeded: Lanes.get(v, k, 8)) }
                case .memoryLane:
                    let t = type(d.a)
                    let width = t.laneBits / 8
                    let mem = Int(d.imm16)
                    let ea = try address(arg(d.b)[0], UInt64(d.c), width, memory: mem, f, inst)
                    if d.opcode == .loadLane {
                        var v = arg(d.a), x: UInt64 = 0
                        for k in 0..<width { x |= UInt64(memories[mem][ea + k]) << UInt64(8 * k) }
                        Lanes.set(&v, d.memoryLane, t.laneBits, x)
                        regs[result()] = v
                    } else {
                        let x = Lanes.get(arg(d.a), d.memoryLane, t.laneBits)
                        for k in 0..<width { memories[mem][ea + k] = UInt8(truncatingIfNeeded: x >> UInt64(8 * k)) }
                    }
                case .memorySize:
                    regs[result()] = SIMD4(UInt64(memories[Int(d.imm16)].count / Self.pageSize), 0, 0, 0)
                case .memoryGrow:
                    let m = Int(d.imm16)
                    let old = UInt64(memories[m].count / Self.pageSize)
                    let delta = arg(d.a)[0]
                    let decl = memoryDecls[m]
                    let limit = min(decl.maxPages ?? (decl.is64 ? 1 << 20 : 65536), decl.is64 ? 1 << 20 : 65536)
                    if delta > limit || old + delta > limit {
                        regs[result()] = SIMD4(Semantics.mask(decl.is64 ? 64 : 32), 0, 0, 0)
                    } else {
                        memories[m].append(contentsOf: repeatElement(0, count: Int(delta) * Self.pageSize))
                        regs[result()] = SIMD4(old, 0, 0, 0)
                    }
                case .memoryCopy:
                    let len = arg(d.c)[0]
                    let dst = try address(arg(d.a)[0], 0, len, memory: Int(d.imm16), f, inst)
                    let src = try address(arg(d.b)[0], 0, len, memory: Int(d.imm8), f, inst)
                    let bytes = Array(memories[Int(d.imm8)][src..<(src + Int(len))])
                    memories[Int(d.imm16)].replaceSubrange(dst..<(dst + Int(len)), with: bytes)
                case .memoryFill:
                    let len = arg(d.c)[0]
                    let dst = try address(arg(d.a)[0], 0, len, memory: Int(d.imm16), f, inst)
                    let byte = UInt8(truncatingIfNeeded: arg(d.b)[0])
                    for k in 0..<Int(len) { memories[Int(d.imm16)][dst + k] = byte }
                case .memoryInit:
                    let segment = dataSegments[UInt32(d.imm16)] ?? []
                    let offset = arg(d.b)[0], len = arg(d.c)[0]
                    let dst = try address(arg(d.a)[0], 0, len, memory: Int(d.imm8), f, inst)
                    guard offset + len <= UInt64(segment.count) else { throw trap(.heap_oob, f, inst) }
                    memories[Int(d.imm8)].replaceSubrange(dst..<(dst + Int(len)), with: segment[Int(offset)..<Int(offset + len)])
                case .tableInit:
                    let segment = elemSegments[UInt32(d.imm16)] ?? [], t = Int(d.imm8)
                    let dst = arg(d.a)[0], offset = arg(d.b)[0], len = arg(d.c)[0]
                    guard offset + len <= UInt64(segment.count), dst + len <= UInt64(tables[t].count) else { throw trap(.table_oob, f, inst) }
                    tables[t].replaceSubrange(Int(dst)..<Int(dst + len), with: segment[Int(offset)..<Int(offset + len)])
                case .segmentDrop: if d.opcode == .dataDrop { dataSegments[d.a] = [] } else { elemSegments[d.a] = [] }
                case .tableCopy:
                    let dt = Int(d.imm16), st = Int(d.imm8)
                    let dst = arg(d.a)[0], src = arg(d.b)[0], len = arg(d.c)[0]
                    guard src + len <= UInt64(tables[st].count), dst + len <= UInt64(tables[dt].count) else { throw trap(.table_oob, f, inst) }
                    let entries = Array(tables[st][Int(src)..<Int(src + len)])
                    tables[dt].replaceSubrange(Int(dst)..<Int(dst + len), with: entries)
                case .tableFill:
                    let t = Int(d.imm16), dst = arg(d.a)[0], x = arg(d.b)[0], len = arg(d.c)[0]
                    guard dst + len <= UInt64(tables[t].count) else { throw trap(.table_oob, f, inst) }
                    for k in 0..<Int(len) { tables[t][Int(dst) + k] = x }
                case .globalGet: regs[result()] = globals[Int(d.a)]
                case .globalSet: globals[Int(d.a)] = arg(d.b)
                case .tableGet:
                    let i = arg(d.b)[0]
                    guard i < UInt64(tables[Int(d.a)].count) else { throw trap(.table_oob, f, inst) }
                    regs[result()] = SIMD4(tables[Int(d.a)][Int(i)], 0, 0, 0)
                case .tableSet:
                    let i = arg(d.b)[0]
                    guard i < UInt64(tables[Int(d.a)].count) else { throw trap(.table_oob, f, inst) }
                    tables[Int(d.a)][Int(i)] = arg(d.c)[0]
                case .tableSize: regs[result()] = SIMD4(UInt64(tables[Int(d.a)].count), 0, 0, 0)
                case .tableGrow:
                    let old = tables[Int(d.a)].count, delta = arg(d.c)[0]
                    if UInt64(old) + delta > 10_000_000 { regs[result()] = SIMD4(0xffff_ffff, 0, 0, 0) } else {
                        tables[Int(d.a)].append(contentsOf: repeatElement(arg(d.b)[0], count: Int(delta)))
                        regs[result()] = SIMD4(UInt64(old), 0, 0, 0)
                    }
                case .refNull: regs[result()] = SIMD4(RuntimeValue.nullBits, 0, 0, 0)
                case .refFunc:
                    let name = f.functionRefs[FuncRef(index: Int(d.a))].name
                    regs[result()] = SIMD4(module.index(of: name).map(UInt64.init) ?? RuntimeValue.nullBits, 0, 0, 0)
                case .call, .callIndirect, .callRef:
                    var operands = dfg.pool.elements(ValueList(handle: d.b)).map { regs[$0.index] }
                    let callee: Int
                    switch d.opcode.format {
                    case .call:
                        let name = f.functionRefs[FuncRef(index: Int(d.a))].name
                        guard let c = module.index(of: name) else {
                            throw Trap(code: .user, function: f.name, inst: inst, instText: "no function %\(name) in the module")
                        }
                        callee = c
                    default:
                        var slot = operands.removeFirst()[0]
                        if d.opcode.format == .callIndirect {
                            let table = tables[Int(d.c)]
                            guard slot < UInt64(table.count) else { throw trap(.table_oob, f, inst) }
                            slot = table[Int(slot)]
                        }
                        guard slot != RuntimeValue.nullBits, slot < UInt64(module.functions.count) else { throw trap(.null_reference, f, inst) }
                        guard module.functions[Int(slot)].signature == f.signatures[SigRef(index: Int(d.a))] else { throw trap(.bad_sig, f, inst) }
                        callee = Int(slot)
                    }
                    if d.opcode.isTerminator {
                        funcIndex = callee
                        args = operands
                        continue tailCall
                    }
                    let out = try execute(callee, operands)
                    for (r, v) in zip(dfg.results(of: inst), out) { regs[r.index] = v }
                case .jump: take(ValueList(handle: d.a))
                case .branch: take(ValueList(handle: arg(d.a)[0] != 0 ? d.b : d.c))
                case .branchTable:
                    let table = dfg.jumpTables[JumpTableRef(index: Int(d.b))]
                    let i = arg(d.a)[0]
                    take(i + 1 < UInt64(table.count) ? table[Int(i) + 1] : table[0])
                case .return:
                    return dfg.pool.elements(ValueList(handle: d.b)).map { regs[$0.index] }
                case .trap: throw trap(d.trapCode, f, inst)
                case .nullary: throw trap(.unreachable, f, inst)
                case .condTrap:
                    let c = arg(d.a)[0] != 0
                    if c == (d.opcode == .trapnz) { throw trap(d.trapCode, f, inst) }
                }
            }
            throw Trap(code: .unreachable, function: f.name, inst: nil, instText: "fell off the end of a block")
        }
    }

    /// Checks `base + offset + width` against memory `m` (overflow-safe) and returns the start index.
    private func address(_ base: UInt64, _ offset: UInt64, _ width: UInt64, memory m: Int, _ f: Function, _ inst: Inst) throws(Trap) -> Int {
        let (ea, o1) = base.addingReportingOverflow(offset)
        let (end, o2) = ea.addingReportingOverflow(width)
        guard !o1, !o2, end <= UInt64(memories[m].count) else { throw trap(.heap_oob, f, inst) }
        return Int(ea)
    }
    private func address(_ base: UInt64, _ offset: UInt64, _ width: Int, memory m: Int, _ f: Function, _ inst: Inst) throws(Trap) -> Int {
        try address(base, offset, UInt64(width), memory: m, f, inst)
    }

    static func fromBytes(_ bytes: [UInt8]) -> SIMD4<UInt64> {
        var v = SIMD4<UInt64>(repeating: 0)
        for (k, b) in bytes.enumerated() { Lanes.set(&v, k, 8, UInt64(b)) }
        return v
    }
}
