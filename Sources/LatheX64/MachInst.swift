import LatheIR

/// A virtual register; values of the IR keep their index (vreg n is IR value n), extra ones follow.
public typealias VReg = UInt32
public let noVReg: VReg = .max

/// Which register file a virtual register lives in.
public enum RegClass: UInt8, Sendable {
    case gpr, xmm
    /// The class of values of an IR type: integers and references in GPRs, floats and vectors in XMM.
    public init(_ t: IRType) { self = t.isFloat || t.isVector ? .xmm : .gpr }
}

/// Machine operations after instruction selection; the emitter expands each into x86 instructions.
///
/// Operands: `dst` is the only definition; every operand among `a`, `b`, `c` that is not `noVReg`
/// is a use, and so is every register of the instruction's operand list (jump and return values).
public enum MOp: UInt8, Sendable {
    /// dst = incoming ABI register (`cc` 0 GPR / 1 XMM, `imm` its number).
    case arg
    case iconst, fconst
    case iadd, isub, imul, iand, ior, ixor, iandn, ishl, isshr, iushr, ineg, inot, clz, ctz, popcnt, eqz
    /// dst = a cc b as 0/1 (`cc` = IntCC raw); on vectors a lane mask.
    case icmp
    /// dst = a != 0 ? b : c.
    case select
    case sextend, uextend, ireduce
    case fadd, fsub, fmul, fdiv, fmin, fmax, sqrt, fneg, fabs, fcopysign
    /// Round to an integral value (`cc`: 0 nearest even, 1 floor, 2 ceil, 3 trunc).
    case round
    /// Integer min/max, scalar or lane-wise.
    case smin, smax, umin, umax
    /// dst = 1 when any bit of vector `a` is set.
    case anyTrue
    /// dst = a cc b (`cc` = FloatCC raw): 0/1 for scalars, a lane mask for vectors.
    case fcmp
    case vand, vor, vxor, vandn
    /// dst = (b & a) | (c & ~a).
    case bitselect
    case splat, extractlane, insertlane, bitmask
    case fpromote, fdemote, fcvtFromSint, bitcast
    /// dst = load from memory base `a` + address `b` + `imm` (`cc` = IR opcode raw, `aux` = 1 for 64-bit addresses).
    case load
    /// store value `a` at base `b` + address `c` + `imm` (`cc` = IR opcode raw, `aux` as for load).
    case store
    /// Jump to block `imm` passing the operand list to its parameters.
    case jump
    /// Branch to block `imm` when `a` != 0, else to block `imm2`.
    case brif
    /// Return the operand list; `b` is the out-pointer for results past the registers.
    case ret
    case trap
    /// Call site `imm` (an index into `callSites`) with the operand list as arguments and `b` the
    /// memory base when the callee takes one; clobbers every caller-saved register.
    case call
    /// dst = result `imm` of the call at instruction `imm2` (directly after it).
    case callResult
}

/// One machine instruction with virtual registers (44 bytes, stored in one array per function).
public struct MachInst: Sendable {
    public var op: MOp
    public var cc: UInt8 = 0
    public var aux: UInt8 = 0
    /// The controlling type: operand type for arithmetic and compares, result type for loads, constants, conversions.
    public var type: IRType
    public var dst: VReg = noVReg
    public var a: VReg = noVReg
    public var b: VReg = noVReg
    public var c: VReg = noVReg
    public var imm: Int64 = 0
    public var imm2: UInt32 = 0
    public var listStart: UInt32 = 0
    public var listCount: UInt32 = 0

    public init(_ op: MOp, type: IRType, dst: VReg = noVReg, a: VReg = noVReg, b: VReg = noVReg, c: VReg = noVReg, imm: Int64 = 0) {
        self.op = op; self.type = type; self.dst = dst; self.a = a; self.b = b; self.c = c; self.imm = imm
    }

    public var isTerminator: Bool { op == .jump || op == .brif || op == .ret || op == .trap }
}

/// A machine block: its parameters and its instructions, as ranges of the function's arrays.
public struct MachBlock: Sendable {
    public var paramStart: Int
    public var paramCount: Int
    public var instStart: Int
    public var instEnd: Int
}

/// A function after instruction selection: blocks in emission order (block 0 is the entry).
public struct MachFunction: Sendable {
    public var name: String
    public var insts: [MachInst] = []
    public var blocks: [MachBlock] = []
    /// Block parameters and instruction operand lists.
    public var pool: [VReg] = []
    public var classes: [RegClass] = []
    public var abi: ABILayout
    /// The IR function's vector constants (`fconst` of a vector type names one by index).
    public var constants: [[UInt8]] = []
    /// Called functions: a JIT function of the module (by name) or a host function (by address).
    public var callSites: [CallSite] = []

    /// Whether a 256-bit result is returned in ymm0/ymm1 (then the epilogue keeps the upper halves).
    public var returnsWideVectorInRegister = false

    /// The registers `inst` reads, in operand order.
    public func uses(_ inst: MachInst) -> [VReg] {
        var out: [VReg] = []
        if inst.a != noVReg { out.append(inst.a) }
        if inst.b != noVReg { out.append(inst.b) }
        if inst.c != noVReg { out.append(inst.c) }
        for k in 0..<Int(inst.listCount) { out.append(pool[Int(inst.listStart) + k]) }
        return out
    }
    public func params(_ b: Int) -> ArraySlice<VReg> { pool[blocks[b].paramStart..<(blocks[b].paramStart + blocks[b].paramCount)] }
    public func list(_ inst: MachInst) -> ArraySlice<VReg> { pool[Int(inst.listStart)..<Int(inst.listStart + inst.listCount)] }
    /// Successor blocks of block `b` (from its terminator).
    public func successors(_ b: Int) -> [Int] {
        let t = insts[blocks[b].instEnd - 1]
        switch t.op {
        case .jump: return [Int(t.imm)]
        case .brif: return [Int(t.imm), Int(t.imm2)]
        default: return []
        }
    }
}

/// One call: its target and the callee's ABI layout.
public struct CallSite: Sendable {
    public enum Target: Sendable, Equatable {
        case jit(String)
        case host(UInt)
    }
    public var target: Target
    public var abi: ABILayout
}

/// Where the System V calling convention puts parameters and results.
///
/// Integer parameters go in rdi, rsi, rdx, rcx, r8, r9 (after the hidden out-pointer and memory
/// base when present), float and vector parameters in xmm0...xmm7 (ymm for 256-bit). Results: the
/// first two integers in rax, rdx, the first two floats/vectors in xmm0, xmm1, the rest in 32-byte
/// slots at the out-pointer, in result order.
public struct ABILayout: Sendable {
    public enum Location: Sendable, Equatable {
        case gpr(GPR)
        case xmm(XMM)
        case outSlot(Int)
    }
    public var params: [Location] = []
    public var results: [Location] = []
    /// The out-pointer's register when some results go to memory.
    public var outPointer: GPR?
    /// The memory base's register when the function accesses memory.
    public var memoryBase: GPR?
    public var outSlotCount = 0

    public static let intArgs: [GPR] = [.rdi, .rsi, .rdx, .rcx, .r8, .r9]

    /// The layout of `signature`; nil when parameters do not all fit in registers.
    public init?(_ signature: Signature, usesMemory: Bool) {
        var ints = 0, floats = 0
        for t in signature.results {
            if RegClass(t) == .gpr && ints < 2 { results.append(.gpr(ints == 0 ? .rax : .rdx)); ints += 1 }
            else if RegClass(t) == .xmm && floats < 2 { results.append(.xmm(XMM(UInt8(floats)))); floats += 1 }
            else { results.append(.outSlot(outSlotCount)); outSlotCount += 1 }
        }
        ints = 0; floats = 0
        if outSlotCount > 0 { outPointer = Self.intArgs[ints]; ints += 1 }
        if usesMemory { memoryBase = Self.intArgs[ints]; ints += 1 }
        for t in signature.params {
            if RegClass(t) == .gpr {
                guard ints < 6 else { return nil }
                params.append(.gpr(Self.intArgs[ints])); ints += 1
            } else {
                guard floats < 8 else { return nil }
                params.append(.xmm(XMM(UInt8(floats)))); floats += 1
            }
        }
    }
}
