/// The kind of immediate operands an instruction carries in the binary format.
public enum ImmediateKind: UInt8, Sendable {
    case none
    case blockType
    case label
    case brTable
    case function
    case type
    case callIndirect
    case local
    case global
    case table
    case tag
    case memArg
    case memory
    case memoryInit
    case data
    case memoryCopy
    case tableInit
    case elem
    case tableCopy
    case i32, i64, f32, f64, v128
    case shuffle
    case lane
    case memArgLane
    case heapType
    case selectTypes
    case brOnCast
    case structField
    case arrayFixed
    case arrayData
    case arrayElem
    case arrayCopy
    case tryTable
    case atomicFence
}

/// The proposal an opcode comes from; used for feature detection and statistics.
public enum Feature: String, Sendable, CaseIterable {
    case mvp, signExtension, saturatingConversion, bulkMemory, referenceTypes, simd, relaxedSimd
    case tailCall, exceptions, legacyExceptions, threads, gc, functionReferences
}

/// One row of the opcode table.
public struct OpcodeInfo: Sendable {
    /// 0 for single-byte opcodes, else the prefix byte (0xFB GC, 0xFC misc, 0xFD SIMD, 0xFE threads).
    public let prefix: UInt8
    /// The opcode byte, or the LEB128 sub-opcode after the prefix.
    public let code: UInt32
    /// The text-format mnemonic.
    public let name: String
    public let immediate: ImmediateKind
    /// `"params -> results"`; `a` stands for the address type of the memory used. Nil when the
    /// typing depends on more than that (control, locals, references, calls, tables, GC).
    public let signature: String?
    /// log2 of the natural alignment, for memory accesses.
    public let naturalAlignment: UInt8?
    public let feature: Feature
    /// Allowed in a constant expression (extended constant expressions and GC included).
    public let isConstant: Bool
}

extension Opcode {
    @inlinable public var info: OpcodeInfo { Opcode.infoTable[Int(rawValue)] }
    public var name: String { info.name }

    /// Opcodes indexed by their single byte; nil where the byte is a prefix or unassigned.
    static let singleByte: [Opcode?] = {
        var table = [Opcode?](repeating: nil, count: 256)
        for op in Opcode.allCases where op.info.prefix == 0 { table[Int(op.info.code)] = op }
        return table
    }()

    /// For each prefix byte, the opcodes after it indexed by sub-opcode (empty for non-prefix bytes).
    static let prefixed: [[Opcode?]] = {
        var tables = [[Opcode?]](repeating: [], count: 256)
        for op in Opcode.allCases where op.info.prefix != 0 {
            let p = Int(op.info.prefix), code = Int(op.info.code)
            if tables[p].count <= code { tables[p] += [Opcode?](repeating: nil, count: code + 1 - tables[p].count) }
            tables[p][code] = op
        }
        return tables
    }()

    /// The immediate kind of each opcode, kept apart from `infoTable` so hot loops copy no strings.
    static let immediateKinds: [ImmediateKind] = infoTable.map(\.immediate)

    /// The kind of immediates this opcode carries.
    public var immediateKind: ImmediateKind { Opcode.immediateKinds[Int(rawValue)] }

    /// (prefix, code) of each opcode, for the encoder.
    public static let encodings: [(prefix: UInt8, code: UInt32)] = infoTable.map { ($0.prefix, $0.code) }

    /// Whether the byte starts a multi-byte opcode.
    static func isPrefix(_ byte: UInt8) -> Bool { !prefixed[Int(byte)].isEmpty }

    /// Looks up an opcode by encoding.
    public static func decode(prefix: UInt8, code: UInt32) -> Opcode? {
        if prefix == 0 { return code < 256 ? singleByte[Int(code)] : nil }
        let table = prefixed[Int(prefix)]
        guard code < table.count else { return nil }
        return table[Int(code)]
    }

    /// Whether the opcode opens a structured block that `end` closes.
    public var opensBlock: Bool {
        switch self {
        case .block, .loop, .if, .try, .tryTable: true
        default: false
        }
    }
}
