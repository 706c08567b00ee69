import LatheIR
import LatheWasm
import LatheWasmIR

/// Optimizes a wasm module: lifts its functions, runs a pipeline, lowers them back.
///
/// A pipeline of function passes only streams: each function is lifted, optimized and lowered on
/// its own, so at most one function per thread is held as IR. A pipeline with a module pass lifts
/// every function first into a `ProgramIR`, runs the pipeline on it, then lowers everything.
public enum WasmOptimizer {
    /// What a run did: the round trip's counts and times, and the passes' statistics.
    public struct Report: Sendable {
        public var roundTrip = WasmRoundTrip.Stats()
        public var passes: PipelineStatistics
        /// Wall and thread time of lifting and of lowering when they ran as separate phases (module passes), else nil.
        public var liftWallNanoseconds: UInt64?
        public var passesWallNanoseconds: UInt64?
        public var lowerWallNanoseconds: UInt64?
        /// Lower-phase time summed over threads when lowering ran as its own phase.
        public var lowerThreadNanoseconds: UInt64 = 0
    }

    /// A `--inline=NAME` or `--no-inline=NAME` request.
    public struct InlineRequest: Sendable, Equatable {
        public var function: String
        public var hint: InlineHint
        public init(function: String, hint: InlineHint) { self.function = function; self.hint = hint }
    }

    /// Runs `manager`'s pipeline on every function of `module`; functions that cannot be lifted keep their bytes.
    ///
    /// Throws `OptimizeError` when a pass breaks a function or an inline request names no function.
    public static func optimize(
        _ module: LatheWasm.Module, manager: PassManager, threads: Int, verifyLifted: Bool, timed: Bool = false,
        inlineRequests: [InlineRequest] = []
    ) throws(OptimizeError) -> (LatheWasm.Module, Report) {
        var report = Report(passes: manager.emptyStatistics())
        var out: LatheWasm.Module
        // Items module passes removed, and the bodies lowered with indices that already skip them.
        var deletion = ItemDeletion(), renumbered = Set<Int>()
        if !manager.hasModulePasses {
            let (result, stats, extras) = WasmRoundTrip.run(module, verify: verifyLifted, threads: threads, timed: timed) { f, _ in
                var s = manager.emptyStatistics()
                try manager.run(&f, statistics: &s)
                return s
            }
            if !stats.failures.isEmpty { throw OptimizeError(failures: stats.failures) }
            for case let s? in extras { report.passes.add(s) }
            report.roundTrip = stats
            out = result
        } else {
            let (lifted, liftStats) = WasmRoundTrip.liftAll(module, verify: verifyLifted, threads: threads, timed: timed)
            if !liftStats.failures.isEmpty { throw OptimizeError(failures: liftStats.failures) }
            report.liftWallNanoseconds = liftStats.wallNanoseconds
            var program = try makeProgram(module, lifted, inlineRequests: inlineRequests)
            let start = timed ? monotonicNanoseconds() : 0
            do { try manager.run(&program, threads: threads, statistics: &report.passes) } catch {
                throw OptimizeError(failures: ["\(error)"])
            }
            if timed { report.passesWallNanoseconds = monotonicNanoseconds() - start }
            let imported = module.importedFunctionCount
            deletion = removedItems(program, importedFunctionCount: imported)
            let relinked = relink(program, lifted, importedCount: imported, renumbering: module.renumbering(for: deletion))
            renumbered = Set(relinked.indices.filter { relinked[$0] != nil })
            let (result, lowerStats) = WasmRoundTrip.lowerAll(module, relinked, threads: threads, timed: timed)
            if !lowerStats.failures.isEmpty { throw OptimizeError(failures: lowerStats.failures) }
            report.lowerWallNanoseconds = lowerStats.wallNanoseconds
            report.lowerThreadNanoseconds = lowerStats.lowerNanoseconds
            report.roundTrip = liftStats
            report.roundTrip.add(lowerStats)
            report.roundTrip.wallNanoseconds = liftStats.wallNanoseconds + lowerStats.wallNanoseconds
            out = result
        }
        var rewritten = Set<UInt32>()
        let imported = UInt32(module.importedFunctionCount)
        for i in module.bodies.indices where out.bodies[i] != module.bodies[i] { rewritten.insert(imported + UInt32(i)) }
        // The round trip already updated the code metadata of the bodies it rewrote (call-site inline hints move to their new offsets).
        out.dropStaleLocalNames(rewrittenFunctions: rewritten)
        if !deletion.isEmpty {
            do { try out.delete(deletion, bodiesAlreadyRenumbered: renumbered) } catch {
                throw OptimizeError(failures: ["deleting removed functions, globals and element segments: \(error)"])
            }
        }
        return (out, report)
    }

    /// The program of a lifted module: every function by module index, with roots and inline hints.
    static func makeProgram(_ module: LatheWasm.Module, _ lifted: [LiftedFunction?], inlineRequests: [InlineRequest]) throws(OptimizeError) -> ProgramIR {
        let imported = module.importedFunctionCount
        let total = imported + module.bodies.count
        let functionTypes = module.functionTypeIndices
        var entries: [ProgramIR.Entry] = (0..<total).map { index in
            let l = index >= imported ? lifted[index - imported] : nil
            var entry = ProgramIR.Entry(name: "f\(index)", function: l?.function, isRoot: index < imported, typeIndexOfSignature: l?.typeIndices ?? [])
            entry.typeIndex = functionTypes.count > index ? functionTypes[index] : nil
            return entry
        }
        for index in externallyReferencedFunctions(module, lifted) where Int(index) < total { entries[Int(index)].isRoot = true }
        for (index, hint) in inlineHints(module) where Int(index) < total { entries[Int(index)].inlineHint = hint }
        if !inlineRequests.isEmpty {
            let names = module.names?.functions ?? [:]
            var byName: [String: UInt32] = [:]
            for (index, name) in names { byName[name] = index }
            for request in inlineRequests {
                let index = byName[request.function] ?? UInt32(request.function).flatMap { Int($0) < total ? $0 : nil }
                guard let index else {
                    throw OptimizeError(failures: ["\(request.hint == .never ? "--no-inline" : "--inline")=\(request.function): no function has that name (or index)"])
                }
                entries[Int(index)].inlineHint = request.hint
                entries[Int(index)].inlineHintIsRequest = true
            }
        }
        var program = ProgramIR(entries: entries)
        program.globals = globalUses(module, lifted)
        program.elementSegments = elementSegmentUses(module, lifted)
        program.constantTables = constantTables(module)
        program.signaturesAreStructural = module.recGroups.allSatisfy { g in
            g.types.count == 1 && g.types.allSatisfy { $0.supertypes.isEmpty && $0.isFinal && $0.funcType != nil }
        }
        return program
    }

    /// The offset of an active segment when it is a single `i32.const`.
    static func constantOffset(_ expr: ConstExpr) -> Int? {
        guard let insts = try? expr.instructions(), insts.count == 1, insts[0].opcode == .i32Const else { return nil }
        let immediate = insts[0].immediate
        if case .i32(let v) = immediate { return Int(UInt32(bitPattern: v)) }
        return nil
    }

    enum ElementItem { case function(Int), null, unknown }

    /// What an element expression puts in its slot: a `ref.func`, a `ref.null`, or something else.
    static func elementItem(_ expr: ConstExpr) -> ElementItem {
        guard let insts = try? expr.instructions(), insts.count == 1 else { return .unknown }
        let op = insts[0].opcode
        let immediate = insts[0].immediate
        if op == .refNull { return .null }
        if op == .refFunc, case .index(let f) = immediate { return .function(Int(f)) }
        return .unknown
    }

    /// The tables an instruction of `body` writes: `table.set`, `table.grow`, `table.fill`, and the
    /// destinations of `table.copy` and `table.init`.
    static func tablesWritten(by body: FunctionBody) -> [Int] {
        var out: [Int] = []
        var it = body.makeIterator()
        while true {
            let next: Instruction?
            do { next = try it.next() } catch { break }
            guard let inst = next else { break }
            let op = inst.opcode
            let immediate = inst.immediate
            switch immediate {
            case .index(let t):
                if op == .tableSet || op == .tableGrow || op == .tableFill { out.append(Int(t)) }
            case .indexPair(let first, let second):
                // table.copy names the destination first; table.init names the segment, then the table.
                if op == .tableCopy { out.append(Int(first)) } else if op == .tableInit { out.append(Int(second)) }
            default:
                break
            }
        }
        return out
    }

    /// The tables nothing can change after instantiation, with the function in each slot.
    ///
    /// A table qualifies when it is defined here (not imported), not exported, has no initializer
    /// expression, no instruction of any body writes it (`table.set`, `table.grow`, `table.fill`,
    /// `table.copy` into it, `table.init` into it), and its active element segments have constant
    /// `i32.const` offsets and function items; segments apply in order, as instantiation does.
    static func constantTables(_ module: LatheWasm.Module) -> [Int: [Int?]] {
        let importedTables = module.imports.count { if case .table = $0.descriptor { true } else { false } }
        var candidates = Set(module.tables.indices.filter { module.tables[$0].initializer == nil }.map { importedTables + $0 })
        for e in module.exports where e.kind == .table { candidates.remove(Int(e.index)) }
        for body in module.bodies where !candidates.isEmpty {
            for t in tablesWritten(by: body) { candidates.remove(t) }
        }
        var contents: [Int: [Int?]] = [:]
        for t in candidates {
            let size = Int(min(module.tables[t - importedTables].type.limits.min, 1 << 20))
            contents[t] = Array(repeating: nil, count: size)
        }
        for segment in module.elements {
            guard case .active(let table, let offsetExpr) = segment.mode, contents[Int(table)] != nil else { continue }
            let t = Int(table)
            guard let offset = constantOffset(offsetExpr) else { contents[t] = nil; continue }
            var items: [Int?] = []
            switch segment.items {
            case .functions(let fs): items = fs.map { Int($0) }
            case .expressions(let es):
                for e in es {
                    switch elementItem(e) {
                    case .function(let f): items.append(f)
                    case .null: items.append(nil)
                    case .unknown: contents[t] = nil
                    }
                }
            }
            guard contents[t] != nil else { continue }
            let start = offset
            // A segment out of bounds fails instantiation; nothing runs then.
            guard start + items.count <= contents[t]!.count else { contents[t] = nil; continue }
            for (k, item) in items.enumerated() { contents[t]![start + k] = item }
        }
        return contents
    }

    /// Functions reachable from outside the IR: exports, start, element segments, `ref.func` in
    /// constant expressions, and callees of the bodies that were not lifted (their calls are invisible to passes).
    static func externallyReferencedFunctions(_ module: LatheWasm.Module, _ lifted: [LiftedFunction?]) -> Set<UInt32> {
        var roots = Set<UInt32>()
        for e in module.exports where e.kind == .function { roots.insert(e.index) }
        if let s = module.start { roots.insert(s) }
        func scan(_ instructions: [Instruction]) {
            for inst in instructions {
                switch inst.opcode {
                case .call, .returnCall, .refFunc: if let i = inst.index { roots.insert(i) }
                default: break
                }
            }
        }
        for segment in module.elements {
            switch segment.items {
            case .functions(let fs): roots.formUnion(fs)
            case .expressions(let es): for e in es { scan((try? e.instructions()) ?? []) }
            }
        }
        for g in module.globals { scan((try? g.initializer.instructions()) ?? []) }
        for t in module.tables { if let e = t.initializer { scan((try? e.instructions()) ?? []) } }
        for (i, body) in module.bodies.enumerated() where lifted[i] == nil {
            var it = body.makeIterator()
            while let inst = try? it.next() { scan([inst]) }
        }
        return roots
    }

    /// Function-level inline hints (offset 0) of `metadata.code.inline` and `binaryen.inline`: 127 always, 0 never.
    static func inlineHints(_ module: LatheWasm.Module) -> [(UInt32, InlineHint)] {
        var hints: [(UInt32, InlineHint)] = []
        for section in module.customSections where section.name == "metadata.code.inline" || section.name == "binaryen.inline" {
            guard let metadata = try? CodeMetadata(payload: section.payload) else { continue }
            for f in metadata.functions {
                for item in f.items where item.offset == 0 && item.payload.count >= 1 {
                    switch item.payload[0] {
                    case 127: hints.append((f.index, .always))
                    case 0: hints.append((f.index, .never))
                    default: break
                    }
                }
            }
        }
        return hints
    }

    /// The functions, globals and element segments module passes removed, by module-wide index.
    static func removedItems(_ program: ProgramIR, importedFunctionCount imported: Int) -> ItemDeletion {
        ItemDeletion(
            functions: Set(program.entries.indices.filter { $0 >= imported && program.entries[$0].isRemoved }.map { UInt32($0) }),
            globals: Set(program.globals.filter(\.isRemoved).map { UInt32($0.index) }),
            elementSegments: Set(program.elementSegments.indices.filter { program.elementSegments[$0].isRemoved }.map { UInt32($0) }))
    }

    /// The lifted functions with their IR after the passes, `FuncRef`s mapped by name to the wasm
    /// function indices the output will have (removed functions deleted), `SigRef`s to type indices,
    /// and global and element segment indices renumbered past the removed ones; removed functions
    /// become `unreachable` stubs (deleted afterwards).
    static func relink(_ program: ProgramIR, _ lifted: [LiftedFunction?], importedCount: Int, renumbering: IndexRenumbering) -> [LiftedFunction?] {
        let newIndex = renumbering.functions
        let globalsMove = renumbering.globals.enumerated().contains { $1 != UInt32($0) }
        let segmentsMove = renumbering.elementSegments.enumerated().contains { $1 != UInt32($0) }
        return lifted.enumerated().map { i, original -> LiftedFunction? in
            guard var l = original else { return nil }
            let entry = program.entries[importedCount + i]
            guard let f = entry.function else { return nil }
            if entry.isRemoved {
                // Nothing can reach it; it is deleted after lowering.
                return LiftedFunction(function: unreachableBody(f.name, f.signature), functionIndices: [], typeIndices: [])
            }
            l.function = renumberModuleEntities(f, renumbering, globalsMove: globalsMove, segmentsMove: segmentsMove)
            l.functionIndices = f.functionRefs.elements.map { ref in
                guard let index = program.index(named: ref.name) else { preconditionFailure("call to unknown function \(ref.name)") }
                // A declaration of a removed function is left over from inlining and unused; an
                // out-of-range index makes output validation fail should it be used after all.
                return newIndex[index] ?? UInt32.max
            }
            l.typeIndices = entry.typeIndexOfSignature
            precondition(l.typeIndices.count == f.signatures.count, "\(f.name): a pass added a signature without its type index")
            return l
        }
    }
}

/// A function whose body is only `unreachable`.
func unreachableBody(_ name: String, _ signature: Signature) -> Function {
    var f = Function(name: name, signature: signature)
    let entry = f.dfg.makeBlock()
    for t in signature.params { _ = f.dfg.appendParam(entry, type: t) }
    f.layout.appendBlock(entry)
    f.layout.appendInst(f.dfg.makeInst(InstructionData(opcode: .unreachable)), to: entry)
    return f
}

/// Optimizing a module failed: a pass broke a function (a bug), or a request named no function.
public struct OptimizeError: Error, Sendable, CustomStringConvertible {
    public var failures: [String]
    public var description: String { failures.prefix(10).joined(separator: "\n") }
}
