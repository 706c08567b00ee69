import LatheEntity

/// What type an operand must have.
public enum OperandExpectation: Sendable, Equatable, CustomStringConvertible {
    case type(IRType)
    case typeClass(TypeClass)
    /// A scalar or vector of `laneCount` lanes of this class (vector conversions keep lane count).
    case lanes(TypeClass, laneCount: Int)
    /// Any numeric type of this many bits (`bitcast`).
    case bits(Int)

    public func accepts(_ t: IRType) -> Bool {
        switch self {
        case .type(let e): t.isSubtype(of: e)
        case .typeClass(let c): c.accepts(t)
        case .lanes(let c, let n): c.accepts(t) && t.laneCount == n
        case .bits(let n): !t.isRef && t.bits == n
        }
    }

    public var description: String {
        switch self {
        case .type(let t): "\(t)"
        case .typeClass(let c): c.description
        case .lanes(let c, let n): n == 1 ? c.description : "\(c.description) with \(n) lanes"
        case .bits(let n): "a \(n)-bit numeric type"
        }
    }
}

/// Operand and result types of one instruction, derived from its opcode and controlling type.
public struct InstTyping: Sendable {
    public var operands: [OperandExpectation]
    public var results: [IRType]
}

/// Why an instruction's types cannot be worked out; `operand` is the index of the culprit, if one.
public struct TypingError: Error, Sendable {
    public var message: String
    public var operand: Int?
}

extension Function {
    /// The controlling type of an instruction already in the DFG (operand or first result type).
    public func controlType(of inst: Inst) -> IRType? {
        let d = dfg[inst]
        switch d.opcode.control {
        case .none: return nil
        case .result: return dfg.firstResult(inst).map { dfg.type(of: $0) }
        case .operand(let n):
            let ops = dfg.valueOperands(inst)
            return n < ops.count && dfg.isValid(ops[n]) ? dfg.type(of: ops[n]) : nil
        }
    }

    /// Operand expectations and result types of `data` given its controlling type `ctrl`.
    ///
    /// Branch operands are expected to match the destination blocks' parameters.
    @inline(__always)
    public func typing(of data: InstructionData, ctrl: IRType?) throws(TypingError) -> InstTyping {
        let op = data.opcode
        var t = IRType.i32
        if op.control != .none {
            guard let c = ctrl else { throw TypingError(message: "\(op.name) needs a type", operand: nil) }
            guard op.accepts.accepts(c) else {
                let culprit: Int? = if case .operand(let n) = op.control { n } else { nil }
                throw TypingError(message: "\(op.name) does not accept \(c); expected \(op.accepts.description)", operand: culprit)
            }
            t = c
        }
        func same(_ n: Int) -> InstTyping { InstTyping(operands: Array(repeating: .type(t), count: n), results: [t]) }
        func fail(_ m: String, _ operand: Int? = nil) -> TypingError { TypingError(message: m, operand: operand) }
        func memory(_ m: MemoryRef) throws(TypingError) -> MemoryDecl {
            guard memories.isValid(m) else { throw fail("\(m) is not declared") }
            return memories[m]
        }
        func table(_ r: UInt32) throws(TypingError) -> TableDecl {
            let tr = TableRef(index: Int(r))
            guard tables.isValid(tr) else { throw fail("\(tr) is not declared") }
            return tables[tr]
        }
        func sig(_ r: UInt32) throws(TypingError) -> Signature {
            let s = SigRef(index: Int(r))
            guard signatures.isValid(s) else { throw fail("\(s) is not declared") }
            return signatures[s]
        }
        func blockArgs(_ call: ValueList) throws(TypingError) -> [OperandExpectation] {
            let b = dfg.blockCallTarget(call)
            guard dfg.isValid(b) else { throw fail("\(b) does not exist") }
            return dfg.params(b).map { .type(dfg.type(of: $0)) }
        }

        switch op {
        case .iconst, .fconst, .vconst, .refNull:
            if op == .refNull, t.kind == .typedRef { throw fail("ref_null needs a nullable reference type, not \(t)") }
            return InstTyping(operands: [], results: [t])
        case .iadd, .isub, .imul, .sdiv, .udiv, .srem, .urem, .band, .bor, .bxor, .bandNot,
             .smin, .smax, .umin, .umax, .saddSat, .uaddSat, .ssubSat, .usubSat, .avgrU,
             .fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .fcopysign:
            return same(2)
        case .ishl, .sshr, .ushr, .rotl, .rotr:
            return InstTyping(operands: [.type(t), .type(t.isVector ? .i32 : t)], results: [t])
        case .bnot, .clz, .ctz, .popcnt, .ineg, .iabs, .sqrt, .fneg, .fabs, .ceil, .floor, .trunc, .nearest, .sext8, .sext16:
            return same(1)
        case .sext32:
            guard t == .i64 else { throw fail("sext32 needs i64, not \(t)", 0) }
            return same(1)
        case .eqz, .refIsNull:
            return InstTyping(operands: [.type(t)], results: [.i32])
        case .icmp, .fcmp:
            return InstTyping(operands: [.type(t), .type(t)], results: [t.isVector ? t.asIntShape : .i32])
        case .sextend, .uextend:
            guard t == .i64 else { throw fail("\(op.name) produces i64, not \(t)") }
            return InstTyping(operands: [.type(.i32)], results: [t])
        case .ireduce:
            guard t == .i32 else { throw fail("ireduce produces i32, not \(t)") }
            return InstTyping(operands: [.type(.i64)], results: [t])
        case .fcvtToSint, .fcvtToUint:
            return InstTyping(operands: [.typeClass(.float)], results: [t])
        case .fcvtToSintSat, .fcvtToUintSat:
            return InstTyping(operands: [.lanes(.floatLike, laneCount: t.laneCount)], results: [t])
        case .fcvtFromSint, .fcvtFromUint:
            return InstTyping(operands: [.lanes(.intLike, laneCount: t.laneCount)], results: [t])
        case .fpromote:
            guard t == .f64 else { throw fail("fpromote produces f64, not \(t)") }
            return InstTyping(operands: [.type(.f32)], results: [t])
        case .fdemote:
            guard t == .f32 else { throw fail("fdemote produces f32, not \(t)") }
            return InstTyping(operands: [.type(.f64)], results: [t])
        case .bitcast:
            return InstTyping(operands: [.bits(t.bits)], results: [t])
        case .select:
            return InstTyping(operands: [.type(.i32), .type(t), .type(t)], results: [t])
        case .bitselect:
            return same(3)
        case .splat:
            return InstTyping(operands: [.type(t.laneType)], results: [t])
        case .extractlane, .sextractlane:
            guard data.lane < t.laneCount else { throw fail("lane \(data.lane) out of range for \(t)") }
            return InstTyping(operands: [.type(t)], results: [t.laneType])
        case .insertlane:
            guard data.lane < t.laneCount else { throw fail("lane \(data.lane) out of range for \(t)") }
            return InstTyping(operands: [.type(t), .type(t.laneType)], results: [t])
        case .shuffle:
            let mask = ConstRef(index: Int(data.c))
            guard dfg.constants.isValid(mask), dfg.constants[mask].count == t.bytes else {
                throw fail("shuffle mask must have \(t.bytes) lanes")
            }
            guard dfg.constants[mask].allSatisfy({ Int($0) < 2 * t.bytes }) else { throw fail("shuffle lane index out of range") }
            return same(2)
        case .vanyTrue, .vallTrue, .vbitmask:
            return InstTyping(operands: [.type(t)], results: [.i32])
        case .swizzle, .snarrow, .unarrow, .swidenLow, .swidenHigh, .uwidenLow, .uwidenHigh, .sextmulLow, .sextmulHigh,
             .uextmulLow, .uextmulHigh, .sextaddPairwise, .uextaddPairwise, .sdot, .q15mulrSat, .fminPseudo, .fmaxPseudo,
             .fcvtToSintSatZero, .fcvtToUintSatZero, .fcvtFromSintLow, .fcvtFromUintLow, .fdemoteZero, .fpromoteLow,
             .relaxedSwizzle, .relaxedFcvtToSint, .relaxedFcvtToUint, .relaxedFcvtToSintZero, .relaxedFcvtToUintZero,
             .relaxedMadd, .relaxedNmadd, .relaxedLaneselect, .relaxedFmin, .relaxedFmax, .relaxedQ15mulr, .relaxedDot, .relaxedDotAdd:
            return try vectorTyping(op, t)
        case .load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32:
            let m = try memory(data.memory)
            let width = Self.accessBytes(op, t)
            if (op == .uload32 || op == .sload32) && t != .i64 { throw fail("\(op.name) produces i64, not \(t)") }
            guard 1 << data.log2Align <= width else { throw fail("alignment \(1 << data.log2Align) exceeds access width \(width)") }
            return InstTyping(operands: [.type(m.addressType)], results: [t])
        case .sload8x8, .uload8x8, .sload16x4, .uload16x4, .sload32x2, .uload32x2, .loadSplat, .loadZero:
            let m = try memory(data.memory)
            let width = Self.accessBytes(op, t)
            if let source = Self.extendingLoadLaneBits(op), t != IRType.i8x16.withLanes(bits: source * 2, float: false) {
                throw fail("\(op.name) produces \(IRType.i8x16.withLanes(bits: source * 2, float: false)!), not \(t)")
            }
            guard 1 << data.log2Align <= width else { throw fail("alignment \(1 << data.log2Align) exceeds access width \(width)") }
            return InstTyping(operands: [.type(m.addressType)], results: [t])
        case .loadLane, .storeLane:
            let m = try memory(data.memory)
            let width = Self.accessBytes(op, t)
            guard data.memoryLane < t.laneCount else { throw fail("lane \(data.memoryLane) out of range for \(t)") }
            guard 1 << data.log2Align <= width else { throw fail("alignment \(1 << data.log2Align) exceeds access width \(width)") }
            return InstTyping(operands: [.type(t), .type(m.addressType)], results: op == .loadLane ? [t] : [])
        case .store, .istore8, .istore16, .istore32:
            let m = try memory(data.memory)
            let width = Self.accessBytes(op, t)
            if op == .istore32 && t != .i64 { throw fail("istore32 stores an i64, not \(t)", 0) }
            guard 1 << data.log2Align <= width else { throw fail("alignment \(1 << data.log2Align) exceeds access width \(width)") }
            return InstTyping(operands: [.type(t), .type(m.addressType)], results: [])
        case .memorySize:
            return InstTyping(operands: [], results: [try memory(data.memory).addressType])
        case .memoryGrow:
            let a = try memory(data.memory).addressType
            return InstTyping(operands: [.type(a)], results: [a])
        case .memoryCopy:
            let dst = try memory(data.memory).addressType
            let src = try memory(MemoryRef(index: Int(data.imm8))).addressType
            return InstTyping(operands: [.type(dst), .type(src), .type(dst == src ? dst : .i32)], results: [])
        case .memoryFill:
            let a = try memory(data.memory).addressType
            return InstTyping(operands: [.type(a), .type(.i32), .type(a)], results: [])
        case .memoryInit:
            let a = try memory(MemoryRef(index: Int(data.imm8))).addressType
            return InstTyping(operands: [.type(a), .type(.i32), .type(.i32)], results: [])
        case .dataDrop, .elemDrop:
            return InstTyping(operands: [], results: [])
        case .tableInit:
            _ = try table(UInt32(data.imm8))
            return InstTyping(operands: [.type(.i32), .type(.i32), .type(.i32)], results: [])
        case .tableCopy:
            let dst = try table(UInt32(data.imm16)), src = try table(UInt32(data.imm8))
            guard dst.elementType == src.elementType else { throw fail("table_copy from \(src.elementType) into \(dst.elementType)") }
            return InstTyping(operands: [.type(.i32), .type(.i32), .type(.i32)], results: [])
        case .tableFill:
            return InstTyping(operands: [.type(.i32), .type(try table(UInt32(data.imm16)).elementType), .type(.i32)], results: [])
        case .globalGet, .globalSet:
            let g = GlobalRef(index: Int(data.a))
            guard globals.isValid(g) else { throw fail("\(g) is not declared") }
            if op == .globalGet { return InstTyping(operands: [], results: [globals[g].type]) }
            guard globals[g].isMutable else { throw fail("\(g) is immutable") }
            return InstTyping(operands: [.type(globals[g].type)], results: [])
        case .tableGet:
            return InstTyping(operands: [.type(.i32)], results: [try table(data.a).elementType])
        case .tableSet:
            return InstTyping(operands: [.type(.i32), .type(try table(data.a).elementType)], results: [])
        case .tableSize:
            _ = try table(data.a)
            return InstTyping(operands: [], results: [.i32])
        case .tableGrow:
            return InstTyping(operands: [.type(try table(data.a).elementType), .type(.i32)], results: [.i32])
        case .refFunc:
            guard functionRefs.isValid(FuncRef(index: Int(data.a))) else { throw fail("fn\(data.a) is not declared") }
            return InstTyping(operands: [], results: [.funcref])
        case .call, .returnCall:
            let f = FuncRef(index: Int(data.a))
            guard functionRefs.isValid(f) else { throw fail("\(f) is not declared") }
            let s = try sig(UInt32(functionRefs[f].signature.index))
            return InstTyping(operands: s.params.map { .type($0) }, results: op == .call ? s.results : [])
        case .callIndirect, .returnCallIndirect:
            let s = try sig(data.a)
            let tb = try table(data.c)
            guard tb.elementType == .funcref || tb.elementType.isRef && tb.elementType.kind != .externref else {
                throw fail("call_indirect needs a table of functions, not \(tb.elementType)")
            }
            return InstTyping(operands: [.type(.i32)] + s.params.map { .type($0) }, results: op == .callIndirect ? s.results : [])
        case .callRef, .returnCallRef:
            let s = try sig(data.a)
            return InstTyping(operands: [.typeClass(.ref)] + s.params.map { .type($0) }, results: op == .callRef ? s.results : [])
        case .jump:
            return InstTyping(operands: try blockArgs(ValueList(handle: data.a)), results: [])
        case .brif:
            return InstTyping(operands: [.typeClass(.int)] + (try blockArgs(ValueList(handle: data.b))) + (try blockArgs(ValueList(handle: data.c))), results: [])
        case .brTable:
            let jt = JumpTableRef(index: Int(data.b))
            guard dfg.jumpTables.isValid(jt) else { throw fail("\(jt) does not exist") }
            var ops: [OperandExpectation] = [.type(.i32)]
            for call in dfg.jumpTables[jt] { ops += try blockArgs(call) }
            return InstTyping(operands: ops, results: [])
        case .return:
            return InstTyping(operands: signature.results.map { .type($0) }, results: [])
        case .trap, .unreachable:
            return InstTyping(operands: [], results: [])
        case .trapz, .trapnz:
            return InstTyping(operands: [.type(t)], results: [])
        }
    }

    /// Bytes a load or store touches.
    public static func accessBytes(_ op: Opcode, _ t: IRType) -> Int {
        switch op {
        case .uload8, .sload8, .istore8: 1
        case .uload16, .sload16, .istore16: 2
        case .uload32, .sload32, .istore32: 4
        case .sload8x8, .uload8x8, .sload16x4, .uload16x4, .sload32x2, .uload32x2: 8
        case .loadSplat, .loadZero, .loadLane, .storeLane: t.laneBits / 8
        default: t.bytes
        }
    }

    /// Lane width in memory of a vector extending load (`sload8x8`: 8), nil for other ops.
    public static func extendingLoadLaneBits(_ op: Opcode) -> Int? {
        switch op {
        case .sload8x8, .uload8x8: 8
        case .sload16x4, .uload16x4: 16
        case .sload32x2, .uload32x2: 32
        default: nil
        }
    }

    /// Operand and result types of the wasm SIMD lane-shape and relaxed ops, controlled by the first operand's type `t`.
    func vectorTyping(_ op: Opcode, _ t: IRType) throws(TypingError) -> InstTyping {
        let name = op.info.name
        func need(_ ok: Bool, _ what: String) throws(TypingError) {
            if !ok { throw TypingError(message: "\(name) needs \(what), not \(t)", operand: 0) }
        }
        func shape(_ r: IRType?, _ what: String) throws(TypingError) -> IRType {
            guard let r else { throw TypingError(message: "\(name) needs \(what), not \(t)", operand: 0) }
            return r
        }
        switch op {
        case .swizzle, .relaxedSwizzle:
            try need(t.laneBits == 8, "8-bit lanes")
            return InstTyping(operands: [.type(t), .type(t)], results: [t])
        case .snarrow, .unarrow:
            let r = try shape(t.laneBits >= 16 ? t.narrowedIntLanes : nil, "lanes of 16 bits or more")
            return InstTyping(operands: [.type(t), .type(t)], results: [r])
        case .swidenLow, .swidenHigh, .uwidenLow, .uwidenHigh, .sextaddPairwise, .uextaddPairwise:
            return InstTyping(operands: [.type(t)], results: [try shape(t.widenedIntLanes, "lanes of 32 bits or less")])
        case .sextmulLow, .sextmulHigh, .uextmulLow, .uextmulHigh:
            return InstTyping(operands: [.type(t), .type(t)], results: [try shape(t.widenedIntLanes, "lanes of 32 bits or less")])
        case .sdot:
            try need(t.laneBits == 16, "16-bit lanes")
            return InstTyping(operands: [.type(t), .type(t)], results: [t.widenedIntLanes!])
        case .q15mulrSat, .relaxedQ15mulr:
            try need(t.laneBits == 16, "16-bit lanes")
            return InstTyping(operands: [.type(t), .type(t)], results: [t])
        case .fminPseudo, .fmaxPseudo, .relaxedFmin, .relaxedFmax:
            return InstTyping(operands: [.type(t), .type(t)], results: [t])
        case .relaxedMadd, .relaxedNmadd, .relaxedLaneselect:
            return InstTyping(operands: [.type(t), .type(t), .type(t)], results: [t])
        case .fcvtToSintSatZero, .fcvtToUintSatZero, .relaxedFcvtToSintZero, .relaxedFcvtToUintZero:
            try need(t.laneBits == 64, "64-bit float lanes")
            return InstTyping(operands: [.type(t)], results: [t.withLanes(bits: 32, float: false)!])
        case .relaxedFcvtToSint, .relaxedFcvtToUint:
            return InstTyping(operands: [.type(t)], results: [t.asIntShape])
        case .fcvtFromSintLow, .fcvtFromUintLow:
            try need(t.laneBits == 32, "32-bit integer lanes")
            return InstTyping(operands: [.type(t)], results: [t.withLanes(bits: 64, float: true)!])
        case .fdemoteZero:
            try need(t.laneBits == 64, "64-bit float lanes")
            return InstTyping(operands: [.type(t)], results: [t.withLanes(bits: 32, float: true)!])
        case .fpromoteLow:
            try need(t.laneBits == 32, "32-bit float lanes")
            return InstTyping(operands: [.type(t)], results: [t.withLanes(bits: 64, float: true)!])
        case .relaxedDot:
            try need(t.laneBits == 8, "8-bit lanes")
            return InstTyping(operands: [.type(t), .type(t)], results: [t.widenedIntLanes!])
        case .relaxedDotAdd:
            try need(t.laneBits == 8, "8-bit lanes")
            let acc = t.withLanes(bits: 32, float: false)!
            return InstTyping(operands: [.type(t), .type(t), .type(acc)], results: [acc])
        default:
            preconditionFailure("\(name) is not a vector shape op")
        }
    }
}

/// The results of an instruction as far as the builder's fast path can tell them (see `quickResults`).
enum QuickResults {
    case none
    case one(IRType)
    /// Not covered, or `typing(of:ctrl:)` would report an error: ask it.
    case slow
}

extension Function {
    /// The result types `typing(of:ctrl:)` gives for the common scalar ops, without its arrays.
    ///
    /// Every check `typing` makes on these ops is repeated; when one fails the answer is `.slow`,
    /// so the caller gets `typing`'s own error.
    @inline(__always)
    func quickResults(of data: InstructionData, ctrl: IRType?) -> QuickResults {
        let op = data.opcode
        var t = IRType.i32
        if op.control != .none {
            guard let c = ctrl, op.accepts.accepts(c) else { return .slow }
            t = c
        }
        func access(_ width: Int) -> Bool { memories.isValid(data.memory) && 1 << data.log2Align <= width }
        switch op {
        case .iconst, .fconst, .vconst:
            return .one(t)
        case .iadd, .isub, .imul, .sdiv, .udiv, .srem, .urem, .band, .bor, .bxor, .bandNot,
             .smin, .smax, .umin, .umax, .saddSat, .uaddSat, .ssubSat, .usubSat, .avgrU,
             .fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .fcopysign,
             .ishl, .sshr, .ushr, .rotl, .rotr,
             .bnot, .clz, .ctz, .popcnt, .ineg, .iabs, .sqrt, .fneg, .fabs, .ceil, .floor, .trunc, .nearest, .sext8, .sext16,
             .fcvtToSint, .fcvtToUint, .fcvtToSintSat, .fcvtToUintSat, .fcvtFromSint, .fcvtFromUint, .bitcast, .select, .bitselect:
            return .one(t)
        case .sext32, .sextend, .uextend: return t == .i64 ? .one(t) : .slow
        case .ireduce: return t == .i32 ? .one(t) : .slow
        case .fpromote: return t == .f64 ? .one(t) : .slow
        case .fdemote: return t == .f32 ? .one(t) : .slow
        case .eqz, .refIsNull: return .one(.i32)
        case .icmp, .fcmp: return .one(t.isVector ? t.asIntShape : .i32)
        case .load, .uload8, .sload8, .uload16, .sload16:
            return access(Self.accessBytes(op, t)) ? .one(t) : .slow
        case .uload32, .sload32:
            return t == .i64 && access(4) ? .one(t) : .slow
        case .store, .istore8, .istore16:
            return access(Self.accessBytes(op, t)) ? .none : .slow
        case .istore32:
            return t == .i64 && access(4) ? .none : .slow
        case .globalGet, .globalSet:
            let g = GlobalRef(index: Int(data.a))
            guard globals.isValid(g) else { return .slow }
            if op == .globalGet { return .one(globals[g].type) }
            return globals[g].isMutable ? .none : .slow
        case .jump:
            return dfg.isValid(dfg.blockCallTarget(ValueList(handle: data.a))) ? .none : .slow
        case .brif:
            return dfg.isValid(dfg.blockCallTarget(ValueList(handle: data.b))) && dfg.isValid(dfg.blockCallTarget(ValueList(handle: data.c))) ? .none : .slow
        case .return, .trap, .unreachable, .trapz, .trapnz:
            return .none
        default:
            return .slow
        }
    }
}
