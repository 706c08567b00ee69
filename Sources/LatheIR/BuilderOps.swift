import LatheEntity

// One builder method per opcode. Result types follow from operand types, or from the explicit
// `type` argument for ops whose text form carries a type suffix (`uextend.i64`, `load.f32`).

extension FunctionBuilder {
    // MARK: constants

    /// `iconst.T n`: `value` is truncated to the width of `type`.
    public mutating func iconst(_ type: IRType, _ n: Int64) -> Value { value(.iconst(type, n), ctrl: type) }
    /// `fconst.T x` from raw IEEE bits (keeps NaN payloads exactly).
    public mutating func fconst(_ type: IRType, bits: UInt64) -> Value { value(.fconst(bits: bits), ctrl: type) }
    public mutating func f32const(_ x: Float) -> Value { fconst(.f32, bits: UInt64(x.bitPattern)) }
    public mutating func f64const(_ x: Double) -> Value { fconst(.f64, bits: x.bitPattern) }
    /// `vconst.T [...]` from little-endian bytes (16 or 32 of them, matching `type`).
    public mutating func vconst(_ type: IRType, bytes: [UInt8]) -> Value {
        precondition(bytes.count == type.bytes, "vconst.\(type) needs \(type.bytes) bytes")
        let c = function.dfg.constants.push(bytes)
        return value(InstructionData(opcode: .vconst, a: c.raw), ctrl: type)
    }

    // MARK: binary and unary arithmetic

    public mutating func iadd(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .iadd, a: x.raw, b: y.raw)) }
    public mutating func isub(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .isub, a: x.raw, b: y.raw)) }
    public mutating func imul(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .imul, a: x.raw, b: y.raw)) }
    public mutating func sdiv(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .sdiv, a: x.raw, b: y.raw)) }
    public mutating func udiv(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .udiv, a: x.raw, b: y.raw)) }
    public mutating func srem(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .srem, a: x.raw, b: y.raw)) }
    public mutating func urem(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .urem, a: x.raw, b: y.raw)) }
    public mutating func band(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .band, a: x.raw, b: y.raw)) }
    public mutating func bor(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .bor, a: x.raw, b: y.raw)) }
    public mutating func bxor(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .bxor, a: x.raw, b: y.raw)) }
    public mutating func bandNot(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .bandNot, a: x.raw, b: y.raw)) }
    public mutating func ishl(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .ishl, a: x.raw, b: y.raw)) }
    public mutating func sshr(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .sshr, a: x.raw, b: y.raw)) }
    public mutating func ushr(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .ushr, a: x.raw, b: y.raw)) }
    public mutating func rotl(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .rotl, a: x.raw, b: y.raw)) }
    public mutating func rotr(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .rotr, a: x.raw, b: y.raw)) }
    public mutating func smin(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .smin, a: x.raw, b: y.raw)) }
    public mutating func smax(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .smax, a: x.raw, b: y.raw)) }
    public mutating func umin(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .umin, a: x.raw, b: y.raw)) }
    public mutating func umax(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .umax, a: x.raw, b: y.raw)) }
    public mutating func saddSat(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .saddSat, a: x.raw, b: y.raw)) }
    public mutating func uaddSat(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .uaddSat, a: x.raw, b: y.raw)) }
    public mutating func ssubSat(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .ssubSat, a: x.raw, b: y.raw)) }
    public mutating func usubSat(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .usubSat, a: x.raw, b: y.raw)) }
    public mutating func avgrU(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .avgrU, a: x.raw, b: y.raw)) }
    public mutating func fadd(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .fadd, a: x.raw, b: y.raw)) }
    public mutating func fsub(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .fsub, a: x.raw, b: y.raw)) }
    public mutating func fmul(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .fmul, a: x.raw, b: y.raw)) }
    public mutating func fdiv(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .fdiv, a: x.raw, b: y.raw)) }
    public mutating func fmin(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .fmin, a: x.raw, b: y.raw)) }
    public mutating func fmax(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .fmax, a: x.raw, b: y.raw)) }
    public mutating func fcopysign(_ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .fcopysign, a: x.raw, b: y.raw)) }
    public mutating func bnot(_ x: Value) -> Value { value(InstructionData(opcode: .bnot, a: x.raw)) }
    public mutating func clz(_ x: Value) -> Value { value(InstructionData(opcode: .clz, a: x.raw)) }
    public mutating func ctz(_ x: Value) -> Value { value(InstructionData(opcode: .ctz, a: x.raw)) }
    public mutating func popcnt(_ x: Value) -> Value { value(InstructionData(opcode: .popcnt, a: x.raw)) }
    public mutating func ineg(_ x: Value) -> Value { value(InstructionData(opcode: .ineg, a: x.raw)) }
    public mutating func iabs(_ x: Value) -> Value { value(InstructionData(opcode: .iabs, a: x.raw)) }
    public mutating func eqz(_ x: Value) -> Value { value(InstructionData(opcode: .eqz, a: x.raw)) }
    public mutating func sqrt(_ x: Value) -> Value { value(InstructionData(opcode: .sqrt, a: x.raw)) }
    public mutating func fneg(_ x: Value) -> Value { value(InstructionData(opcode: .fneg, a: x.raw)) }
    public mutating func fabs(_ x: Value) -> Value { value(InstructionData(opcode: .fabs, a: x.raw)) }
    public mutating func ceil(_ x: Value) -> Value { value(InstructionData(opcode: .ceil, a: x.raw)) }
    public mutating func floor(_ x: Value) -> Value { value(InstructionData(opcode: .floor, a: x.raw)) }
    public mutating func trunc(_ x: Value) -> Value { value(InstructionData(opcode: .trunc, a: x.raw)) }
    public mutating func nearest(_ x: Value) -> Value { value(InstructionData(opcode: .nearest, a: x.raw)) }
    public mutating func sext8(_ x: Value) -> Value { value(InstructionData(opcode: .sext8, a: x.raw)) }
    public mutating func sext16(_ x: Value) -> Value { value(InstructionData(opcode: .sext16, a: x.raw)) }
    public mutating func sext32(_ x: Value) -> Value { value(InstructionData(opcode: .sext32, a: x.raw)) }
    public mutating func vanyTrue(_ x: Value) -> Value { value(InstructionData(opcode: .vanyTrue, a: x.raw)) }
    public mutating func vallTrue(_ x: Value) -> Value { value(InstructionData(opcode: .vallTrue, a: x.raw)) }
    public mutating func vbitmask(_ x: Value) -> Value { value(InstructionData(opcode: .vbitmask, a: x.raw)) }
    public mutating func refIsNull(_ x: Value) -> Value { value(InstructionData(opcode: .refIsNull, a: x.raw)) }

    public mutating func icmp(_ cc: IntCC, _ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .icmp, imm8: cc.rawValue, a: x.raw, b: y.raw)) }
    public mutating func fcmp(_ cc: FloatCC, _ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .fcmp, imm8: cc.rawValue, a: x.raw, b: y.raw)) }

    // MARK: conversions (result type given)

    public mutating func sextend(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .sextend, a: x.raw), ctrl: type) }
    public mutating func uextend(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .uextend, a: x.raw), ctrl: type) }
    public mutating func ireduce(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .ireduce, a: x.raw), ctrl: type) }
    public mutating func fcvtToSint(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .fcvtToSint, a: x.raw), ctrl: type) }
    public mutating func fcvtToUint(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .fcvtToUint, a: x.raw), ctrl: type) }
    public mutating func fcvtToSintSat(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .fcvtToSintSat, a: x.raw), ctrl: type) }
    public mutating func fcvtToUintSat(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .fcvtToUintSat, a: x.raw), ctrl: type) }
    public mutating func fcvtFromSint(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .fcvtFromSint, a: x.raw), ctrl: type) }
    public mutating func fcvtFromUint(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .fcvtFromUint, a: x.raw), ctrl: type) }
    public mutating func fpromote(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .fpromote, a: x.raw), ctrl: type) }
    public mutating func fdemote(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .fdemote, a: x.raw), ctrl: type) }
    public mutating func bitcast(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .bitcast, a: x.raw), ctrl: type) }
    public mutating func splat(_ type: IRType, _ x: Value) -> Value { value(InstructionData(opcode: .splat, a: x.raw), ctrl: type) }

    // MARK: selection and vectors

    /// `select c, x, y`: x when c is non-zero, else y.
    public mutating func select(_ c: Value, _ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .select, a: c.raw, b: x.raw, c: y.raw)) }
    /// `bitselect m, x, y`: bits of x where m is 1, of y where m is 0.
    public mutating func bitselect(_ m: Value, _ x: Value, _ y: Value) -> Value { value(InstructionData(opcode: .bitselect, a: m.raw, b: x.raw, c: y.raw)) }
    public mutating func extractlane(_ v: Value, _ lane: Int) -> Value { value(InstructionData(opcode: .extractlane, imm16: UInt16(lane), a: v.raw)) }
    public mutating func sextractlane(_ v: Value, _ lane: Int) -> Value { value(InstructionData(opcode: .sextractlane, imm16: UInt16(lane), a: v.raw)) }
    public mutating func insertlane(_ v: Value, _ x: Value, _ lane: Int) -> Value { value(InstructionData(opcode: .insertlane, imm16: UInt16(lane), a: v.raw, b: x.raw)) }
    /// `shuffle x, y, [bytes]`: byte i of the result is byte `mask[i]` of x ++ y.
    public mutating func shuffle(_ x: Value, _ y: Value, mask: [UInt8]) -> Value {
        let c = function.dfg.constants.push(mask)
        return value(InstructionData(opcode: .shuffle, a: x.raw, b: y.raw, c: c.raw))
    }

    // MARK: memory

    private static func log2(_ n: Int) -> UInt8 { UInt8(n.trailingZeroBitCount) }

    /// A load of `op`'s width (`load`, `uload8`, ... `sload32`); `align` defaults to the access width.
    public mutating func load(_ op: Opcode, _ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0), align: Int? = nil) -> Value {
        value(.load(op, type, address, offset: offset, memory: memory, align: align), ctrl: type)
    }
    public mutating func load(_ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Value { load(.load, type, address, offset: offset, memory: memory) }

    public mutating func uload8(_ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Value { load(.uload8, type, address, offset: offset, memory: memory) }
    public mutating func sload8(_ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Value { load(.sload8, type, address, offset: offset, memory: memory) }
    public mutating func uload16(_ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Value { load(.uload16, type, address, offset: offset, memory: memory) }
    public mutating func sload16(_ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Value { load(.sload16, type, address, offset: offset, memory: memory) }
    public mutating func uload32(_ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Value { load(.uload32, type, address, offset: offset, memory: memory) }
    public mutating func sload32(_ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Value { load(.sload32, type, address, offset: offset, memory: memory) }

    /// A store of `op`'s width (`store`, `istore8`, `istore16`, `istore32`).
    @discardableResult
    public mutating func store(_ op: Opcode, _ stored: Value, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0), align: Int? = nil) -> Inst {
        let a = align ?? Function.accessBytes(op, function.dfg.type(of: stored))
        return insert(InstructionData(opcode: op, imm8: Self.log2(a), imm16: UInt16(memory.index), a: stored.raw, b: address.raw, c: offset))
    }

    @discardableResult public mutating func store(_ stored: Value, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Inst { store(.store, stored, address, offset: offset, memory: memory) }
    @discardableResult public mutating func istore8(_ stored: Value, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Inst { store(.istore8, stored, address, offset: offset, memory: memory) }
    @discardableResult public mutating func istore16(_ stored: Value, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Inst { store(.istore16, stored, address, offset: offset, memory: memory) }
    @discardableResult public mutating func istore32(_ stored: Value, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0)) -> Inst { store(.istore32, stored, address, offset: offset, memory: memory) }
    public mutating func memorySize(_ m: MemoryRef) -> Value { value(InstructionData(opcode: .memorySize, imm16: UInt16(m.index))) }
    public mutating func memoryGrow(_ m: MemoryRef, _ delta: Value) -> Value { value(InstructionData(opcode: .memoryGrow, imm16: UInt16(m.index), a: delta.raw)) }
    @discardableResult public mutating func memoryCopy(_ dstMemory: MemoryRef, _ srcMemory: MemoryRef, _ dst: Value, _ src: Value, _ len: Value) -> Inst {
        insert(InstructionData(opcode: .memoryCopy, imm8: UInt8(srcMemory.index), imm16: UInt16(dstMemory.index), a: dst.raw, b: src.raw, c: len.raw))
    }
    /// `memory_init`: copies `len` bytes of data segment `segment` from `offset` to `dst` in memory `m`.
    @discardableResult public mutating func memoryInit(_ m: MemoryRef, segment: UInt16, _ dst: Value, _ offset: Value, _ len: Value) -> Inst {
        insert(InstructionData(opcode: .memoryInit, imm8: UInt8(m.index), imm16: segment, a: dst.raw, b: offset.raw, c: len.raw))
    }
    @discardableResult public mutating func dataDrop(segment: UInt32) -> Inst { insert(InstructionData(opcode: .dataDrop, a: segment)) }
    /// `table_init`: copies `len` entries of element segment `segment` from `offset` to `dst` in table `t`.
    @discardableResult public mutating func tableInit(_ t: TableRef, segment: UInt16, _ dst: Value, _ offset: Value, _ len: Value) -> Inst {
        insert(InstructionData(opcode: .tableInit, imm8: UInt8(t.index), imm16: segment, a: dst.raw, b: offset.raw, c: len.raw))
    }
    @discardableResult public mutating func elemDrop(segment: UInt32) -> Inst { insert(InstructionData(opcode: .elemDrop, a: segment)) }
    @discardableResult public mutating func tableCopy(_ dstTable: TableRef, _ srcTable: TableRef, _ dst: Value, _ src: Value, _ len: Value) -> Inst {
        insert(InstructionData(opcode: .tableCopy, imm8: UInt8(srcTable.index), imm16: UInt16(dstTable.index), a: dst.raw, b: src.raw, c: len.raw))
    }
    @discardableResult public mutating func tableFill(_ t: TableRef, _ dst: Value, _ x: Value, _ len: Value) -> Inst {
        insert(InstructionData(opcode: .tableFill, imm16: UInt16(t.index), a: dst.raw, b: x.raw, c: len.raw))
    }
    @discardableResult public mutating func memoryFill(_ m: MemoryRef, _ dst: Value, _ byte: Value, _ len: Value) -> Inst {
        insert(InstructionData(opcode: .memoryFill, imm16: UInt16(m.index), a: dst.raw, b: byte.raw, c: len.raw))
    }

    // MARK: globals, tables, references

    public mutating func globalGet(_ g: GlobalRef) -> Value { value(InstructionData(opcode: .globalGet, a: g.raw)) }
    @discardableResult public mutating func globalSet(_ g: GlobalRef, _ x: Value) -> Inst { insert(InstructionData(opcode: .globalSet, a: g.raw, b: x.raw)) }
    public mutating func tableGet(_ t: TableRef, _ index: Value) -> Value { value(InstructionData(opcode: .tableGet, a: t.raw, b: index.raw)) }
    @discardableResult public mutating func tableSet(_ t: TableRef, _ index: Value, _ x: Value) -> Inst { insert(InstructionData(opcode: .tableSet, a: t.raw, b: index.raw, c: x.raw)) }
    public mutating func tableSize(_ t: TableRef) -> Value { value(InstructionData(opcode: .tableSize, a: t.raw)) }
    public mutating func tableGrow(_ t: TableRef, _ initial: Value, _ delta: Value) -> Value { value(InstructionData(opcode: .tableGrow, a: t.raw, b: initial.raw, c: delta.raw)) }
    public mutating func refNull(_ type: IRType) -> Value { value(InstructionData(opcode: .refNull), ctrl: type) }
    public mutating func refFunc(_ f: FuncRef) -> Value { value(InstructionData(opcode: .refFunc, a: f.raw)) }

    // MARK: calls

    public mutating func call(_ f: FuncRef, _ args: [Value]) -> [Value] {
        let l = list(args)
        let inst = insert(InstructionData(opcode: .call, a: f.raw, b: l))
        return function.dfg.results(of: inst)
    }
    public mutating func callIndirect(_ s: SigRef, _ t: TableRef, _ callee: Value, _ args: [Value]) -> [Value] {
        let l = list([callee] + args)
        let inst = insert(InstructionData(opcode: .callIndirect, a: s.raw, b: l, c: t.raw))
        return function.dfg.results(of: inst)
    }
    public mutating func callRef(_ s: SigRef, _ callee: Value, _ args: [Value]) -> [Value] {
        let l = list([callee] + args)
        let inst = insert(InstructionData(opcode: .callRef, a: s.raw, b: l))
        return function.dfg.results(of: inst)
    }
    @discardableResult public mutating func returnCall(_ f: FuncRef, _ args: [Value]) -> Inst {
        let l = list(args)
        return insert(InstructionData(opcode: .returnCall, a: f.raw, b: l))
    }
    @discardableResult public mutating func returnCallIndirect(_ s: SigRef, _ t: TableRef, _ callee: Value, _ args: [Value]) -> Inst {
        let l = list([callee] + args)
        return insert(InstructionData(opcode: .returnCallIndirect, a: s.raw, b: l, c: t.raw))
    }
    @discardableResult public mutating func returnCallRef(_ s: SigRef, _ callee: Value, _ args: [Value]) -> Inst {
        let l = list([callee] + args)
        return insert(InstructionData(opcode: .returnCallRef, a: s.raw, b: l))
    }

    // MARK: control

    @discardableResult public mutating func jump(_ block: Block, _ args: [Value] = []) -> Inst {
        let call = blockCall(block, args)
        return insert(InstructionData(opcode: .jump, a: call))
    }
    /// `brif c, then(args), else(args)`: to `thenBlock` when c is non-zero.
    @discardableResult public mutating func brif(_ c: Value, _ thenBlock: Block, _ thenArgs: [Value], _ elseBlock: Block, _ elseArgs: [Value]) -> Inst {
        let t = blockCall(thenBlock, thenArgs), e = blockCall(elseBlock, elseArgs)
        return insert(InstructionData(opcode: .brif, a: c.raw, b: t, c: e))
    }
    /// `br_table i, default(args), [targets...]`: to `targets[i]`, or the default when i is out of range.
    @discardableResult public mutating func brTable(_ index: Value, default defaultTarget: (Block, [Value]), _ targets: [(Block, [Value])]) -> Inst {
        var calls = [function.dfg.makeBlockCall(defaultTarget.0, defaultTarget.1)]
        for (b, args) in targets { calls.append(function.dfg.makeBlockCall(b, args)) }
        let jt = function.dfg.jumpTables.push(calls)
        return insert(InstructionData(opcode: .brTable, a: index.raw, b: jt.raw))
    }
    @discardableResult public mutating func `return`(_ values: [Value] = []) -> Inst {
        let l = list(values)
        return insert(InstructionData(opcode: .return, b: l))
    }
    @discardableResult public mutating func trap(_ code: TrapCode) -> Inst { insert(InstructionData(opcode: .trap, imm16: code.rawValue)) }
    @discardableResult public mutating func trapz(_ c: Value, _ code: TrapCode) -> Inst { insert(InstructionData(opcode: .trapz, imm16: code.rawValue, a: c.raw)) }
    @discardableResult public mutating func trapnz(_ c: Value, _ code: TrapCode) -> Inst { insert(InstructionData(opcode: .trapnz, imm16: code.rawValue, a: c.raw)) }
    @discardableResult public mutating func unreachable() -> Inst { insert(InstructionData(opcode: .unreachable)) }
}

extension InstructionData {
    /// `iconst.T n` (an i32 constant keeps only its low 32 bits).
    public static func iconst(_ type: IRType, _ n: Int64) -> InstructionData {
        let bits = type == .i32 ? UInt64(UInt32(truncatingIfNeeded: n)) : UInt64(bitPattern: n)
        return InstructionData(opcode: .iconst, b: UInt32(truncatingIfNeeded: bits), c: UInt32(truncatingIfNeeded: bits >> 32))
    }

    /// `fconst` from raw IEEE bits; the type comes from the result.
    public static func fconst(bits: UInt64) -> InstructionData {
        InstructionData(opcode: .fconst, b: UInt32(truncatingIfNeeded: bits), c: UInt32(truncatingIfNeeded: bits >> 32))
    }

    /// A load of `op`'s width into `type`; `align` (bytes) defaults to the access width.
    public static func load(_ op: Opcode, _ type: IRType, _ address: Value, offset: UInt32 = 0, memory: MemoryRef = MemoryRef(index: 0), align: Int? = nil) -> InstructionData {
        let a = align ?? Function.accessBytes(op, type)
        return InstructionData(opcode: op, imm8: UInt8(a.trailingZeroBitCount), imm16: UInt16(memory.index), a: address.raw, b: offset)
    }
}
