import LatheIR

extension Emitter {
    /// The ps / pd / ss / sd form of a float op for type `t`.
    static func pick(_ t: IRType, _ ps: VexOp, _ pd: VexOp, _ ss: VexOp, _ sd: VexOp) -> VexOp {
        t.isVector ? (t.laneBits == 64 ? pd : ps) : (t.bits == 64 ? sd : ss)
    }

    /// A 32-byte constant of `lane` repeated (4- or 8-byte lanes).
    mutating func splatConstant(_ lane: UInt64, laneBytes: Int) -> Mem {
        var bytes: [UInt8] = []
        for _ in 0..<(32 / laneBytes) { for k in 0..<laneBytes { bytes.append(UInt8(truncatingIfNeeded: lane >> UInt64(8 * k))) } }
        return Mem(rip: asm.constant(bytes))
    }
    mutating func canonicalNaN(_ t: IRType) -> Mem {
        t.laneBits == 64 ? splatConstant(Semantics.canonicalNaN64, laneBytes: 8) : splatConstant(UInt64(Semantics.canonicalNaN32), laneBytes: 4)
    }

    /// Replaces NaN lanes of `r` with the canonical NaN (when the options ask for it).
    mutating func canonicalize(_ r: XMM, _ t: IRType) {
        guard options.canonicalizeNaNs else { return }
        let wide = t.bits == 256
        asm.v(Self.pick(t, .cmpps, .cmppd, .cmpss, .cmpsd), Self.x12, r, r, wide: wide, imm: 3)
        asm.blendv(t.laneBits == 64 ? .blendvpd : .blendvps, r, r, .mem(canonicalNaN(t)), mask: Self.x12, wide: wide)
    }

    /// `dst = a op b` for two-address GPR ops.
    mutating func twoAddress(_ inst: MachInst, _ body: (inout X64Assembler, GPR, GPR) -> Void) {
        let ra = useG(inst.a, Self.s0)
        var rb = useG(inst.b, Self.s1)
        let rd = dstG(inst.dst)
        if rd == rb && rd != ra { asm.mov(Self.s1, rb, is64: true); rb = Self.s1 }
        if rd != ra { asm.mov(rd, ra, is64: true) }
        body(&asm, rd, rb)
        finishG(inst.dst, rd)
    }

    /// The effective address of a load or store, computed into r11.
    mutating func address(base: VReg, addr: VReg, offset: Int64, is64: Bool) -> Mem {
        let rb = useG(base, Self.s0)
        var ra = useG(addr, Self.s1)
        if !is64 { asm.mov(Self.s1, ra, is64: false); ra = Self.s1 }
        if offset <= Int64(Int32.max) {
            asm.lea(Self.s1, Mem(base: rb, index: ra, disp: Int32(offset)))
        } else {
            asm.lea(Self.s1, Mem(base: rb, index: ra))
            asm.mov(Self.s0, imm: UInt64(offset))
            asm.alu(.add, Self.s1, Self.s0, is64: true)
        }
        return Mem(base: Self.s1)
    }

    mutating func emit(_ inst: MachInst, block b: Int) {
        let t = inst.type
        let is64 = t.bits == 64
        let wide = t.bits == 256
        if t.isVector && [MOp.iadd, .isub, .imul, .iand, .ior, .ixor, .ineg, .inot, .icmp, .smin, .smax, .umin, .umax].contains(inst.op) {
            emitVector(inst)
            return
        }
        switch inst.op {
        case .arg, .call, .callResult: break
        case .jump, .brif, .ret, .trap: emitControl(inst, block: b)
        case .iconst:
            let rd = dstG(inst.dst)
            asm.mov(rd, imm: is64 ? UInt64(bitPattern: inst.imm) : UInt64(UInt32(truncatingIfNeeded: inst.imm)))
            finishG(inst.dst, rd)
        case .fconst:
            let rd = dstX(inst.dst)
            if t.isVector {
                asm.v(.movups, rd, .mem(Mem(rip: asm.constant(f.constants[Int(inst.imm)]))), wide: wide)
            } else {
                let bits = UInt64(bitPattern: inst.imm)
                let data = (0..<(is64 ? 8 : 4)).map { UInt8(truncatingIfNeeded: bits >> UInt64(8 * $0)) }
                asm.v(is64 ? .movsd : .movss, rd, .mem(Mem(rip: asm.constant(data, align: 8))))
            }
            finishX(inst.dst, rd)
        case .iadd, .isub, .imul, .iand, .ior, .ixor:
            let op = inst.op
            twoAddress(inst) { a, d, s in
                switch op {
                case .iadd: a.alu(.add, d, s, is64: is64)
                case .isub: a.alu(.sub, d, s, is64: is64)
                case .imul: a.imul(d, s, is64: is64)
                case .iand: a.alu(.and, d, s, is64: is64)
                case .ior: a.alu(.or, d, s, is64: is64)
                default: a.alu(.xor, d, s, is64: is64)
                }
            }
        case .iandn:
            let ra = useG(inst.a, Self.s0), rb = useG(inst.b, Self.s1), rd = dstG(inst.dst)
            asm.andn(rd, rb, ra, is64: is64)
            finishG(inst.dst, rd)
        case .ishl, .isshr, .iushr:
            let ra = useG(inst.a, Self.s0), rb = useG(inst.b, Self.s1), rd = dstG(inst.dst)
            let op: VexOp = inst.op == .ishl ? (is64 ? .shlx64 : .shlx32) : inst.op == .isshr ? (is64 ? .sarx64 : .sarx32) : (is64 ? .shrx64 : .shrx32)
            asm.shiftx(op, rd, ra, rb)
            finishG(inst.dst, rd)
        case .ineg, .inot:
            let ra = useG(inst.a, Self.s0), rd = dstG(inst.dst)
            if rd != ra { asm.mov(rd, ra, is64: true) }
            if inst.op == .ineg { asm.neg(rd, is64: is64) } else { asm.not(rd, is64: is64) }
            finishG(inst.dst, rd)
        case .clz, .ctz, .popcnt:
            let ra = useG(inst.a, Self.s0), rd = dstG(inst.dst)
            switch inst.op {
            case .clz: asm.lzcnt(rd, ra, is64: is64)
            case .ctz: asm.tzcnt(rd, ra, is64: is64)
            default: asm.popcnt(rd, ra, is64: is64)
            }
            finishG(inst.dst, rd)
        case .eqz:
            let ra = useG(inst.a, Self.s0)
            asm.test(ra, ra, is64: is64)
            asm.setcc(.e, Self.s0)
            let rd = dstG(inst.dst)
            asm.movzx8(rd, Self.s0)
            finishG(inst.dst, rd)
        case .icmp:
            let ra = useG(inst.a, Self.s0), rb = useG(inst.b, Self.s1)
            asm.alu(.cmp, ra, rb, is64: is64)
            let conds: [Cond] = [.e, .ne, .l, .g, .le, .ge, .b, .a, .be, .ae]
            asm.setcc(conds[Int(inst.cc)], Self.s0)
            let rd = dstG(inst.dst)
            asm.movzx8(rd, Self.s0)
            finishG(inst.dst, rd)
        case .select: emitSelect(inst)
        case .smin, .smax, .umin, .umax:
            // dst = a when the condition holds, else b
            let take: Cond = [.smin: .l, .smax: .g, .umin: .b, .umax: .a][inst.op]!
            let ra = useG(inst.a, Self.s0), rb = useG(inst.b, Self.s1)
            asm.alu(.cmp, ra, rb, is64: is64)
            let rd = dstG(inst.dst)
            if rd == ra {
                asm.cmov(Cond(rawValue: take.rawValue ^ 1)!, rd, rb, is64: true)
            } else {
                if rd != rb { asm.mov(rd, rb, is64: true) }
                asm.cmov(take, rd, ra, is64: true)
            }
            finishG(inst.dst, rd)
        case .sextend, .uextend, .ireduce:
            let ra = useG(inst.a, Self.s0), rd = dstG(inst.dst)
            if inst.op == .sextend { asm.movsxd(rd, ra) } else { asm.mov(rd, ra, is64: false) }
            finishG(inst.dst, rd)
        default:
            emitVector(inst)
        }
    }

    mutating func emitSelect(_ inst: MachInst) {
        let isXMM = f.classes[Int(inst.b)] == .xmm
        let c = useG(inst.a, Self.s0)
        asm.test(c, c, is64: false)  // select's condition is an i32
        if !isXMM {
            let x = useG(inst.b, Self.s0), y = useG(inst.c, Self.s1), rd = dstG(inst.dst)
            if rd == x { asm.cmov(.e, rd, y, is64: true) }
            else {
                if rd != y { asm.mov(rd, y, is64: true) }
                asm.cmov(.ne, rd, x, is64: true)
            }
            finishG(inst.dst, rd)
            return
        }
        let x = useX(inst.b, Self.x15), y = useX(inst.c, Self.x14), rd = dstX(inst.dst)
        let skip = asm.newLabel()
        if rd == x {
            asm.jcc(.ne, skip)
            asm.v(.movaps, rd, .reg(y.number), wide: true)
        } else {
            if rd != y { asm.v(.movaps, rd, .reg(y.number), wide: true) }
            asm.jcc(.e, skip)
            asm.v(.movaps, rd, .reg(x.number), wide: true)
        }
        asm.bind(skip)
        finishX(inst.dst, rd)
    }
}
