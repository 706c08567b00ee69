import LatheIR
import LatheWasm

/// The correspondence between wasm SIMD / relaxed SIMD instructions and IR ops, read both ways.
///
/// Wasm's v128 is untyped; in IR every v128 value in a local, parameter, result or block
/// parameter has type `WasmOps.v128`, and lane-shaped ops see their operands through no-op
/// vector bitcasts (which the lowerer erases).
extension WasmOps {
    /// The IR type of wasm v128 values.
    static let v128: IRType = .i8x16

    /// A SIMD instruction that is one IR op: operand types (vectors in their lane shape) and result type.
    struct Vector: Sendable {
        var wasm: LatheWasm.Opcode
        var op: LatheIR.Opcode
        var cc: UInt8
        var operands: [IRType]
        var result: IRType
    }
    /// A lane access (`extract_lane`, `replace_lane`) or vector memory access with its vector type.
    struct VectorShaped: Sendable {
        var wasm: LatheWasm.Opcode
        var op: LatheIR.Opcode
        var type: IRType
    }

    private static let i8: IRType = .i8x16, i16: IRType = .i16x8, i32: IRType = .i32x4, i64: IRType = .i64x2
    private static let f32: IRType = .f32x4, f64: IRType = .f64x2

    private static func un(_ w: LatheWasm.Opcode, _ op: LatheIR.Opcode, _ t: IRType, _ r: IRType? = nil) -> Vector {
        Vector(wasm: w, op: op, cc: 0, operands: [t], result: r ?? t)
    }
    private static func bin(_ w: LatheWasm.Opcode, _ op: LatheIR.Opcode, _ t: IRType, _ r: IRType? = nil) -> Vector {
        Vector(wasm: w, op: op, cc: 0, operands: [t, t], result: r ?? t)
    }
    private static func tern(_ w: LatheWasm.Opcode, _ op: LatheIR.Opcode, _ t: IRType) -> Vector {
        Vector(wasm: w, op: op, cc: 0, operands: [t, t, t], result: t)
    }
    private static func shift(_ w: LatheWasm.Opcode, _ op: LatheIR.Opcode, _ t: IRType) -> Vector {
        Vector(wasm: w, op: op, cc: 0, operands: [t, .i32], result: t)
    }
    private static func icmp(_ w: LatheWasm.Opcode, _ cc: IntCC, _ t: IRType) -> Vector {
        Vector(wasm: w, op: .icmp, cc: cc.rawValue, operands: [t, t], result: t)
    }
    private static func fcmp(_ w: LatheWasm.Opcode, _ cc: FloatCC, _ t: IRType) -> Vector {
        Vector(wasm: w, op: .fcmp, cc: cc.rawValue, operands: [t, t], result: t.asIntShape)
    }
    private static func test(_ w: LatheWasm.Opcode, _ op: LatheIR.Opcode, _ t: IRType) -> Vector { un(w, op, t, .i32) }
    private static func splat(_ w: LatheWasm.Opcode, _ scalar: IRType, _ t: IRType) -> Vector { un(w, .splat, scalar, t) }

    /// Integer lane ops every shape has: add, sub, neg, abs, shifts, all_true, bitmask.
    private static func intCommon(_ t: IRType, add: LatheWasm.Opcode, sub: LatheWasm.Opcode, neg: LatheWasm.Opcode, abs: LatheWasm.Opcode,
                                  shl: LatheWasm.Opcode, shrS: LatheWasm.Opcode, shrU: LatheWasm.Opcode,
                                  allTrue: LatheWasm.Opcode, bitmask: LatheWasm.Opcode) -> [Vector] {
        [bin(add, .iadd, t), bin(sub, .isub, t), un(neg, .ineg, t), un(abs, .iabs, t),
         shift(shl, .ishl, t), shift(shrS, .sshr, t), shift(shrU, .ushr, t),
         test(allTrue, .vallTrue, t), test(bitmask, .vbitmask, t)]
    }

    /// The ten integer compares of i8x16, i16x8 and i32x4, in wasm's order (eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u).
    private static func intCompares(_ t: IRType, _ ops: [LatheWasm.Opcode]) -> [Vector] {
        let ccs: [IntCC] = [.eq, .ne, .slt, .ult, .sgt, .ugt, .sle, .ule, .sge, .uge]
        return zip(ops, ccs).map { icmp($0, $1, t) }
    }

    /// Float lane ops of f32x4 and f64x2, in the order abs neg sqrt add sub mul div min max pmin pmax ceil floor trunc nearest
    /// eq ne lt gt le ge relaxed_min relaxed_max relaxed_madd relaxed_nmadd.
    private static func floatOps(_ t: IRType, _ ops: [LatheWasm.Opcode]) -> [Vector] {
        let unary: [LatheIR.Opcode] = [.fabs, .fneg, .sqrt]
        let binary: [LatheIR.Opcode] = [.fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .fminPseudo, .fmaxPseudo]
        let rounding: [LatheIR.Opcode] = [.ceil, .floor, .trunc, .nearest]
        let ccs: [FloatCC] = [.eq, .ne, .lt, .gt, .le, .ge]
        var out: [Vector] = []
        var k = 0
        for op in unary { out.append(un(ops[k], op, t)); k += 1 }
        for op in binary { out.append(bin(ops[k], op, t)); k += 1 }
        for op in rounding { out.append(un(ops[k], op, t)); k += 1 }
        for cc in ccs { out.append(fcmp(ops[k], cc, t)); k += 1 }
        out.append(bin(ops[k], .relaxedFmin, t)); out.append(bin(ops[k + 1], .relaxedFmax, t))
        out.append(tern(ops[k + 2], .relaxedMadd, t)); out.append(tern(ops[k + 3], .relaxedNmadd, t))
        return out
    }

    static let vectorRows: [Vector] = {
        var rows: [Vector] = [
            splat(.i8x16Splat, .i32, i8), splat(.i16x8Splat, .i32, i16), splat(.i32x4Splat, .i32, i32),
            splat(.i64x2Splat, .i64, i64), splat(.f32x4Splat, .f32, f32), splat(.f64x2Splat, .f64, f64),
            un(.v128Not, .bnot, v128), bin(.v128And, .band, v128), bin(.v128Andnot, .bandNot, v128),
            bin(.v128Or, .bor, v128), bin(.v128Xor, .bxor, v128), tern(.v128Bitselect, .bitselect, v128),
            test(.v128AnyTrue, .vanyTrue, v128),
            bin(.i8x16Swizzle, .swizzle, i8), bin(.i8x16RelaxedSwizzle, .relaxedSwizzle, i8),
            un(.i8x16Popcnt, .popcnt, i8),
            bin(.i8x16NarrowI16x8S, .snarrow, i16, i8), bin(.i8x16NarrowI16x8U, .unarrow, i16, i8),
            bin(.i16x8NarrowI32x4S, .snarrow, i32, i16), bin(.i16x8NarrowI32x4U, .unarrow, i32, i16),
            bin(.i64x2Mul, .imul, i64), bin(.i32x4Mul, .imul, i32), bin(.i16x8Mul, .imul, i16),
            bin(.i16x8Q15mulrSatS, .q15mulrSat, i16), bin(.i16x8RelaxedQ15mulrS, .relaxedQ15mulr, i16),
            bin(.i32x4DotI16x8S, .sdot, i16, i32),
            bin(.i16x8RelaxedDotI8x16I7x16S, .relaxedDot, i8, i16),
            Vector(wasm: .i32x4RelaxedDotI8x16I7x16AddS, op: .relaxedDotAdd, cc: 0, operands: [i8, i8, i32], result: i32),
            tern(.i8x16RelaxedLaneselect, .relaxedLaneselect, i8), tern(.i16x8RelaxedLaneselect, .relaxedLaneselect, i16),
            tern(.i32x4RelaxedLaneselect, .relaxedLaneselect, i32), tern(.i64x2RelaxedLaneselect, .relaxedLaneselect, i64),
            un(.f32x4DemoteF64x2Zero, .fdemoteZero, f64, f32), un(.f64x2PromoteLowF32x4, .fpromoteLow, f32, f64),
            un(.i32x4TruncSatF32x4S, .fcvtToSintSat, f32, i32), un(.i32x4TruncSatF32x4U, .fcvtToUintSat, f32, i32),
            un(.f32x4ConvertI32x4S, .fcvtFromSint, i32, f32), un(.f32x4ConvertI32x4U, .fcvtFromUint, i32, f32),
            un(.i32x4TruncSatF64x2SZero, .fcvtToSintSatZero, f64, i32), un(.i32x4TruncSatF64x2UZero, .fcvtToUintSatZero, f64, i32),
            un(.f64x2ConvertLowI32x4S, .fcvtFromSintLow, i32, f64), un(.f64x2ConvertLowI32x4U, .fcvtFromUintLow, i32, f64),
            un(.i32x4RelaxedTruncF32x4S, .relaxedFcvtToSint, f32, i32), un(.i32x4RelaxedTruncF32x4U, .relaxedFcvtToUint, f32, i32),
            un(.i32x4RelaxedTruncF64x2SZero, .relaxedFcvtToSintZero, f64, i32),
            un(.i32x4RelaxedTruncF64x2UZero, .relaxedFcvtToUintZero, f64, i32),
            // widening: extend, extmul, extadd_pairwise
            un(.i16x8ExtendLowI8x16S, .swidenLow, i8, i16), un(.i16x8ExtendHighI8x16S, .swidenHigh, i8, i16),
            un(.i16x8ExtendLowI8x16U, .uwidenLow, i8, i16), un(.i16x8ExtendHighI8x16U, .uwidenHigh, i8, i16),
            un(.i32x4ExtendLowI16x8S, .swidenLow, i16, i32), un(.i32x4ExtendHighI16x8S, .swidenHigh, i16, i32),
            un(.i32x4ExtendLowI16x8U, .uwidenLow, i16, i32), un(.i32x4ExtendHighI16x8U, .uwidenHigh, i16, i32),
            un(.i64x2ExtendLowI32x4S, .swidenLow, i32, i64), un(.i64x2ExtendHighI32x4S, .swidenHigh, i32, i64),
            un(.i64x2ExtendLowI32x4U, .uwidenLow, i32, i64), un(.i64x2ExtendHighI32x4U, .uwidenHigh, i32, i64),
            bin(.i16x8ExtmulLowI8x16S, .sextmulLow, i8, i16), bin(.i16x8ExtmulHighI8x16S, .sextmulHigh, i8, i16),
            bin(.i16x8ExtmulLowI8x16U, .uextmulLow, i8, i16), bin(.i16x8ExtmulHighI8x16U, .uextmulHigh, i8, i16),
            bin(.i32x4ExtmulLowI16x8S, .sextmulLow, i16, i32), bin(.i32x4ExtmulHighI16x8S, .sextmulHigh, i16, i32),
            bin(.i32x4ExtmulLowI16x8U, .uextmulLow, i16, i32), bin(.i32x4ExtmulHighI16x8U, .uextmulHigh, i16, i32),
            bin(.i64x2ExtmulLowI32x4S, .sextmulLow, i32, i64), bin(.i64x2ExtmulHighI32x4S, .sextmulHigh, i32, i64),
            bin(.i64x2ExtmulLowI32x4U, .uextmulLow, i32, i64), bin(.i64x2ExtmulHighI32x4U, .uextmulHigh, i32, i64),
            un(.i16x8ExtaddPairwiseI8x16S, .sextaddPairwise, i8, i16), un(.i16x8ExtaddPairwiseI8x16U, .uextaddPairwise, i8, i16),
            un(.i32x4ExtaddPairwiseI16x8S, .sextaddPairwise, i16, i32), un(.i32x4ExtaddPairwiseI16x8U, .uextaddPairwise, i16, i32),
            // i64x2 compares (signed only)
            icmp(.i64x2Eq, .eq, i64), icmp(.i64x2Ne, .ne, i64), icmp(.i64x2LtS, .slt, i64),
            icmp(.i64x2GtS, .sgt, i64), icmp(.i64x2LeS, .sle, i64), icmp(.i64x2GeS, .sge, i64),
        ]
        rows += intCommon(i8, add: .i8x16Add, sub: .i8x16Sub, neg: .i8x16Neg, abs: .i8x16Abs, shl: .i8x16Shl, shrS: .i8x16ShrS,
                          shrU: .i8x16ShrU, allTrue: .i8x16AllTrue, bitmask: .i8x16Bitmask)
        rows += intCommon(i16, add: .i16x8Add, sub: .i16x8Sub, neg: .i16x8Neg, abs: .i16x8Abs, shl: .i16x8Shl, shrS: .i16x8ShrS,
                          shrU: .i16x8ShrU, allTrue: .i16x8AllTrue, bitmask: .i16x8Bitmask)
        rows += intCommon(i32, add: .i32x4Add, sub: .i32x4Sub, neg: .i32x4Neg, abs: .i32x4Abs, shl: .i32x4Shl, shrS: .i32x4ShrS,
                          shrU: .i32x4ShrU, allTrue: .i32x4AllTrue, bitmask: .i32x4Bitmask)
        rows += intCommon(i64, add: .i64x2Add, sub: .i64x2Sub, neg: .i64x2Neg, abs: .i64x2Abs, shl: .i64x2Shl, shrS: .i64x2ShrS,
                          shrU: .i64x2ShrU, allTrue: .i64x2AllTrue, bitmask: .i64x2Bitmask)
        for (t, ops) in [(i8, [LatheWasm.Opcode.i8x16MinS, .i8x16MinU, .i8x16MaxS, .i8x16MaxU, .i8x16AddSatS, .i8x16AddSatU,
                                .i8x16SubSatS, .i8x16SubSatU, .i8x16AvgrU]),
                         (i16, [.i16x8MinS, .i16x8MinU, .i16x8MaxS, .i16x8MaxU, .i16x8AddSatS, .i16x8AddSatU,
                                .i16x8SubSatS, .i16x8SubSatU, .i16x8AvgrU])] {
            for (w, op) in zip(ops, [LatheIR.Opcode.smin, .umin, .smax, .umax, .saddSat, .uaddSat, .ssubSat, .usubSat, .avgrU]) {
                rows.append(bin(w, op, t))
            }
        }
        rows += [bin(.i32x4MinS, .smin, i32), bin(.i32x4MinU, .umin, i32), bin(.i32x4MaxS, .smax, i32), bin(.i32x4MaxU, .umax, i32)]
        rows += intCompares(i8, [.i8x16Eq, .i8x16Ne, .i8x16LtS, .i8x16LtU, .i8x16GtS, .i8x16GtU, .i8x16LeS, .i8x16LeU, .i8x16GeS, .i8x16GeU])
        rows += intCompares(i16, [.i16x8Eq, .i16x8Ne, .i16x8LtS, .i16x8LtU, .i16x8GtS, .i16x8GtU, .i16x8LeS, .i16x8LeU, .i16x8GeS, .i16x8GeU])
        rows += intCompares(i32, [.i32x4Eq, .i32x4Ne, .i32x4LtS, .i32x4LtU, .i32x4GtS, .i32x4GtU, .i32x4LeS, .i32x4LeU, .i32x4GeS, .i32x4GeU])
        rows += floatOps(f32, [.f32x4Abs, .f32x4Neg, .f32x4Sqrt, .f32x4Add, .f32x4Sub, .f32x4Mul, .f32x4Div, .f32x4Min, .f32x4Max,
                               .f32x4Pmin, .f32x4Pmax, .f32x4Ceil, .f32x4Floor, .f32x4Trunc, .f32x4Nearest,
                               .f32x4Eq, .f32x4Ne, .f32x4Lt, .f32x4Gt, .f32x4Le, .f32x4Ge,
                               .f32x4RelaxedMin, .f32x4RelaxedMax, .f32x4RelaxedMadd, .f32x4RelaxedNmadd])
        rows += floatOps(f64, [.f64x2Abs, .f64x2Neg, .f64x2Sqrt, .f64x2Add, .f64x2Sub, .f64x2Mul, .f64x2Div, .f64x2Min, .f64x2Max,
                               .f64x2Pmin, .f64x2Pmax, .f64x2Ceil, .f64x2Floor, .f64x2Trunc, .f64x2Nearest,
                               .f64x2Eq, .f64x2Ne, .f64x2Lt, .f64x2Gt, .f64x2Le, .f64x2Ge,
                               .f64x2RelaxedMin, .f64x2RelaxedMax, .f64x2RelaxedMadd, .f64x2RelaxedNmadd])
        return rows
    }()

    private static func S(_ w: LatheWasm.Opcode, _ op: LatheIR.Opcode, _ t: IRType) -> VectorShaped { VectorShaped(wasm: w, op: op, type: t) }

    static let laneRows: [VectorShaped] = [
        S(.i8x16ExtractLaneS, .sextractlane, i8), S(.i8x16ExtractLaneU, .extractlane, i8), S(.i8x16ReplaceLane, .insertlane, i8),
        S(.i16x8ExtractLaneS, .sextractlane, i16), S(.i16x8ExtractLaneU, .extractlane, i16), S(.i16x8ReplaceLane, .insertlane, i16),
        S(.i32x4ExtractLane, .extractlane, i32), S(.i32x4ReplaceLane, .insertlane, i32),
        S(.i64x2ExtractLane, .extractlane, i64), S(.i64x2ReplaceLane, .insertlane, i64),
        S(.f32x4ExtractLane, .extractlane, f32), S(.f32x4ReplaceLane, .insertlane, f32),
        S(.f64x2ExtractLane, .extractlane, f64), S(.f64x2ReplaceLane, .insertlane, f64),
    ]

    /// Vector loads, stores and lane memory accesses; the type is the IR result type (loads) or vector operand type.
    static let vectorMemoryRows: [VectorShaped] = [
        S(.v128Load, .load, v128), S(.v128Store, .store, v128),
        S(.v128Load8x8S, .sload8x8, i16), S(.v128Load8x8U, .uload8x8, i16),
        S(.v128Load16x4S, .sload16x4, i32), S(.v128Load16x4U, .uload16x4, i32),
        S(.v128Load32x2S, .sload32x2, i64), S(.v128Load32x2U, .uload32x2, i64),
        S(.v128Load8Splat, .loadSplat, i8), S(.v128Load16Splat, .loadSplat, i16),
        S(.v128Load32Splat, .loadSplat, i32), S(.v128Load64Splat, .loadSplat, i64),
        S(.v128Load32Zero, .loadZero, i32), S(.v128Load64Zero, .loadZero, i64),
        S(.v128Load8Lane, .loadLane, i8), S(.v128Load16Lane, .loadLane, i16),
        S(.v128Load32Lane, .loadLane, i32), S(.v128Load64Lane, .loadLane, i64),
        S(.v128Store8Lane, .storeLane, i8), S(.v128Store16Lane, .storeLane, i16),
        S(.v128Store32Lane, .storeLane, i32), S(.v128Store64Lane, .storeLane, i64),
    ]

    static let vector: [LatheWasm.Opcode: Vector] = Dictionary(uniqueKeysWithValues: vectorRows.map { ($0.wasm, $0) })
    static let lane: [LatheWasm.Opcode: VectorShaped] = Dictionary(uniqueKeysWithValues: laneRows.map { ($0.wasm, $0) })
    static let vectorMemory: [LatheWasm.Opcode: VectorShaped] = Dictionary(uniqueKeysWithValues: vectorMemoryRows.map { ($0.wasm, $0) })

    struct VectorKey: Hashable { var op: LatheIR.Opcode; var cc: UInt8; var operand: IRType; var result: IRType }
    struct ShapedKey: Hashable { var op: LatheIR.Opcode; var type: IRType }
    static let vectorByIR: [VectorKey: LatheWasm.Opcode] = Dictionary(uniqueKeysWithValues: vectorRows.map {
        (VectorKey(op: $0.op, cc: $0.cc, operand: $0.operands[0], result: $0.result), $0.wasm)
    })
    static let shapedByIR: [ShapedKey: LatheWasm.Opcode] = Dictionary(uniqueKeysWithValues: (laneRows + vectorMemoryRows).map {
        (ShapedKey(op: $0.op, type: $0.type), $0.wasm)
    })
}
