/// Prints a module in the WebAssembly text format.
///
/// The layout follows `wasm-tools print`: fields in binary section order (functions where the code
/// section is), names from the name section as `$id` followed by `(;index;)` comments, flat
/// instructions indented per block depth, unnamed labels as `;; label = @N` and branches to them
/// as `N (;@N;)`, floats as hex floats with their decimal value in a comment. Custom sections other
/// than a well-formed `name` section come out as `(@custom "name" (after section) "bytes")`.
/// The output reads back (e.g. through WasmKit's `wat2wasm`) to the same module, custom sections
/// and binary encoding choices aside.
public enum ModulePrinter {
    /// The module as `.wat` text.
    public static func print(_ module: Module) -> String {
        var p = WatPrinter(module)
        p.printModule()
        return p.out
    }
}

/// The state of printing one module.
struct WatPrinter {
    let module: Module
    let names: PrintNames
    let types: [SubType]
    /// Whether the first `name` custom section was understood (and so is printed as names).
    let nameSectionUsed: Bool
    /// The type a type use with only an inline signature refers to when read back: the first
    /// function type with that signature declared outside an explicit `rec` group.
    let implicitTypeIndex: [FuncType: UInt32]
    var out = ""

    init(_ module: Module) {
        self.module = module
        let section = module.names
        self.names = PrintNames(section)
        self.nameSectionUsed = section != nil
        self.types = module.types
        var implicit: [FuncType: UInt32] = [:]
        var index: UInt32 = 0
        for g in module.recGroups {
            if g.types.count == 1 && !g.explicitRec, let f = g.types[0].funcType, implicit[f] == nil { implicit[f] = index }
            index += UInt32(g.types.count)
        }
        self.implicitTypeIndex = implicit
    }

    // MARK: - Module

    mutating func printModule() {
        out += "(module"
        if let m = names.module { out += " " + m }
        out += "\n"
        let headerLength = out.utf8.count
        printCustomSections(after: nil)
        printTypes()
        printCustomSections(after: .type)
        printImports()
        printCustomSections(after: .import)
        printCustomSections(after: .function)
        printTables()
        printCustomSections(after: .table)
        printMemories()
        printCustomSections(after: .memory)
        printTags()
        printCustomSections(after: .tag)
        printGlobals()
        printCustomSections(after: .global)
        printExports()
        printCustomSections(after: .export)
        if let s = module.start { out += "  (start \(names.functions.reference(s)))\n" }
        printCustomSections(after: .start)
        printElements()
        printCustomSections(after: .element)
        printCustomSections(after: .dataCount)
        printFunctions()
        printCustomSections(after: .code)
        printData()
        printCustomSections(after: .data)
        if out.utf8.count == headerLength {
            out.removeLast()  // an empty module on one line: `(module)`
        }
        out += ")\n"
    }

    mutating func printCustomSections(after: SectionID?) {
        var skippedNames = false
        for c in module.customSections {
            if c.name == "name" && nameSectionUsed && !skippedNames {
                skippedNames = true
                continue
            }
            guard c.after == after else { continue }
            out += "  (@custom " + PrintText.quotedName(c.name) + " " + Self.placement(after) + " "
            out += PrintText.quotedBytes(c.payload) + ")\n"
        }
    }

    /// The placement clause of a custom section, in the words WasmKit's parser knows.
    static func placement(_ after: SectionID?) -> String {
        guard let after else { return "(before first)" }
        switch after {
        case .custom: return "(after last)"
        case .type: return "(after type)"
        case .import: return "(after import)"
        case .function: return "(after func)"
        case .table: return "(after table)"
        case .memory: return "(after memory)"
        case .tag: return "(before global)"
        case .global: return "(after global)"
        case .export: return "(after export)"
        case .start: return "(after start)"
        case .element: return "(after elem)"
        case .dataCount: return "(after datacount)"
        case .code: return "(after code)"
        case .data: return "(after data)"
        }
    }

    // MARK: - Types

    func heapType(_ h: HeapType) -> String {
        switch h {
        case .abstract(let a): a.keyword
        case .concrete(let i): names.types.reference(i)
        }
    }

    func refType(_ r: RefType) -> String {
        if r.nullable, case .abstract(let a) = r.heapType {
            switch a {
            case .func: return "funcref"
            case .extern: return "externref"
            case .any: return "anyref"
            case .eq: return "eqref"
            case .i31: return "i31ref"
            case .struct: return "structref"
            case .array: return "arrayref"
            case .exn: return "exnref"
            case .none: return "nullref"
            case .noFunc: return "nullfuncref"
            case .noExtern: return "nullexternref"
            case .noExn: return "nullexnref"
            }
        }
        return "(ref " + (r.nullable ? "null " : "") + heapType(r.heapType) + ")"
    }

    func valType(_ t: ValType) -> String {
        switch t {
        case .i32: "i32"
        case .i64: "i64"
        case .f32: "f32"
        case .f64: "f64"
        case .v128: "v128"
        case .ref(let r): refType(r)
        }
    }

    func fieldType(_ f: FieldType) -> String {
        let s: String
        switch f.storage {
        case .i8: s = "i8"
        case .i16: s = "i16"
        case .val(let t): s = valType(t)
        }
        return f.mutable ? "(mut \(s))" : s
    }

    /// ` (param ...) (result ...)`, parameters named from `locals` when given.
    func signature(_ f: FuncType, locals: PrintNameSpace? = nil) -> String {
        var s = ""
        var unnamed: [String] = []
        func flush() {
            if !unnamed.isEmpty { s += " (param " + unnamed.joined(separator: " ") + ")" }
            unnamed.removeAll()
        }
        for (i, p) in f.params.enumerated() {
            if let id = locals?[UInt32(i)] {
                flush()
                s += " (param \(id) \(valType(p)))"
            } else {
                unnamed.append(valType(p))
            }
        }
        flush()
        if !f.results.isEmpty { s += " (result " + f.results.map(valType).joined(separator: " ") + ")" }
        return s
    }

    /// `(type N)` followed by the signature when N is a function type.
    func typeUse(_ index: UInt32, locals: PrintNameSpace? = nil) -> String {
        var s = "(type \(names.types.reference(index)))"
        if Int(index) < types.count, let f = types[Int(index)].funcType { s += signature(f, locals: locals) }
        return s
    }

    func compositeType(_ c: CompositeType, typeIndex: UInt32) -> String {
        switch c {
        case .func(let f):
            return "(func" + signature(f) + ")"
        case .struct(let fields):
            let fieldNames = names.fields(ofType: typeIndex)
            var s = "(struct"
            for (i, f) in fields.enumerated() {
                s += " (field"
                if let id = fieldNames[UInt32(i)] { s += " " + id }
                s += " " + fieldType(f) + ")"
            }
            return s + ")"
        case .array(let f):
            return "(array " + fieldType(f) + ")"
        }
    }

    func subType(_ t: SubType, index: UInt32) -> String {
        let c = compositeType(t.composite, typeIndex: index)
        if t.isFinal && t.supertypes.isEmpty && !t.explicitSubPrefix { return c }
        var s = "(sub"
        if t.isFinal { s += " final" }
        for st in t.supertypes { s += " " + names.types.reference(st) }
        return s + " " + c + ")"
    }

    mutating func printTypes() {
        var index: UInt32 = 0
        for g in module.recGroups {
            if g.types.count == 1 && !g.explicitRec {
                out += "  (type \(names.types.definition(index)) \(subType(g.types[0], index: index)))\n"
                index += 1
                continue
            }
            if g.types.isEmpty {
                out += "  (rec)\n"
                continue
            }
            out += "  (rec\n"
            for t in g.types {
                out += "    (type \(names.types.definition(index)) \(subType(t, index: index)))\n"
                index += 1
            }
            out += "  )\n"
        }
    }

    // MARK: - Imports and definitions

    func limits(_ l: Limits) -> String {
        var s = l.is64 ? "i64 " : ""
        s += String(l.min)
        if let max = l.max { s += " " + String(max) }
        return s
    }

    func tableType(_ t: TableType) -> String { limits(t.limits) + " " + refType(t.elementType) }

    func memoryType(_ m: MemoryType) -> String { limits(m.limits) + (m.limits.shared ? " shared" : "") }

    func globalType(_ g: GlobalType) -> String { g.mutable ? "(mut \(valType(g.valueType)))" : valType(g.valueType) }

    mutating func printImports() {
        var counts = [UInt32](repeating: 0, count: 5)
        for imp in module.imports {
            let kind = imp.descriptor.kind
            let index = counts[Int(kind.rawValue)]
            counts[Int(kind.rawValue)] += 1
            out += "  (import " + PrintText.quotedName(imp.module) + " " + PrintText.quotedName(imp.name) + " ("
            switch imp.descriptor {
            case .function(let t):
                out += "func \(names.functions.definition(index)) \(typeUse(t))"
            case .table(let t):
                out += "table \(names.tables.definition(index)) \(tableType(t))"
            case .memory(let m):
                out += "memory \(names.memories.definition(index)) \(memoryType(m))"
            case .global(let g):
                out += "global \(names.globals.definition(index)) \(globalType(g))"
            case .tag(let t):
                out += "tag \(names.tags.definition(index)) \(typeUse(t.typeIndex))"
            }
            out += "))\n"
        }
    }

    mutating func printTables() {
        var index = UInt32(module.importedTableCount)
        for t in module.tables {
            out += "  (table \(names.tables.definition(index)) \(tableType(t.type))"
            if let e = t.initializer { out += " " + constExpr(e) }
            out += ")\n"
            index += 1
        }
    }

    mutating func printMemories() {
        var index = UInt32(module.importedMemoryCount)
        for m in module.memories {
            out += "  (memory \(names.memories.definition(index)) \(memoryType(m)))\n"
            index += 1
        }
    }

    mutating func printTags() {
        var index = UInt32(module.importedTagCount)
        for t in module.tags {
            out += "  (tag \(names.tags.definition(index)) \(typeUse(t.typeIndex)))\n"
            index += 1
        }
    }

    mutating func printGlobals() {
        var index = UInt32(module.importedGlobalCount)
        for g in module.globals {
            out += "  (global \(names.globals.definition(index)) \(globalType(g.type)) \(constExpr(g.initializer)))\n"
            index += 1
        }
    }

    func exportTarget(_ e: Export) -> String {
        switch e.kind {
        case .function: names.functions.reference(e.index)
        case .table: names.tables.reference(e.index)
        case .memory: names.memories.reference(e.index)
        case .global: names.globals.reference(e.index)
        case .tag: names.tags.reference(e.index)
        }
    }

    mutating func printExports() {
        for e in module.exports {
            out += "  (export \(PrintText.quotedName(e.name)) (\(e.kind.keyword) \(exportTarget(e))))\n"
        }
    }

    /// A constant expression as flat instructions on one line.
    func constExpr(_ e: ConstExpr) -> String {
        guard let insts = try? e.instructions() else { return "(; malformed constant expression ;)" }
        var ctx = InstructionContext()
        return insts.map { instructionText($0, &ctx) }.joined(separator: " ")
    }

    /// An offset or element item: `(instr)` for one instruction, `(keyword instr...)` for more.
    func foldedExpr(_ e: ConstExpr, keyword: String) -> String {
        if let insts = try? e.instructions(), insts.count == 1 {
            var ctx = InstructionContext()
            return "(" + instructionText(insts[0], &ctx) + ")"
        }
        return "(\(keyword) \(constExpr(e)))"
    }

    mutating func printElements() {
        for (i, seg) in module.elements.enumerated() {
            out += "  (elem \(names.elements.definition(UInt32(i)))"
            switch seg.mode {
            case .passive: break
            case .declarative: out += " declare"
            case .active(let table, let offset):
                if table != 0 || seg.flags == 2 || seg.flags == 6 { out += " (table \(names.tables.reference(table)))" }
                out += " " + foldedExpr(offset, keyword: "offset")
            }
            switch seg.items {
            case .functions(let fs):
                out += " func"  // function indices: the element kind is always func
                for f in fs { out += " " + names.functions.reference(f) }
            case .expressions(let es):
                out += " " + refType(seg.type)
                for e in es { out += " " + foldedExpr(e, keyword: "item") }
            }
            out += ")\n"
        }
    }

    mutating func printData() {
        for (i, seg) in module.data.enumerated() {
            out += "  (data \(names.data.definition(UInt32(i)))"
            if case .active(let memory, let offset) = seg.mode {
                if memory != 0 { out += " (memory \(names.memories.reference(memory)))" }
                out += " " + foldedExpr(offset, keyword: "offset")
            }
            out += " " + PrintText.quotedBytes(seg.bytes) + ")\n"
        }
    }
}
