extension Module {
    /// The new index of every function after deleting the defined functions in `removed` (nil for a deleted one).
    public func functionIndexMap(removing removed: Set<UInt32>) -> [UInt32?] {
        let total = importedFunctionCount + functions.count
        var map: [UInt32?] = []
        map.reserveCapacity(total)
        var next: UInt32 = 0
        for index in 0..<UInt32(total) {
            if removed.contains(index) && Int(index) >= importedFunctionCount {
                map.append(nil)
            } else {
                map.append(next)
                next += 1
            }
        }
        return map
    }

    /// Deletes defined functions nothing refers to any more and renumbers every function reference.
    ///
    /// The caller guarantees that no export, start, element, constant expression or remaining body
    /// refers to a deleted function. Bodies whose defined index is in `renumbered` already use the
    /// new indices (the lowerer wrote them so); every other body is decoded and re-encoded with
    /// `call`, `return_call` and `ref.func` renumbered (its instruction-level code metadata is dropped
    /// when its bytes change). Names and code metadata follow their functions.
    public mutating func deleteFunctions(_ removed: Set<UInt32>, bodiesAlreadyRenumbered renumbered: Set<Int>) throws(WasmError) {
        let imported = importedFunctionCount
        let map = functionIndexMap(removing: removed)
        func remap(_ index: UInt32) -> UInt32 {
            guard Int(index) < map.count, let n = map[Int(index)] else { preconditionFailure("reference to deleted function \(index)") }
            return n
        }
        func remap(_ inst: Instruction) -> Instruction {
            switch inst.opcode {
            case .call, .returnCall, .refFunc:
                guard let i = inst.index else { return inst }
                return Instruction(inst.opcode, .index(remap(i)))
            default:
                return inst
            }
        }
        func remap(_ expr: ConstExpr) throws(WasmError) -> ConstExpr {
            let insts = try expr.instructions()
            guard insts.contains(where: { $0.opcode == .refFunc }) else { return expr }
            return ConstExpr(insts.map(remap))
        }

        // Bodies first (old index space), so metadata of re-encoded bodies can be dropped by old index.
        var reencoded = Set<UInt32>()
        for i in bodies.indices where !renumbered.contains(i) && !removed.contains(UInt32(imported + i)) {
            let old = bodies[i]
            let rewritten = FunctionBody(locals: old.locals, instructions: try old.instructions().map(remap))
            if rewritten.code != old.code {
                bodies[i] = rewritten
                reencoded.insert(UInt32(imported + i))
            }
        }
        dropStaleCodeMetadata(rewrittenFunctions: reencoded)

        var keptFunctions: [UInt32] = [], keptBodies: [FunctionBody] = []
        for i in functions.indices where !removed.contains(UInt32(imported + i)) {
            keptFunctions.append(functions[i])
            keptBodies.append(bodies[i])
        }
        functions = keptFunctions
        bodies = keptBodies
        for k in exports.indices where exports[k].kind == .function { exports[k].index = remap(exports[k].index) }
        if let s = start { start = remap(s) }
        for k in elements.indices {
            switch elements[k].items {
            case .functions(let fs): elements[k].items = .functions(fs.map(remap))
            case .expressions(let es):
                var out: [ConstExpr] = []
                for e in es { out.append(try remap(e)) }
                elements[k].items = .expressions(out)
            }
        }
        for k in globals.indices { globals[k].initializer = try remap(globals[k].initializer) }
        for k in tables.indices { if let e = tables[k].initializer { tables[k].initializer = try remap(e) } }

        // Names and code metadata: keyed by function index.
        if let n = customSections.firstIndex(where: { $0.name == "name" }), var names = self.names {
            func rekey<V>(_ m: [UInt32: V]) -> [UInt32: V] {
                var out: [UInt32: V] = [:]
                for (k, v) in m { if Int(k) < map.count, let nk = map[Int(k)] { out[nk] = v } }
                return out
            }
            names.functions = rekey(names.functions)
            names.locals = rekey(names.locals)
            names.labels = rekey(names.labels)
            customSections[n].payload = names.encode()[...]
        }
        customSections = customSections.compactMap { section in
            guard CodeMetadata.isCodeMetadata(section.name) else { return section }
            guard var metadata = try? CodeMetadata(payload: section.payload) else { return nil }
            metadata.functions = metadata.functions.compactMap { f in
                guard Int(f.index) < map.count, let n = map[Int(f.index)] else { return nil }
                return (n, f.items)
            }
            if metadata.functions.isEmpty { return nil }
            var out = section
            out.payload = metadata.payload[...]
            return out
        }
        offsets = SourceOffsets()
    }
}
