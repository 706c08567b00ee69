import LatheEntity
import LatheIR
import LatheWasm
import LatheWasmIR

/// What the parts of a module the IR does not see (exports, constant expressions, functions kept as
/// bytes) use of its globals and element segments, and the renumbering of IR functions after
/// module passes removed some.
extension WasmOptimizer {
    /// Every defined global: pinned when exported or read or written outside the lifted functions
    /// (functions kept as bytes, constant expressions other than global initializers) or when its
    /// initializer may declare a function that code takes with `ref.func`, with the globals its initializer reads.
    static func globalUses(_ module: LatheWasm.Module, _ lifted: [LiftedFunction?]) -> [ProgramIR.Global] {
        let imported = module.importedGlobalCount
        var pinned = Set<UInt32>()
        for e in module.exports where e.kind == .global { pinned.insert(e.index) }
        func globalsIn(_ expr: ConstExpr?) -> [UInt32] {
            guard let expr else { return [] }
            // An expression that does not decode is treated as reading nothing known: pin everything.
            guard let insts = try? expr.instructions() else { return Array(0..<UInt32(imported + module.globals.count)) }
            return insts.compactMap { $0.opcode == .globalGet ? $0.index : nil }
        }
        for segment in module.elements {
            if case .active(_, let offset) = segment.mode { pinned.formUnion(globalsIn(offset)) }
            if case .expressions(let es) = segment.items { for e in es { pinned.formUnion(globalsIn(e)) } }
        }
        for segment in module.data { if case .active(_, let offset) = segment.mode { pinned.formUnion(globalsIn(offset)) } }
        for t in module.tables { pinned.formUnion(globalsIn(t.initializer)) }
        for (i, body) in module.bodies.enumerated() where i >= lifted.count || lifted[i] == nil {
            guard let insts = try? body.instructions() else { return [] }
            for inst in insts where inst.opcode == .globalGet || inst.opcode == .globalSet { if let g = inst.index { pinned.insert(g) } }
        }
        // A global whose initializer names a function that a `ref.func` in code names may be what
        // declares that function: removing it would leave the `ref.func` undeclared.
        var codeReferences = Set<UInt32>(), anyReference = false
        for body in module.bodies {
            guard let insts = try? body.instructions() else { anyReference = true; continue }
            for inst in insts where inst.opcode == .refFunc { if let f = inst.index { codeReferences.insert(f) } }
        }
        for (k, g) in module.globals.enumerated() where anyReference || !codeReferences.isEmpty {
            let named = (try? g.initializer.instructions())?.compactMap { $0.opcode == .refFunc ? $0.index : nil } ?? [UInt32.max]
            if named.contains(where: { anyReference || codeReferences.contains($0) || $0 == UInt32.max }) { pinned.insert(UInt32(imported + k)) }
        }
        return module.globals.enumerated().map { k, g in
            let index = imported + k
            return ProgramIR.Global(index: index, isPinned: pinned.contains(UInt32(index)), initializerReads: globalsIn(g.initializer).map { Int($0) })
        }
    }

    /// Every element segment: pinned unless passive, unused by functions kept as bytes, and naming no
    /// function that a `ref.func` in code names (the segment may be what declares it).
    static func elementSegmentUses(_ module: LatheWasm.Module, _ lifted: [LiftedFunction?]) -> [ProgramIR.ElementSegment] {
        var segments = module.elements.map { s in
            if case .passive = s.mode { ProgramIR.ElementSegment(isPinned: false) } else { ProgramIR.ElementSegment(isPinned: true) }
        }
        guard segments.contains(where: { !$0.isPinned }) else { return segments }
        var referencedFunctions = Set<UInt32>()
        for (i, body) in module.bodies.enumerated() {
            guard let insts = try? body.instructions() else { return segments.map { _ in ProgramIR.ElementSegment(isPinned: true) } }
            let keptAsBytes = i >= lifted.count || lifted[i] == nil
            for inst in insts {
                switch (inst.opcode, inst.immediate) {
                case (.refFunc, .index(let f)): referencedFunctions.insert(f)
                case (.elemDrop, .index(let e)) where keptAsBytes && Int(e) < segments.count: segments[Int(e)].isPinned = true
                case (.tableInit, .indexPair(let e, _)) where keptAsBytes && Int(e) < segments.count: segments[Int(e)].isPinned = true
                // Not lifted, but pinned whatever the body is (GC array segment ops).
                case (.arrayNewElem, .indexPair(_, let e)), (.arrayInitElem, .indexPair(_, let e)):
                    if Int(e) < segments.count { segments[Int(e)].isPinned = true }
                default: break
                }
            }
        }
        for (k, s) in module.elements.enumerated() where !segments[k].isPinned {
            let named: [UInt32]
            switch s.items {
            case .functions(let fs): named = fs
            case .expressions(let es):
                named = es.flatMap { e in ((try? e.instructions()) ?? [Instruction(.refFunc, .index(UInt32.max))]).compactMap { $0.opcode == .refFunc ? $0.index : nil } }
            }
            if named.contains(where: { referencedFunctions.contains($0) || $0 == UInt32.max }) { segments[k].isPinned = true }
        }
        return segments
    }

    /// `f` with its global and element segment indices renumbered (`GlobalRef` is the module-wide global index).
    static func renumberModuleEntities(_ f: Function, _ renumbering: IndexRenumbering, globalsMove: Bool, segmentsMove: Bool) -> Function {
        guard globalsMove || segmentsMove else { return f }
        var f = f
        if globalsMove {
            // A function declares globals 0 through the highest it uses; the kept ones keep their order.
            var globals = PrimaryMap<GlobalRef, GlobalDecl>()
            for (k, decl) in f.globals.elements.enumerated() where k < renumbering.globals.count && renumbering.globals[k] != nil {
                _ = globals.push(decl)
            }
            f.globals = globals
        }
        if segmentsMove {
            var segments: [UInt32: [String?]] = [:]
            for (k, items) in f.elemSegments where Int(k) < renumbering.elementSegments.count {
                if let n = renumbering.elementSegments[Int(k)] { segments[n] = items }
            }
            f.elemSegments = segments
        }
        for b in f.layout.blocks {
            for i in f.layout.insts(b) {
                var d = f.dfg[i]
                switch d.opcode {
                case .globalGet, .globalSet:
                    guard globalsMove else { continue }
                    d.a = renumbering.global(d.a)
                case .tableInit:
                    guard segmentsMove else { continue }
                    d.imm16 = UInt16(renumbering.elementSegment(UInt32(d.imm16)))
                case .elemDrop:
                    guard segmentsMove else { continue }
                    d.a = renumbering.elementSegment(d.a)
                default:
                    continue
                }
                f.dfg[i] = d
            }
        }
        return f
    }
}
