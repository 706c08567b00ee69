/// A VEX-encoded vector instruction: opcode map, mandatory prefix, W bit and opcode byte.
public struct VexOp: Hashable, Sendable {
    public let map: UInt8, pp: UInt8, w: Bool, opcode: UInt8
    public init(map: UInt8, pp: UInt8, w: Bool = false, _ opcode: UInt8) { self.map = map; self.pp = pp; self.w = w; self.opcode = opcode }

    // float arithmetic: ps (no prefix), pd (66), ss (F3), sd (F2)
    static func fp(_ op: UInt8, _ pp: UInt8) -> VexOp { VexOp(map: 1, pp: pp, op) }
    public static let addps = fp(0x58, 0), addpd = fp(0x58, 1), addss = fp(0x58, 2), addsd = fp(0x58, 3)
    public static let subps = fp(0x5c, 0), subpd = fp(0x5c, 1), subss = fp(0x5c, 2), subsd = fp(0x5c, 3)
    public static let mulps = fp(0x59, 0), mulpd = fp(0x59, 1), mulss = fp(0x59, 2), mulsd = fp(0x59, 3)
    public static let divps = fp(0x5e, 0), divpd = fp(0x5e, 1), divss = fp(0x5e, 2), divsd = fp(0x5e, 3)
    public static let minps = fp(0x5d, 0), minpd = fp(0x5d, 1), minss = fp(0x5d, 2), minsd = fp(0x5d, 3)
    public static let maxps = fp(0x5f, 0), maxpd = fp(0x5f, 1), maxss = fp(0x5f, 2), maxsd = fp(0x5f, 3)
    public static let sqrtps = fp(0x51, 0), sqrtpd = fp(0x51, 1), sqrtss = fp(0x51, 2), sqrtsd = fp(0x51, 3)
    /// Compare with a predicate immediate (0 eq, 1 lt, 2 le, 3 unord, 4 neq, 0x0d ge, 0x0e gt).
    public static let cmpps = fp(0xc2, 0), cmppd = fp(0xc2, 1), cmpss = fp(0xc2, 2), cmpsd = fp(0xc2, 3)
    public static let andps = fp(0x54, 0), andpd = fp(0x54, 1), andnps = fp(0x55, 0), andnpd = fp(0x55, 1)
    public static let orps = fp(0x56, 0), orpd = fp(0x56, 1), xorps = fp(0x57, 0), xorpd = fp(0x57, 1)
    public static let movups = fp(0x10, 0), movss = fp(0x10, 2), movsd = fp(0x10, 3)
    public static let movupsStore = fp(0x11, 0), movssStore = fp(0x11, 2), movsdStore = fp(0x11, 3)
    public static let movaps = fp(0x28, 0)
    public static let cvtss2sd = fp(0x5a, 2), cvtsd2ss = fp(0x5a, 3)
    public static let cvtsi2ss = fp(0x2a, 2), cvtsi2sd = fp(0x2a, 3)
    public static let cvtsi2ss64 = VexOp(map: 1, pp: 2, w: true, 0x2a), cvtsi2sd64 = VexOp(map: 1, pp: 3, w: true, 0x2a)
    public static let movmskps = fp(0x50, 0), movmskpd = fp(0x50, 1), pmovmskb = fp(0xd7, 1)
    public static let movddup = fp(0x12, 3)
    /// vmovd/vmovq xmm <- gpr, and gpr <- xmm (reg field is the xmm in both).
    public static let movdToXMM = VexOp(map: 1, pp: 1, 0x6e), movqToXMM = VexOp(map: 1, pp: 1, w: true, 0x6e)
    public static let movdFromXMM = VexOp(map: 1, pp: 1, 0x7e), movqFromXMM = VexOp(map: 1, pp: 1, w: true, 0x7e)
    // integer vectors (66 prefix)
    static func pi(_ op: UInt8) -> VexOp { VexOp(map: 1, pp: 1, op) }
    public static let paddb = pi(0xfc), paddw = pi(0xfd), paddd = pi(0xfe), paddq = pi(0xd4)
    public static let psubb = pi(0xf8), psubw = pi(0xf9), psubd = pi(0xfa), psubq = pi(0xfb)
    public static let pmullw = pi(0xd5), pmulld = VexOp(map: 2, pp: 1, 0x40)
    public static let pand = pi(0xdb), pandn = pi(0xdf), por = pi(0xeb), pxor = pi(0xef)
    public static let pcmpeqb = pi(0x74), pcmpeqw = pi(0x75), pcmpeqd = pi(0x76), pcmpeqq = VexOp(map: 2, pp: 1, 0x29)
    public static let pcmpgtb = pi(0x64), pcmpgtw = pi(0x65), pcmpgtd = pi(0x66), pcmpgtq = VexOp(map: 2, pp: 1, 0x37)
    // broadcasts, lanes, blends (0F38 / 0F3A maps)
    public static let broadcastss = VexOp(map: 2, pp: 1, 0x18), broadcastsd = VexOp(map: 2, pp: 1, 0x19)
    public static let pbroadcastb = VexOp(map: 2, pp: 1, 0x78), pbroadcastw = VexOp(map: 2, pp: 1, 0x79)
    public static let pbroadcastd = VexOp(map: 2, pp: 1, 0x58), pbroadcastq = VexOp(map: 2, pp: 1, 0x59)
    public static let blendvps = VexOp(map: 3, pp: 1, 0x4a), blendvpd = VexOp(map: 3, pp: 1, 0x4b)
    public static let insertf128 = VexOp(map: 3, pp: 1, 0x18), extractf128 = VexOp(map: 3, pp: 1, 0x19)
    public static let pextrb = VexOp(map: 3, pp: 1, 0x14), pextrw = VexOp(map: 3, pp: 1, 0x15)
    public static let pextrd = VexOp(map: 3, pp: 1, 0x16), pextrq = VexOp(map: 3, pp: 1, w: true, 0x16)
    public static let pinsrb = VexOp(map: 3, pp: 1, 0x20), pinsrw = VexOp(map: 1, pp: 1, 0xc4)
    public static let pinsrd = VexOp(map: 3, pp: 1, 0x22), pinsrq = VexOp(map: 3, pp: 1, w: true, 0x22)
    /// Rounding with an immediate mode (0 nearest, 1 floor, 2 ceil, 3 trunc; +8 suppresses inexact).
    public static let roundps = VexOp(map: 3, pp: 1, 0x08), roundpd = VexOp(map: 3, pp: 1, 0x09)
    public static let roundss = VexOp(map: 3, pp: 1, 0x0a), roundsd = VexOp(map: 3, pp: 1, 0x0b)
    public static let pminsb = VexOp(map: 2, pp: 1, 0x38), pminsw = pi(0xea), pminsd = VexOp(map: 2, pp: 1, 0x39)
    public static let pminub = pi(0xda), pminuw = VexOp(map: 2, pp: 1, 0x3a), pminud = VexOp(map: 2, pp: 1, 0x3b)
    public static let pmaxsb = VexOp(map: 2, pp: 1, 0x3c), pmaxsw = pi(0xee), pmaxsd = VexOp(map: 2, pp: 1, 0x3d)
    public static let pmaxub = pi(0xde), pmaxuw = VexOp(map: 2, pp: 1, 0x3e), pmaxud = VexOp(map: 2, pp: 1, 0x3f)
    /// `vptest a, b` sets ZF when a & b is zero.
    public static let ptest = VexOp(map: 2, pp: 1, 0x17)
    // BMI (general-purpose registers, VEX-encoded)
    public static let andn32 = VexOp(map: 2, pp: 0, 0xf2), andn64 = VexOp(map: 2, pp: 0, w: true, 0xf2)
    public static let shlx32 = VexOp(map: 2, pp: 1, 0xf7), shlx64 = VexOp(map: 2, pp: 1, w: true, 0xf7)
    public static let sarx32 = VexOp(map: 2, pp: 2, 0xf7), sarx64 = VexOp(map: 2, pp: 2, w: true, 0xf7)
    public static let shrx32 = VexOp(map: 2, pp: 3, 0xf7), shrx64 = VexOp(map: 2, pp: 3, w: true, 0xf7)
}

/// Two-operand integer ALU operations (`op r/m, reg` opcode; `/digit` of the immediate form).
public enum ALUOp: UInt8, Sendable {
    case add = 0, or = 1, and = 4, sub = 5, xor = 6, cmp = 7
    var rmRegOpcode: UInt8 { rawValue << 3 | 1 }
}

extension X64Assembler {
    // MARK: vector (VEX)

    /// `op dst, src1, src2` (256-bit when `wide`); src1 goes in VEX.vvvv (pass `dst` or xmm0 for two-operand forms).
    public mutating func v(_ op: VexOp, _ dst: XMM, _ src1: XMM, _ src2: XMM, wide: Bool = false, imm: UInt8? = nil) {
        vex(map: op.map, pp: op.pp, w: op.w, l: wide, op.opcode, reg: dst.number, vvvv: src1.number, .reg(src2.number))
        if let i = imm { byte(i) }
        endInstruction()
    }
    /// `op dst, src1, [mem]`.
    public mutating func v(_ op: VexOp, _ dst: XMM, _ src1: XMM, _ src2: Mem, wide: Bool = false, imm: UInt8? = nil) {
        vex(map: op.map, pp: op.pp, w: op.w, l: wide, op.opcode, reg: dst.number, vvvv: src1.number, .mem(src2))
        if let i = imm { byte(i) }
        endInstruction()
    }
    /// Unary forms with no vvvv operand (sqrtps, movups, broadcasts, movddup): `op dst, src`.
    public mutating func v(_ op: VexOp, _ dst: XMM, _ src: RM, wide: Bool = false, imm: UInt8? = nil) {
        vex(map: op.map, pp: op.pp, w: op.w, l: wide, op.opcode, reg: dst.number, vvvv: 0, src)
        if let i = imm { byte(i) }
        endInstruction()
    }
    /// Store forms: `op [mem], src` (movups/movss/movsd stores, extractf128 to memory).
    public mutating func vstore(_ op: VexOp, _ dst: Mem, _ src: XMM, wide: Bool = false, imm: UInt8? = nil) {
        vex(map: op.map, pp: op.pp, w: op.w, l: wide, op.opcode, reg: src.number, vvvv: 0, .mem(dst))
        if let i = imm { byte(i) }
        endInstruction()
    }
    /// `vblendvps/pd dst, src1, src2, mask`: src2's lane where the mask lane's sign bit is set.
    public mutating func blendv(_ op: VexOp, _ dst: XMM, _ src1: XMM, _ src2: RM, mask: XMM, wide: Bool = false) {
        vex(map: op.map, pp: op.pp, w: false, l: wide, op.opcode, reg: dst.number, vvvv: src1.number, src2)
        byte(mask.number << 4)
        endInstruction()
    }
    /// `vmovd/vmovq xmm, gpr`.
    public mutating func movToXMM(_ dst: XMM, _ src: GPR, is64: Bool) {
        v(is64 ? .movqToXMM : .movdToXMM, dst, .reg(src.number))
    }
    /// `vmovd/vmovq gpr, xmm`.
    public mutating func movFromXMM(_ dst: GPR, _ src: XMM, is64: Bool) {
        let op: VexOp = is64 ? .movqFromXMM : .movdFromXMM
        vex(map: op.map, pp: op.pp, w: op.w, l: false, op.opcode, reg: src.number, vvvv: 0, .reg(dst.number))
        endInstruction()
    }
    /// `vmovmskps/pd, vpmovmskb gpr, xmm/ymm`.
    public mutating func movmsk(_ op: VexOp, _ dst: GPR, _ src: XMM, wide: Bool) {
        vex(map: op.map, pp: op.pp, w: op.w, l: wide, op.opcode, reg: dst.number, vvvv: 0, .reg(src.number))
        endInstruction()
    }
    /// `vpextrb/w/d/q gpr, xmm, lane`.
    public mutating func pextr(_ op: VexOp, _ dst: GPR, _ src: XMM, _ lane: UInt8) {
        if op == .pextrw {  // the register form of pextrw is 0F C5 with reg = gpr
            vex(map: 1, pp: 1, w: false, l: false, 0xc5, reg: dst.number, vvvv: 0, .reg(src.number))
        } else {
            vex(map: op.map, pp: op.pp, w: op.w, l: false, op.opcode, reg: src.number, vvvv: 0, .reg(dst.number))
        }
        byte(lane)
        endInstruction()
    }
    /// `vpinsrb/w/d/q dst, src1, gpr, lane`.
    public mutating func pinsr(_ op: VexOp, _ dst: XMM, _ src1: XMM, _ src2: GPR, _ lane: UInt8) {
        vex(map: op.map, pp: op.pp, w: op.w, l: false, op.opcode, reg: dst.number, vvvv: src1.number, .reg(src2.number))
        byte(lane)
        endInstruction()
    }
    /// `vextractf128 xmm, ymm, 1`.
    public mutating func extractHigh128(_ dst: XMM, _ src: XMM) {
        vex(map: 3, pp: 1, w: false, l: true, 0x19, reg: src.number, vvvv: 0, .reg(dst.number))
        byte(1)
        endInstruction()
    }
    /// `vinsertf128 dst, src1, xmm, 1`.
    public mutating func insertHigh128(_ dst: XMM, _ src1: XMM, _ high: XMM) {
        v(.insertf128, dst, src1, high, wide: true, imm: 1)
    }
    /// `vzeroupper`.
    public mutating func vzeroupper() { bytes += [0xc5, 0xf8, 0x77] }

    // MARK: BMI

    /// `andn dst, src1, src2` = ~src1 & src2.
    public mutating func andn(_ dst: GPR, _ src1: GPR, _ src2: GPR, is64: Bool) {
        let op: VexOp = is64 ? .andn64 : .andn32
        vex(map: op.map, pp: op.pp, w: op.w, l: false, op.opcode, reg: dst.number, vvvv: src1.number, .reg(src2.number))
    }
    /// `shlx/sarx/shrx dst, src, count` (count masked to the operand width by the hardware).
    public mutating func shiftx(_ op: VexOp, _ dst: GPR, _ src: GPR, _ count: GPR) {
        vex(map: op.map, pp: op.pp, w: op.w, l: false, op.opcode, reg: dst.number, vvvv: count.number, .reg(src.number))
    }

    // MARK: general-purpose

    /// `op dst, src` (add/or/and/sub/xor/cmp).
    public mutating func alu(_ op: ALUOp, _ dst: GPR, _ src: GPR, is64: Bool) {
        legacy(w: is64, [op.rmRegOpcode], reg: src.number, .reg(dst.number))
    }
    /// `op dst, imm32` (sign-extended to 64 bits); the imm8 form when it fits.
    public mutating func alu(_ op: ALUOp, _ dst: GPR, imm: Int32, is64: Bool) {
        if Int32(Int8(truncatingIfNeeded: imm)) == imm {
            legacy(w: is64, [0x83], reg: op.rawValue, .reg(dst.number))
            byte(UInt8(bitPattern: Int8(imm)))
        } else {
            legacy(w: is64, [0x81], reg: op.rawValue, .reg(dst.number))
            imm32(imm)
        }
    }
    public mutating func test(_ a: GPR, _ b: GPR, is64: Bool) { legacy(w: is64, [0x85], reg: b.number, .reg(a.number)) }
    public mutating func mov(_ dst: GPR, _ src: GPR, is64: Bool) { legacy(w: is64, [0x89], reg: src.number, .reg(dst.number)) }
    /// The shortest move of a 64-bit constant: `mov r32, imm32`, `mov r64, simm32` or `movabs`.
    public mutating func mov(_ dst: GPR, imm: UInt64) {
        if imm <= UInt64(UInt32.max) {
            if dst.number >= 8 { byte(0x41) }
            byte(0xb8 | dst.number & 7)
            imm32(Int32(bitPattern: UInt32(imm)))
        } else if Int64(Int32(truncatingIfNeeded: Int64(bitPattern: imm))) == Int64(bitPattern: imm) {
            legacy(w: true, [0xc7], reg: 0, .reg(dst.number))
            imm32(Int32(truncatingIfNeeded: Int64(bitPattern: imm)))
        } else {
            byte(0x48 | dst.number >> 3)
            byte(0xb8 | dst.number & 7)
            imm64(imm)
        }
    }
    public mutating func load(_ dst: GPR, _ src: Mem, is64: Bool) { legacy(w: is64, [0x8b], reg: dst.number, .mem(src)); endInstruction() }
    public mutating func store(_ dst: Mem, _ src: GPR, is64: Bool) { legacy(w: is64, [0x89], reg: src.number, .mem(dst)); endInstruction() }
    public mutating func store8(_ dst: Mem, _ src: GPR) { legacy(w: false, [0x88], reg: src.number, .mem(dst), byteRegs: true); endInstruction() }
    public mutating func store16(_ dst: Mem, _ src: GPR) { legacy(prefix: 0x66, w: false, [0x89], reg: src.number, .mem(dst)); endInstruction() }
    /// `movzx/movsx dst, byte/word [mem]`, `movsxd dst, dword [mem]`.
    public mutating func loadExtend(_ dst: GPR, _ src: Mem, bits: Int, signed: Bool, is64: Bool) {
        switch (bits, signed) {
        case (8, false): legacy(w: false, [0x0f, 0xb6], reg: dst.number, .mem(src))
        case (16, false): legacy(w: false, [0x0f, 0xb7], reg: dst.number, .mem(src))
        case (8, true): legacy(w: is64, [0x0f, 0xbe], reg: dst.number, .mem(src))
        case (16, true): legacy(w: is64, [0x0f, 0xbf], reg: dst.number, .mem(src))
        case (32, true): legacy(w: true, [0x63], reg: dst.number, .mem(src))
        default: legacy(w: false, [0x8b], reg: dst.number, .mem(src))
        }
        endInstruction()
    }
    public mutating func lea(_ dst: GPR, _ src: Mem) { legacy(w: true, [0x8d], reg: dst.number, .mem(src)); endInstruction() }
    public mutating func imul(_ dst: GPR, _ src: GPR, is64: Bool) { legacy(w: is64, [0x0f, 0xaf], reg: dst.number, .reg(src.number)) }
    public mutating func neg(_ r: GPR, is64: Bool) { legacy(w: is64, [0xf7], reg: 3, .reg(r.number)) }
    public mutating func not(_ r: GPR, is64: Bool) { legacy(w: is64, [0xf7], reg: 2, .reg(r.number)) }
    /// `movsxd dst, src32`.
    public mutating func movsxd(_ dst: GPR, _ src: GPR) { legacy(w: true, [0x63], reg: dst.number, .reg(src.number)) }
    public mutating func setcc(_ c: Cond, _ dst: GPR) { legacy(w: false, [0x0f, 0x90 | c.rawValue], reg: 0, .reg(dst.number), byteRegs: true) }
    /// `movzx dst32, src8`.
    public mutating func movzx8(_ dst: GPR, _ src: GPR) { legacy(w: false, [0x0f, 0xb6], reg: dst.number, .reg(src.number), byteRegs: true) }
    public mutating func cmov(_ c: Cond, _ dst: GPR, _ src: GPR, is64: Bool) { legacy(w: is64, [0x0f, 0x40 | c.rawValue], reg: dst.number, .reg(src.number)) }
    public mutating func lzcnt(_ dst: GPR, _ src: GPR, is64: Bool) { legacy(prefix: 0xf3, w: is64, [0x0f, 0xbd], reg: dst.number, .reg(src.number)) }
    public mutating func tzcnt(_ dst: GPR, _ src: GPR, is64: Bool) { legacy(prefix: 0xf3, w: is64, [0x0f, 0xbc], reg: dst.number, .reg(src.number)) }
    public mutating func popcnt(_ dst: GPR, _ src: GPR, is64: Bool) { legacy(prefix: 0xf3, w: is64, [0x0f, 0xb8], reg: dst.number, .reg(src.number)) }
    public mutating func push(_ r: GPR) { if r.number >= 8 { byte(0x41) }; byte(0x50 | r.number & 7) }
    public mutating func pop(_ r: GPR) { if r.number >= 8 { byte(0x41) }; byte(0x58 | r.number & 7) }
    public mutating func ret() { byte(0xc3) }
    public mutating func ud2() { bytes += [0x0f, 0x0b] }
    public mutating func call(_ r: GPR) { legacy(w: false, [0xff], reg: 2, .reg(r.number)) }

    // MARK: jumps

    /// `call label` (rel32).
    public mutating func call(_ label: Label) {
        byte(0xe8)
        fixups.append(Fixup(at: bytes.count, label: label, size: 4, end: bytes.count + 4))
        imm32(0)
    }
    /// `jmp label`: rel8 for a bound label in range (or when `short`), else rel32.
    public mutating func jmp(_ label: Label, short: Bool = false) {
        if let t = offset(of: label), t - (bytes.count + 2) >= -128 {
            byte(0xeb); byte(UInt8(bitPattern: Int8(t - (bytes.count + 1))))
        } else if short {
            byte(0xeb)
            fixups.append(Fixup(at: bytes.count, label: label, size: 1, end: bytes.count + 1))
            byte(0)
        } else {
            byte(0xe9)
            fixups.append(Fixup(at: bytes.count, label: label, size: 4, end: bytes.count + 4))
            imm32(0)
        }
    }
    /// `jcc label`: rel8 for a bound label in range (or when `short`), else rel32.
    public mutating func jcc(_ c: Cond, _ label: Label, short: Bool = false) {
        if let t = offset(of: label), t - (bytes.count + 2) >= -128 {
            byte(0x70 | c.rawValue); byte(UInt8(bitPattern: Int8(t - (bytes.count + 1))))
        } else if short {
            byte(0x70 | c.rawValue)
            fixups.append(Fixup(at: bytes.count, label: label, size: 1, end: bytes.count + 1))
            byte(0)
        } else {
            byte(0x0f); byte(0x80 | c.rawValue)
            fixups.append(Fixup(at: bytes.count, label: label, size: 4, end: bytes.count + 4))
            imm32(0)
        }
    }
}
