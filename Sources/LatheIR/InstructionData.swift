import LatheEntity

/// One instruction record: opcode plus a 15-byte payload whose meaning depends on the opcode's format.
///
/// Layout per `InstructionFormat` (a, b, c are `UInt32` words):
/// - unary/binary/ternary: operands in a, b, c; int/float compare: condition in `imm8`.
/// - intConst/floatConst: value bits in b (low) and c (high); vectorConst: a = `ConstRef`.
/// - shuffle: a, b operands, c = `ConstRef` of the byte mask; lanes: lane in `imm16`.
/// - load: a = address, b = offset, `imm8` = log2 alignment, `imm16` = memory.
/// - store: a = stored value, b = address, c = offset, `imm8` = log2 alignment, `imm16` = memory.
/// - memoryLane (`load_lane`, `store_lane`): a = vector, b = address, c = offset, `imm8` = log2
///   alignment in the low 4 bits and the lane in the high 4 bits, `imm16` = memory.
/// - memory ops: operands in a, b, c; `imm16` = memory (`memory_copy`: destination; `imm8` = source).
/// - globals/tables: a = `GlobalRef`/`TableRef`, operands follow in b, c.
/// - call: a = `FuncRef`, b = argument `ValueList`; callIndirect: a = `SigRef`, b = [callee, args...],
///   c = `TableRef`; callRef: a = `SigRef`, b = [callee, args...].
/// - jump: a = block call; branch: a = condition, b/c = block calls; branchTable: a = index,
///   b = `JumpTableRef`; return: b = values; trap/condTrap: `imm16` = trap code, a = condition.
///
/// A block call is a `ValueList` whose first element is the destination block's index, then the arguments.
/// Result types are not stored here: they are the types of the result values in the DFG.
public struct InstructionData: Sendable, Equatable {
    public var opcode: Opcode
    public var imm8: UInt8 = 0
    public var imm16: UInt16 = 0
    public var a: UInt32 = 0
    public var b: UInt32 = 0
    public var c: UInt32 = 0

    public init(opcode: Opcode, imm8: UInt8 = 0, imm16: UInt16 = 0, a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0) {
        self.opcode = opcode
        self.imm8 = imm8
        self.imm16 = imm16
        self.a = a
        self.b = b
        self.c = c
    }

    public var format: InstructionFormat { opcode.format }

    /// The 64-bit immediate of `iconst` / `fconst`.
    public var imm64: UInt64 { UInt64(b) | UInt64(c) << 32 }

    public var intCC: IntCC { IntCC(rawValue: imm8) ?? .eq }
    public var floatCC: FloatCC { FloatCC(rawValue: imm8) ?? .eq }
    public var trapCode: TrapCode { TrapCode(rawValue: imm16) ?? .user }
    public var memory: MemoryRef { MemoryRef(index: Int(imm16)) }
    public var lane: Int { Int(imm16) }
    public var log2Align: Int { Int(imm8 & 0x0f) }
    /// The lane of a `load_lane` / `store_lane` (stored above the alignment in `imm8`).
    public var memoryLane: Int { Int(imm8 >> 4) }
}

/// Where a value comes from.
public enum ValueDef: Equatable, Sendable {
    case result(Inst, Int)
    case param(Block, Int)
    /// Replaced by another value (after trivial block-parameter removal); resolve before use.
    case alias(Value)
}

/// Per-value record: type and definition, 12 bytes.
public struct ValueData: Sendable, Equatable {
    public var type: IRType
    var owner: UInt32
    var numAndKind: UInt32

    static let resultKind: UInt32 = 0, paramKind: UInt32 = 1, aliasKind: UInt32 = 2

    init(type: IRType, def: ValueDef) {
        self.type = type
        switch def {
        case .result(let i, let n): owner = i.raw; numAndKind = UInt32(n) << 2 | Self.resultKind
        case .param(let b, let n): owner = b.raw; numAndKind = UInt32(n) << 2 | Self.paramKind
        case .alias(let v): owner = v.raw; numAndKind = Self.aliasKind
        }
    }

    public var def: ValueDef {
        let n = Int(numAndKind >> 2)
        switch numAndKind & 3 {
        case Self.resultKind: return .result(Inst(index: Int(owner)), n)
        case Self.paramKind: return .param(Block(index: Int(owner)), n)
        default: return .alias(Value(index: Int(owner)))
        }
    }
}
