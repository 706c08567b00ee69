/// Every IR operation. Properties (text name, operand format, effects, typing) come from `OpcodeInfo.table`.
///
/// Ops are polymorphic over types where wasm has one op per type: `iadd` adds i32, i64 or any
/// integer-lane vector lane-wise; the controlling type (see `OpcodeInfo.control`) picks the variant.
public enum Opcode: UInt8, CaseIterable, Sendable {
    // constants
    case iconst, fconst, vconst
    // integer arithmetic and bitwise
    case iadd, isub, imul, sdiv, udiv, srem, urem
    case band, bor, bxor, bandNot, bnot
    case ishl, sshr, ushr, rotl, rotr
    case clz, ctz, popcnt, ineg, iabs, eqz
    case smin, smax, umin, umax
    case saddSat, uaddSat, ssubSat, usubSat, avgrU
    case icmp
    // float arithmetic
    case fadd, fsub, fmul, fdiv, fmin, fmax, fcopysign
    case sqrt, fneg, fabs, ceil, floor, trunc, nearest
    case fcmp
    // conversions
    case sextend, uextend, ireduce, sext8, sext16, sext32
    case fcvtToSint, fcvtToUint, fcvtToSintSat, fcvtToUintSat, fcvtFromSint, fcvtFromUint
    case fpromote, fdemote, bitcast
    // selection and vectors
    case select, bitselect
    case splat, extractlane, sextractlane, insertlane, shuffle
    case vanyTrue, vallTrue, vbitmask
    // vector shape changes and lane arithmetic (wasm SIMD)
    case swizzle, snarrow, unarrow, swidenLow, swidenHigh, uwidenLow, uwidenHigh
    case sextmulLow, sextmulHigh, uextmulLow, uextmulHigh, sextaddPairwise, uextaddPairwise, sdot, q15mulrSat
    case fminPseudo, fmaxPseudo
    case fcvtToSintSatZero, fcvtToUintSatZero, fcvtFromSintLow, fcvtFromUintLow, fdemoteZero, fpromoteLow
    // relaxed SIMD: each has one deterministic behaviour that wasm allows (docs/IR.md)
    case relaxedSwizzle, relaxedFcvtToSint, relaxedFcvtToUint, relaxedFcvtToSintZero, relaxedFcvtToUintZero
    case relaxedMadd, relaxedNmadd, relaxedLaneselect, relaxedFmin, relaxedFmax, relaxedQ15mulr, relaxedDot, relaxedDotAdd
    // memory
    case load, uload8, sload8, uload16, sload16, uload32, sload32
    case store, istore8, istore16, istore32
    case sload8x8, uload8x8, sload16x4, uload16x4, sload32x2, uload32x2, loadSplat, loadZero, loadLane, storeLane
    case memorySize, memoryGrow, memoryCopy, memoryFill, memoryInit, dataDrop
    // globals, tables, references
    case globalGet, globalSet
    case tableGet, tableSet, tableSize, tableGrow, tableInit, elemDrop, tableCopy, tableFill
    case refNull, refIsNull, refFunc
    // calls
    case call, callIndirect, callRef, returnCall, returnCallIndirect, returnCallRef
    // control
    case jump, brif, brTable, `return`, trap, trapz, trapnz, unreachable

    public var info: OpcodeInfo { OpcodeInfo.table[Int(rawValue)] }
    public var name: String { info.name }
    // Format and effects come from flat tables: reading them through `info` copies the row (and retains its name).
    @inlinable public var format: InstructionFormat { OpcodeInfo.formats[Int(rawValue)] }
    @inlinable public var effects: Effects { OpcodeInfo.effectsByOpcode[Int(rawValue)] }
    @inlinable public var control: ControlType { OpcodeInfo.controls[Int(rawValue)] }
    @inlinable public var accepts: TypeClass { OpcodeInfo.acceptedTypes[Int(rawValue)] }
    @inlinable public var isTerminator: Bool { effects.contains(.terminator) }
    /// Whether this is a call: direct, indirect or by reference, plain or tail.
    @inlinable public var isCall: Bool { rawValue >= Opcode.call.rawValue && rawValue <= Opcode.returnCallRef.rawValue }

    /// Looks an opcode up by its text name (`iadd`, `fcvt_to_sint_sat`, ...).
    public init?(name: String) {
        guard let op = OpcodeInfo.byName[name] else { return nil }
        self = op
    }
}

/// How an instruction's operands and immediates are laid out in `InstructionData` and in text.
public enum InstructionFormat: Sendable {
    case nullary, unary, binary, ternary
    case intCompare, floatCompare
    case intConst, floatConst, vectorConst
    case shuffle, extractLane, insertLane
    case load, store, memoryLane, memorySize, memoryGrow, memoryCopy, memoryFill, memoryInit
    case globalGet, globalSet, tableGet, tableSet, tableSize, tableGrow, tableInit, tableCopy, tableFill
    /// `data_drop dataN` / `elem_drop elemN`: the segment index is in `a`.
    case segmentDrop
    case refNull, refFunc
    case call, callIndirect, callRef
    case jump, branch, branchTable, `return`, trap, condTrap
}

/// What executing an op may do besides computing its results. Empty means pure.
public struct Effects: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let mayTrap = Effects(rawValue: 1 << 0)
    public static let readsMemory = Effects(rawValue: 1 << 1)
    public static let writesMemory = Effects(rawValue: 1 << 2)
    public static let readsGlobal = Effects(rawValue: 1 << 3)
    public static let writesGlobal = Effects(rawValue: 1 << 4)
    public static let readsTable = Effects(rawValue: 1 << 5)
    public static let writesTable = Effects(rawValue: 1 << 6)
    /// Calls another function: assume it reads and writes all state and may trap.
    public static let calls = Effects(rawValue: 1 << 7)
    /// Ends a block; exactly one per block, at its end.
    public static let terminator = Effects(rawValue: 1 << 8)

    public static let pure: Effects = []
    /// Everything a call may do.
    public static let callEffects: Effects = [.calls, .mayTrap, .readsMemory, .writesMemory, .readsGlobal, .writesGlobal, .readsTable, .writesTable]

    public var isPure: Bool { isEmpty }
    /// Whether an unused instance may be deleted (no trap, no writes, no call, not a terminator).
    public var isRemovableIfUnused: Bool { isDisjoint(with: [.mayTrap, .writesMemory, .writesGlobal, .writesTable, .calls, .terminator]) }
    public var readsState: Bool { !isDisjoint(with: [.readsMemory, .readsGlobal, .readsTable, .calls]) }
    public var writesState: Bool { !isDisjoint(with: [.writesMemory, .writesGlobal, .writesTable, .calls]) }
}

/// Which type decides an op's variant: an operand's type, or the (first) result type written in text as `op.type`.
public enum ControlType: Sendable, Equatable {
    case none
    case operand(Int)
    case result
}

/// The set of types an op accepts as controlling type.
public enum TypeClass: Sendable {
    case int, intLike, float, floatLike, numeric, bitwise, vector, intVector, floatVector, narrowIntVector, ref, any
    public func accepts(_ t: IRType) -> Bool {
        switch self {
        case .int: t.isInt
        case .intLike: t.isIntLike
        case .float: t.isFloat
        case .floatLike: t.isFloatLike
        case .numeric: !t.isRef
        case .bitwise: t.isInt || t.isVector
        case .vector: t.isVector
        case .intVector: t.isVector && t.isIntLike
        case .floatVector: t.isVector && t.isFloatLike
        case .narrowIntVector: t.isVector && t.laneBits < 32
        case .ref: t.isRef
        case .any: true
        }
    }
    public var description: String {
        switch self {
        case .int: "i32 or i64"
        case .intLike: "an integer or integer vector type"
        case .float: "f32 or f64"
        case .floatLike: "a float or float vector type"
        case .numeric: "a numeric type"
        case .bitwise: "an integer or vector type"
        case .vector: "a vector type"
        case .intVector: "an integer vector type"
        case .floatVector: "a float vector type"
        case .narrowIntVector: "an i8 or i16 lane vector type"
        case .ref: "a reference type"
        case .any: "any type"
        }
    }
}

/// The static description of one opcode; `OpcodeInfo.table` is the single source of truth.
public struct OpcodeInfo: Sendable {
    public let opcode: Opcode
    public let name: String
    public let format: InstructionFormat
    public let effects: Effects
    public let control: ControlType
    public let accepts: TypeClass

    static func op(_ opcode: Opcode, _ name: String, _ format: InstructionFormat, _ effects: Effects = .pure,
                   _ control: ControlType = .none, _ accepts: TypeClass = .any) -> OpcodeInfo {
        OpcodeInfo(opcode: opcode, name: name, format: format, effects: effects, control: control, accepts: accepts)
    }

    /// Whether text prints the controlling type as a suffix (`iconst.i32`), because operands cannot supply it.
    public var printsType: Bool { control == .result }

    private static let trap: Effects = .mayTrap
    private static let load: Effects = [.mayTrap, .readsMemory]
    private static let store: Effects = [.mayTrap, .writesMemory]
    private static let call = Effects.callEffects
    private static let tail: Effects = Effects.callEffects.union(.terminator)
    private static let term: Effects = .terminator

    /// One row per opcode, in `Opcode` order.
    /// `table[k].format` and `table[k].effects`, without the rest of each row.
    public static let formats: [InstructionFormat] = table.map(\.format)
    public static let effectsByOpcode: [Effects] = table.map(\.effects)
    public static let controls: [ControlType] = table.map(\.control)
    public static let acceptedTypes: [TypeClass] = table.map(\.accepts)

    public static let table: [OpcodeInfo] = [
        op(.iconst, "iconst", .intConst, .pure, .result, .int),
        op(.fconst, "fconst", .floatConst, .pure, .result, .float),
        op(.vconst, "vconst", .vectorConst, .pure, .result, .vector),
        op(.iadd, "iadd", .binary, .pure, .operand(0), .intLike),
        op(.isub, "isub", .binary, .pure, .operand(0), .intLike),
        op(.imul, "imul", .binary, .pure, .operand(0), .intLike),
        op(.sdiv, "sdiv", .binary, trap, .operand(0), .int),
        op(.udiv, "udiv", .binary, trap, .operand(0), .int),
        op(.srem, "srem", .binary, trap, .operand(0), .int),
        op(.urem, "urem", .binary, trap, .operand(0), .int),
        op(.band, "band", .binary, .pure, .operand(0), .bitwise),
        op(.bor, "bor", .binary, .pure, .operand(0), .bitwise),
        op(.bxor, "bxor", .binary, .pure, .operand(0), .bitwise),
        op(.bandNot, "band_not", .binary, .pure, .operand(0), .bitwise),
        op(.bnot, "bnot", .unary, .pure, .operand(0), .bitwise),
        op(.ishl, "ishl", .binary, .pure, .operand(0), .intLike),
        op(.sshr, "sshr", .binary, .pure, .operand(0), .intLike),
        op(.ushr, "ushr", .binary, .pure, .operand(0), .intLike),
        op(.rotl, "rotl", .binary, .pure, .operand(0), .int),
        op(.rotr, "rotr", .binary, .pure, .operand(0), .int),
        op(.clz, "clz", .unary, .pure, .operand(0), .int),
        op(.ctz, "ctz", .unary, .pure, .operand(0), .int),
        op(.popcnt, "popcnt", .unary, .pure, .operand(0), .intLike),
        op(.ineg, "ineg", .unary, .pure, .operand(0), .intLike),
        op(.iabs, "iabs", .unary, .pure, .operand(0), .intLike),
        op(.eqz, "eqz", .unary, .pure, .operand(0), .int),
        op(.smin, "smin", .binary, .pure, .operand(0), .intLike),
        op(.smax, "smax", .binary, .pure, .operand(0), .intLike),
        op(.umin, "umin", .binary, .pure, .operand(0), .intLike),
        op(.umax, "umax", .binary, .pure, .operand(0), .intLike),
        op(.saddSat, "sadd_sat", .binary, .pure, .operand(0), .narrowIntVector),
        op(.uaddSat, "uadd_sat", .binary, .pure, .operand(0), .narrowIntVector),
        op(.ssubSat, "ssub_sat", .binary, .pure, .operand(0), .narrowIntVector),
        op(.usubSat, "usub_sat", .binary, .pure, .operand(0), .narrowIntVector),
        op(.avgrU, "avgr_u", .binary, .pure, .operand(0), .narrowIntVector),
        op(.icmp, "icmp", .intCompare, .pure, .operand(0), .intLike),
        op(.fadd, "fadd", .binary, .pure, .operand(0), .floatLike),
        op(.fsub, "fsub", .binary, .pure, .operand(0), .floatLike),
        op(.fmul, "fmul", .binary, .pure, .operand(0), .floatLike),
        op(.fdiv, "fdiv", .binary, .pure, .operand(0), .floatLike),
        op(.fmin, "fmin", .binary, .pure, .operand(0), .floatLike),
        op(.fmax, "fmax", .binary, .pure, .operand(0), .floatLike),
        op(.fcopysign, "fcopysign", .binary, .pure, .operand(0), .floatLike),
        op(.sqrt, "sqrt", .unary, .pure, .operand(0), .floatLike),
        op(.fneg, "fneg", .unary, .pure, .operand(0), .floatLike),
        op(.fabs, "fabs", .unary, .pure, .operand(0), .floatLike),
        op(.ceil, "ceil", .unary, .pure, .operand(0), .floatLike),
        op(.floor, "floor", .unary, .pure, .operand(0), .floatLike),
        op(.trunc, "trunc", .unary, .pure, .operand(0), .floatLike),
        op(.nearest, "nearest", .unary, .pure, .operand(0), .floatLike),
        op(.fcmp, "fcmp", .floatCompare, .pure, .operand(0), .floatLike),
        op(.sextend, "sextend", .unary, .pure, .result, .int),
        op(.uextend, "uextend", .unary, .pure, .result, .int),
        op(.ireduce, "ireduce", .unary, .pure, .result, .int),
        op(.sext8, "sext8", .unary, .pure, .operand(0), .int),
        op(.sext16, "sext16", .unary, .pure, .operand(0), .int),
        op(.sext32, "sext32", .unary, .pure, .operand(0), .int),
        op(.fcvtToSint, "fcvt_to_sint", .unary, trap, .result, .int),
        op(.fcvtToUint, "fcvt_to_uint", .unary, trap, .result, .int),
        op(.fcvtToSintSat, "fcvt_to_sint_sat", .unary, .pure, .result, .intLike),
        op(.fcvtToUintSat, "fcvt_to_uint_sat", .unary, .pure, .result, .intLike),
        op(.fcvtFromSint, "fcvt_from_sint", .unary, .pure, .result, .floatLike),
        op(.fcvtFromUint, "fcvt_from_uint", .unary, .pure, .result, .floatLike),
        op(.fpromote, "fpromote", .unary, .pure, .result, .float),
        op(.fdemote, "fdemote", .unary, .pure, .result, .float),
        op(.bitcast, "bitcast", .unary, .pure, .result, .numeric),
        op(.select, "select", .ternary, .pure, .operand(1), .any),
        op(.bitselect, "bitselect", .ternary, .pure, .operand(0), .bitwise),
        op(.splat, "splat", .unary, .pure, .result, .vector),
        op(.extractlane, "extractlane", .extractLane, .pure, .operand(0), .vector),
        op(.sextractlane, "sextractlane", .extractLane, .pure, .operand(0), .narrowIntVector),
        op(.insertlane, "insertlane", .insertLane, .pure, .operand(0), .vector),
        op(.shuffle, "shuffle", .shuffle, .pure, .operand(0), .vector),
        op(.vanyTrue, "vany_true", .unary, .pure, .operand(0), .vector),
        op(.vallTrue, "vall_true", .unary, .pure, .operand(0), .vector),
        op(.vbitmask, "vbitmask", .unary, .pure, .operand(0), .vector),
        op(.swizzle, "swizzle", .binary, .pure, .operand(0), .intVector),
        op(.snarrow, "snarrow", .binary, .pure, .operand(0), .intVector),
        op(.unarrow, "unarrow", .binary, .pure, .operand(0), .intVector),
        op(.swidenLow, "swiden_low", .unary, .pure, .operand(0), .intVector),
        op(.swidenHigh, "swiden_high", .unary, .pure, .operand(0), .intVector),
        op(.uwidenLow, "uwiden_low", .unary, .pure, .operand(0), .intVector),
        op(.uwidenHigh, "uwiden_high", .unary, .pure, .operand(0), .intVector),
        op(.sextmulLow, "sextmul_low", .binary, .pure, .operand(0), .intVector),
        op(.sextmulHigh, "sextmul_high", .binary, .pure, .operand(0), .intVector),
        op(.uextmulLow, "uextmul_low", .binary, .pure, .operand(0), .intVector),
        op(.uextmulHigh, "uextmul_high", .binary, .pure, .operand(0), .intVector),
        op(.sextaddPairwise, "sextadd_pairwise", .unary, .pure, .operand(0), .intVector),
        op(.uextaddPairwise, "uextadd_pairwise", .unary, .pure, .operand(0), .intVector),
        op(.sdot, "sdot", .binary, .pure, .operand(0), .intVector),
        op(.q15mulrSat, "q15mulr_sat", .binary, .pure, .operand(0), .intVector),
        op(.fminPseudo, "fmin_pseudo", .binary, .pure, .operand(0), .floatLike),
        op(.fmaxPseudo, "fmax_pseudo", .binary, .pure, .operand(0), .floatLike),
        op(.fcvtToSintSatZero, "fcvt_to_sint_sat_zero", .unary, .pure, .operand(0), .floatVector),
        op(.fcvtToUintSatZero, "fcvt_to_uint_sat_zero", .unary, .pure, .operand(0), .floatVector),
        op(.fcvtFromSintLow, "fcvt_from_sint_low", .unary, .pure, .operand(0), .intVector),
        op(.fcvtFromUintLow, "fcvt_from_uint_low", .unary, .pure, .operand(0), .intVector),
        op(.fdemoteZero, "fdemote_zero", .unary, .pure, .operand(0), .floatVector),
        op(.fpromoteLow, "fpromote_low", .unary, .pure, .operand(0), .floatVector),
        op(.relaxedSwizzle, "relaxed_swizzle", .binary, .pure, .operand(0), .intVector),
        op(.relaxedFcvtToSint, "relaxed_fcvt_to_sint", .unary, .pure, .operand(0), .floatVector),
        op(.relaxedFcvtToUint, "relaxed_fcvt_to_uint", .unary, .pure, .operand(0), .floatVector),
        op(.relaxedFcvtToSintZero, "relaxed_fcvt_to_sint_zero", .unary, .pure, .operand(0), .floatVector),
        op(.relaxedFcvtToUintZero, "relaxed_fcvt_to_uint_zero", .unary, .pure, .operand(0), .floatVector),
        op(.relaxedMadd, "relaxed_madd", .ternary, .pure, .operand(0), .floatVector),
        op(.relaxedNmadd, "relaxed_nmadd", .ternary, .pure, .operand(0), .floatVector),
        op(.relaxedLaneselect, "relaxed_laneselect", .ternary, .pure, .operand(0), .intVector),
        op(.relaxedFmin, "relaxed_fmin", .binary, .pure, .operand(0), .floatVector),
        op(.relaxedFmax, "relaxed_fmax", .binary, .pure, .operand(0), .floatVector),
        op(.relaxedQ15mulr, "relaxed_q15mulr", .binary, .pure, .operand(0), .intVector),
        op(.relaxedDot, "relaxed_dot", .binary, .pure, .operand(0), .intVector),
        op(.relaxedDotAdd, "relaxed_dot_add", .ternary, .pure, .operand(0), .intVector),
        op(.load, "load", .load, load, .result, .numeric),
        op(.uload8, "uload8", .load, load, .result, .int),
        op(.sload8, "sload8", .load, load, .result, .int),
        op(.uload16, "uload16", .load, load, .result, .int),
        op(.sload16, "sload16", .load, load, .result, .int),
        op(.uload32, "uload32", .load, load, .result, .int),
        op(.sload32, "sload32", .load, load, .result, .int),
        op(.store, "store", .store, store, .operand(0), .numeric),
        op(.istore8, "istore8", .store, store, .operand(0), .int),
        op(.istore16, "istore16", .store, store, .operand(0), .int),
        op(.istore32, "istore32", .store, store, .operand(0), .int),
        op(.sload8x8, "sload8x8", .load, load, .result, .intVector),
        op(.uload8x8, "uload8x8", .load, load, .result, .intVector),
        op(.sload16x4, "sload16x4", .load, load, .result, .intVector),
        op(.uload16x4, "uload16x4", .load, load, .result, .intVector),
        op(.sload32x2, "sload32x2", .load, load, .result, .intVector),
        op(.uload32x2, "uload32x2", .load, load, .result, .intVector),
        op(.loadSplat, "load_splat", .load, load, .result, .vector),
        op(.loadZero, "load_zero", .load, load, .result, .vector),
        op(.loadLane, "load_lane", .memoryLane, load, .operand(0), .vector),
        op(.storeLane, "store_lane", .memoryLane, store, .operand(0), .vector),
        op(.memorySize, "memory_size", .memorySize, .readsMemory),
        op(.memoryGrow, "memory_grow", .memoryGrow, [.readsMemory, .writesMemory]),
        op(.memoryCopy, "memory_copy", .memoryCopy, [.mayTrap, .readsMemory, .writesMemory]),
        op(.memoryFill, "memory_fill", .memoryFill, store),
        op(.memoryInit, "memory_init", .memoryInit, [.mayTrap, .readsMemory, .writesMemory]),
        op(.dataDrop, "data_drop", .segmentDrop, [.readsMemory, .writesMemory]),
        op(.globalGet, "global_get", .globalGet, .readsGlobal),
        op(.globalSet, "global_set", .globalSet, .writesGlobal),
        op(.tableGet, "table_get", .tableGet, [.mayTrap, .readsTable]),
        op(.tableSet, "table_set", .tableSet, [.mayTrap, .writesTable]),
        op(.tableSize, "table_size", .tableSize, .readsTable),
        op(.tableGrow, "table_grow", .tableGrow, [.readsTable, .writesTable]),
        op(.tableInit, "table_init", .tableInit, [.mayTrap, .readsTable, .writesTable]),
        op(.elemDrop, "elem_drop", .segmentDrop, [.readsTable, .writesTable]),
        op(.tableCopy, "table_copy", .tableCopy, [.mayTrap, .readsTable, .writesTable]),
        op(.tableFill, "table_fill", .tableFill, [.mayTrap, .readsTable, .writesTable]),
        op(.refNull, "ref_null", .refNull, .pure, .result, .ref),
        op(.refIsNull, "ref_is_null", .unary, .pure, .operand(0), .ref),
        op(.refFunc, "ref_func", .refFunc),
        op(.call, "call", .call, call),
        op(.callIndirect, "call_indirect", .callIndirect, call),
        op(.callRef, "call_ref", .callRef, call),
        op(.returnCall, "return_call", .call, tail),
        op(.returnCallIndirect, "return_call_indirect", .callIndirect, tail),
        op(.returnCallRef, "return_call_ref", .callRef, tail),
        op(.jump, "jump", .jump, term),
        op(.brif, "brif", .branch, term),
        op(.brTable, "br_table", .branchTable, term),
        op(.return, "return", .return, term),
        op(.trap, "trap", .trap, [.mayTrap, .terminator]),
        op(.trapz, "trapz", .condTrap, trap, .operand(0), .int),
        op(.trapnz, "trapnz", .condTrap, trap, .operand(0), .int),
        op(.unreachable, "unreachable", .nullary, [.mayTrap, .terminator]),
    ]

    static let byName: [String: Opcode] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0.opcode) })
}

/// Integer comparison conditions (`icmp slt v0, v1`).
public enum IntCC: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case eq, ne, slt, sgt, sle, sge, ult, ugt, ule, uge
    static let names = ["eq", "ne", "slt", "sgt", "sle", "sge", "ult", "ugt", "ule", "uge"]
    public var description: String { Self.names[Int(rawValue)] }
    public init?(name: String) {
        guard let i = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: UInt8(i))
    }

    /// The condition with the operands exchanged: `a cc b` holds exactly when `b cc.swapped a` does.
    public var swapped: IntCC {
        switch self {
        case .eq, .ne: self
        case .slt: .sgt
        case .sgt: .slt
        case .sle: .sge
        case .sge: .sle
        case .ult: .ugt
        case .ugt: .ult
        case .ule: .uge
        case .uge: .ule
        }
    }

    /// The condition that holds exactly when this one does not.
    public var inverse: IntCC {
        switch self {
        case .eq: .ne
        case .ne: .eq
        case .slt: .sge
        case .sge: .slt
        case .sgt: .sle
        case .sle: .sgt
        case .ult: .uge
        case .uge: .ult
        case .ugt: .ule
        case .ule: .ugt
        }
    }
}

/// Float comparison conditions (`fcmp lt v0, v1`); all but `ne` are false when an operand is NaN.
public enum FloatCC: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case eq, ne, lt, gt, le, ge
    static let names = ["eq", "ne", "lt", "gt", "le", "ge"]
    public var description: String { Self.names[Int(rawValue)] }
    public init?(name: String) {
        guard let i = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: UInt8(i))
    }

    /// The condition with the operands exchanged: `a cc b` holds exactly when `b cc.swapped a` does.
    /// (There is no `inverse`: with NaN operands, `!(a < b)` is not `a >= b`.)
    public var swapped: FloatCC {
        switch self {
        case .eq, .ne: self
        case .lt: .gt
        case .gt: .lt
        case .le: .ge
        case .ge: .le
        }
    }
}

/// Why execution stopped abnormally; the text names are used by `trap` and `; run: ... traps NAME`.
public enum TrapCode: UInt16, CaseIterable, Sendable, Error, CustomStringConvertible {
    case unreachable, int_divz, int_ovf, bad_toint, heap_oob, table_oob, null_reference, bad_sig, stack_overflow, out_of_fuel, user
    static let names = ["unreachable", "int_divz", "int_ovf", "bad_toint", "heap_oob", "table_oob", "null_reference",
                        "bad_sig", "stack_overflow", "out_of_fuel", "user"]
    public var description: String { Self.names[Int(rawValue)] }
    public init?(name: String) {
        guard let i = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: UInt16(i))
    }
}
