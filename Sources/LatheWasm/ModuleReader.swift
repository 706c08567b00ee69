/// Reads the binary format into a `Module`, checking that it is well formed (not that it validates).
///
/// Every declared count is checked against the bytes left before anything is allocated, and every
/// function body is decoded once through the opcode table so malformed code is caught here.
public struct ModuleReader {
    var r: ByteReader
    var module = Module()
    var lastSection: SectionID? = nil
    var functionCount: Int? = nil
    let checkBodies: Bool

    public init(bytes: [UInt8], checkBodies: Bool = true) {
        r = ByteReader(bytes: bytes)
        self.checkBodies = checkBodies
    }

    /// Reads a whole module.
    ///
    /// With `checkBodies: false` function bodies are only delimited, not decoded; use it only when
    /// `ModuleValidator.validate` runs next, which decodes every body and reports the same errors.
    public static func read(_ bytes: [UInt8], checkBodies: Bool = true) throws(WasmError) -> Module {
        var reader = ModuleReader(bytes: bytes, checkBodies: checkBodies)
        return try reader.readModule()
    }

    mutating func readModule() throws(WasmError) -> Module {
        guard r.remaining >= 4 else { throw r.error("unexpected end: expected the magic number \\0asm") }
        guard r.bytes.starts(with: [0x00, 0x61, 0x73, 0x6D]) else {
            throw r.error("magic header not detected: expected \\0asm")
        }
        r.position = 4
        guard r.remaining >= 4 else { throw r.error("unexpected end: expected the version") }
        let version = try r.readFixed32()
        guard version == 1 else { throw r.error("unknown binary version \(version): expected 1", at: 4) }

        while !r.isAtEnd {
            let idAt = r.position
            let idByte = try r.readByte()
            guard let id = SectionID(rawValue: idByte) else {
                throw r.error("malformed section id \(idByte)", at: idAt)
            }
            let sizeAt = r.position
            let size = try r.readU32()
            if r.sawNonCanonicalInteger { module.hasNonCanonicalIntegers = true }
            guard Int(size) <= r.remaining else {
                throw r.error("unexpected end: \(id.name) section declares \(size) bytes, \(r.remaining) left", at: sizeAt)
            }
            let end = r.position + Int(size)
            if id != .custom {
                if let last = lastSection, id <= last {
                    throw r.error(id == last ? "unexpected content after last section: duplicate \(id.name) section"
                                  : "unexpected content after last section: \(id.name) section out of order", at: idAt)
                }
                lastSection = id
                module.presentSections.insert(id)
                module.offsets.sections[id] = idAt
            }
            var section = r
            section.limit = end
            section.section = id.name
            try readSection(id, &section)
            if section.sawNonCanonicalInteger { module.hasNonCanonicalIntegers = true }
            guard section.position == end else {
                throw section.error("section size mismatch: \(id.name) section has \(end - section.position) bytes left over")
            }
            r.position = end
        }
        if let n = functionCount, n != module.bodies.count, !(n == 0 && module.bodies.isEmpty) {
            throw r.error("function and code section have inconsistent lengths: \(n) functions, \(module.bodies.count) bodies")
        }
        if functionCount == nil && !module.bodies.isEmpty {
            throw r.error("function and code section have inconsistent lengths: no function section, \(module.bodies.count) bodies")
        }
        if let n = module.dataCount, Int(n) != module.data.count {
            throw r.error("data count and data section have inconsistent lengths: \(n) declared, \(module.data.count) segments")
        }
        return module
    }

    mutating func readSection(_ id: SectionID, _ s: inout ByteReader) throws(WasmError) {
        switch id {
        case .custom:
            let name = try s.readName()
            let payload = try s.readBytes(s.remaining)
            module.customSections.append(CustomSection(name: name, payload: payload, after: lastSection))
        case .type:
            let n = try s.readCount("recursion group")
            module.recGroups.reserveCapacity(n)
            module.offsets.recGroups.reserveCapacity(n)
            for _ in 0..<n {
                module.offsets.recGroups.append(s.position)
                module.recGroups.append(try s.readRecGroup())
            }
        case .import:
            let n = try s.readCount("import", minElementSize: 3)
            module.imports.reserveCapacity(n)
            module.offsets.imports.reserveCapacity(n)
            for _ in 0..<n {
                module.offsets.imports.append(s.position)
                module.imports.append(try readImport(&s))
            }
        case .function:
            let n = try s.readCount("function")
            module.functions.reserveCapacity(n)
            module.offsets.functions.reserveCapacity(n)
            for _ in 0..<n {
                module.offsets.functions.append(s.position)
                module.functions.append(try s.readU32())
            }
            functionCount = n
        case .table:
            let n = try s.readCount("table", minElementSize: 2)
            for _ in 0..<n {
                module.offsets.tables.append(s.position)
                module.tables.append(try readTable(&s))
            }
        case .memory:
            let n = try s.readCount("memory", minElementSize: 2)
            for _ in 0..<n {
                module.offsets.memories.append(s.position)
                module.memories.append(MemoryType(limits: try s.readLimits(allowShared: true)))
            }
        case .tag:
            let n = try s.readCount("tag", minElementSize: 2)
            for _ in 0..<n {
                module.offsets.tags.append(s.position)
                module.tags.append(try readTagType(&s))
            }
        case .global:
            let n = try s.readCount("global", minElementSize: 3)
            module.globals.reserveCapacity(n)
            module.offsets.globals.reserveCapacity(n)
            for _ in 0..<n {
                module.offsets.globals.append(s.position)
                let type = try s.readGlobalType()
                module.globals.append(Global(type: type, initializer: try readConstExpr(&s)))
            }
        case .export:
            let n = try s.readCount("export", minElementSize: 3)
            module.exports.reserveCapacity(n)
            module.offsets.exports.reserveCapacity(n)
            for _ in 0..<n {
                module.offsets.exports.append(s.position)
                let name = try s.readName()
                let kindAt = s.position
                let k = try s.readByte()
                guard let kind = ExternalKind(rawValue: k) else { throw s.error("malformed export kind 0x\(String(k, radix: 16))", at: kindAt) }
                module.exports.append(Export(name: name, kind: kind, index: try s.readU32()))
            }
        case .start:
            module.start = try s.readU32()
        case .element:
            let n = try s.readCount("element segment", minElementSize: 2)
            module.elements.reserveCapacity(n)
            module.offsets.elements.reserveCapacity(n)
            for _ in 0..<n {
                module.offsets.elements.append(s.position)
                module.elements.append(try readElementSegment(&s))
            }
        case .dataCount:
            module.dataCount = try s.readU32()
        case .code:
            let n = try s.readCount("function body", minElementSize: 2)
            module.bodies.reserveCapacity(n)
            let imported = module.importedFunctionCount
            for i in 0..<n {
                s.function = UInt32(imported + i)
                // The first byte after the body's size: code metadata offsets count from there.
                var size = s
                _ = try size.readU32()
                module.offsets.bodies.append(size.position)
                let body = try readBody(&s)
                module.bodies.append(body)
            }
            s.function = nil
        case .data:
            let n = try s.readCount("data segment", minElementSize: 2)
            module.data.reserveCapacity(n)
            module.offsets.data.reserveCapacity(n)
            for _ in 0..<n {
                module.offsets.data.append(s.position)
                module.data.append(try readDataSegment(&s))
            }
        }
    }

    func readImport(_ s: inout ByteReader) throws(WasmError) -> Import {
        let moduleName = try s.readName()
        let name = try s.readName()
        let kindAt = s.position
        let kind = try s.readByte()
        let descriptor: Import.Descriptor
        switch kind {
        case 0x00: descriptor = .function(typeIndex: try s.readU32())
        case 0x01: descriptor = .table(try s.readTableType())
        case 0x02: descriptor = .memory(MemoryType(limits: try s.readLimits(allowShared: true)))
        case 0x03: descriptor = .global(try s.readGlobalType())
        case 0x04: descriptor = .tag(try readTagType(&s))
        default: throw s.error("malformed import kind 0x\(String(kind, radix: 16))", at: kindAt)
        }
        return Import(module: moduleName, name: name, descriptor: descriptor)
    }

    func readTagType(_ s: inout ByteReader) throws(WasmError) -> TagType {
        let at = s.position
        let attribute = try s.readByte()
        guard attribute == 0 else { throw s.error("malformed tag attribute 0x\(String(attribute, radix: 16)): expected 0", at: at) }
        return TagType(typeIndex: try s.readU32())
    }

    func readTable(_ s: inout ByteReader) throws(WasmError) -> Table {
        if s.position < s.limit, s.bytes[s.position] == 0x40 {
            let at = s.position
            s.position += 1
            let reserved = try s.readByte()
            guard reserved == 0 else { throw s.error("malformed table: zero byte expected after 0x40", at: at + 1) }
            let type = try s.readTableType()
            return Table(type: type, initializer: try readConstExpr(&s))
        }
        return Table(type: try s.readTableType())
    }

    /// Reads a constant expression up to and including its `end`.
    func readConstExpr(_ s: inout ByteReader) throws(WasmError) -> ConstExpr {
        let start = s.position
        var it = InstructionIterator(reader: s)
        while try it.next() != nil {}
        s.position = it.reader.position
        if it.reader.sawNonCanonicalInteger { s.sawNonCanonicalInteger = true }
        return ConstExpr(bytes: s.bytes[start..<s.position])
    }

    func readElementSegment(_ s: inout ByteReader) throws(WasmError) -> ElementSegment {
        let flagsAt = s.position
        let flags = try s.readU32()
        guard flags <= 7 else { throw s.error("malformed elements segment kind \(flags)", at: flagsAt) }
        let usesExpressions = flags & 4 != 0
        let mode: ElementSegment.Mode
        if flags & 1 == 0 {
            let table: UInt32 = flags & 2 != 0 ? try s.readU32() : 0
            mode = .active(table: table, offset: try readConstExpr(&s))
        } else {
            mode = flags & 2 != 0 ? .declarative : .passive
        }
        var type = RefType.funcref
        if flags & 3 != 0 {  // forms 1, 2, 3, 5, 6, 7 name the element kind or type
            if usesExpressions {
                type = try s.readRefType()
            } else {
                let at = s.position
                let kind = try s.readByte()
                guard kind == 0 else { throw s.error("malformed element kind 0x\(String(kind, radix: 16)): expected 0 (funcref)", at: at) }
            }
        }
        let n = try s.readCount("element")
        if usesExpressions {
            var exprs: [ConstExpr] = []
            exprs.reserveCapacity(n)
            for _ in 0..<n { exprs.append(try readConstExpr(&s)) }
            return ElementSegment(mode: mode, type: type, items: .expressions(exprs), flags: flags)
        }
        var funcs: [UInt32] = []
        funcs.reserveCapacity(n)
        for _ in 0..<n { funcs.append(try s.readU32()) }
        // Function indices are never null: elemkind 0x00 means (ref func) (Wasm 3.0).
        return ElementSegment(mode: mode, type: .nonNullFuncref, items: .functions(funcs), flags: flags)
    }

    func readDataSegment(_ s: inout ByteReader) throws(WasmError) -> DataSegment {
        let flagsAt = s.position
        let flags = try s.readU32()
        let mode: DataSegment.Mode
        switch flags {
        case 0: mode = .active(memory: 0, offset: try readConstExpr(&s))
        case 1: mode = .passive
        case 2:
            let memory = try s.readU32()
            mode = .active(memory: memory, offset: try readConstExpr(&s))
        default: throw s.error("malformed data segment kind \(flags)", at: flagsAt)
        }
        let lenAt = s.position
        let len = try s.readU32()
        guard Int(len) <= s.remaining else {
            throw s.error("unexpected end of section or function: data segment of \(len) bytes, \(s.remaining) left", at: lenAt)
        }
        return DataSegment(mode: mode, bytes: try s.readBytes(Int(len)), flags: flags)
    }

    func readBody(_ s: inout ByteReader) throws(WasmError) -> FunctionBody {
        let sizeAt = s.position
        let size = try s.readU32()
        guard Int(size) <= s.remaining else {
            throw s.error("unexpected end of section or function: body of \(size) bytes, \(s.remaining) left", at: sizeAt)
        }
        let end = s.position + Int(size)
        var b = s
        b.limit = end
        let groupCount = try b.readCount("local group", minElementSize: 2)
        var locals: [LocalGroup] = []
        locals.reserveCapacity(groupCount)
        var total: UInt64 = 0
        for _ in 0..<groupCount {
            let at = b.position
            let count = try b.readU32()
            total += UInt64(count)
            if total > UInt64(UInt32.max) { throw b.error("too many locals", at: at) }
            locals.append(LocalGroup(count: count, type: try b.readValType()))
        }
        let codeStart = b.position
        guard checkBodies else {
            s.position = end
            if b.sawNonCanonicalInteger { s.sawNonCanonicalInteger = true }
            return FunctionBody(locals: locals, code: s.bytes[codeStart..<end])
        }
        let needsDataCount = module.dataCount == nil
        let function = b.function
        try b.scanExpression { (op, at) throws(WasmError) in
            if needsDataCount && (op == .memoryInit || op == .dataDrop) {
                throw WasmError(offset: at, section: "code", function: function, message: "data count section required for \(op.name)")
            }
        }
        guard b.position == end else {
            throw b.error("section size mismatch: function body has \(end - b.position) bytes after its final end")
        }
        s.position = end
        if b.sawNonCanonicalInteger { s.sawNonCanonicalInteger = true }
        return FunctionBody(locals: locals, code: s.bytes[codeStart..<end])
    }
}
