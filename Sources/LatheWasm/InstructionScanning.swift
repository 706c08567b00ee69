/// Well-formedness scanning of expressions without building `Instruction` values.
///
/// The reader checks every body once; this path decodes the same immediates as `readInstruction`
/// but keeps none of them, so it allocates nothing.
extension ByteReader {
    /// Tables the scanner uses, fetched once per body instead of once per instruction.
    struct ScanTables {
        let singleByte = Opcode.singleByte
        let prefixed = Opcode.prefixed
        let kinds = Opcode.immediateKinds
    }

    /// Reads one instruction, checking its encoding, and returns its opcode.
    @inline(__always)
    mutating func scanInstruction(_ t: ScanTables) throws(WasmError) -> Opcode {
        let start = position
        let first = try readByte()
        let opcode: Opcode
        if let op = t.singleByte[Int(first)] {
            opcode = op
        } else {
            let table = t.prefixed[Int(first)]
            guard !table.isEmpty else { throw error("illegal opcode 0x\(String(first, radix: 16))", at: start) }
            let code = try readU32()
            guard code < table.count, let op = table[Int(code)] else {
                throw error("illegal opcode 0x\(String(first, radix: 16)) \(code)", at: start)
            }
            opcode = op
        }
        switch t.kinds[Int(opcode.rawValue)] {
        case .none: break
        case .label, .function, .type, .local, .global, .table, .tag, .memory, .data, .elem:
            _ = try readU32()
        case .i32: _ = try readS32()
        case .i64: _ = try readS64()
        case .f32: _ = try readBytes(4)
        case .f64: _ = try readBytes(8)
        case .memArg: _ = try readMemArg()
        case .brTable:
            let n = try readCount("br_table target")
            for _ in 0...n { _ = try readU32() }
        default:
            position = start
            _ = try readInstruction()
        }
        return opcode
    }

    /// Scans an expression up to and including its final `end`; calls `visit` with each
    /// opcode and its offset.
    mutating func scanExpression(_ visit: (Opcode, Int) throws(WasmError) -> Void) throws(WasmError) {
        let tables = ScanTables()
        var depth = 0
        while true {
            let at = position
            if position >= limit { throw error("unexpected end of section or function: expected an instruction or `end`") }
            let op = try scanInstruction(tables)
            switch op {
            case .block, .loop, .if, .try, .tryTable: depth += 1
            case .end:
                if depth == 0 { return }
                depth -= 1
            case .delegate:
                if depth == 0 { throw error("delegate outside of a try block", at: at) }
                depth -= 1
            default: break
            }
            try visit(op, at)
        }
    }
}

extension ByteReader {
    /// The locals that `local.set` or `local.tee` writes up to the `end` closing the current block, as a
    /// bitset over local indices (`count` locals); nil when the code does not decode or `budget` bytes
    /// run out first. The reader is left after that `end`.
    ///
    /// The lifter asks this of each loop body: a local no instruction of the body writes keeps its
    /// value around the loop, so the loop header needs no parameter for it.
    public mutating func localsWrittenInBlock(localCount count: Int, budget: Int) -> [UInt64]? {
        let tables = ScanTables()
        var written = [UInt64](repeating: 0, count: (count + 63) / 64)
        var depth = 0
        let stop = Swift.min(limit, position + budget)
        do {
            while position < stop {
                let at = position
                let op = try scanInstruction(tables)
                switch op {
                case .block, .loop, .if, .try, .tryTable: depth += 1
                case .end:
                    if depth == 0 { return written }
                    depth -= 1
                case .delegate:
                    if depth == 0 { return nil }
                    depth -= 1
                case .localSet, .localTee:
                    let after = position
                    position = at + 1
                    let i = Int(try readU32())
                    position = after
                    if i < count { written[i >> 6] |= 1 << UInt64(i & 63) }
                default: break
                }
            }
        } catch { return nil }
        return nil
    }
}
