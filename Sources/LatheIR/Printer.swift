import LatheEntity

extension Function {
    /// The function in Lathe IR text form (see docs/IR.md); `parse` reads it back to the same text.
    public var text: String { FunctionPrinter(self).functionText() }
}

extension Module {
    /// All functions, separated by blank lines.
    public var text: String { functions.map(\.text).joined(separator: "\n") }
}

/// Writes a function as text, numbering blocks and values in layout order (`block0`, `v0`, ...).
///
/// Numbering follows the text, not the arenas, so printing canonicalises names and aliases
/// (values replaced by trivial-parameter removal) print as the value they stand for. The
/// verifier uses the same printer for its windows, so its messages use the printed names.
public struct FunctionPrinter {
    public let function: Function
    private let dfg: DataFlowGraph
    private var valueNames: SecondaryMap<Value, UInt32>
    private var blockNames: SecondaryMap<Block, UInt32>

    public init(_ function: Function) {
        self.function = function
        self.dfg = function.dfg
        valueNames = SecondaryMap(default: UInt32.max, capacity: function.dfg.valueCount)
        blockNames = SecondaryMap(default: UInt32.max, capacity: function.dfg.blockCount)
        var nextValue: UInt32 = 0, nextBlock: UInt32 = 0
        let dfg = function.dfg
        for b in function.layout.blocks {
            blockNames[b] = nextBlock; nextBlock += 1
            for p in dfg.params(b) { valueNames[p] = nextValue; nextValue += 1 }
            var i = function.layout.firstInst(b)
            while let inst = i {
                for r in dfg.results(of: inst) { valueNames[r] = nextValue; nextValue += 1 }
                i = function.layout.nextInst(inst)
            }
        }
        // Values and blocks outside the layout still get distinct names, after the laid-out ones.
        for v in dfg.values.keys where valueNames[v] == UInt32.max { valueNames[v] = nextValue; nextValue += 1 }
        for b in dfg.blockParams.keys where blockNames[b] == UInt32.max { blockNames[b] = nextBlock; nextBlock += 1 }
    }

    /// The printed name of `v` (aliases print as their target; unknown values as `v?N`).
    public func name(_ v: Value) -> String {
        guard dfg.isValid(v) else { return "v?\(v.index)" }
        return "v" + String(valueNames[dfg.resolve(v)])
    }
    public func name(_ b: Block) -> String { function.dfg.isValid(b) ? "block\(blockNames[b])" : "block?\(b.index)" }

    public var signatureLine: String {
        var s = "function %\(function.name)(" + function.signature.params.map(\.description).joined(separator: ", ") + ")"
        let r = function.signature.results
        if r.count == 1 { s += " -> \(r[0])" } else if r.count > 1 { s += " -> (" + r.map(\.description).joined(separator: ", ") + ")" }
        return s + " {"
    }

    public func blockHeader(_ b: Block) -> String {
        let params = function.dfg.params(b)
        if params.isEmpty { return name(b) + ":" }
        return name(b) + "(" + params.map { "\(name($0)): \(function.dfg.type(of: $0))" }.joined(separator: ", ") + "):"
    }

    public var declarationLines: [String] {
        var out: [String] = []
        for s in function.signatures.keys { out.append("    \(s) = \(function.signatures[s])") }
        for f in function.functionRefs.keys {
            let e = function.functionRefs[f]
            out.append("    \(f) = %\(e.name) \(e.signature)")
        }
        for g in function.globals.keys {
            let d = function.globals[g]
            out.append("    \(g) = global \(d.type)" + (d.isMutable ? " mutable" : ""))
        }
        for m in function.memories.keys {
            let d = function.memories[m]
            out.append("    \(m) = \(d.is64 ? "memory64" : "memory") \(d.minPages)" + (d.maxPages.map { " max \($0)" } ?? ""))
        }
        for t in function.tables.keys {
            let d = function.tables[t]
            var line = "    \(t) = table \(d.elementType) \(d.minSize)"
            if !d.elements.isEmpty { line += " [" + d.elements.map { "%" + $0 }.joined(separator: ", ") + "]" }
            out.append(line)
        }
        for (i, bytes) in function.dataSegments.sorted(by: { $0.key < $1.key }) {
            out.append("    data\(i) = data [" + bytes.map(String.init).joined(separator: ", ") + "]")
        }
        for (i, elems) in function.elemSegments.sorted(by: { $0.key < $1.key }) {
            out.append("    elem\(i) = elem [" + elems.map { $0.map { "%" + $0 } ?? "null" }.joined(separator: ", ") + "]")
        }
        return out
    }

    public func functionText() -> String {
        var out = signatureLine + "\n"
        for l in declarationLines { out += l + "\n" }
        for (n, b) in function.layout.blocks.enumerated() {
            if n > 0 { out += "\n" }
            out += blockHeader(b) + "\n"
            var i = function.layout.firstInst(b)
            while let inst = i {
                out += instLine(inst).text + "\n"
                i = function.layout.nextInst(inst)
            }
        }
        return out + "}\n"
    }

    /// One instruction line (4-space indent) and the column range of each value operand, in `valueOperands` order.
    public func instLine(_ inst: Inst) -> (text: String, operandColumns: [Range<Int>]) {
        var w = LineWriter()
        let d = dfg[inst]
        let info = d.opcode.info
        w.put("    ")
        let results = dfg.results(of: inst)
        for (n, r) in results.enumerated() { w.put(n == 0 ? name(r) : ", " + name(r)) }
        if !results.isEmpty { w.put(" = ") }
        w.put(info.name)
        if info.printsType {
            let t = results.first.map { dfg.type(of: $0) }
            w.put("." + (t.map(\.description) ?? "?"))
        }
        func v(_ x: UInt32) { w.value(name(Value(index: Int(x)))) }
        func sep() { w.put(", ") }
        func list(_ l: ValueList) {
            for (n, x) in dfg.pool.elements(l).enumerated() { if n > 0 { sep() }; w.value(name(x)) }
        }
        func blockCall(_ l: ValueList) {
            w.put(name(dfg.blockCallTarget(l)))
            let args = dfg.blockCallArgs(l)
            if !args.isEmpty {
                w.put("(")
                for (n, x) in args.enumerated() { if n > 0 { sep() }; w.value(name(x)) }
                w.put(")")
            }
        }
        func memarg(_ address: UInt32, offset: UInt32) {
            w.put(" "); v(address)
            if offset != 0 { w.put("+\(offset)") }
            if d.imm16 != 0 { w.put(" mem\(d.imm16)") }
            let natural = Function.accessBytes(d.opcode, results.first.map { dfg.type(of: $0) } ?? (dfg.isValid(Value(index: Int(d.a))) ? dfg.type(of: Value(index: Int(d.a))) : .i32))
            if 1 << d.log2Align != natural { w.put(" align=\(1 << d.log2Align)") }
        }
        switch info.format {
        case .nullary: break
        case .unary: w.put(" "); v(d.a)
        case .binary: w.put(" "); v(d.a); sep(); v(d.b)
        case .ternary: w.put(" "); v(d.a); sep(); v(d.b); sep(); v(d.c)
        case .intCompare: w.put(" \(d.intCC) "); v(d.a); sep(); v(d.b)
        case .floatCompare: w.put(" \(d.floatCC) "); v(d.a); sep(); v(d.b)
        case .intConst:
            let t = results.first.map { dfg.type(of: $0) } ?? .i64
            w.put(" " + (t == .i32 ? String(Int32(truncatingIfNeeded: d.imm64)) : String(Int64(bitPattern: d.imm64))))
        case .floatConst:
            let t = results.first.map { dfg.type(of: $0) } ?? .f64
            w.put(" " + (t == .f32 ? formatF32(UInt32(truncatingIfNeeded: d.imm64)) : formatF64(d.imm64)))
        case .vectorConst:
            let t = results.first.map { dfg.type(of: $0) } ?? .i8x16
            let c = ConstRef(index: Int(d.a))
            w.put(" " + (dfg.constants.isValid(c) ? formatLanes(dfg.constants[c], t) : "[?]"))
        case .shuffle:
            w.put(" "); v(d.a); sep(); v(d.b)
            let c = ConstRef(index: Int(d.c))
            w.put(", [" + (dfg.constants.isValid(c) ? dfg.constants[c].map(String.init).joined(separator: ", ") : "?") + "]")
        case .extractLane: w.put(" "); v(d.a); w.put(", \(d.lane)")
        case .insertLane: w.put(" "); v(d.a); sep(); v(d.b); w.put(", \(d.lane)")
        case .load: memarg(d.a, offset: d.b)
        case .store: w.put(" "); v(d.a); w.put(","); memarg(d.b, offset: d.c)
        case .memoryLane: w.put(" "); v(d.a); w.put(", \(d.memoryLane),"); memarg(d.b, offset: d.c)
        case .memorySize: w.put(" mem\(d.imm16)")
        case .memoryGrow: w.put(" mem\(d.imm16), "); v(d.a)
        case .memoryCopy: w.put(" mem\(d.imm16), mem\(d.imm8), "); v(d.a); sep(); v(d.b); sep(); v(d.c)
        case .memoryFill: w.put(" mem\(d.imm16), "); v(d.a); sep(); v(d.b); sep(); v(d.c)
        case .memoryInit: w.put(" mem\(d.imm8), data\(d.imm16), "); v(d.a); sep(); v(d.b); sep(); v(d.c)
        case .tableInit: w.put(" table\(d.imm8), elem\(d.imm16), "); v(d.a); sep(); v(d.b); sep(); v(d.c)
        case .tableCopy: w.put(" table\(d.imm16), table\(d.imm8), "); v(d.a); sep(); v(d.b); sep(); v(d.c)
        case .tableFill: w.put(" table\(d.imm16), "); v(d.a); sep(); v(d.b); sep(); v(d.c)
        case .segmentDrop: w.put(d.opcode == .dataDrop ? " data\(d.a)" : " elem\(d.a)")
        case .globalGet: w.put(" gv\(d.a)")
        case .globalSet: w.put(" gv\(d.a), "); v(d.b)
        case .tableGet: w.put(" table\(d.a), "); v(d.b)
        case .tableSet, .tableGrow: w.put(" table\(d.a), "); v(d.b); sep(); v(d.c)
        case .tableSize: w.put(" table\(d.a)")
        case .refNull: break
        case .refFunc: w.put(" fn\(d.a)")
        case .call:
            w.put(" fn\(d.a)(")
            list(ValueList(handle: d.b)); w.put(")")
        case .callIndirect, .callRef:
            w.put(" sig\(d.a), ")
            if info.format == .callIndirect { w.put("table\(d.c), ") }
            let all = dfg.pool.elements(ValueList(handle: d.b))
            if let callee = all.first { w.value(name(callee)) }
            w.put("(")
            for (n, x) in all.dropFirst().enumerated() { if n > 0 { sep() }; w.value(name(x)) }
            w.put(")")
        case .jump: w.put(" "); blockCall(ValueList(handle: d.a))
        case .branch:
            w.put(" "); v(d.a); sep(); blockCall(ValueList(handle: d.b)); sep(); blockCall(ValueList(handle: d.c))
        case .branchTable:
            w.put(" "); v(d.a); sep()
            let jt = JumpTableRef(index: Int(d.b))
            let calls = dfg.jumpTables.isValid(jt) ? dfg.jumpTables[jt] : []
            if let first = calls.first { blockCall(first) }
            w.put(", [")
            for (n, c) in calls.dropFirst().enumerated() { if n > 0 { sep() }; blockCall(c) }
            w.put("]")
        case .return:
            if dfg.pool.count(ValueList(handle: d.b)) > 0 { w.put(" ") }
            list(ValueList(handle: d.b))
        case .trap: w.put(" \(d.trapCode)")
        case .condTrap: w.put(" "); v(d.a); w.put(", \(d.trapCode)")
        }
        return (w.text, w.spans)
    }

    /// Vector lanes as `[a, b, ...]` in the lane type of `t`.
    public func formatLanes(_ bytes: [UInt8], _ t: IRType) -> String {
        let laneBytes = t.laneBits / 8
        var lanes: [String] = []
        for lane in 0..<(bytes.count / laneBytes) {
            var bits: UInt64 = 0
            for k in 0..<laneBytes { bits |= UInt64(bytes[lane * laneBytes + k]) << (8 * k) }
            switch (t.laneType, t.laneBits) {
            case (.f32, _): lanes.append(formatF32(UInt32(bits)))
            case (.f64, _): lanes.append(formatF64(bits))
            case (_, 8): lanes.append(String(Int8(truncatingIfNeeded: bits)))
            case (_, 16): lanes.append(String(Int16(truncatingIfNeeded: bits)))
            case (_, 32): lanes.append(String(Int32(truncatingIfNeeded: bits)))
            default: lanes.append(String(Int64(bitPattern: bits)))
            }
        }
        return "[" + lanes.joined(separator: ", ") + "]"
    }
}

/// Text for an f32 given its bits: shortest round-trip decimal, `inf`, `nan`, or `nan:0xPAYLOAD`.
public func formatF32(_ bits: UInt32) -> String {
    let x = Float(bitPattern: bits)
    if x.isNaN {
        let sign = bits >> 31 != 0 ? "-" : ""
        let payload = bits & 0x7f_ffff
        return payload == 0x40_0000 ? "\(sign)nan" : "\(sign)nan:0x" + String(payload, radix: 16)
    }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    return x.description
}

/// Text for an f64 given its bits (see `formatF32`).
public func formatF64(_ bits: UInt64) -> String {
    let x = Double(bitPattern: bits)
    if x.isNaN {
        let sign = bits >> 63 != 0 ? "-" : ""
        let payload = bits & 0xf_ffff_ffff_ffff
        return payload == 0x8_0000_0000_0000 ? "\(sign)nan" : "\(sign)nan:0x" + String(payload, radix: 16)
    }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    return x.description
}

/// Builds one line, remembering where value operands were written (for verifier carets).
struct LineWriter {
    var text = ""
    var column = 0
    var spans: [Range<Int>] = []
    mutating func put(_ s: String) { text += s; column += s.utf8.count }
    mutating func value(_ s: String) { spans.append(column..<(column + s.utf8.count)); put(s) }
}
