/// Defined items of a module to delete, by module-wide index (imports first): functions, globals,
/// element segments.
public struct ItemDeletion: Sendable, Equatable {
    public var functions: Set<UInt32>
    public var globals: Set<UInt32>
    public var elementSegments: Set<UInt32>

    public init(functions: Set<UInt32> = [], globals: Set<UInt32> = [], elementSegments: Set<UInt32> = []) {
        self.functions = functions
        self.globals = globals
        self.elementSegments = elementSegments
    }

    public var isEmpty: Bool { functions.isEmpty && globals.isEmpty && elementSegments.isEmpty }
}

/// The new index of every function, global and element segment after an `ItemDeletion` (nil for a deleted one).
public struct IndexRenumbering: Sendable, Equatable {
    public var functions: [UInt32?]
    public var globals: [UInt32?]
    public var elementSegments: [UInt32?]

    /// The index map of `total` items after deleting those of `removed` at or after `firstDefined` (imports stay).
    public static func map(count total: Int, firstDefined: Int, removing removed: Set<UInt32>) -> [UInt32?] {
        var map: [UInt32?] = []
        map.reserveCapacity(total)
        var next: UInt32 = 0
        for index in 0..<UInt32(total) {
            if removed.contains(index) && Int(index) >= firstDefined {
                map.append(nil)
            } else {
                map.append(next)
                next += 1
            }
        }
        return map
    }

    /// Whether nothing moves.
    public var isIdentity: Bool {
        [functions, globals, elementSegments].allSatisfy { m in m.enumerated().allSatisfy { $1 == UInt32($0) } }
    }

    public func function(_ index: UInt32) -> UInt32 { Self.lookup(functions, index, "function") }
    public func global(_ index: UInt32) -> UInt32 { Self.lookup(globals, index, "global") }
    public func elementSegment(_ index: UInt32) -> UInt32 { Self.lookup(elementSegments, index, "element segment") }

    static func lookup(_ map: [UInt32?], _ index: UInt32, _ kind: String) -> UInt32 {
        guard Int(index) < map.count, let n = map[Int(index)] else { preconditionFailure("reference to deleted \(kind) \(index)") }
        return n
    }

    /// `inst` with its function, global and element segment indices renumbered.
    public func renumber(_ inst: Instruction) -> Instruction {
        switch (inst.opcode, inst.immediate) {
        case (.call, .index(let f)), (.returnCall, .index(let f)), (.refFunc, .index(let f)):
            return Instruction(inst.opcode, .index(function(f)))
        case (.globalGet, .index(let g)), (.globalSet, .index(let g)):
            return Instruction(inst.opcode, .index(global(g)))
        case (.elemDrop, .index(let e)):
            return Instruction(inst.opcode, .index(elementSegment(e)))
        case (.tableInit, .indexPair(let e, let table)):
            return Instruction(inst.opcode, .indexPair(elementSegment(e), table))
        case (.arrayNewElem, .indexPair(let type, let e)), (.arrayInitElem, .indexPair(let type, let e)):
            return Instruction(inst.opcode, .indexPair(type, elementSegment(e)))
        default:
            return inst
        }
    }

    /// `expr` renumbered (the same bytes when nothing in it moves).
    public func renumber(_ expr: ConstExpr) throws(WasmError) -> ConstExpr {
        let insts = try expr.instructions()
        let renumbered = insts.map(renumber)
        return renumbered == insts ? expr : ConstExpr(renumbered)
    }
}

extension Module {
    /// The new index of every function after deleting the defined functions in `removed` (nil for a deleted one).
    public func functionIndexMap(removing removed: Set<UInt32>) -> [UInt32?] {
        IndexRenumbering.map(count: importedFunctionCount + functions.count, firstDefined: importedFunctionCount, removing: removed)
    }

    /// The new index of every global after deleting the defined globals in `removed` (nil for a deleted one).
    public func globalIndexMap(removing removed: Set<UInt32>) -> [UInt32?] {
        IndexRenumbering.map(count: importedGlobalCount + globals.count, firstDefined: importedGlobalCount, removing: removed)
    }

    /// Where every function, global and element segment goes after `deletion`.
    public func renumbering(for deletion: ItemDeletion) -> IndexRenumbering {
        IndexRenumbering(
            functions: functionIndexMap(removing: deletion.functions),
            globals: globalIndexMap(removing: deletion.globals),
            elementSegments: IndexRenumbering.map(count: elements.count, firstDefined: 0, removing: deletion.elementSegments))
    }

    /// Deletes defined functions nothing refers to any more and renumbers every function reference (see `delete(_:bodiesAlreadyRenumbered:)`).
    public mutating func deleteFunctions(_ removed: Set<UInt32>, bodiesAlreadyRenumbered renumbered: Set<Int>) throws(WasmError) {
        try delete(ItemDeletion(functions: removed), bodiesAlreadyRenumbered: renumbered)
    }

    /// Deletes defined functions, globals and element segments nothing refers to any more, and
    /// renumbers every reference to the ones after them.
    ///
    /// The caller guarantees that no export, start, element, constant expression or remaining body
    /// refers to a deleted item. Bodies whose defined index is in `renumbered` already use the new
    /// indices (the lowerer wrote them so); every other body is decoded and re-encoded with `call`,
    /// `return_call`, `ref.func`, `global.get`/`global.set`, `table.init`, `elem.drop` and the array
    /// segment ops renumbered (its instruction-level code metadata is dropped when its bytes
    /// change). Exports, start, elements, constant expressions, names and code metadata follow.
    public mutating func delete(_ deletion: ItemDeletion, bodiesAlreadyRenumbered renumbered: Set<Int>) throws(WasmError) {
        let imported = importedFunctionCount
        let map = renumbering(for: deletion)
        guard !map.isIdentity else { return }

        // Bodies first (old index space), so metadata of re-encoded bodies can be dropped by old index.
        var reencoded = Set<UInt32>()
        for i in bodies.indices where !renumbered.contains(i) && !deletion.functions.contains(UInt32(imported + i)) {
            let old = bodies[i]
            let rewritten = FunctionBody(locals: old.locals, instructions: try old.instructions().map(map.renumber))
            if rewritten.code != old.code {
                bodies[i] = rewritten
                reencoded.insert(UInt32(imported + i))
            }
        }
        dropStaleCodeMetadata(rewrittenFunctions: reencoded)

        var keptFunctions: [UInt32] = [], keptBodies: [FunctionBody] = []
        for i in functions.indices where !deletion.functions.contains(UInt32(imported + i)) {
            keptFunctions.append(functions[i])
            keptBodies.append(bodies[i])
        }
        functions = keptFunctions
        bodies = keptBodies
        let importedGlobals = importedGlobalCount
        globals = globals.indices.filter { !deletion.globals.contains(UInt32(importedGlobals + $0)) }.map { globals[$0] }
        elements = elements.indices.filter { !deletion.elementSegments.contains(UInt32($0)) }.map { elements[$0] }

        for k in exports.indices {
            switch exports[k].kind {
            case .function: exports[k].index = map.function(exports[k].index)
            case .global: exports[k].index = map.global(exports[k].index)
            default: break
            }
        }
        if let s = start { start = map.function(s) }
        for k in elements.indices {
            switch elements[k].items {
            case .functions(let fs): elements[k].items = .functions(fs.map(map.function))
            case .expressions(let es):
                var out: [ConstExpr] = []
                for e in es { out.append(try map.renumber(e)) }
                elements[k].items = .expressions(out)
            }
            if case .active(let table, let offset) = elements[k].mode { elements[k].mode = .active(table: table, offset: try map.renumber(offset)) }
        }
        for k in data.indices {
            if case .active(let memory, let offset) = data[k].mode { data[k].mode = .active(memory: memory, offset: try map.renumber(offset)) }
        }
        for k in globals.indices { globals[k].initializer = try map.renumber(globals[k].initializer) }
        for k in tables.indices { if let e = tables[k].initializer { tables[k].initializer = try map.renumber(e) } }

        // Names and code metadata: keyed by index.
        if let n = customSections.firstIndex(where: { $0.name == "name" }), var names = self.names {
            func rekey<V>(_ m: [UInt32: V], _ indexMap: [UInt32?]) -> [UInt32: V] {
                var out: [UInt32: V] = [:]
                for (k, v) in m { if Int(k) < indexMap.count, let nk = indexMap[Int(k)] { out[nk] = v } }
                return out
            }
            names.functions = rekey(names.functions, map.functions)
            names.locals = rekey(names.locals, map.functions)
            names.labels = rekey(names.labels, map.functions)
            names.globals = rekey(names.globals, map.globals)
            names.elements = rekey(names.elements, map.elementSegments)
            customSections[n].payload = names.encode()[...]
        }
        if !deletion.functions.isEmpty {
            customSections = customSections.compactMap { section in
                guard CodeMetadata.isCodeMetadata(section.name) else { return section }
                guard var metadata = try? CodeMetadata(payload: section.payload) else { return nil }
                metadata.functions = metadata.functions.compactMap { f in
                    guard Int(f.index) < map.functions.count, let n = map.functions[Int(f.index)] else { return nil }
                    return (n, f.items)
                }
                if metadata.functions.isEmpty { return nil }
                var out = section
                out.payload = metadata.payload[...]
                return out
            }
        }
        offsets = SourceOffsets()
    }
}
