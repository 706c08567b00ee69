/// Checks a module against the WebAssembly 3.0 validation rules.
///
/// Module-level rules live here (types, imports, limits, globals, exports, start, segments);
/// function bodies and constant expressions are type-checked by `CodeValidator`.
public enum ModuleValidator {
    /// Throws the first validation error found.
    public static func validate(_ module: Module) throws(WasmError) {
        do {
            try validateModule(module)
        } catch {
            var e = error
            if let f = e.function, e.functionName == nil { e.functionName = module.names?.functions[f] }
            throw e
        }
    }

    static func validateModule(_ module: Module) throws(WasmError) {
        var ctx = ModuleContext()
        ctx.types = try buildTypes(module)
        let types = ctx.types
        let offsets = module.offsets
        func at(_ list: KeyPath<SourceOffsets, [Int]>, _ i: Int, _ section: SectionID) -> Int {
            offsets.offset(list, i, section: section)
        }

        func fail(_ section: String, _ message: String, at offset: Int = 0) -> WasmError {
            WasmError(offset: offset, section: section, message: message)
        }
        func valType(_ t: ValType, _ section: String, at offset: Int) throws(WasmError) -> VT {
            do { return try ctx.vt(t) } catch { throw fail(section, error.message, at: offset) }
        }
        func checkFuncType(_ t: UInt32, _ section: String, at offset: Int) throws(WasmError) {
            guard Int(t) < types.count else { throw fail(section, "unknown type \(t)", at: offset) }
            guard types.kinds[Int(t)] == TypeTable.kFunc else {
                throw fail(section, "type mismatch: type \(t) is not a function type", at: offset)
            }
        }
        func checkLimits(_ l: Limits, memory: Bool, _ section: String, at offset: Int) throws(WasmError) {
            if let max = l.max, l.min > max { throw fail(section, "size minimum must not be greater than maximum", at: offset) }
            if memory {
                let bound: UInt64 = l.is64 ? 1 << 48 : 1 << 16
                if l.min > bound || (l.max ?? 0) > bound {
                    throw fail(section, l.is64 ? "memory size must be at most 2^48 pages"
                                                : "memory size must be at most 65536 pages (4GiB)", at: offset)
                }
                if l.shared && l.max == nil { throw fail(section, "shared memory must have maximum", at: offset) }
            } else if !l.is64 && (l.min > UInt64(UInt32.max) || (l.max ?? 0) > UInt64(UInt32.max)) {
                throw fail(section, "table size must be at most 2^32-1", at: offset)
            }
        }
        func checkTag(_ t: TagType, _ section: String, at offset: Int) throws(WasmError) {
            try checkFuncType(t.typeIndex, section, at: offset)
            if types.resultCount[Int(t.typeIndex)] != 0 { throw fail(section, "non-empty tag result type", at: offset) }
        }

        // Imports.
        for (i, imp) in module.imports.enumerated() {
            let offset = at(\.imports, i, .import)
            switch imp.descriptor {
            case .function(let t):
                try checkFuncType(t, "import", at: offset)
                ctx.funcTypes.append(t)
            case .table(let tt):
                let e = try valType(.ref(tt.elementType), "import", at: offset)
                try checkLimits(tt.limits, memory: false, "import", at: offset)
                ctx.tableTypes.append(e)
                ctx.tableIs64.append(tt.limits.is64)
            case .memory(let m):
                try checkLimits(m.limits, memory: true, "import", at: offset)
                ctx.memoryIs64.append(m.limits.is64)
            case .global(let g):
                ctx.globalTypes.append(try valType(g.valueType, "import", at: offset))
                ctx.globalMutable.append(g.mutable)
            case .tag(let t):
                try checkTag(t, "import", at: offset)
                ctx.tagTypes.append(t.typeIndex)
            }
        }
        let importedGlobals = ctx.globalTypes.count
        for (i, t) in module.functions.enumerated() {
            try checkFuncType(t, "function", at: at(\.functions, i, .function))
            ctx.funcTypes.append(t)
        }
        for (i, table) in module.tables.enumerated() {
            let offset = at(\.tables, i, .table)
            ctx.tableTypes.append(try valType(.ref(table.type.elementType), "table", at: offset))
            ctx.tableIs64.append(table.type.limits.is64)
            try checkLimits(table.type.limits, memory: false, "table", at: offset)
        }
        for (i, m) in module.memories.enumerated() {
            try checkLimits(m.limits, memory: true, "memory", at: at(\.memories, i, .memory))
            ctx.memoryIs64.append(m.limits.is64)
        }
        for (i, t) in module.tags.enumerated() {
            try checkTag(t, "tag", at: at(\.tags, i, .tag))
            ctx.tagTypes.append(t.typeIndex)
        }
        for (i, g) in module.globals.enumerated() {
            ctx.globalTypes.append(try valType(g.type.valueType, "global", at: at(\.globals, i, .global)))
            ctx.globalMutable.append(g.type.mutable)
        }
        for (i, seg) in module.elements.enumerated() {
            // Function indices are never null: those segments have type (ref func) (Wasm 3.0).
            if case .functions = seg.items {
                ctx.elementTypes.append(.ref(nullable: false, .func))
            } else {
                ctx.elementTypes.append(try valType(.ref(seg.type), "element", at: at(\.elements, i, .element)))
            }
        }
        ctx.dataCount = module.dataCount.map(Int.init) ?? module.data.count
        ctx.hasDataCount = module.dataCount != nil

        // Declared function references: every function index used outside function bodies.
        ctx.declaredRefs = [Bool](repeating: false, count: ctx.funcTypes.count)
        func declare(_ f: UInt32) {
            if Int(f) < ctx.declaredRefs.count { ctx.declaredRefs[Int(f)] = true }
        }
        func declareIn(_ e: ConstExpr) {
            var it = InstructionIterator(reader: ByteReader(bytes: e.bytes))
            while let inst = try? it.next() {
                if inst.opcode == .refFunc, let f = inst.index { declare(f) }
            }
        }
        for g in module.globals { declareIn(g.initializer) }
        for t in module.tables { if let e = t.initializer { declareIn(e) } }
        for e in module.exports where e.kind == .function { declare(e.index) }
        for seg in module.elements {
            if case .active(_, let off) = seg.mode { declareIn(off) }
            switch seg.items {
            case .functions(let fs): for f in fs { declare(f) }
            case .expressions(let es): for e in es { declareIn(e) }
            }
        }
        for d in module.data { if case .active(_, let off) = d.mode { declareIn(off) } }

        var code = CodeValidator(ctx: ctx)

        // Globals: each initializer sees the imported globals and the globals defined before it.
        for (i, g) in module.globals.enumerated() {
            try code.validateConst(g.initializer, expected: ctx.globalTypes[importedGlobals + i],
                                   globalLimit: importedGlobals + i, section: "global")
        }
        // Tables: an initializer sees imported globals only; without one the element type needs a default.
        for (i, t) in module.tables.enumerated() {
            let type = ctx.tableTypes[module.importedTableCount + i]
            if let e = t.initializer {
                try code.validateConst(e, expected: type, globalLimit: importedGlobals, section: "table")
            } else if !type.nullable {
                throw fail("table", "type mismatch: table of \(types.describe(type)) needs an initializer",
                           at: at(\.tables, i, .table))
            }
        }

        // Exports.
        // Names compare as bytes: canonically equivalent Unicode spellings are different names.
        var names = Set<[UInt8]>()
        names.reserveCapacity(module.exports.count)
        for (i, e) in module.exports.enumerated() {
            let offset = at(\.exports, i, .export)
            let count: Int
            switch e.kind {
            case .function: count = ctx.funcTypes.count
            case .table: count = ctx.tableTypes.count
            case .memory: count = ctx.memoryIs64.count
            case .global: count = ctx.globalTypes.count
            case .tag: count = ctx.tagTypes.count
            }
            if Int(e.index) >= count { throw fail("export", "unknown \(e.kind == .tag ? "tag" : e.kind == .function ? "function" : e.kind.keyword) \(e.index)", at: offset) }
            if !names.insert(Array(e.name.utf8)).inserted { throw fail("export", "duplicate export name \"\(e.name)\"", at: offset) }
        }

        // Start.
        if let s = module.start {
            let offset = offsets.sections[.start] ?? 0
            guard Int(s) < ctx.funcTypes.count else { throw fail("start", "unknown function \(s)", at: offset) }
            let t = Int(ctx.funcTypes[Int(s)])
            if types.paramCount[t] != 0 || types.resultCount[t] != 0 {
                throw fail("start", "start function must have type [] -> []", at: offset)
            }
        }

        // Element segments.
        let allGlobals = ctx.globalTypes.count
        for (i, seg) in module.elements.enumerated() {
            let type = ctx.elementTypes[i]
            let entryAt = at(\.elements, i, .element)
            switch seg.items {
            case .functions(let fs):
                for f in fs where Int(f) >= ctx.funcTypes.count { throw fail("element", "unknown function \(f)", at: entryAt) }
            case .expressions(let es):
                for e in es { try code.validateConst(e, expected: type, globalLimit: allGlobals, section: "element") }
            }
            if case .active(let table, let offset) = seg.mode {
                guard Int(table) < ctx.tableTypes.count else { throw fail("element", "unknown table \(table)", at: entryAt) }
                let tt = ctx.tableTypes[Int(table)]
                if !types.isSub(type, tt) {
                    throw fail("element", "type mismatch: element segment of \(types.describe(type)) in table of \(types.describe(tt))", at: entryAt)
                }
                try code.validateConst(offset, expected: ctx.tableIs64[Int(table)] ? .i64 : .i32,
                                       globalLimit: allGlobals, section: "element")
            }
        }

        // Data segments.
        for (i, d) in module.data.enumerated() {
            if case .active(let memory, let offset) = d.mode {
                guard Int(memory) < ctx.memoryIs64.count else {
                    throw fail("data", "unknown memory \(memory)", at: at(\.data, i, .data))
                }
                try code.validateConst(offset, expected: ctx.memoryIs64[Int(memory)] ? .i64 : .i32,
                                       globalLimit: allGlobals, section: "data")
            }
        }

        // Function bodies.
        let imported = module.importedFunctionCount
        if module.bodies.count != module.functions.count {
            throw fail("code", "function and code section have inconsistent lengths", at: offsets.sections[.code] ?? 0)
        }
        for (i, body) in module.bodies.enumerated() {
            let index = imported + i
            try code.validateFunction(body, index: UInt32(index), typeIndex: ctx.funcTypes[index])
        }
    }

    // MARK: Types

    /// Validates the type section and computes canonical ids, supertypes and flattened signatures.
    static func buildTypes(_ module: Module) throws(WasmError) -> TypeTable {
        var tt = TypeTable()
        var groupIDs: [[Int]: Int32] = [:]
        var nextCanon: Int32 = 0
        var tokens: [Int] = []

        var groupOffset = 0
        func fail(_ message: String) -> WasmError { WasmError(offset: groupOffset, section: "type", message: message) }

        for (g, group) in module.recGroups.enumerated() {
            groupOffset = module.offsets.offset(\.recGroups, g, section: .type)
            let start = tt.count
            let end = start + group.types.count

            func checkRef(_ h: HeapType) throws(WasmError) {
                if case .concrete(let i) = h, Int(i) >= end { throw fail("unknown type \(i)") }
            }
            func checkVal(_ t: ValType) throws(WasmError) {
                if case .ref(let r) = t { try checkRef(r.heapType) }
            }
            func checkField(_ f: FieldType) throws(WasmError) {
                if case .val(let t) = f.storage { try checkVal(t) }
            }
            func vt(_ t: ValType) -> VT {
                switch t {
                case .i32: return .i32
                case .i64: return .i64
                case .f32: return .f32
                case .f64: return .f64
                case .v128: return .v128
                case .ref(let r):
                    switch r.heapType {
                    case .abstract(let a): return .ref(nullable: r.nullable, a)
                    case .concrete(let i): return .ref(nullable: r.nullable, concrete: i)
                    }
                }
            }
            func storage(_ s: StorageType) -> VT {
                switch s {
                case .i8: return .i8
                case .i16: return .i16
                case .val(let t): return vt(t)
                }
            }

            // Indices: types refer backward or inside the group; supertypes strictly backward.
            for (j, st) in group.types.enumerated() {
                let x = start + j
                if st.supertypes.count > 1 { throw fail("type \(x) has more than one supertype") }
                for s in st.supertypes where Int(s) >= x { throw fail("unknown type \(s): supertype of type \(x) must be defined before it") }
                switch st.composite {
                case .func(let f):
                    for t in f.params { try checkVal(t) }
                    for t in f.results { try checkVal(t) }
                case .struct(let fields):
                    for f in fields { try checkField(f) }
                case .array(let f):
                    try checkField(f)
                }
            }

            // Tables.
            for st in group.types {
                tt.supers.append(st.supertypes.first.map { Int32($0) } ?? -1)
                tt.finals.append(st.isFinal)
                tt.sigStart.append(Int32(tt.sigPool.count))
                tt.fieldStart.append(Int32(tt.fieldPool.count))
                switch st.composite {
                case .func(let f):
                    tt.kinds.append(TypeTable.kFunc)
                    for t in f.params { tt.sigPool.append(vt(t)) }
                    for t in f.results { tt.sigPool.append(vt(t)) }
                    tt.paramCount.append(Int32(f.params.count))
                    tt.resultCount.append(Int32(f.results.count))
                    tt.fieldCount.append(0)
                case .struct(let fields):
                    tt.kinds.append(TypeTable.kStruct)
                    for f in fields {
                        tt.fieldPool.append(storage(f.storage))
                        tt.fieldMutable.append(f.mutable)
                    }
                    tt.paramCount.append(0)
                    tt.resultCount.append(0)
                    tt.fieldCount.append(Int32(fields.count))
                case .array(let f):
                    tt.kinds.append(TypeTable.kArray)
                    tt.fieldPool.append(storage(f.storage))
                    tt.fieldMutable.append(f.mutable)
                    tt.paramCount.append(0)
                    tt.resultCount.append(0)
                    tt.fieldCount.append(1)
                }
            }

            // Canonical ids: the group's shape with inner references relative, outer ones canonical.
            tokens.removeAll(keepingCapacity: true)
            func heapToken(_ h: HeapType) {
                switch h {
                case .abstract(let a): tokens.append(Int(a.rawValue))
                case .concrete(let i):
                    if Int(i) >= start {
                        tokens.append(-1); tokens.append(Int(i) - start)
                    } else {
                        tokens.append(-2); tokens.append(Int(tt.canon[Int(i)]))
                    }
                }
            }
            func valToken(_ t: ValType) {
                switch t {
                case .i32: tokens.append(1)
                case .i64: tokens.append(2)
                case .f32: tokens.append(3)
                case .f64: tokens.append(4)
                case .v128: tokens.append(5)
                case .ref(let r):
                    tokens.append(r.nullable ? 6 : 7)
                    heapToken(r.heapType)
                }
            }
            func fieldToken(_ f: FieldType) {
                switch f.storage {
                case .i8: tokens.append(8)
                case .i16: tokens.append(9)
                case .val(let t): valToken(t)
                }
                tokens.append(f.mutable ? 1 : 0)
            }
            tokens.append(group.types.count)
            for st in group.types {
                tokens.append(st.isFinal ? 1 : 0)
                tokens.append(st.supertypes.count)
                for s in st.supertypes { heapToken(.concrete(s)) }
                switch st.composite {
                case .func(let f):
                    tokens.append(-10); tokens.append(f.params.count); tokens.append(f.results.count)
                    for t in f.params { valToken(t) }
                    for t in f.results { valToken(t) }
                case .struct(let fields):
                    tokens.append(-11); tokens.append(fields.count)
                    for f in fields { fieldToken(f) }
                case .array(let f):
                    tokens.append(-12)
                    fieldToken(f)
                }
            }
            let base: Int32
            if let b = groupIDs[tokens] {
                base = b
            } else {
                base = nextCanon
                nextCanon += Int32(group.types.count)
                groupIDs[tokens] = base
            }
            for j in 0..<group.types.count { tt.canon.append(base + Int32(j)) }

            // Declared supertypes: not final, and structurally matched.
            for x in start..<end {
                let s = tt.supers[x]
                guard s >= 0 else { continue }
                let y = Int(s)
                if tt.finals[y] { throw fail("sub type \(x) does not match super type \(y): \(y) is final") }
                if !compositeMatches(tt, x, y) { throw fail("sub type \(x) does not match super type \(y)") }
            }
        }
        return tt
    }

    static func compositeMatches(_ tt: TypeTable, _ x: Int, _ y: Int) -> Bool {
        guard tt.kinds[x] == tt.kinds[y] else { return false }
        switch tt.kinds[x] {
        case TypeTable.kFunc:
            guard tt.paramCount[x] == tt.paramCount[y], tt.resultCount[x] == tt.resultCount[y] else { return false }
            for (a, b) in zip(tt.params(x), tt.params(y)) where !tt.isSub(tt.sigPool[b], tt.sigPool[a]) { return false }
            for (a, b) in zip(tt.results(x), tt.results(y)) where !tt.isSub(tt.sigPool[a], tt.sigPool[b]) { return false }
            return true
        default:
            guard tt.fieldCount[x] >= tt.fieldCount[y] else { return false }
            let fx = Int(tt.fieldStart[x]), fy = Int(tt.fieldStart[y])
            for k in 0..<Int(tt.fieldCount[y]) {
                if !tt.isSubField(tt.fieldPool[fx + k], tt.fieldMutable[fx + k], tt.fieldPool[fy + k], tt.fieldMutable[fy + k]) {
                    return false
                }
            }
            return true
        }
    }
}

/// What function bodies and constant expressions are checked against.
struct ModuleContext {
    var types = TypeTable()
    /// Type index of every function, imports first.
    var funcTypes: [UInt32] = []
    var tableTypes: [VT] = []
    var tableIs64: [Bool] = []
    var memoryIs64: [Bool] = []
    var tagTypes: [UInt32] = []
    var globalTypes: [VT] = []
    var globalMutable: [Bool] = []
    var elementTypes: [VT] = []
    var dataCount = 0
    var hasDataCount = false
    /// Functions that `ref.func` may name inside a function body.
    var declaredRefs: [Bool] = []

    struct TypeError: Error { var message: String }

    func heap(_ h: HeapType) throws(TypeError) -> HT {
        switch h {
        case .abstract(let a): return HT(a)
        case .concrete(let i):
            guard Int(i) < types.count else { throw TypeError(message: "unknown type \(i)") }
            return HT(code: VT.concreteHeap, index: i)
        }
    }

    func vt(_ t: ValType) throws(TypeError) -> VT {
        switch t {
        case .i32: return .i32
        case .i64: return .i64
        case .f32: return .f32
        case .f64: return .f64
        case .v128: return .v128
        case .ref(let r): return .ref(nullable: r.nullable, try heap(r.heapType))
        }
    }
}
