import LatheIR

/// Options that change the code the JIT emits.
public struct JITOptions: Sendable {
    /// Replace every NaN an arithmetic op produces with the positive canonical quiet NaN, as the
    /// interpreter does (two extra instructions per float op). Off: NaN results keep x86's bits
    /// (still NaN; `fmin`/`fmax` always canonicalize).
    public var canonicalizeNaNs = true
    public init(canonicalizeNaNs: Bool = true) { self.canonicalizeNaNs = canonicalizeNaNs }
}

/// Expands allocated machine instructions into x86-64 code.
///
/// Scratch registers: r10, r11 (GPR) and xmm12...xmm15 are never allocated. Spilled operands are
/// loaded into r10/xmm15 (first operand), r11/xmm14 (second), xmm13 (third); a spilled result is
/// computed in r10/xmm15 and stored. Frame: rbp-based; saved callee-saved GPRs below rbp, then
/// 32-byte spill slots.
struct Emitter {
    var asm: X64Assembler
    let f: MachFunction
    let alloc: Allocation
    let options: JITOptions
    var labels: [Label] = []
    let savedBytes: Int
    /// Native entries of the module's functions, for direct calls.
    var functionLabels: [String: Label] = [:]

    static let s0 = GPR.r10, s1 = GPR.r11
    static let x12 = XMM(12), x13 = XMM(13), x14 = XMM(14), x15 = XMM(15)

    init(asm: X64Assembler, f: MachFunction, alloc: Allocation, options: JITOptions) {
        self.asm = asm; self.f = f; self.alloc = alloc; self.options = options
        savedBytes = 8 * alloc.calleeSaved.count
    }

    func slotMem(_ k: Int) -> Mem { Mem(base: .rbp, disp: Int32(-(savedBytes + 32 * (k + 1)))) }
    func loc(_ v: VReg) -> Loc { alloc.locs[Int(v)] }

    mutating func useG(_ v: VReg, _ scratch: GPR) -> GPR {
        let l = loc(v)
        if let g = l.gpr { return g }
        asm.load(scratch, slotMem(l.slot!), is64: true)
        return scratch
    }
    mutating func useX(_ v: VReg, _ scratch: XMM) -> XMM {
        let l = loc(v)
        if let x = l.xmm { return x }
        asm.v(.movups, scratch, .mem(slotMem(l.slot!)), wide: true)
        return scratch
    }
    func dstG(_ v: VReg) -> GPR { loc(v).gpr ?? Self.s0 }
    func dstX(_ v: VReg) -> XMM { loc(v).xmm ?? Self.x15 }
    mutating func finishG(_ v: VReg, _ r: GPR) { if let k = loc(v).slot { asm.store(slotMem(k), r, is64: true) } }
    mutating func finishX(_ v: VReg, _ r: XMM) { if let k = loc(v).slot { asm.vstore(.movupsStore, slotMem(k), r, wide: true) } }

    // MARK: moves

    /// One move between locations of class `isXMM`; slot-to-slot goes through r11/xmm14.
    mutating func move(_ from: Loc, _ to: Loc, isXMM: Bool) {
        if from == to { return }
        if isXMM {
            if let d = to.xmm {
                if let s = from.xmm { asm.v(.movaps, d, .reg(s.number), wide: true) }
                else { asm.v(.movups, d, .mem(slotMem(from.slot!)), wide: true) }
            } else if let s = from.xmm {
                asm.vstore(.movupsStore, slotMem(to.slot!), s, wide: true)
            } else {
                asm.v(.movups, Self.x14, .mem(slotMem(from.slot!)), wide: true)
                asm.vstore(.movupsStore, slotMem(to.slot!), Self.x14, wide: true)
            }
        } else {
            if let d = to.gpr {
                if let s = from.gpr { asm.mov(d, s, is64: true) } else { asm.load(d, slotMem(from.slot!), is64: true) }
            } else if let s = from.gpr {
                asm.store(slotMem(to.slot!), s, is64: true)
            } else {
                asm.load(Self.s1, slotMem(from.slot!), is64: true)
                asm.store(slotMem(to.slot!), Self.s1, is64: true)
            }
        }
    }

    /// Performs moves that happen at once (each destination distinct); cycles go through r10/xmm15.
    mutating func parallelMove(_ moves: [(from: Loc, to: Loc, isXMM: Bool)]) {
        var pending = moves.filter { $0.from != $0.to }
        while !pending.isEmpty {
            if let i = pending.indices.first(where: { i in !pending.contains { $0.from == pending[i].to } }) {
                let m = pending.remove(at: i)
                move(m.from, m.to, isXMM: m.isXMM)
                continue
            }
            // every destination is still to be read: park one in the cycle scratch
            let blocked = pending[0].to, isXMM = pending[0].isXMM
            let temp: Loc = isXMM ? .xmm(Self.x15) : .gpr(Self.s0)
            move(blocked, temp, isXMM: isXMM)
            for k in pending.indices where pending[k].from == blocked { pending[k].from = temp }
        }
    }

    // MARK: function

    mutating func emitFunction(entry: Label) {
        labels = f.blocks.map { _ in asm.newLabel() }
        asm.bind(entry)
        asm.push(.rbp)
        asm.mov(.rbp, .rsp, is64: true)
        for r in alloc.calleeSaved { asm.push(r) }
        // spill slots, then the out-slots of calls at rsp (kept 16-byte aligned for calls)
        var frame = 32 * alloc.slotCount + 32 * (f.callSites.map(\.abi.outSlotCount).max() ?? 0)
        if (frame + savedBytes) % 16 != 0 { frame += 8 }
        if frame > 0 { asm.alu(.sub, .rsp, imm: Int32(frame), is64: true) }
        for b in 0..<f.blocks.count {
            asm.bind(labels[b])
            let blk = f.blocks[b]
            var i = blk.instStart
            while i < blk.instEnd {
                if f.insts[i].op == .arg {
                    var moves: [(from: Loc, to: Loc, isXMM: Bool)] = []
                    while i < blk.instEnd && f.insts[i].op == .arg {
                        let a = f.insts[i]
                        let from: Loc = a.cc == 1 ? .xmm(XMM(UInt8(a.imm))) : .gpr(GPR(UInt8(a.imm)))
                        moves.append((from, loc(a.dst), a.cc == 1))
                        i += 1
                    }
                    parallelMove(moves)
                    continue
                }
                if f.insts[i].op == .call {
                    let call = f.insts[i]
                    i += 1
                    var results: [MachInst] = []
                    while i < blk.instEnd && f.insts[i].op == .callResult { results.append(f.insts[i]); i += 1 }
                    emitCall(call, results: results)
                    continue
                }
                emit(f.insts[i], block: b)
                i += 1
            }
        }
    }

    /// Arguments to ABI registers (one parallel move), the call, then results to their locations.
    mutating func emitCall(_ call: MachInst, results: [MachInst]) {
        let site = f.callSites[Int(call.imm)]
        var moves: [(from: Loc, to: Loc, isXMM: Bool)] = []
        for (v, l) in zip(f.list(call), site.abi.params) {
            switch l {
            case .gpr(let r): moves.append((loc(v), .gpr(r), false))
            case .xmm(let x): moves.append((loc(v), .xmm(x), true))
            case .outSlot: break
            }
        }
        if let r = site.abi.memoryBase { moves.append((loc(call.b), .gpr(r), false)) }
        parallelMove(moves)
        if let r = site.abi.outPointer { asm.mov(r, .rsp, is64: true) }
        switch site.target {
        case .jit(let name): asm.call(functionLabels[name]!)
        case .host(let address):
            asm.mov(Self.s1, imm: UInt64(address))
            asm.call(Self.s1)
        }
        var back: [(from: Loc, to: Loc, isXMM: Bool)] = []
        for r in results {
            switch site.abi.results[Int(r.imm)] {
            case .gpr(let g): back.append((.gpr(g), loc(r.dst), false))
            case .xmm(let x): back.append((.xmm(x), loc(r.dst), true))
            case .outSlot: break
            }
        }
        parallelMove(back)
        for r in results {
            guard case .outSlot(let k) = site.abi.results[Int(r.imm)] else { continue }
            let m = Mem(base: .rsp, disp: Int32(32 * k))
            if f.classes[Int(r.dst)] == .gpr {
                let rd = dstG(r.dst)
                asm.load(rd, m, is64: true)
                finishG(r.dst, rd)
            } else {
                let rd = dstX(r.dst)
                asm.v(.movups, rd, .mem(m), wide: true)
                finishX(r.dst, rd)
            }
        }
    }

    mutating func epilogue() {
        asm.lea(.rsp, Mem(base: .rbp, disp: Int32(-savedBytes)))
        for r in alloc.calleeSaved.reversed() { asm.pop(r) }
        asm.pop(.rbp)
        // clear upper ymm halves for SSE callers, unless a 256-bit result travels in ymm0/ymm1
        if !f.returnsWideVectorInRegister { asm.vzeroupper() }
        asm.ret()
    }

    mutating func emitControl(_ inst: MachInst, block b: Int) {
        switch inst.op {
        case .jump:
            let target = Int(inst.imm)
            let moves = zip(f.list(inst), f.params(target)).map { (loc($0), loc($1), f.classes[Int($1)] == .xmm) }
            parallelMove(moves)
            if target != b + 1 { asm.jmp(labels[target]) }
        case .brif:
            let c = useG(inst.a, Self.s0)
            asm.test(c, c, is64: inst.type.bits == 64)
            let thenB = Int(inst.imm), elseB = Int(inst.imm2)
            if thenB == b + 1 { asm.jcc(.e, labels[elseB]) }
            else {
                asm.jcc(.ne, labels[thenB])
                if elseB != b + 1 { asm.jmp(labels[elseB]) }
            }
        case .ret:
            let values = Array(f.list(inst))
            if inst.b != noVReg {
                let out = useG(inst.b, Self.s0)
                for (v, l) in zip(values, f.abi.results) {
                    guard case .outSlot(let k) = l else { continue }
                    let m = Mem(base: out, disp: Int32(32 * k))
                    if f.classes[Int(v)] == .gpr { asm.store(m, useG(v, Self.s1), is64: true) }
                    else { asm.vstore(.movupsStore, m, useX(v, Self.x14), wide: true) }
                }
            }
            var moves: [(from: Loc, to: Loc, isXMM: Bool)] = []
            for (v, l) in zip(values, f.abi.results) {
                switch l {
                case .gpr(let r): moves.append((loc(v), .gpr(r), false))
                case .xmm(let x): moves.append((loc(v), .xmm(x), true))
                case .outSlot: break
                }
            }
            parallelMove(moves)
            epilogue()
        default:
            asm.ud2()
        }
    }
}
