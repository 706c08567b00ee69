import LatheEntity

// Builder methods for the wasm SIMD lane-shape ops, the relaxed SIMD ops and the vector memory ops.
// Result types follow from the first operand's type (see `Function.vectorTyping`).

extension FunctionBuilder {
    private mutating func unary(_ op: Opcode, _ x: Value) -> Value { value(InstructionData(opcode: op, a: x.raw)) }
    private mutating func binary(_ op: Opcode, _ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: op, a: x.raw, b: y.raw)) }
    private mutating func ternary(_ op: Opcode, _ x: Value, _ y: Value, _ z: Value) -> Value {
        value(InstructionData(opcode: op, a: x.raw, b: y.raw, c: z.raw))
    }

    /// `swizzle x, idx`: byte i is byte `idx[i]` of x, or 0 when the index is out of range.
    public mutating func swizzle(_ x: Value, _ indices: Value) -> Value { binary(.swizzle, x, indices) }
    /// `snarrow x, y`: lanes of x then y, halved in width with signed saturation.
    public mutating func snarrow(_ x: Value, _ y: Value) -> Value { binary(.snarrow, x, y) }
    /// `unarrow x, y`: lanes of x then y (read as signed), halved in width with unsigned saturation.
    public mutating func unarrow(_ x: Value, _ y: Value) -> Value { binary(.unarrow, x, y) }
    public mutating func swidenLow(_ x: Value) -> Value { unary(.swidenLow, x) }
    public mutating func swidenHigh(_ x: Value) -> Value { unary(.swidenHigh, x) }
    public mutating func uwidenLow(_ x: Value) -> Value { unary(.uwidenLow, x) }
    public mutating func uwidenHigh(_ x: Value) -> Value { unary(.uwidenHigh, x) }
    public mutating func sextmulLow(_ x: Value, _ y: Value) -> Value { binary(.sextmulLow, x, y) }
    public mutating func sextmulHigh(_ x: Value, _ y: Value) -> Value { binary(.sextmulHigh, x, y) }
    public mutating func uextmulLow(_ x: Value, _ y: Value) -> Value { binary(.uextmulLow, x, y) }
    public mutating func uextmulHigh(_ x: Value, _ y: Value) -> Value { binary(.uextmulHigh, x, y) }
    public mutating func sextaddPairwise(_ x: Value) -> Value { unary(.sextaddPairwise, x) }
    public mutating func uextaddPairwise(_ x: Value) -> Value { unary(.uextaddPairwise, x) }
    /// `sdot x, y` (i16x8 -> i32x4): sums of adjacent signed lane products.
    public mutating func sdot(_ x: Value, _ y: Value) -> Value { binary(.sdot, x, y) }
    public mutating func q15mulrSat(_ x: Value, _ y: Value) -> Value { binary(.q15mulrSat, x, y) }
    /// `fmin_pseudo x, y`: `y < x ? y : x`, bits kept (wasm `pmin`).
    public mutating func fminPseudo(_ x: Value, _ y: Value) -> Value { binary(.fminPseudo, x, y) }
    /// `fmax_pseudo x, y`: `x < y ? y : x`, bits kept (wasm `pmax`).
    public mutating func fmaxPseudo(_ x: Value, _ y: Value) -> Value { binary(.fmaxPseudo, x, y) }
    public mutating func fcvtToSintSatZero(_ x: Value) -> Value { unary(.fcvtToSintSatZero, x) }
    public mutating func fcvtToUintSatZero(_ x: Value) -> Value { unary(.fcvtToUintSatZero, x) }
    public mutating func fcvtFromSintLow(_ x: Value) -> Value { unary(.fcvtFromSintLow, x) }
    public mutating func fcvtFromUintLow(_ x: Value) -> Value { unary(.fcvtFromUintLow, x) }
    public mutating func fdemoteZero(_ x: Value) -> Value { unary(.fdemoteZero, x) }
    public mutating func fpromoteLow(_ x: Value) -> Value { unary(.fpromoteLow, x) }

    // MARK: relaxed SIMD

    public mutating func relaxedSwizzle(_ x: Value, _ indices: Value) -> Value { binary(.relaxedSwizzle, x, indices) }
    public mutating func relaxedFcvtToSint(_ x: Value) -> Value { unary(.relaxedFcvtToSint, x) }
    public mutating func relaxedFcvtToUint(_ x: Value) -> Value { unary(.relaxedFcvtToUint, x) }
    public mutating func relaxedFcvtToSintZero(_ x: Value) -> Value { unary(.relaxedFcvtToSintZero, x) }
    public mutating func relaxedFcvtToUintZero(_ x: Value) -> Value { unary(.relaxedFcvtToUintZero, x) }
    /// `relaxed_madd x, y, z`: x * y + z.
    public mutating func relaxedMadd(_ x: Value, _ y: Value, _ z: Value) -> Value { ternary(.relaxedMadd, x, y, z) }
    /// `relaxed_nmadd x, y, z`: -(x * y) + z.
    public mutating func relaxedNmadd(_ x: Value, _ y: Value, _ z: Value) -> Value { ternary(.relaxedNmadd, x, y, z) }
    /// `relaxed_laneselect m, x, y`: like `bitselect m, x, y`, with the lane width of m's type.
    public mutating func relaxedLaneselect(_ m: Value, _ x: Value, _ y: Value) -> Value { ternary(.relaxedLaneselect, m, x, y) }
    public mutating func relaxedFmin(_ x: Value, _ y: Value) -> Value { binary(.relaxedFmin, x, y) }
    public mutating func relaxedFmax(_ x: Value, _ y: Value) -> Value { binary(.relaxedFmax, x, y) }
    public mutating func relaxedQ15mulr(_ x: Value, _ y: Value) -> Value { binary(.relaxedQ15mulr, x, y) }
    /// `relaxed_dot x, y` (i8x16 -> i16x8): sums of adjacent lane products.
    public mutating func relaxedDot(_ x: Value, _ y: Value) -> Value { binary(.relaxedDot, x, y) }
    /// `relaxed_dot_add x, y, acc` (i8x16, i8x16, i32x4 -> i32x4): sums of four lane products plus acc.
    public mutating func relaxedDotAdd(_ x: Value, _ y: Value, _ acc: Value) -> Value { ternary(.relaxedDotAdd, x, y, acc) }

    // MARK: vector memory

    /// `load_lane v, lane, address`: v with lane `lane` replaced by the lane-sized value at the address.
    public mutating func loadLane(_ v: Value, lane: Int, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0), align: Int? = nil) -> Value {
        let a = align ?? Function.accessBytes(.loadLane, function.dfg.type(of: v))
        let imm8 = UInt8(a.trailingZeroBitCount) | UInt8(lane << 4)
        return value(InstructionData(opcode: .loadLane, imm8: imm8, imm16: UInt16(memory.index), a: v.raw, b: address.raw, c: offset))
    }

    /// `store_lane v, lane, address`: stores lane `lane` of v.
    @discardableResult
    public mutating func storeLane(_ v: Value, lane: Int, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0), align: Int? = nil) -> Inst {
        let a = align ?? Function.accessBytes(.storeLane, function.dfg.type(of: v))
        let imm8 = UInt8(a.trailingZeroBitCount) | UInt8(lane << 4)
        return insert(InstructionData(opcode: .storeLane, imm8: imm8, imm16: UInt16(memory.index), a: v.raw, b: address.raw, c: offset))
    }
}
