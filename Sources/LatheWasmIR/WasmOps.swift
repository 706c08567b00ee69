import LatheIR
import LatheWasm

/// The correspondence between wasm and IR opcodes for numeric ops, loads and stores: one table,
/// read in both directions (lift: wasm -> IR; lower: IR op + types -> wasm).
enum WasmOps {
    struct Numeric: Sendable {
        var wasm: LatheWasm.Opcode
        var op: LatheIR.Opcode
        var cc: UInt8
        var arg: IRType
        var result: IRType
        var arity: Int
    }
    struct Memory: Sendable {
        var wasm: LatheWasm.Opcode
        var op: LatheIR.Opcode
        var type: IRType
    }
    private static func N(_ w: LatheWasm.Opcode, _ op: LatheIR.Opcode, _ cc: UInt8, _ a: IRType, _ r: IRType, _ arity: Int) -> Numeric {
        Numeric(wasm: w, op: op, cc: cc, arg: a, result: r, arity: arity)
    }
    private static func M(_ w: LatheWasm.Opcode, _ op: LatheIR.Opcode, _ t: IRType) -> Memory { Memory(wasm: w, op: op, type: t) }

    static let numericRows: [Numeric] = [
        N(.i32Eqz, .eqz, 0, .i32, .i32, 1),
        N(.i32Eq, .icmp, IntCC.eq.rawValue, .i32, .i32, 2),
        N(.i32Ne, .icmp, IntCC.ne.rawValue, .i32, .i32, 2),
        N(.i32LtS, .icmp, IntCC.slt.rawValue, .i32, .i32, 2),
        N(.i32LtU, .icmp, IntCC.ult.rawValue, .i32, .i32, 2),
        N(.i32GtS, .icmp, IntCC.sgt.rawValue, .i32, .i32, 2),
        N(.i32GtU, .icmp, IntCC.ugt.rawValue, .i32, .i32, 2),
        N(.i32LeS, .icmp, IntCC.sle.rawValue, .i32, .i32, 2),
        N(.i32LeU, .icmp, IntCC.ule.rawValue, .i32, .i32, 2),
        N(.i32GeS, .icmp, IntCC.sge.rawValue, .i32, .i32, 2),
        N(.i32GeU, .icmp, IntCC.uge.rawValue, .i32, .i32, 2),
        N(.i32Clz, .clz, 0, .i32, .i32, 1),
        N(.i32Ctz, .ctz, 0, .i32, .i32, 1),
        N(.i32Popcnt, .popcnt, 0, .i32, .i32, 1),
        N(.i32Add, .iadd, 0, .i32, .i32, 2),
        N(.i32Sub, .isub, 0, .i32, .i32, 2),
        N(.i32Mul, .imul, 0, .i32, .i32, 2),
        N(.i32DivS, .sdiv, 0, .i32, .i32, 2),
        N(.i32DivU, .udiv, 0, .i32, .i32, 2),
        N(.i32RemS, .srem, 0, .i32, .i32, 2),
        N(.i32RemU, .urem, 0, .i32, .i32, 2),
        N(.i32And, .band, 0, .i32, .i32, 2),
        N(.i32Or, .bor, 0, .i32, .i32, 2),
        N(.i32Xor, .bxor, 0, .i32, .i32, 2),
        N(.i32Shl, .ishl, 0, .i32, .i32, 2),
        N(.i32ShrS, .sshr, 0, .i32, .i32, 2),
        N(.i32ShrU, .ushr, 0, .i32, .i32, 2),
        N(.i32Rotl, .rotl, 0, .i32, .i32, 2),
        N(.i32Rotr, .rotr, 0, .i32, .i32, 2),
        N(.i32Extend8S, .sext8, 0, .i32, .i32, 1),
        N(.i32Extend16S, .sext16, 0, .i32, .i32, 1),
        N(.i64Eqz, .eqz, 0, .i64, .i32, 1),
        N(.i64Eq, .icmp, IntCC.eq.rawValue, .i64, .i32, 2),
        N(.i64Ne, .icmp, IntCC.ne.rawValue, .i64, .i32, 2),
        N(.i64LtS, .icmp, IntCC.slt.rawValue, .i64, .i32, 2),
        N(.i64LtU, .icmp, IntCC.ult.rawValue, .i64, .i32, 2),
        N(.i64GtS, .icmp, IntCC.sgt.rawValue, .i64, .i32, 2),
        N(.i64GtU, .icmp, IntCC.ugt.rawValue, .i64, .i32, 2),
        N(.i64LeS, .icmp, IntCC.sle.rawValue, .i64, .i32, 2),
        N(.i64LeU, .icmp, IntCC.ule.rawValue, .i64, .i32, 2),
        N(.i64GeS, .icmp, IntCC.sge.rawValue, .i64, .i32, 2),
        N(.i64GeU, .icmp, IntCC.uge.rawValue, .i64, .i32, 2),
        N(.i64Clz, .clz, 0, .i64, .i64, 1),
        N(.i64Ctz, .ctz, 0, .i64, .i64, 1),
        N(.i64Popcnt, .popcnt, 0, .i64, .i64, 1),
        N(.i64Add, .iadd, 0, .i64, .i64, 2),
        N(.i64Sub, .isub, 0, .i64, .i64, 2),
        N(.i64Mul, .imul, 0, .i64, .i64, 2),
        N(.i64DivS, .sdiv, 0, .i64, .i64, 2),
        N(.i64DivU, .udiv, 0, .i64, .i64, 2),
        N(.i64RemS, .srem, 0, .i64, .i64, 2),
        N(.i64RemU, .urem, 0, .i64, .i64, 2),
        N(.i64And, .band, 0, .i64, .i64, 2),
        N(.i64Or, .bor, 0, .i64, .i64, 2),
        N(.i64Xor, .bxor, 0, .i64, .i64, 2),
        N(.i64Shl, .ishl, 0, .i64, .i64, 2),
        N(.i64ShrS, .sshr, 0, .i64, .i64, 2),
        N(.i64ShrU, .ushr, 0, .i64, .i64, 2),
        N(.i64Rotl, .rotl, 0, .i64, .i64, 2),
        N(.i64Rotr, .rotr, 0, .i64, .i64, 2),
        N(.i64Extend8S, .sext8, 0, .i64, .i64, 1),
        N(.i64Extend16S, .sext16, 0, .i64, .i64, 1),
        N(.i64Extend32S, .sext32, 0, .i64, .i64, 1),
        N(.f32Eq, .fcmp, FloatCC.eq.rawValue, .f32, .i32, 2),
        N(.f32Ne, .fcmp, FloatCC.ne.rawValue, .f32, .i32, 2),
        N(.f32Lt, .fcmp, FloatCC.lt.rawValue, .f32, .i32, 2),
        N(.f32Gt, .fcmp, FloatCC.gt.rawValue, .f32, .i32, 2),
        N(.f32Le, .fcmp, FloatCC.le.rawValue, .f32, .i32, 2),
        N(.f32Ge, .fcmp, FloatCC.ge.rawValue, .f32, .i32, 2),
        N(.f32Abs, .fabs, 0, .f32, .f32, 1),
        N(.f32Neg, .fneg, 0, .f32, .f32, 1),
        N(.f32Ceil, .ceil, 0, .f32, .f32, 1),
        N(.f32Floor, .floor, 0, .f32, .f32, 1),
        N(.f32Trunc, .trunc, 0, .f32, .f32, 1),
        N(.f32Nearest, .nearest, 0, .f32, .f32, 1),
        N(.f32Sqrt, .sqrt, 0, .f32, .f32, 1),
        N(.f32Add, .fadd, 0, .f32, .f32, 2),
        N(.f32Sub, .fsub, 0, .f32, .f32, 2),
        N(.f32Mul, .fmul, 0, .f32, .f32, 2),
        N(.f32Div, .fdiv, 0, .f32, .f32, 2),
        N(.f32Min, .fmin, 0, .f32, .f32, 2),
        N(.f32Max, .fmax, 0, .f32, .f32, 2),
        N(.f32Copysign, .fcopysign, 0, .f32, .f32, 2),
        N(.f64Eq, .fcmp, FloatCC.eq.rawValue, .f64, .i32, 2),
        N(.f64Ne, .fcmp, FloatCC.ne.rawValue, .f64, .i32, 2),
        N(.f64Lt, .fcmp, FloatCC.lt.rawValue, .f64, .i32, 2),
        N(.f64Gt, .fcmp, FloatCC.gt.rawValue, .f64, .i32, 2),
        N(.f64Le, .fcmp, FloatCC.le.rawValue, .f64, .i32, 2),
        N(.f64Ge, .fcmp, FloatCC.ge.rawValue, .f64, .i32, 2),
        N(.f64Abs, .fabs, 0, .f64, .f64, 1),
        N(.f64Neg, .fneg, 0, .f64, .f64, 1),
        N(.f64Ceil, .ceil, 0, .f64, .f64, 1),
        N(.f64Floor, .floor, 0, .f64, .f64, 1),
        N(.f64Trunc, .trunc, 0, .f64, .f64, 1),
        N(.f64Nearest, .nearest, 0, .f64, .f64, 1),
        N(.f64Sqrt, .sqrt, 0, .f64, .f64, 1),
        N(.f64Add, .fadd, 0, .f64, .f64, 2),
        N(.f64Sub, .fsub, 0, .f64, .f64, 2),
        N(.f64Mul, .fmul, 0, .f64, .f64, 2),
        N(.f64Div, .fdiv, 0, .f64, .f64, 2),
        N(.f64Min, .fmin, 0, .f64, .f64, 2),
        N(.f64Max, .fmax, 0, .f64, .f64, 2),
        N(.f64Copysign, .fcopysign, 0, .f64, .f64, 2),
        N(.i32WrapI64, .ireduce, 0, .i64, .i32, 1),
        N(.i64ExtendI32S, .sextend, 0, .i32, .i64, 1),
        N(.i64ExtendI32U, .uextend, 0, .i32, .i64, 1),
        N(.i32TruncF32S, .fcvtToSint, 0, .f32, .i32, 1),
        N(.i32TruncF32U, .fcvtToUint, 0, .f32, .i32, 1),
        N(.i32TruncSatF32S, .fcvtToSintSat, 0, .f32, .i32, 1),
        N(.i32TruncSatF32U, .fcvtToUintSat, 0, .f32, .i32, 1),
        N(.i32TruncF64S, .fcvtToSint, 0, .f64, .i32, 1),
        N(.i32TruncF64U, .fcvtToUint, 0, .f64, .i32, 1),
        N(.i32TruncSatF64S, .fcvtToSintSat, 0, .f64, .i32, 1),
        N(.i32TruncSatF64U, .fcvtToUintSat, 0, .f64, .i32, 1),
        N(.i64TruncF32S, .fcvtToSint, 0, .f32, .i64, 1),
        N(.i64TruncF32U, .fcvtToUint, 0, .f32, .i64, 1),
        N(.i64TruncSatF32S, .fcvtToSintSat, 0, .f32, .i64, 1),
        N(.i64TruncSatF32U, .fcvtToUintSat, 0, .f32, .i64, 1),
        N(.i64TruncF64S, .fcvtToSint, 0, .f64, .i64, 1),
        N(.i64TruncF64U, .fcvtToUint, 0, .f64, .i64, 1),
        N(.i64TruncSatF64S, .fcvtToSintSat, 0, .f64, .i64, 1),
        N(.i64TruncSatF64U, .fcvtToUintSat, 0, .f64, .i64, 1),
        N(.f32ConvertI32S, .fcvtFromSint, 0, .i32, .f32, 1),
        N(.f32ConvertI32U, .fcvtFromUint, 0, .i32, .f32, 1),
        N(.f32ConvertI64S, .fcvtFromSint, 0, .i64, .f32, 1),
        N(.f32ConvertI64U, .fcvtFromUint, 0, .i64, .f32, 1),
        N(.f64ConvertI32S, .fcvtFromSint, 0, .i32, .f64, 1),
        N(.f64ConvertI32U, .fcvtFromUint, 0, .i32, .f64, 1),
        N(.f64ConvertI64S, .fcvtFromSint, 0, .i64, .f64, 1),
        N(.f64ConvertI64U, .fcvtFromUint, 0, .i64, .f64, 1),
        N(.f32DemoteF64, .fdemote, 0, .f64, .f32, 1),
        N(.f64PromoteF32, .fpromote, 0, .f32, .f64, 1),
        N(.i32ReinterpretF32, .bitcast, 0, .f32, .i32, 1),
        N(.i64ReinterpretF64, .bitcast, 0, .f64, .i64, 1),
        N(.f32ReinterpretI32, .bitcast, 0, .i32, .f32, 1),
        N(.f64ReinterpretI64, .bitcast, 0, .i64, .f64, 1),
    ]
    static let loadRows: [Memory] = [
        M(.i32Load, .load, .i32),
        M(.i64Load, .load, .i64),
        M(.f32Load, .load, .f32),
        M(.f64Load, .load, .f64),
        M(.i32Load8S, .sload8, .i32),
        M(.i32Load8U, .uload8, .i32),
        M(.i32Load16S, .sload16, .i32),
        M(.i32Load16U, .uload16, .i32),
        M(.i64Load8S, .sload8, .i64),
        M(.i64Load8U, .uload8, .i64),
        M(.i64Load16S, .sload16, .i64),
        M(.i64Load16U, .uload16, .i64),
        M(.i64Load32S, .sload32, .i64),
        M(.i64Load32U, .uload32, .i64),
    ]
    static let storeRows: [Memory] = [
        M(.i32Store, .store, .i32),
        M(.i64Store, .store, .i64),
        M(.f32Store, .store, .f32),
        M(.f64Store, .store, .f64),
        M(.i32Store8, .istore8, .i32),
        M(.i32Store16, .istore16, .i32),
        M(.i64Store8, .istore8, .i64),
        M(.i64Store16, .istore16, .i64),
        M(.i64Store32, .istore32, .i64),
    ]

    static let numeric = ByWasmOpcode(numericRows.map { ($0.wasm, $0) })
    static let load = ByWasmOpcode(loadRows.map { ($0.wasm, $0) })
    static let store = ByWasmOpcode(storeRows.map { ($0.wasm, $0) })

    struct NumericKey: Hashable { var op: LatheIR.Opcode; var cc: UInt8; var arg: IRType; var result: IRType }
    struct MemoryKey: Hashable { var op: LatheIR.Opcode; var type: IRType }
    static let numericByIR = ByIROpcode(numericRows.map { (NumericKey(op: $0.op, cc: $0.cc, arg: $0.arg, result: $0.result), $0.wasm) }, opcode: { $0.op })
    static let memoryByIR = ByIROpcode((loadRows + storeRows).map { (MemoryKey(op: $0.op, type: $0.type), $0.wasm) }, opcode: { $0.op })
}

/// Rows by wasm opcode, in an array indexed by the opcode's raw value (no hashing per lifted instruction).
struct ByWasmOpcode<Row: Sendable>: Sendable {
    private var rows: [Row?] = []

    init(_ entries: [(LatheWasm.Opcode, Row)]) {
        for (op, row) in entries {
            let i = Int(op.rawValue)
            if i >= rows.count { rows += Array(repeating: nil, count: i + 1 - rows.count) }
            precondition(rows[i] == nil, "\(op) has two rows")
            rows[i] = row
        }
    }

    subscript(op: LatheWasm.Opcode) -> Row? { Int(op.rawValue) < rows.count ? rows[Int(op.rawValue)] : nil }
}

/// Wasm opcodes by IR key, bucketed by IR opcode and searched linearly (a few rows per IR opcode).
struct ByIROpcode<Key: Equatable & Sendable>: Sendable {
    private var buckets: [[(Key, LatheWasm.Opcode)]] = []
    private let opcode: @Sendable (Key) -> LatheIR.Opcode

    init(_ entries: [(Key, LatheWasm.Opcode)], opcode: @escaping @Sendable (Key) -> LatheIR.Opcode) {
        self.opcode = opcode
        for (key, w) in entries {
            let i = Int(opcode(key).rawValue)
            if i >= buckets.count { buckets += Array(repeating: [], count: i + 1 - buckets.count) }
            precondition(!buckets[i].contains { $0.0 == key }, "two rows for one IR key")
            buckets[i].append((key, w))
        }
    }

    subscript(key: Key) -> LatheWasm.Opcode? {
        let i = Int(opcode(key).rawValue)
        guard i < buckets.count else { return nil }
        for (k, w) in buckets[i] where k == key { return w }
        return nil
    }
}
