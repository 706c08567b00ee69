/// A general-purpose register, numbered as in the encoding (rax = 0 ... r15 = 15).
public struct GPR: Hashable, Sendable, CustomStringConvertible {
    public let number: UInt8
    public init(_ number: UInt8) { precondition(number < 16); self.number = number }
    public static let rax = GPR(0), rcx = GPR(1), rdx = GPR(2), rbx = GPR(3), rsp = GPR(4), rbp = GPR(5), rsi = GPR(6), rdi = GPR(7)
    public static let r8 = GPR(8), r9 = GPR(9), r10 = GPR(10), r11 = GPR(11), r12 = GPR(12), r13 = GPR(13), r14 = GPR(14), r15 = GPR(15)
    static let names = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
    public var description: String { Self.names[Int(number)] }
}

/// A vector register (xmm/ymm by the instruction's width), numbered 0...15.
public struct XMM: Hashable, Sendable, CustomStringConvertible {
    public let number: UInt8
    public init(_ number: UInt8) { precondition(number < 16); self.number = number }
    public var description: String { "xmm\(number)" }
}

/// A position in the code that jumps and RIP-relative operands refer to.
public struct Label: Hashable, Sendable { public let id: Int }

/// A memory operand: `[base + index * scale + disp]`, or `[rip + label]`.
public struct Mem: Sendable {
    public var base: GPR?
    public var index: GPR?
    public var scale: UInt8
    public var disp: Int32
    public var ripLabel: Label?
    public init(base: GPR?, index: GPR? = nil, scale: UInt8 = 1, disp: Int32 = 0) {
        precondition(index != .rsp, "rsp cannot be an index")
        precondition([1, 2, 4, 8].contains(scale))
        self.base = base; self.index = index; self.scale = scale; self.disp = disp; ripLabel = nil
    }
    public init(rip label: Label) { base = nil; index = nil; scale = 1; disp = 0; ripLabel = label }
}

/// The register-or-memory operand of ModRM.
public enum RM: Sendable {
    case reg(UInt8)
    case mem(Mem)
    var regNumber: UInt8? { if case .reg(let r) = self { r } else { nil } }
}

/// Condition codes (the low nibble of `jcc`/`setcc`/`cmovcc`).
public enum Cond: UInt8, Sendable {
    case o = 0, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
}

/// Encodes x86-64 instructions into a byte buffer: legacy forms with REX, VEX (2- and 3-byte)
/// forms, ModRM/SIB with disp8/disp32 or RIP-relative operands, and labels whose jump and RIP
/// fixups are patched by `finish`.
public struct X64Assembler {
    public internal(set) var bytes: [UInt8] = []
    var labelOffsets: [Int] = []
    struct Fixup { var at: Int; var label: Label; var size: Int; var end: Int }
    var fixups: [Fixup] = []
    var pendingRip: Int? = nil
    private var constants: [(label: Label, bytes: [UInt8], align: Int)] = []
    private var constantIndex: [[UInt8]: Label] = [:]

    public init() {}

    public var offset: Int { bytes.count }

    public mutating func newLabel() -> Label {
        labelOffsets.append(-1)
        return Label(id: labelOffsets.count - 1)
    }
    public mutating func bind(_ label: Label) {
        precondition(labelOffsets[label.id] < 0, "label bound twice")
        labelOffsets[label.id] = bytes.count
    }
    public func offset(of label: Label) -> Int? { labelOffsets[label.id] < 0 ? nil : labelOffsets[label.id] }

    /// A label on `data` in the constant pool placed after the code (identical constants share one).
    public mutating func constant(_ data: [UInt8], align: Int = 32) -> Label {
        if let l = constantIndex[data] { return l }
        let l = newLabel()
        constants.append((l, data, align))
        constantIndex[data] = l
        return l
    }

    /// Places the constant pool, patches every fixup and returns the code; fails on an unbound label.
    public mutating func finish() -> [UInt8] {
        for c in constants {
            while bytes.count % c.align != 0 { bytes.append(0xcc) }
            bind(c.label)
            bytes += c.bytes
        }
        constants = []
        for f in fixups {
            let target = labelOffsets[f.label.id]
            precondition(target >= 0, "unbound label \(f.label.id)")
            let rel = target - f.end
            if f.size == 1 {
                precondition(rel >= -128 && rel <= 127, "short jump out of range")
                bytes[f.at] = UInt8(bitPattern: Int8(rel))
            } else {
                let v = UInt32(bitPattern: Int32(rel))
                for k in 0..<4 { bytes[f.at + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
            }
        }
        fixups = []
        return bytes
    }

    // MARK: raw emission

    @inline(__always) mutating func byte(_ b: UInt8) { bytes.append(b) }
    mutating func imm32(_ v: Int32) {
        let u = UInt32(bitPattern: v)
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: u >> UInt32(8 * k))) }
    }
    mutating func imm64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * k))) } }

    /// Ends the instruction just emitted: its RIP-relative fixup (if any) is relative to here.
    mutating func endInstruction() {
        if let i = pendingRip { fixups[i].end = bytes.count; pendingRip = nil }
    }

    /// REX prefix bits for `reg` and the rm operand: (R, X, B).
    static func extensionBits(_ reg: UInt8, _ rm: RM) -> (UInt8, UInt8, UInt8) {
        let r = reg >> 3 & 1
        switch rm {
        case .reg(let n): return (r, 0, n >> 3 & 1)
        case .mem(let m): return (r, (m.index?.number ?? 0) >> 3 & 1, (m.base?.number ?? 0) >> 3 & 1)
        }
    }

    /// ModRM, SIB and displacement for `reg` (register or opcode extension) and `rm`.
    mutating func modRM(_ reg: UInt8, _ rm: RM) {
        let r = (reg & 7) << 3
        switch rm {
        case .reg(let n): byte(0xc0 | r | (n & 7))
        case .mem(let m):
            if let label = m.ripLabel {
                byte(0x05 | r)
                fixups.append(Fixup(at: bytes.count, label: label, size: 4, end: 0))
                pendingRip = fixups.count - 1
                imm32(0)
                return
            }
            guard let base = m.base else {
                // [index * scale + disp32] or [disp32]: SIB with no base
                byte(0x04 | r)
                let idx = m.index.map { $0.number & 7 } ?? 4
                byte(Self.scaleBits(m.scale) << 6 | idx << 3 | 5)
                imm32(m.disp)
                return
            }
            let needsSIB = m.index != nil || base.number & 7 == 4
            let mod: UInt8 = m.disp == 0 && base.number & 7 != 5 ? 0 : (Int32(Int8(truncatingIfNeeded: m.disp)) == m.disp ? 1 : 2)
            byte(mod << 6 | r | (needsSIB ? 4 : base.number & 7))
            if needsSIB {
                let idx = m.index.map { $0.number & 7 } ?? 4
                byte(Self.scaleBits(m.scale) << 6 | idx << 3 | (base.number & 7))
            }
            if mod == 1 { byte(UInt8(bitPattern: Int8(truncatingIfNeeded: m.disp))) }
            if mod == 2 { imm32(m.disp) }
        }
    }
    static func scaleBits(_ s: UInt8) -> UInt8 { s == 1 ? 0 : s == 2 ? 1 : s == 4 ? 2 : 3 }

    /// A legacy instruction: optional prefix, REX when needed, opcode bytes, ModRM.
    /// `byteRegs` forces a REX for spl/bpl/sil/dil when 8-bit registers are named.
    mutating func legacy(prefix: UInt8? = nil, w: Bool, _ opcode: [UInt8], reg: UInt8, _ rm: RM, byteRegs: Bool = false) {
        if let p = prefix { byte(p) }
        let (r, x, b) = Self.extensionBits(reg, rm)
        var needREX = w || r != 0 || x != 0 || b != 0
        if byteRegs {
            if reg >= 4 && reg < 8 { needREX = true }
            if let n = rm.regNumber, n >= 4 && n < 8 { needREX = true }
        }
        if needREX { byte(0x40 | (w ? 8 : 0) | r << 2 | x << 1 | b) }
        bytes += opcode
        modRM(reg, rm)
    }

    /// A VEX instruction: `map` 1 = 0F, 2 = 0F38, 3 = 0F3A; `pp` 0 = none, 1 = 66, 2 = F3, 3 = F2.
    mutating func vex(map: UInt8, pp: UInt8, w: Bool, l: Bool, _ opcode: UInt8, reg: UInt8, vvvv: UInt8, _ rm: RM) {
        let (r, x, b) = Self.extensionBits(reg, rm)
        let lpp = (l ? 4 : 0) | pp
        let v = (~vvvv & 15) << 3
        if map == 1 && !w && x == 0 && b == 0 {
            byte(0xc5)
            byte((r ^ 1) << 7 | v | lpp)
        } else {
            byte(0xc4)
            byte((r ^ 1) << 7 | (x ^ 1) << 6 | (b ^ 1) << 5 | map)
            byte((w ? 0x80 : 0) | v | lpp)
        }
        byte(opcode)
        modRM(reg, rm)
    }
}
