import LatheEntity

/// Where parsed entities came from, for tools that report against source lines (golden tests).
public struct SourceMap: Sendable {
    public var instLines = SecondaryMap<Inst, Int>(default: 0)
    public var blockLines = SecondaryMap<Block, Int>(default: 0)
    public var functionLine = 0
}

/// A parsed module with one `SourceMap` per function.
public struct ParsedModule: Sendable {
    public var module: Module
    public var sourceMaps: [SourceMap]
}

/// Parses IR text (one or more functions); `parseModule(f.text).module.functions[0].text == f.text`.
public func parseModule(_ text: String) throws(ParseError) -> ParsedModule {
    var p = Parser(tokens: try tokenize(text))
    var functions: [Function] = [], maps: [SourceMap] = []
    while p.peek.kind != .end {
        let (f, m) = try p.parseFunction()
        functions.append(f); maps.append(m)
    }
    return ParsedModule(module: Module(functions: functions), sourceMaps: maps)
}

/// Parses text holding exactly one function.
public func parseFunction(_ text: String) throws(ParseError) -> Function {
    let m = try parseModule(text)
    guard m.module.functions.count == 1 else {
        throw ParseError(line: 1, column: 1, message: "expected one function, found \(m.module.functions.count)")
    }
    return m.module.functions[0]
}

/// An instruction as written, before its operands are bound to values.
struct PendingInstRecord {
    var token: Token
    var opcode: Opcode
    var ctrl: IRType?
    var resultNames: [Int]
    var data: InstructionData
    /// Text value numbers of operands, in `valueOperands` order, and where each field goes.
    var operands: [(name: Int, token: Token)]
    var slots: [PendingSlot]
    var block: Block
    /// No `align=` was written: use the natural alignment once the access type is known.
    var naturalAlign: Bool
}

/// Where an operand is stored in `InstructionData` or in a value list.
enum PendingSlot { case a, b, c, list, blockCall(Int) }

struct Parser {
    var tokens: [Token]
    var pos = 0
    init(tokens: [Token]) { self.tokens = tokens }

    var peek: Token { tokens[pos] }
    mutating func next() -> Token { let t = tokens[pos]; if pos < tokens.count - 1 { pos += 1 }; return t }

    func error(_ expected: String, _ t: Token? = nil) -> ParseError {
        let t = t ?? peek
        return ParseError(line: t.line, column: t.column, message: "expected \(expected), found \(t.display)")
    }

    mutating func accept(_ punct: String) -> Bool {
        if (peek.kind == .punct || peek.kind == .arrow) && peek.text == punct { pos += 1; return true }
        return false
    }
    mutating func expect(_ punct: String) throws(ParseError) {
        guard accept(punct) else { throw error("'\(punct)'") }
    }
    mutating func expectKeyword(_ word: String) throws(ParseError) {
        guard peek.kind == .ident && peek.text == word else { throw error("'\(word)'") }
        pos += 1
    }

    /// An identifier `prefix<N>` such as `v3`, `block2`, `sig0`.
    mutating func entity(_ prefix: String) throws(ParseError) -> Int {
        let t = peek
        guard t.kind == .ident, t.text.hasPrefix(prefix), let n = Int(t.text.dropFirst(prefix.count)), n >= 0 else {
            throw error("\(prefix)N")
        }
        pos += 1
        return n
    }

    mutating func number() throws(ParseError) -> Int {
        let t = peek
        guard t.kind == .number, let n = Int(t.text) else { throw error("a number") }
        pos += 1
        return n
    }

    mutating func parseType() throws(ParseError) -> IRType {
        let t = peek
        guard t.kind == .ident else { throw error("a type") }
        pos += 1
        if t.text == "ref" {
            try expect("(")
            let nullable = peek.kind == .ident && peek.text == "null"
            if nullable { pos += 1 }
            let n = try number()
            try expect(")")
            return nullable ? .refNull(UInt32(n)) : .ref(UInt32(n))
        }
        guard let type = IRType(name: t.text) else { throw error("a type", t) }
        return type
    }

    mutating func typeList() throws(ParseError) -> [IRType] {
        try expect("(")
        var out: [IRType] = []
        if accept(")") { return out }
        repeat { out.append(try parseType()) } while accept(",")
        try expect(")")
        return out
    }

    mutating func signature() throws(ParseError) -> Signature {
        let params = try typeList()
        var results: [IRType] = []
        if accept("->") {
            if peek.text == "(" { results = try typeList() } else { results = [try parseType()] }
        }
        return Signature(params: params, results: results)
    }

    /// Integer immediate: decimal or 0x hex, optionally negative; returned as 64-bit pattern.
    mutating func intImmediate() throws(ParseError) -> UInt64 {
        let t = peek
        guard t.kind == .number else { throw error("an integer") }
        pos += 1
        var s = Substring(t.text)
        let negative = s.hasPrefix("-")
        if negative { s = s.dropFirst() }
        let magnitude: UInt64?
        if s.hasPrefix("0x") { magnitude = UInt64(s.dropFirst(2), radix: 16) } else { magnitude = UInt64(s) }
        guard let m = magnitude else { throw error("an integer", t) }
        return negative ? 0 &- m : m
    }

    /// Float immediate of the given width as bits: decimal, hex float, `inf`, `nan`, `nan:0xN`.
    mutating func floatImmediate(_ type: IRType) throws(ParseError) -> UInt64 {
        let t = peek
        let is32 = type == .f32
        if t.kind == .ident, t.text == "nan" || t.text == "-nan" {
            pos += 1
            let sign: UInt64 = t.text.hasPrefix("-") ? 1 : 0
            var payload: UInt64 = is32 ? 0x40_0000 : 0x8_0000_0000_0000
            if accept(":") {
                let pt = peek
                guard pt.kind == .number, pt.text.hasPrefix("0x"), let p = UInt64(pt.text.dropFirst(2), radix: 16), p != 0 else {
                    throw error("a NaN payload like 0x400000")
                }
                pos += 1
                payload = p
            }
            return is32 ? sign << 31 | 0x7f80_0000 | (payload & 0x7f_ffff) : sign << 63 | 0x7ff0_0000_0000_0000 | (payload & 0xf_ffff_ffff_ffff)
        }
        guard t.kind == .number || t.text == "inf" || t.text == "-inf" else { throw error("a float") }
        pos += 1
        if is32 {
            guard let x = Float(t.text) else { throw error("an f32", t) }
            return UInt64(x.bitPattern)
        }
        guard let x = Double(t.text) else { throw error("an f64", t) }
        return x.bitPattern
    }

    /// `[lane, lane, ...]` for a vector type, as little-endian bytes.
    mutating func laneList(_ type: IRType) throws(ParseError) -> [UInt8] {
        try expect("[")
        var bytes: [UInt8] = []
        let laneBytes = type.laneBits / 8
        repeat {
            let bits = type.laneType.isFloat ? try floatImmediate(type.laneType) : try intImmediate()
            for k in 0..<laneBytes { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
        } while accept(",")
        try expect("]")
        guard bytes.count == type.bytes else { throw error("\(type.laneCount) lanes for \(type)") }
        return bytes
    }

    // MARK: functions

    mutating func parseFunction() throws(ParseError) -> (Function, SourceMap) {
        let start = peek
        try expectKeyword("function")
        guard peek.kind == .funcName else { throw error("a function name like %f") }
        let name = next().text
        var f = Function(name: name, signature: try signature())
        var map = SourceMap()
        map.functionLine = start.line
        try expect("{")
        try declarations(&f)

        // Pass 1: blocks and their parameters, instructions as written.
        var blocks: [Int: Block] = [:]
        var values: [Int: Value] = [:]
        var order: [(Block, [PendingInstRecord])] = []
        var paramDecls: [(Block, [(Int, IRType, Token)])] = []
        func blockFor(_ n: Int, _ f: inout Function) -> Block {
            if let b = blocks[n] { return b }
            let b = f.dfg.makeBlock(); blocks[n] = b; return b
        }
        var defined = Set<Int>()
        while !(peek.kind == .punct && peek.text == "}") {
            let headerToken = peek
            let bn = try entity("block")
            guard defined.insert(bn).inserted else { throw ParseError(line: headerToken.line, column: headerToken.column, message: "block\(bn) is defined twice") }
            let b = blockFor(bn, &f)
            map.blockLines[b] = headerToken.line
            var params: [(Int, IRType, Token)] = []
            if accept("(") {
                repeat {
                    let vt = peek
                    let v = try entity("v")
                    try expect(":")
                    params.append((v, try parseType(), vt))
                } while accept(",")
                try expect(")")
            }
            try expect(":")
            paramDecls.append((b, params))
            var insts: [PendingInstRecord] = []
            while peek.kind == .ident && !peek.text.hasPrefix("block") {
                insts.append(try instruction(&f, block: b, blockFor: { n, f in blockFor(n, &f) }))
            }
            order.append((b, insts))
        }
        _ = next()
        if let n = blocks.keys.filter({ !defined.contains($0) }).min() {
            throw ParseError(line: start.line, column: start.column, message: "block\(n) is used but not defined in %\(name)")
        }

        // Pass 2: create parameters, then instructions as soon as their controlling type is known.
        var placeholders: [Int: (Value, Token)] = [:]
        func define(_ n: Int, _ v: Value, _ t: Token, _ f: inout Function) throws(ParseError) {
            guard values[n] == nil else { throw ParseError(line: t.line, column: t.column, message: "v\(n) is defined twice") }
            values[n] = v
            if let (ph, _) = placeholders.removeValue(forKey: n) { f.dfg.makeAlias(ph, of: v) }
        }
        for (b, params) in paramDecls {
            f.layout.appendBlock(b)
            for (n, type, t) in params { try define(n, f.dfg.appendParam(b, type: type), t, &f) }
        }
        var pending: [(Int, Int)] = []
        for (bi, (_, insts)) in order.enumerated() { for ii in insts.indices { pending.append((bi, ii)) } }
        var created: [[Inst?]] = order.map { Array(repeating: nil, count: $0.1.count) }
        while !pending.isEmpty {
            var stuck: [(Int, Int)] = []
            for (bi, ii) in pending {
                var pi = order[bi].1[ii]
                var ctrl = pi.ctrl
                if case .operand(let k) = pi.opcode.info.control, ctrl == nil {
                    guard k < pi.operands.count, let v = values[pi.operands[k].name] else { stuck.append((bi, ii)); continue }
                    ctrl = f.dfg.type(of: v)
                }
                // Bind operands (unknown names get placeholders that become aliases when defined).
                var bound: [Value] = []
                for (n, _) in pi.operands {
                    if let v = values[n] { bound.append(v) }
                    else if let (ph, _) = placeholders[n] { bound.append(ph) }
                    else {
                        let ph = f.dfg.makePlaceholder()
                        placeholders[n] = (ph, pi.operands.first { $0.name == n }!.token)
                        bound.append(ph)
                    }
                }
                bind(&pi, bound, &f)
                if pi.naturalAlign, let t = ctrl {
                    pi.data.imm8 = (pi.data.imm8 & 0xf0) | UInt8(Function.accessBytes(pi.opcode, t).trailingZeroBitCount)
                }
                let inst = f.dfg.makeInst(pi.data)
                var types: [IRType]
                do { types = try f.typing(of: pi.data, ctrl: ctrl).results }
                catch { types = Array(repeating: ctrl ?? .i32, count: pi.resultNames.count) }
                guard types.count == pi.resultNames.count else {
                    throw ParseError(line: pi.token.line, column: pi.token.column,
                                     message: "\(pi.opcode.name) produces \(types.count) result(s), but \(pi.resultNames.count) are named")
                }
                f.dfg.makeResults(inst, types: types)
                for (n, v) in zip(pi.resultNames, f.dfg.results(of: inst)) { try define(n, v, pi.token, &f) }
                created[bi][ii] = inst
                map.instLines[inst] = pi.token.line
            }
            if stuck.count == pending.count {
                let pi = order[stuck[0].0].1[stuck[0].1]
                throw ParseError(line: pi.token.line, column: pi.token.column,
                                 message: "cannot type \(pi.opcode.name): its operand is never defined")
            }
            pending = stuck
        }
        if let (n, (_, t)) = placeholders.first {
            throw ParseError(line: t.line, column: t.column, message: "v\(n) is used but never defined")
        }
        for (bi, (b, _)) in order.enumerated() { for inst in created[bi] { f.layout.appendInst(inst!, to: b) } }
        f.dfg.resolveAllAliases()
        return (f, map)
    }

    private func bind(_ pi: inout PendingInstRecord, _ bound: [Value], _ f: inout Function) {
        var listed: [Value] = []
        var calls: [Int: [Value]] = [:]
        for (slot, v) in zip(pi.slots, bound) {
            switch slot {
            case .a: pi.data.a = v.raw
            case .b: pi.data.b = v.raw
            case .c: pi.data.c = v.raw
            case .list: listed.append(v)
            case .blockCall(let k): calls[k, default: []].append(v)
            }
        }
        switch pi.opcode.format {
        case .call, .callIndirect, .callRef, .return: pi.data.b = f.dfg.pool.make(listed).handle
        case .jump, .branch, .branchTable:
            let handles: [UInt32]
            switch pi.opcode.format {
            case .jump: handles = [pi.data.a]
            case .branch: handles = [pi.data.b, pi.data.c]
            default: handles = f.dfg.jumpTables[JumpTableRef(index: Int(pi.data.b))].map(\.handle)
            }
            for (k, h) in handles.enumerated() {
                var l = ValueList(handle: h)
                for v in calls[k] ?? [] { f.dfg.pool.push(v, to: &l) }
                switch pi.opcode.format {
                case .jump: pi.data.a = l.handle
                case .branch: if k == 0 { pi.data.b = l.handle } else { pi.data.c = l.handle }
                default: f.dfg.jumpTables[JumpTableRef(index: Int(pi.data.b))][k] = l
                }
            }
        default: break
        }
    }

    mutating func declarations(_ f: inout Function) throws(ParseError) {
        while peek.kind == .ident, !peek.text.hasPrefix("block") {
            let t = peek
            if t.text.hasPrefix("sig") {
                let n = try entity("sig"); try expect("=")
                guard n == f.signatures.count else { throw error("sig\(f.signatures.count) (declarations are numbered in order)", t) }
                f.signatures.push(try signature())
            } else if t.text.hasPrefix("fn") {
                let n = try entity("fn"); try expect("=")
                guard n == f.functionRefs.count else { throw error("fn\(f.functionRefs.count)", t) }
                guard peek.kind == .funcName else { throw error("a function name like %g") }
                let name = next().text
                f.functionRefs.push(ExternalFunction(name: name, signature: SigRef(index: try entity("sig"))))
            } else if t.text.hasPrefix("gv") {
                let n = try entity("gv"); try expect("=")
                guard n == f.globals.count else { throw error("gv\(f.globals.count)", t) }
                try expectKeyword("global")
                let type = try parseType()
                let mutable = peek.kind == .ident && peek.text == "mutable"
                if mutable { pos += 1 }
                f.globals.push(GlobalDecl(type: type, isMutable: mutable))
            } else if t.text.hasPrefix("mem") {
                let n = try entity("mem"); try expect("=")
                guard n == f.memories.count else { throw error("mem\(f.memories.count)", t) }
                guard peek.kind == .ident, peek.text == "memory" || peek.text == "memory64" else { throw error("'memory' or 'memory64'") }
                let is64 = next().text == "memory64"
                let minPages = UInt64(try number())
                var maxPages: UInt64? = nil
                if peek.kind == .ident && peek.text == "max" { pos += 1; maxPages = UInt64(try number()) }
                f.memories.push(MemoryDecl(minPages: minPages, maxPages: maxPages, is64: is64))
            } else if t.text.hasPrefix("table") {
                let n = try entity("table"); try expect("=")
                guard n == f.tables.count else { throw error("table\(f.tables.count)", t) }
                try expectKeyword("table")
                let type = try parseType()
                let size = UInt32(try number())
                var elements: [String] = []
                if accept("[") {
                    repeat {
                        guard peek.kind == .funcName else { throw error("a function name like %g") }
                        elements.append(next().text)
                    } while accept(",")
                    try expect("]")
                }
                f.tables.push(TableDecl(elementType: type, minSize: size, elements: elements))
            } else if t.text.hasPrefix("data") {
                let n = try entity("data"); try expect("=")
                try expectKeyword("data"); try expect("[")
                var bytes: [UInt8] = []
                if !accept("]") {
                    repeat {
                        let x = try number()
                        guard (0...255).contains(x) else { throw error("a byte (0 to 255)") }
                        bytes.append(UInt8(x))
                    } while accept(",")
                    try expect("]")
                }
                guard f.dataSegments.updateValue(bytes, forKey: UInt32(n)) == nil else { throw error("data\(n) declared once", t) }
            } else if t.text.hasPrefix("elem") {
                let n = try entity("elem"); try expect("=")
                try expectKeyword("elem"); try expect("[")
                var elems: [String?] = []
                if !accept("]") {
                    repeat {
                        if peek.kind == .funcName { elems.append(next().text) } else { try expectKeyword("null"); elems.append(nil) }
                    } while accept(",")
                    try expect("]")
                }
                guard f.elemSegments.updateValue(elems, forKey: UInt32(n)) == nil else { throw error("elem\(n) declared once", t) }
            } else {
                throw error("a declaration (sigN, fnN, gvN, memN, tableN, dataN, elemN) or a block")
            }
        }
    }
}
