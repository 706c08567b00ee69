import LatheIR

extension Emitter {
    /// Float scalar and vector arithmetic, vector integer ops, lanes, conversions, loads and stores.
    mutating func emitVector(_ inst: MachInst) {
        let t = inst.type
        let wide = t.bits == 256
        switch inst.op {
        case .fadd, .fsub, .fmul, .fdiv:
            let ops: [MOp: (VexOp, VexOp, VexOp, VexOp)] = [
                .fadd: (.addps, .addpd, .addss, .addsd), .fsub: (.subps, .subpd, .subss, .subsd),
                .fmul: (.mulps, .mulpd, .mulss, .mulsd), .fdiv: (.divps, .divpd, .divss, .divsd)]
            let (ps, pd, ss, sd) = ops[inst.op]!
            let ra = useX(inst.a, Self.x15), rb = useX(inst.b, Self.x14), rd = dstX(inst.dst)
            asm.v(Self.pick(t, ps, pd, ss, sd), rd, ra, rb, wide: wide)
            canonicalize(rd, t)
            finishX(inst.dst, rd)
        case .fmin, .fmax:
            // x86 min/max return the second operand for NaNs and equal operands: take both orders,
            // merge signed zeros (or for min, and for max), then force NaN lanes to the canonical NaN.
            let isMin = inst.op == .fmin
            let op = isMin ? Self.pick(t, .minps, .minpd, .minss, .minsd) : Self.pick(t, .maxps, .maxpd, .maxss, .maxsd)
            let ra = useX(inst.a, Self.x15), rb = useX(inst.b, Self.x14)
            asm.v(op, Self.x12, ra, rb, wide: wide)
            asm.v(op, Self.x13, rb, ra, wide: wide)
            asm.v(isMin ? .orps : .andps, Self.x12, Self.x12, Self.x13, wide: wide)
            asm.v(Self.pick(t, .cmpps, .cmppd, .cmpss, .cmpsd), Self.x13, ra, rb, wide: wide, imm: 3)
            let rd = dstX(inst.dst)
            asm.blendv(t.laneBits == 64 ? .blendvpd : .blendvps, rd, Self.x12, .mem(canonicalNaN(t)), mask: Self.x13, wide: wide)
            finishX(inst.dst, rd)
        case .sqrt:
            let ra = useX(inst.a, Self.x15), rd = dstX(inst.dst)
            if t.isVector { asm.v(t.laneBits == 64 ? .sqrtpd : .sqrtps, rd, .reg(ra.number), wide: wide) }
            else { asm.v(t.bits == 64 ? .sqrtsd : .sqrtss, rd, ra, ra) }
            canonicalize(rd, t)
            finishX(inst.dst, rd)
        case .fneg, .fabs:
            let ra = useX(inst.a, Self.x15), rd = dstX(inst.dst)
            let sign: UInt64 = t.laneBits == 64 ? 1 << 63 : 1 << 31
            let laneBytes = t.laneBits / 8
            if inst.op == .fneg { asm.v(.xorps, rd, ra, splatConstant(sign, laneBytes: laneBytes), wide: wide) }
            else { asm.v(.andps, rd, ra, splatConstant(~sign & (laneBytes == 8 ? ~0 : 0xffff_ffff), laneBytes: laneBytes), wide: wide) }
            finishX(inst.dst, rd)
        case .fcopysign:
            let ra = useX(inst.a, Self.x15), rb = useX(inst.b, Self.x14)
            let sign: UInt64 = t.laneBits == 64 ? 1 << 63 : 1 << 31
            let laneBytes = t.laneBits / 8
            asm.v(.andps, Self.x12, ra, splatConstant(~sign & (laneBytes == 8 ? ~0 : 0xffff_ffff), laneBytes: laneBytes), wide: wide)
            asm.v(.andps, Self.x13, rb, splatConstant(sign, laneBytes: laneBytes), wide: wide)
            let rd = dstX(inst.dst)
            asm.v(.orps, rd, Self.x12, Self.x13, wide: wide)
            finishX(inst.dst, rd)
        case .round:
            let ra = useX(inst.a, Self.x15), rd = dstX(inst.dst)
            if t.isVector { asm.v(t.laneBits == 64 ? .roundpd : .roundps, rd, .reg(ra.number), wide: wide, imm: inst.cc | 8) }
            else { asm.v(t.bits == 64 ? .roundsd : .roundss, rd, ra, ra, imm: inst.cc | 8) }
            canonicalize(rd, t)
            finishX(inst.dst, rd)
        case .smin, .smax, .umin, .umax:
            let table: [MOp: [Int: VexOp]] = [
                .smin: [8: .pminsb, 16: .pminsw, 32: .pminsd], .smax: [8: .pmaxsb, 16: .pmaxsw, 32: .pmaxsd],
                .umin: [8: .pminub, 16: .pminuw, 32: .pminud], .umax: [8: .pmaxub, 16: .pmaxuw, 32: .pmaxud]]
            let ra = useX(inst.a, Self.x15), rb = useX(inst.b, Self.x14), rd = dstX(inst.dst)
            asm.v(table[inst.op]![t.laneBits]!, rd, ra, rb, wide: wide)
            finishX(inst.dst, rd)
        case .anyTrue:
            let ra = useX(inst.a, Self.x15)
            asm.v(.ptest, ra, .reg(ra.number), wide: wide)
            asm.setcc(.ne, Self.s0)
            let rd = dstG(inst.dst)
            asm.movzx8(rd, Self.s0)
            finishG(inst.dst, rd)
        case .fcmp:
            let preds: [UInt8] = [0, 4, 1, 0x0e, 2, 0x0d]  // eq ne lt gt le ge (ordered, quiet; ne unordered)
            let ra = useX(inst.a, Self.x15), rb = useX(inst.b, Self.x14)
            let op = Self.pick(t, .cmpps, .cmppd, .cmpss, .cmpsd)
            if t.isVector {
                let rd = dstX(inst.dst)
                asm.v(op, rd, ra, rb, wide: wide, imm: preds[Int(inst.cc)])
                finishX(inst.dst, rd)
            } else {
                asm.v(op, Self.x12, ra, rb, imm: preds[Int(inst.cc)])
                let rd = dstG(inst.dst)
                asm.movFromXMM(rd, Self.x12, is64: false)
                asm.alu(.and, rd, imm: 1, is64: false)
                finishG(inst.dst, rd)
            }
        case .iadd, .isub, .imul:
            let lanes = t.laneBits
            let op: VexOp
            switch inst.op {
            case .iadd: op = [8: .paddb, 16: .paddw, 32: .paddd, 64: .paddq][lanes]!
            case .isub: op = [8: .psubb, 16: .psubw, 32: .psubd, 64: .psubq][lanes]!
            default: op = lanes == 16 ? .pmullw : .pmulld
            }
            let ra = useX(inst.a, Self.x15), rb = useX(inst.b, Self.x14), rd = dstX(inst.dst)
            asm.v(op, rd, ra, rb, wide: wide)
            finishX(inst.dst, rd)
        case .vand, .vor, .vxor, .vandn, .iand, .ior, .ixor:
            let ra = useX(inst.a, Self.x15), rb = useX(inst.b, Self.x14), rd = dstX(inst.dst)
            switch inst.op {
            case .vand, .iand: asm.v(.andps, rd, ra, rb, wide: wide)
            case .vor, .ior: asm.v(.orps, rd, ra, rb, wide: wide)
            case .vxor, .ixor: asm.v(.xorps, rd, ra, rb, wide: wide)
            default: asm.v(.andnps, rd, rb, ra, wide: wide)  // a & ~b
            }
            finishX(inst.dst, rd)
        case .inot:
            let ra = useX(inst.a, Self.x15), rd = dstX(inst.dst)
            asm.v(.pcmpeqd, Self.x12, Self.x12, Self.x12, wide: wide)
            asm.v(.xorps, rd, ra, Self.x12, wide: wide)
            finishX(inst.dst, rd)
        case .icmp:
            let cc = IntCC(rawValue: inst.cc)!
            let eq: VexOp = [8: .pcmpeqb, 16: .pcmpeqw, 32: .pcmpeqd, 64: .pcmpeqq][t.laneBits]!
            let gt: VexOp = [8: .pcmpgtb, 16: .pcmpgtw, 32: .pcmpgtd, 64: .pcmpgtq][t.laneBits]!
            let ra = useX(inst.a, Self.x15), rb = useX(inst.b, Self.x14)
            switch cc {
            case .eq, .ne: asm.v(eq, Self.x13, ra, rb, wide: wide)
            case .sgt, .sle: asm.v(gt, Self.x13, ra, rb, wide: wide)
            default: asm.v(gt, Self.x13, rb, ra, wide: wide)  // slt, sge
            }
            let rd = dstX(inst.dst)
            if cc == .ne || cc == .sle || cc == .sge {
                asm.v(.pcmpeqd, Self.x12, Self.x12, Self.x12, wide: wide)
                asm.v(.xorps, rd, Self.x13, Self.x12, wide: wide)
            } else {
                asm.v(.movaps, rd, .reg(Self.x13.number), wide: true)
            }
            finishX(inst.dst, rd)
        case .bitselect:
            let m = useX(inst.a, Self.x15), x = useX(inst.b, Self.x14), y = useX(inst.c, Self.x13)
            asm.v(.andps, Self.x12, x, m, wide: wide)
            asm.v(.andnps, Self.x13, m, y, wide: wide)
            let rd = dstX(inst.dst)
            asm.v(.orps, rd, Self.x12, Self.x13, wide: wide)
            finishX(inst.dst, rd)
        case .splat:
            let rd = dstX(inst.dst)
            if t.isFloatLike {
                let ra = useX(inst.a, Self.x15)
                if t.laneBits == 32 { asm.v(.broadcastss, rd, .reg(ra.number), wide: wide) }
                else if wide { asm.v(.broadcastsd, rd, .reg(ra.number), wide: true) }
                else { asm.v(.movddup, rd, .reg(ra.number)) }
            } else {
                let ra = useG(inst.a, Self.s0)
                asm.movToXMM(Self.x12, ra, is64: t.laneBits == 64)
                let op: VexOp = [8: .pbroadcastb, 16: .pbroadcastw, 32: .pbroadcastd, 64: .pbroadcastq][t.laneBits]!
                asm.v(op, rd, .reg(Self.x12.number), wide: wide)
            }
            finishX(inst.dst, rd)
        case .extractlane: emitExtract(inst)
        case .insertlane: emitInsert(inst)
        case .bitmask:
            let ra = useX(inst.a, Self.x15), rd = dstG(inst.dst)
            let op: VexOp = t.laneBits == 64 ? .movmskpd : t.laneBits == 32 ? .movmskps : .pmovmskb
            asm.movmsk(op, rd, ra, wide: wide)
            finishG(inst.dst, rd)
        case .fpromote, .fdemote:
            let ra = useX(inst.a, Self.x15), rd = dstX(inst.dst)
            asm.v(inst.op == .fpromote ? .cvtss2sd : .cvtsd2ss, rd, ra, ra)
            canonicalize(rd, t)
            finishX(inst.dst, rd)
        case .fcvtFromSint:
            let ra = useG(inst.a, Self.s0), rd = dstX(inst.dst)
            let op: VexOp = t.bits == 64 ? (inst.cc == 1 ? .cvtsi2sd64 : .cvtsi2sd) : (inst.cc == 1 ? .cvtsi2ss64 : .cvtsi2ss)
            asm.vex(map: op.map, pp: op.pp, w: op.w, l: false, op.opcode, reg: rd.number, vvvv: rd.number, .reg(ra.number))
            finishX(inst.dst, rd)
        case .bitcast:
            let fromXMM = f.classes[Int(inst.a)] == .xmm, toXMM = f.classes[Int(inst.dst)] == .xmm
            switch (fromXMM, toXMM) {
            case (false, true):
                let ra = useG(inst.a, Self.s0), rd = dstX(inst.dst)
                asm.movToXMM(rd, ra, is64: t.bits == 64)
                finishX(inst.dst, rd)
            case (true, false):
                let ra = useX(inst.a, Self.x15), rd = dstG(inst.dst)
                asm.movFromXMM(rd, ra, is64: t.bits == 64)
                finishG(inst.dst, rd)
            case (true, true):
                let ra = useX(inst.a, Self.x15), rd = dstX(inst.dst)
                if ra != rd { asm.v(.movaps, rd, .reg(ra.number), wide: true) }
                finishX(inst.dst, rd)
            case (false, false):
                let ra = useG(inst.a, Self.s0), rd = dstG(inst.dst)
                if ra != rd { asm.mov(rd, ra, is64: true) }
                finishG(inst.dst, rd)
            }
        case .load: emitLoad(inst)
        case .store: emitStore(inst)
        default:
            preconditionFailure("no emission for \(inst.op)")
        }
    }

    mutating func emitExtract(_ inst: MachInst) {
        let t = inst.type
        var src = useX(inst.a, Self.x15)
        var lane = Int(inst.imm)
        if t.bits == 256 && lane >= t.laneCount / 2 {
            asm.extractHigh128(Self.x12, src)
            src = Self.x12
            lane -= t.laneCount / 2
        }
        let op: VexOp = [8: .pextrb, 16: .pextrw, 32: .pextrd, 64: .pextrq][t.laneBits]!
        if t.isFloatLike {
            asm.pextr(op, Self.s0, src, UInt8(lane))
            let rd = dstX(inst.dst)
            asm.movToXMM(rd, Self.s0, is64: t.laneBits == 64)
            finishX(inst.dst, rd)
        } else {
            let rd = dstG(inst.dst)
            asm.pextr(op, rd, src, UInt8(lane))
            finishG(inst.dst, rd)
        }
    }

    mutating func emitInsert(_ inst: MachInst) {
        let t = inst.type
        let src = useX(inst.a, Self.x15)
        let scalar: GPR
        if t.isFloatLike {
            let x = useX(inst.b, Self.x14)
            asm.movFromXMM(Self.s1, x, is64: t.laneBits == 64)
            scalar = Self.s1
        } else {
            scalar = useG(inst.b, Self.s1)
        }
        let op: VexOp = [8: .pinsrb, 16: .pinsrw, 32: .pinsrd, 64: .pinsrq][t.laneBits]!
        let lane = Int(inst.imm)
        let rd = dstX(inst.dst)
        if t.bits == 128 {
            asm.pinsr(op, rd, src, scalar, UInt8(lane))
        } else if lane < t.laneCount / 2 {
            asm.extractHigh128(Self.x13, src)
            asm.pinsr(op, Self.x12, src, scalar, UInt8(lane))
            asm.insertHigh128(rd, Self.x12, Self.x13)
        } else {
            asm.extractHigh128(Self.x13, src)
            asm.pinsr(op, Self.x13, Self.x13, scalar, UInt8(lane - t.laneCount / 2))
            asm.insertHigh128(rd, src, Self.x13)
        }
        finishX(inst.dst, rd)
    }

    mutating func emitLoad(_ inst: MachInst) {
        let t = inst.type
        let m = address(base: inst.a, addr: inst.b, offset: inst.imm, is64: inst.aux == 1)
        let op = Opcode(rawValue: inst.cc)!
        if RegClass(t) == .xmm {
            let rd = dstX(inst.dst)
            if t.isVector { asm.v(.movups, rd, .mem(m), wide: t.bits == 256) }
            else { asm.v(t.bits == 64 ? .movsd : .movss, rd, .mem(m)) }
            finishX(inst.dst, rd)
            return
        }
        let rd = dstG(inst.dst)
        let is64 = t.bits == 64
        switch op {
        case .uload8: asm.loadExtend(rd, m, bits: 8, signed: false, is64: is64)
        case .sload8: asm.loadExtend(rd, m, bits: 8, signed: true, is64: is64)
        case .uload16: asm.loadExtend(rd, m, bits: 16, signed: false, is64: is64)
        case .sload16: asm.loadExtend(rd, m, bits: 16, signed: true, is64: is64)
        case .uload32: asm.load(rd, m, is64: false)
        case .sload32: asm.loadExtend(rd, m, bits: 32, signed: true, is64: true)
        default: asm.load(rd, m, is64: is64)
        }
        finishG(inst.dst, rd)
    }

    mutating func emitStore(_ inst: MachInst) {
        let t = inst.type
        let m = address(base: inst.b, addr: inst.c, offset: inst.imm, is64: inst.aux == 1)
        let op = Opcode(rawValue: inst.cc)!
        if RegClass(t) == .xmm {
            let x = useX(inst.a, Self.x15)
            if t.isVector { asm.vstore(.movupsStore, m, x, wide: t.bits == 256) }
            else { asm.vstore(t.bits == 64 ? .movsdStore : .movssStore, m, x) }
            return
        }
        let r = useG(inst.a, Self.s0)
        switch op {
        case .istore8: asm.store8(m, r)
        case .istore16: asm.store16(m, r)
        case .istore32: asm.store(m, r, is64: false)
        default: asm.store(m, r, is64: t.bits == 64)
        }
    }
}
