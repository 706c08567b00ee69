/// Labels and local names in scope while printing one expression.
struct InstructionContext {
    struct Frame {
        /// `$label` when the label is named.
        var id: String?
        /// The `@N` number: how many blocks enclose this one, itself included (0: the function).
        var number: Int
    }

    var locals = PrintNameSpace()
    /// Label names from the name section, by block ordinal.
    var labelNames: [UInt32: String] = [:]
    /// Open frames, the function's own at the bottom.
    var frames: [Frame] = [Frame(id: nil, number: 0)]
    /// How many block instructions came before; the index of label names.
    var blockOrdinal: UInt32 = 0

    /// Blocks open inside the function.
    var depth: Int { frames.count - 1 }

    /// A branch target: `$label`, or `N (;@M;)`.
    func label(_ relative: UInt32) -> String {
        guard Int(relative) < frames.count else { return String(relative) }
        let f = frames[frames.count - 1 - Int(relative)]
        if let id = f.id { return id }
        // Like `wasm-tools print`, no comment for the function's own label.
        return f.number == 0 ? String(relative) : "\(relative) (;@\(f.number);)"
    }

    /// Opens a block; returns its `$label` if named.
    ///
    /// Like `wasm-tools print`, a label keeps its name unless an open block already has it (then
    /// it would hide the outer one): then it is `$"#label7 name"`, or unnamed if that is taken too.
    mutating func push() -> String? {
        var id: String?
        if let name = labelNames[blockOrdinal], !name.isEmpty {
            for candidate in [name, "#label\(blockOrdinal) \(name)"] {
                let text = PrintText.identifier(candidate)
                if !frames.contains(where: { $0.id == text }) {
                    id = text
                    break
                }
            }
        }
        blockOrdinal += 1
        frames.append(Frame(id: id, number: frames.count))
        return id
    }

    mutating func pop() {
        if frames.count > 1 { frames.removeLast() }
    }
}

extension WatPrinter {
    // MARK: - Function bodies

    mutating func printFunctions() {
        let imported = UInt32(module.importedFunctionCount)
        for (i, typeIndex) in module.functions.enumerated() {
            let index = imported + UInt32(i)
            var locals = names.locals(ofFunction: index)
            out += "  (func \(names.functions.definition(index)) \(functionTypeUse(typeIndex, locals: &locals))"
            guard i < module.bodies.count else {
                out += ")\n"
                continue
            }
            let body = module.bodies[i]
            var ctx = InstructionContext()
            ctx.locals = locals
            ctx.labelNames = names.labels(ofFunction: index)
            var lines: [String] = []
            if !body.locals.isEmpty { lines.append("    " + localDeclarations(body, function: typeIndex, names: locals)) }
            var it = body.makeIterator()
            do {
                while let inst = try it.next() {
                    if it.finished { break }
                    var depth = ctx.depth
                    switch inst.opcode {
                    case .else, .catch, .catchAll: depth -= 1
                    case .end, .delegate: depth -= 1
                    default: break
                    }
                    let text = instructionText(inst, &ctx)
                    lines.append(String(repeating: "  ", count: 2 + max(0, depth)) + text)
                }
            } catch {
                lines.append("    (; malformed code: \(error) ;)")
            }
            if lines.isEmpty {
                out += ")\n"
            } else {
                out += "\n"
                for l in lines { out += l + "\n" }
                out += "  )\n"
            }
        }
    }

    /// The type use of a defined function.
    ///
    /// `(type N)` and the signature with parameter names, as `wasm-tools print` writes it, does not
    /// read back through WasmKit: it takes parameter names from the type definition only. So with
    /// named parameters the signature stands alone when it refers back to type N anyway, and
    /// otherwise the parameter names are dropped (and parameters referred to by index).
    func functionTypeUse(_ typeIndex: UInt32, locals: inout PrintNameSpace) -> String {
        guard Int(typeIndex) < types.count, let f = types[Int(typeIndex)].funcType else { return typeUse(typeIndex) }
        let paramCount = UInt32(f.params.count)
        guard (0..<paramCount).contains(where: { locals[$0] != nil }) else { return typeUse(typeIndex) }
        if implicitTypeIndex[f] == typeIndex { return String(signature(f, locals: locals).dropFirst()) }
        locals.removeNames(below: paramCount)
        return typeUse(typeIndex)
    }

    /// `(local $a i32) (local i64 f32)`: named locals alone, runs of unnamed ones together.
    func localDeclarations(_ body: FunctionBody, function typeIndex: UInt32, names: PrintNameSpace) -> String {
        var index = UInt32(0)
        if Int(typeIndex) < types.count, let f = types[Int(typeIndex)].funcType { index = UInt32(f.params.count) }
        // The text format has no repeat count: a (malformed or hostile) body declaring billions of
        // locals would need gigabytes of text. Past a million, say so instead.
        guard body.localCount <= 1 << 20 else {
            return "(; \(body.localCount) locals in \(body.locals.count) groups, too many to print ;)"
        }
        var parts: [String] = []
        var unnamed: [String] = []
        func flush() {
            if !unnamed.isEmpty { parts.append("(local " + unnamed.joined(separator: " ") + ")") }
            unnamed.removeAll()
        }
        for g in body.locals {
            let t = valType(g.type)
            for _ in 0..<g.count {
                if let id = names[index] {
                    flush()
                    parts.append("(local \(id) \(t))")
                } else {
                    unnamed.append(t)
                }
                index &+= 1
            }
        }
        flush()
        return parts.joined(separator: " ")
    }

    // MARK: - Instructions

    func blockType(_ bt: BlockType) -> String {
        switch bt {
        case .empty: ""
        case .value(let t): " (result \(valType(t)))"
        case .typeIndex(let i): " " + typeUse(i)
        }
    }

    /// ` $mem offset=N align=N`, each part only when it is not the default.
    func memArg(_ m: MemArg, natural: UInt8?) -> String {
        var s = ""
        if m.memory != 0 { s += " " + names.memories.reference(m.memory) }
        if m.offset != 0 { s += " offset=\(m.offset)" }
        if m.align != UInt32(natural ?? 0) {
            s += m.align < 64 ? " align=\(UInt64(1) << UInt64(m.align))" : " align=\(m.align)"
        }
        return s
    }

    func v128Lanes(_ v: V128) -> String {
        let lanes = [v.lo & 0xFFFF_FFFF, v.lo >> 32, v.hi & 0xFFFF_FFFF, v.hi >> 32]
        return "i32x4 " + lanes.map { PrintText.hex($0, digits: 8) }.joined(separator: " ")
    }

    /// One instruction without indentation; opens and closes label frames in `ctx`.
    func instructionText(_ inst: Instruction, _ ctx: inout InstructionContext) -> String {
        let op = inst.opcode
        let name = op.info.name
        switch inst.immediate {
        case .none:
            if op == .end || op == .delegate { ctx.pop() }
            return name
        case .blockType(let bt):
            let id = ctx.push()
            var s = name
            if let id { s += " " + id }
            s += blockType(bt)
            if id == nil { s += " ;; label = @\(ctx.depth)" }
            return s
        case .tryTable(let bt, let clauses):
            var s = name
            var catches = ""
            for c in clauses {
                catches += " (" + c.kind.keyword
                if c.kind == .catch || c.kind == .catchRef { catches += " " + names.tags.reference(c.tag) }
                catches += " " + ctx.label(c.label) + ")"
            }
            let id = ctx.push()
            if let id { s += " " + id }
            s += blockType(bt) + catches
            if id == nil { s += " ;; label = @\(ctx.depth)" }
            return s
        case .index(let i):
            switch op.info.immediate {
            case .label:
                if op == .delegate {
                    ctx.pop()
                    return name + " " + ctx.label(i)
                }
                return name + " " + ctx.label(i)
            case .function: return name + " " + names.functions.reference(i)
            case .type: return name + " " + names.types.reference(i)
            case .local: return name + " " + ctx.locals.reference(i)
            case .global: return name + " " + names.globals.reference(i)
            case .table: return name + " " + names.tables.reference(i)
            case .tag: return name + " " + names.tags.reference(i)
            case .memory: return i == 0 ? name : name + " " + names.memories.reference(i)
            case .data: return name + " " + names.data.reference(i)
            case .elem: return name + " " + names.elements.reference(i)
            default: return name + " \(i)"
            }
        case .indexPair(let a, let b):
            switch op.info.immediate {
            case .callIndirect:
                let table = b == 0 ? "" : " " + names.tables.reference(b)
                return name + table + " (type \(names.types.reference(a)))"
            case .memoryInit:
                let memory = b == 0 ? "" : " " + names.memories.reference(b)
                return name + memory + " " + names.data.reference(a)
            case .memoryCopy:
                if a == 0 && b == 0 { return name }
                return name + " " + names.memories.reference(a) + " " + names.memories.reference(b)
            case .tableInit:
                let table = b == 0 ? "" : " " + names.tables.reference(b)
                return name + table + " " + names.elements.reference(a)
            case .tableCopy:
                if a == 0 && b == 0 { return name }
                return name + " " + names.tables.reference(a) + " " + names.tables.reference(b)
            case .structField:
                return name + " " + names.types.reference(a) + " " + names.fields(ofType: a).reference(b)
            case .arrayFixed:
                return name + " " + names.types.reference(a) + " \(b)"
            case .arrayData:
                return name + " " + names.types.reference(a) + " " + names.data.reference(b)
            case .arrayElem:
                return name + " " + names.types.reference(a) + " " + names.elements.reference(b)
            case .arrayCopy:
                return name + " " + names.types.reference(a) + " " + names.types.reference(b)
            default:
                return name + " \(a) \(b)"
            }
        case .brTable(let targets, let defaultTarget):
            var s = name
            for t in targets { s += " " + ctx.label(t) }
            return s + " " + ctx.label(defaultTarget)
        case .memArg(let m):
            return name + memArg(m, natural: op.info.naturalAlignment)
        case .memArgLane(let m, let lane):
            return name + memArg(m, natural: op.info.naturalAlignment) + " \(lane)"
        case .lane(let l):
            return name + " \(l)"
        case .i32(let v):
            return name + " \(v)"
        case .i64(let v):
            return name + " \(v)"
        case .f32(let bits):
            return name + " " + PrintText.f32(bits)
        case .f64(let bits):
            return name + " " + PrintText.f64(bits)
        case .v128(let v):
            if op == .i8x16Shuffle { return name + " " + v.bytes.map { String($0) }.joined(separator: " ") }
            return name + " " + v128Lanes(v)
        case .heapType(let h):
            switch op {
            case .refTest, .refCast: return name + " " + refType(RefType(nullable: false, heapType: h))
            case .refTestNullable, .refCastNullable: return name + " " + refType(RefType(nullable: true, heapType: h))
            default: return name + " " + heapType(h)
            }
        case .valTypes(let ts):
            return name + " (result" + ts.map { " " + valType($0) }.joined() + ")"
        case .brOnCast(let flags, let label, let source, let target):
            return name + " " + ctx.label(label)
                + " " + refType(RefType(nullable: flags & 1 != 0, heapType: source))
                + " " + refType(RefType(nullable: flags & 2 != 0, heapType: target))
        case .byte:
            return name
        }
    }
}
