import LatheIR

/// Why a function could not be compiled.
public struct JITError: Error, Sendable, CustomStringConvertible {
    public let function: String
    public let message: String
    public var description: String { "%\(function): \(message)" }
}

/// Selects machine instructions for a verified IR function: one `MachInst` per IR instruction
/// (a few for some), vreg n for IR value n, a trampoline block per branch edge with arguments.
struct InstructionSelector {
    let f: Function
    var out: MachFunction
    private var blockIndex: [Int: Int] = [:]
    private var memoryBase: VReg = noVReg
    private var outPointer: VReg = noVReg
    private var pendingTrampolines: [(block: Int, target: Int, args: [VReg])] = []

    /// How to reach a callee by name: a JIT function (and whether it takes the memory base) or a host address.
    let resolve: (String) -> (CallSite.Target, usesMemory: Bool)?

    init(_ f: Function, resolve: @escaping (String) -> (CallSite.Target, usesMemory: Bool)? = { _ in nil }) throws(JITError) {
        self.f = f
        self.resolve = resolve
        if f.memories.count > 1 { throw JITError(function: f.name, message: "more than one memory is not supported yet") }
        let usesMemory = f.memories.count == 1
        guard let abi = ABILayout(f.signature, usesMemory: usesMemory) else {
            throw JITError(function: f.name, message: "parameters that do not fit in registers are not supported yet")
        }
        out = MachFunction(name: f.name, abi: abi)
        out.returnsWideVectorInRegister = zip(f.signature.results, abi.results).contains { t, l in
            if case .xmm = l { return t.bits == 256 } else { return false }
        }
        out.constants = f.dfg.constants.keys.map { f.dfg.constants[$0] }
        out.classes = (0..<f.dfg.valueCount).map { RegClass(f.dfg.type(of: Value(index: $0))) }
    }

    mutating func newVReg(_ c: RegClass) -> VReg {
        out.classes.append(c)
        return VReg(out.classes.count - 1)
    }

    /// Runs selection over the whole function.
    static func select(_ f: Function, resolve: @escaping (String) -> (CallSite.Target, usesMemory: Bool)? = { _ in nil }) throws(JITError) -> MachFunction {
        var s = try InstructionSelector(f, resolve: resolve)
        try s.run()
        return s.out
    }

    mutating func run() throws(JITError) {
        let blocks = f.layout.blocks
        guard let entry = f.entryBlock else { throw JITError(function: f.name, message: "empty function") }
        for (i, b) in blocks.enumerated() { blockIndex[b.index] = i }
        for b in blocks {
            let paramStart = out.pool.count
            if b != entry { for p in f.dfg.params(b) { out.pool.append(VReg(p.raw)) } }
            let instStart = out.insts.count
            if b == entry { emitArgs(entry) }
            for inst in f.layout.insts(b) { try select(inst) }
            out.blocks.append(MachBlock(paramStart: paramStart, paramCount: out.pool.count - paramStart,
                                        instStart: instStart, instEnd: out.insts.count))
        }
        for t in pendingTrampolines {
            let start = out.insts.count
            var j = MachInst(.jump, type: .i32, imm: Int64(t.target))
            setList(&j, t.args)
            out.insts.append(j)
            out.blocks.append(MachBlock(paramStart: out.pool.count, paramCount: 0, instStart: start, instEnd: out.insts.count))
        }
    }

    /// `arg` pseudo-instructions that define the entry block's parameters (and hidden pointers).
    mutating func emitArgs(_ entry: Block) {
        let abi = out.abi
        if let r = abi.outPointer {
            outPointer = newVReg(.gpr)
            out.insts.append(MachInst(.arg, type: .i64, dst: outPointer, imm: Int64(r.number)))
        }
        if let r = abi.memoryBase {
            memoryBase = newVReg(.gpr)
            out.insts.append(MachInst(.arg, type: .i64, dst: memoryBase, imm: Int64(r.number)))
        }
        for (p, loc) in zip(f.dfg.params(entry), abi.params) {
            var i = MachInst(.arg, type: f.dfg.type(of: p), dst: VReg(p.raw))
            switch loc {
            case .gpr(let r): i.imm = Int64(r.number)
            case .xmm(let x): i.imm = Int64(x.number); i.cc = 1
            case .outSlot: break
            }
            out.insts.append(i)
        }
    }

    mutating func setList(_ inst: inout MachInst, _ values: [VReg]) {
        inst.listStart = UInt32(out.pool.count)
        inst.listCount = UInt32(values.count)
        out.pool += values
    }

    func v(_ x: UInt32) -> VReg { VReg(f.dfg.resolve(Value(index: Int(x))).raw) }
    func type(_ x: UInt32) -> IRType { f.dfg.type(of: Value(index: Int(x))) }

    func unsupported(_ inst: Inst, _ what: String) -> JITError {
        JITError(function: f.name, message: "\(what) is not supported yet (\(String(FunctionPrinter(f).instLine(inst).text.drop { $0 == " " })))")
    }

    /// The block to branch to for an edge: the target itself, or a trampoline that passes the arguments.
    mutating func edge(_ call: ValueList) -> Int {
        let target = blockIndex[f.dfg.blockCallTarget(call).index]!
        let args = f.dfg.blockCallArgs(call).map { VReg(f.dfg.resolve($0).raw) }
        if args.isEmpty { return target }
        let index = f.layout.blocks.count + pendingTrampolines.count
        pendingTrampolines.append((index, target, args))
        return index
    }

    mutating func select(_ inst: Inst) throws(JITError) {
        let d = f.dfg[inst]
        let result = f.dfg.firstResult(inst).map { VReg($0.raw) } ?? noVReg
        let rt = f.dfg.firstResult(inst).map { f.dfg.type(of: $0) } ?? .i32
        func emit(_ op: MOp, _ t: IRType, a: VReg = noVReg, b: VReg = noVReg, c: VReg = noVReg, cc: UInt8 = 0, imm: Int64 = 0) {
            var m = MachInst(op, type: t, dst: result, a: a, b: b, c: c, imm: imm)
            m.cc = cc
            out.insts.append(m)
        }
        let op = d.opcode
        switch op {
        case .iconst: emit(.iconst, rt, imm: Int64(bitPattern: d.imm64))
        case .fconst: emit(.fconst, rt, imm: Int64(bitPattern: d.imm64))
        case .vconst: emit(.fconst, rt, imm: Int64(d.a))
        case .iadd, .isub, .imul, .band, .bor, .bxor, .bandNot, .ishl, .sshr, .ushr:
            let t = type(d.a)
            let scalar: [Opcode: MOp] = [.iadd: .iadd, .isub: .isub, .imul: .imul, .band: .iand, .bor: .ior, .bxor: .ixor,
                                         .bandNot: .iandn, .ishl: .ishl, .sshr: .isshr, .ushr: .iushr]
            if t.isVector {
                let bitwise: [Opcode: MOp] = [.band: .vand, .bor: .vor, .bxor: .vxor, .bandNot: .vandn]
                if let m = bitwise[op] { emit(m, t, a: v(d.a), b: v(d.b)); return }
                guard op == .iadd || op == .isub || (op == .imul && (t.laneBits == 32 || t.laneBits == 16)) else {
                    throw unsupported(inst, "\(op.name) on \(t)")
                }
            }
            emit(scalar[op]!, t, a: v(d.a), b: v(d.b))
        case .bnot, .ineg, .clz, .ctz, .popcnt, .eqz:
            let t = type(d.a)
            if t.isVector {
                guard op == .bnot else { throw unsupported(inst, "\(op.name) on \(t)") }
                emit(.inot, t, a: v(d.a)); return
            }
            let m: [Opcode: MOp] = [.bnot: .inot, .ineg: .ineg, .clz: .clz, .ctz: .ctz, .popcnt: .popcnt, .eqz: .eqz]
            emit(m[op]!, t, a: v(d.a))
        case .icmp:
            let t = type(d.a)
            if t.isVector && [IntCC.ult, .ugt, .ule, .uge].contains(d.intCC) { throw unsupported(inst, "unsigned vector compares") }
            emit(.icmp, t, a: v(d.a), b: v(d.b), cc: d.imm8)
        case .fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .sqrt, .fneg, .fabs:
            let m: [Opcode: MOp] = [.fadd: .fadd, .fsub: .fsub, .fmul: .fmul, .fdiv: .fdiv, .fmin: .fmin, .fmax: .fmax,
                                    .sqrt: .sqrt, .fneg: .fneg, .fabs: .fabs]
            let isUnary = op == .sqrt || op == .fneg || op == .fabs
            emit(m[op]!, type(d.a), a: v(d.a), b: isUnary ? noVReg : v(d.b))
        case .fcmp: emit(.fcmp, type(d.a), a: v(d.a), b: v(d.b), cc: d.imm8)
        case .fcopysign: emit(.fcopysign, type(d.a), a: v(d.a), b: v(d.b))
        case .ceil, .floor, .trunc, .nearest:
            let mode: [Opcode: UInt8] = [.nearest: 0, .floor: 1, .ceil: 2, .trunc: 3]
            emit(.round, type(d.a), a: v(d.a), cc: mode[op]!)
        case .smin, .smax, .umin, .umax:
            let t = type(d.a)
            if t.isVector && t.laneBits == 64 { throw unsupported(inst, "\(op.name) on 64-bit lanes") }
            let m: [Opcode: MOp] = [.smin: .smin, .smax: .smax, .umin: .umin, .umax: .umax]
            emit(m[op]!, t, a: v(d.a), b: v(d.b))
        case .vanyTrue: emit(.anyTrue, type(d.a), a: v(d.a))
        case .select:
            emit(.select, type(d.b), a: v(d.a), b: v(d.b), c: v(d.c))
        case .bitselect: emit(.bitselect, type(d.a), a: v(d.a), b: v(d.b), c: v(d.c))
        case .sextend:
            guard type(d.a) == .i32 else { throw unsupported(inst, "sextend from i64") }
            emit(.sextend, rt, a: v(d.a))
        case .uextend: emit(.uextend, rt, a: v(d.a))
        case .ireduce: emit(.ireduce, rt, a: v(d.a))
        case .fpromote: emit(.fpromote, rt, a: v(d.a))
        case .fdemote: emit(.fdemote, rt, a: v(d.a))
        case .fcvtFromSint:
            guard rt.isFloat else { throw unsupported(inst, "vector conversions") }
            emit(.fcvtFromSint, rt, a: v(d.a), cc: type(d.a) == .i64 ? 1 : 0)
        case .bitcast: emit(.bitcast, rt, a: v(d.a))
        case .splat: emit(.splat, rt, a: v(d.a))
        case .extractlane: emit(.extractlane, type(d.a), a: v(d.a), imm: Int64(d.lane))
        case .insertlane: emit(.insertlane, type(d.a), a: v(d.a), b: v(d.b), imm: Int64(d.lane))
        case .vbitmask:
            guard type(d.a).laneBits != 16 else { throw unsupported(inst, "vbitmask of 16-bit lanes") }
            emit(.bitmask, type(d.a), a: v(d.a))
        case .load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32:
            guard d.imm16 == 0, memoryBase != noVReg else { throw unsupported(inst, "memory other than mem0") }
            var m = MachInst(.load, type: rt, dst: result, a: memoryBase, b: v(d.a), imm: Int64(d.b))
            m.cc = op.rawValue
            m.aux = f.memories[MemoryRef(index: 0)].is64 ? 1 : 0
            out.insts.append(m)
        case .store, .istore8, .istore16, .istore32:
            guard d.imm16 == 0, memoryBase != noVReg else { throw unsupported(inst, "memory other than mem0") }
            var m = MachInst(.store, type: type(d.a), a: v(d.a), b: memoryBase, c: v(d.b), imm: Int64(d.c))
            m.cc = op.rawValue
            m.aux = f.memories[MemoryRef(index: 0)].is64 ? 1 : 0
            out.insts.append(m)
        case .jump:
            let target = blockIndex[f.dfg.blockCallTarget(ValueList(handle: d.a)).index]!
            var m = MachInst(.jump, type: .i32, imm: Int64(target))
            setList(&m, f.dfg.blockCallArgs(ValueList(handle: d.a)).map { VReg(f.dfg.resolve($0).raw) })
            out.insts.append(m)
        case .brif:
            let thenBlock = edge(ValueList(handle: d.b)), elseBlock = edge(ValueList(handle: d.c))
            var m = MachInst(.brif, type: type(d.a), a: v(d.a), imm: Int64(thenBlock))
            m.imm2 = UInt32(elseBlock)
            out.insts.append(m)
        case .return:
            var m = MachInst(.ret, type: .i32, b: outPointer)
            setList(&m, f.dfg.pool.elements(ValueList(handle: d.b)).map { VReg(f.dfg.resolve($0).raw) })
            out.insts.append(m)
        case .trap, .unreachable: out.insts.append(MachInst(.trap, type: .i32))
        case .call:
            let callee = f.functionRefs[FuncRef(index: Int(d.a))]
            let sig = f.signature(of: FuncRef(index: Int(d.a)))
            guard let (target, usesMemory) = resolve(callee.name) else { throw unsupported(inst, "a call to an unknown function %\(callee.name)") }
            if usesMemory && memoryBase == noVReg { throw unsupported(inst, "a call that needs memory from a function without memory") }
            guard let abi = ABILayout(sig, usesMemory: usesMemory) else { throw unsupported(inst, "a call with stack arguments") }
            out.callSites.append(CallSite(target: target, abi: abi))
            let callIndex = out.insts.count
            var m = MachInst(.call, type: .i32, b: usesMemory ? memoryBase : noVReg, imm: Int64(out.callSites.count - 1))
            setList(&m, f.dfg.pool.elements(ValueList(handle: d.b)).map { VReg(f.dfg.resolve($0).raw) })
            out.insts.append(m)
            for (k, r) in f.dfg.results(of: inst).enumerated() {
                var res = MachInst(.callResult, type: f.dfg.type(of: r), dst: VReg(r.raw), imm: Int64(k))
                res.imm2 = UInt32(callIndex)
                out.insts.append(res)
            }
        default:
            throw unsupported(inst, op.name)
        }
    }
}
