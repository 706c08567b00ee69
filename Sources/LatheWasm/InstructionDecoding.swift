extension ByteReader {
    /// Reads one instruction: the opcode through the opcode table, then its immediates by kind.
    public mutating func readInstruction() throws(WasmError) -> Instruction {
        try readInstruction(DecodeTables.shared)
    }

    /// Reads one instruction with opcode tables the caller holds (see `DecodeTables`).
    public mutating func readInstruction(_ tables: DecodeTables) throws(WasmError) -> Instruction {
        let start = position
        let first = try readByte()
        let opcode: Opcode
        if let op = tables.singleByte[Int(first)] {
            opcode = op
        } else if Opcode.isPrefix(first) {
            let code = try readU32()
            guard let op = Opcode.decode(prefix: first, code: code) else {
                throw error("illegal opcode 0x\(String(first, radix: 16)) \(code)", at: start)
            }
            opcode = op
        } else {
            throw error("illegal opcode 0x\(String(first, radix: 16))", at: start)
        }
        return Instruction(opcode, try readImmediate(tables.immediateKinds[Int(opcode.rawValue)]))
    }

    public mutating func readImmediate(_ kind: ImmediateKind) throws(WasmError) -> Immediate {
        switch kind {
        case .none:
            return .none
        case .blockType:
            return .blockType(try readBlockType())
        case .label, .function, .type, .local, .global, .table, .tag, .memory, .data, .elem:
            return .index(try readU32())
        case .brTable:
            let n = try readCount("br_table target")
            var targets: [UInt32] = []
            targets.reserveCapacity(n)
            for _ in 0..<n { targets.append(try readU32()) }
            return .brTable(targets: targets, defaultTarget: try readU32())
        case .callIndirect, .memoryInit, .memoryCopy, .tableInit, .tableCopy, .structField, .arrayFixed,
             .arrayData, .arrayElem, .arrayCopy:
            let a = try readU32()
            return .indexPair(a, try readU32())
        case .memArg:
            return .memArg(try readMemArg())
        case .memArgLane:
            let m = try readMemArg()
            return .memArgLane(m, try readByte())
        case .lane:
            return .lane(try readByte())
        case .i32:
            return .i32(try readS32())
        case .i64:
            return .i64(try readS64())
        case .f32:
            return .f32(try readFixed32())
        case .f64:
            return .f64(try readFixed64())
        case .v128, .shuffle:
            let lo = try readFixed64()
            return .v128(V128(lo: lo, hi: try readFixed64()))
        case .heapType:
            return .heapType(try readHeapType())
        case .selectTypes:
            let n = try readCount("select type")
            var types: [ValType] = []
            for _ in 0..<n { types.append(try readValType()) }
            return .valTypes(types)
        case .brOnCast:
            let flagsAt = position
            let flags = try readByte()
            guard flags <= 3 else { throw error("malformed br_on_cast flags 0x\(String(flags, radix: 16))", at: flagsAt) }
            let label = try readU32()
            let source = try readHeapType()
            return .brOnCast(flags: flags, label: label, source: source, target: try readHeapType())
        case .tryTable:
            let bt = try readBlockType()
            let n = try readCount("catch clause", minElementSize: 2)
            var clauses: [CatchClause] = []
            clauses.reserveCapacity(n)
            for _ in 0..<n {
                let kindAt = position
                let k = try readByte()
                guard let kind = CatchClause.Kind(rawValue: k) else {
                    throw error("malformed catch clause kind 0x\(String(k, radix: 16))", at: kindAt)
                }
                let tag = (kind == .catch || kind == .catchRef) ? try readU32() : 0
                clauses.append(CatchClause(kind: kind, tag: tag, label: try readU32()))
            }
            return .tryTable(bt, clauses)
        case .atomicFence:
            let at = position
            let b = try readByte()
            guard b == 0 else { throw error("malformed atomic.fence: zero byte expected", at: at) }
            return .byte(b)
        }
    }
}

/// Iterates the instructions of an expression (function body or constant expression).
/// The opcode tables the decoder reads per instruction, held by the iterator: every read of a
/// `static let` calls `swift_once` on Linux, which cost two calls per decoded instruction.
public struct DecodeTables: Sendable {
    let singleByte: [Opcode?]
    let immediateKinds: [ImmediateKind]
    public static let shared = DecodeTables(singleByte: Opcode.singleByte, immediateKinds: Opcode.immediateKinds)
}

public struct InstructionIterator {
    public var reader: ByteReader
    /// Open blocks; the expression ends at the `end` that brings this to -1.
    public private(set) var depth = 0
    public private(set) var finished = false
    /// Offset of the instruction returned last.
    public private(set) var offset = 0

    let tables = DecodeTables.shared

    public init(reader: ByteReader) { self.reader = reader }

    /// The next instruction, or nil after the final `end`.
    public mutating func next() throws(WasmError) -> Instruction? {
        if finished { return nil }
        offset = reader.position
        if reader.isAtEnd { throw reader.error("unexpected end of section or function: expected an instruction or `end`") }
        let inst = try reader.readInstruction(tables)
        switch inst.opcode {
        case .block, .loop, .if, .try, .tryTable: depth += 1
        case .end:
            depth -= 1
            if depth < 0 { finished = true }
        case .delegate:
            if depth == 0 { throw reader.error("delegate outside of a try block", at: offset) }
            depth -= 1
        default: break
        }
        return inst
    }
}
