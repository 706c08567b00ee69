import LatheEntity
import LatheIR
import LatheWasm

/// The types of a vector instruction's first operand and first result before lowering erased lane shapes.
struct VectorShape: Sendable {
    var operand: IRType?
    var result: IRType?
}

/// Lowering support for vectors: wasm's v128 is untyped, so vector-to-vector bitcasts emit nothing.
enum VectorLowering {
    /// Removes vector-to-vector bitcasts (uses read the bitcast's operand) and gives every vector value
    /// the type `WasmOps.v128`, so locals and block parameters coalesce regardless of lane shape.
    /// Returns the shapes that pick each remaining vector instruction's wasm opcode.
    static func prepare(_ input: Function) throws(LowerError) -> (Function, [Inst: VectorShape]) {
        var f = input
        var hasVectors = false
        for value in f.dfg.values.elements where value.type.isVector {
            guard value.type.bits == 128 else { throw LowerError("\(value.type) has no wasm type") }
            hasVectors = true
        }
        guard hasVectors else { return (f, [:]) }
        var shapes: [Inst: VectorShape] = [:]
        var casts: [Inst] = []
        for block in f.layout.blocks {
            for i in f.layout.insts(block) {
                let d = f.dfg[i]
                switch d.opcode.format {
                case .unary, .binary, .ternary, .intCompare, .floatCompare, .shuffle, .extractLane, .insertLane, .load, .store, .memoryLane:
                    break
                default: continue
                }
                if d.opcode == .select { continue }
                let operand = f.dfg.valueOperands(i).first.map { f.dfg.type(of: $0) }
                let result = f.dfg.firstResult(i).map { f.dfg.type(of: $0) }
                guard operand?.isVector == true || result?.isVector == true else { continue }
                if d.opcode == .bitcast, operand?.isVector == true, result?.isVector == true { casts.append(i); continue }
                shapes[i] = VectorShape(operand: operand, result: result)
            }
        }
        for i in casts {
            f.dfg.makeAlias(f.dfg.firstResult(i)!, of: Value(index: Int(f.dfg[i].a)))
            f.layout.removeInst(i)
        }
        if !casts.isEmpty { f.dfg.resolveAllAliases() }
        for v in f.dfg.values.keys where f.dfg.type(of: v).isVector { f.dfg.setType(v, WasmOps.v128) }
        return (f, shapes)
    }

    /// The lane-shape-free type wasm's tables use for ops that do not care about lanes.
    private static func untyped(_ t: IRType?) -> IRType? { t?.isVector == true ? WasmOps.v128 : t }

    /// The wasm instruction for vector instruction `i` of `f` (after `prepare`), chosen by its original `shape`.
    static func instruction(_ f: Function, _ i: Inst, _ shape: VectorShape) throws(LowerError) -> Instruction {
        let d = f.dfg[i]
        func memArg(offset: UInt32) -> MemArg { MemArg(align: UInt32(d.log2Align), offset: UInt64(offset), memory: UInt32(d.imm16)) }
        func shaped(_ t: IRType?) throws(LowerError) -> LatheWasm.Opcode {
            guard let t, let w = WasmOps.shapedByIR[.init(op: d.opcode, type: t)] else {
                throw LowerError("no wasm instruction for \(d.opcode.name) of \(t.map(\.description) ?? "?")")
            }
            return w
        }
        /// Memory accesses care about lane width only: float lanes use the integer rows.
        func memoryType(_ t: IRType?) -> IRType? {
            guard let t else { return nil }
            if d.opcode == .load || d.opcode == .store { return WasmOps.v128 }
            return t.withLanes(bits: t.laneBits, float: false)
        }
        switch d.opcode.format {
        case .shuffle:
            return Instruction(.i8x16Shuffle, .v128(V128(bytes: f.dfg.constants[ConstRef(index: Int(d.c))])))
        case .extractLane, .insertLane:
            return Instruction(try shaped(shape.operand), .lane(UInt8(d.lane)))
        case .load:
            return Instruction(try shaped(memoryType(shape.result)), .memArg(memArg(offset: d.b)))
        case .store:
            return Instruction(try shaped(memoryType(shape.operand)), .memArg(memArg(offset: d.c)))
        case .memoryLane:
            return Instruction(try shaped(memoryType(shape.operand)), .memArgLane(memArg(offset: d.c), UInt8(d.memoryLane)))
        default:
            var operand = shape.operand, result = shape.result
            switch d.opcode {
            case .band, .bor, .bxor, .bandNot, .bnot, .bitselect, .vanyTrue:
                operand = untyped(operand); result = untyped(result)
            default: break
            }
            let cc: UInt8 = d.opcode == .icmp || d.opcode == .fcmp ? d.imm8 : 0
            guard let operand, let result, let w = WasmOps.vectorByIR[.init(op: d.opcode, cc: cc, operand: operand, result: result)] else {
                throw LowerError("no wasm instruction for \(d.opcode.name) \(shape.operand.map(\.description) ?? "?") -> \(shape.result.map(\.description) ?? "?")")
            }
            return Instruction(w)
        }
    }
}
