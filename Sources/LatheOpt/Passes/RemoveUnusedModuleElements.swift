import LatheEntity
import LatheIR

/// `remove-unused`: removes functions nothing reaches, globals nothing reads and passive element
/// segments nothing uses; the output module no longer has them and every later index is renumbered.
///
/// - Functions with IR that no root reaches (roots: imports, exports, start, table elements,
///   `ref.func` in constant expressions, callees of functions kept as bytes) through calls and
///   `ref_func` of reached functions; unreachable cycles go too.
/// - A defined global that is not pinned (export, function kept as bytes, constant expression) and
///   that no reached function reads (`global_get`) and no kept global's initializer reads: its
///   `global_set`s are erased (the stored value stays for `dce`) and the global is deleted.
/// - A passive element segment that is not pinned (see `ProgramIR.ElementSegment`) and that no
///   reached function uses (`table_init`, `elem_drop`). Active and declarative segments stay.
public struct RemoveUnusedModuleElements: ModulePass {
    public init() {}
    public var name: String { "remove-unused" }
    public var summary: String { "Removes functions unreachable from the roots, globals never read (their sets go) and passive element segments never used." }

    public func run(_ program: inout ProgramIR, options: ModulePassOptions) -> Set<Int> {
        var changed = removeUnreachableFunctions(&program)
        changed.formUnion(removeUnreadGlobals(&program))
        removeUnusedElementSegments(&program)
        return changed
    }

    /// Marks removed every function with IR that no root reaches; returns their entry indices.
    func removeUnreachableFunctions(_ program: inout ProgramIR) -> Set<Int> {
        var reached = Array(repeating: false, count: program.entries.count)
        var worklist: [Int] = []
        for (k, e) in program.entries.enumerated() where !e.isRemoved && (e.isRoot || e.function == nil) {
            // Entries without IR (imports, functions kept as bytes) stay; what they call is a root already.
            reached[k] = true
            worklist.append(k)
        }
        while let k = worklist.popLast() {
            guard let f = program.entries[k].function else { continue }
            for i in f.instsInLayoutOrder {
                let d = f.dfg[i]
                // Direct calls and function references; indirect calls go through tables or
                // `ref.func` values, whose functions are roots or reached here.
                guard d.opcode == .call || d.opcode == .returnCall || d.opcode == .refFunc else { continue }
                guard let callee = program.callee(FuncRef(index: Int(d.a)), in: f), !reached[callee] else { continue }
                reached[callee] = true
                worklist.append(callee)
            }
        }
        var removed = Set<Int>()
        for k in program.entries.indices where !reached[k] && !program.entries[k].isRemoved && program.entries[k].function != nil {
            program.entries[k].isRemoved = true
            removed.insert(k)
        }
        return removed
    }

    /// Removes the globals nothing reads and erases their `global_set`s; returns the functions changed.
    func removeUnreadGlobals(_ program: inout ProgramIR) -> Set<Int> {
        guard !program.globals.isEmpty else { return [] }
        var read = Set<Int>()
        for e in program.entries where !e.isRemoved {
            guard let f = e.function else { continue }
            for i in f.instsInLayoutOrder where f.dfg[i].opcode == .globalGet { read.insert(Int(f.dfg[i].a)) }
        }
        // Kept globals keep what their initializers read (an initializer reads earlier globals only,
        // so one backward sweep reaches the fixpoint; repeat anyway in case of a malformed order).
        var live = read
        for g in program.globals where g.isPinned && !g.isRemoved { live.insert(g.index) }
        var grew = true
        while grew {
            grew = false
            for g in program.globals.reversed() where live.contains(g.index) {
                for r in g.initializerReads where !live.contains(r) { live.insert(r); grew = true }
            }
        }
        var removed = Set<Int>()
        for k in program.globals.indices where !program.globals[k].isRemoved && !live.contains(program.globals[k].index) {
            // Never read anywhere (no `global_get` in kept code, not exported, no constant expression
            // reads it): its value is unobservable, so its sets may go and it may be deleted.
            program.globals[k].isRemoved = true
            removed.insert(program.globals[k].index)
        }
        guard !removed.isEmpty else { return [] }
        var changed = Set<Int>()
        for k in program.entries.indices where !program.entries[k].isRemoved {
            guard var f = program.entries[k].function else { continue }
            let sets = f.instsInLayoutOrder.filter { f.dfg[$0].opcode == .globalSet && removed.contains(Int(f.dfg[$0].a)) }
            guard !sets.isEmpty else { continue }
            for i in sets { f.layout.removeInst(i) }
            program.entries[k].function = f
            changed.insert(k)
        }
        return changed
    }

    /// Removes the passive element segments that are not pinned and that no kept function uses.
    func removeUnusedElementSegments(_ program: inout ProgramIR) {
        guard program.elementSegments.contains(where: { !$0.isPinned && !$0.isRemoved }) else { return }
        var used = Set<Int>()
        for e in program.entries where !e.isRemoved {
            guard let f = e.function else { continue }
            for i in f.instsInLayoutOrder {
                let d = f.dfg[i]
                switch d.opcode {
                case .tableInit: used.insert(Int(d.imm16))
                case .elemDrop: used.insert(Int(d.a))
                default: break
                }
            }
        }
        for k in program.elementSegments.indices where !program.elementSegments[k].isPinned && !used.contains(k) {
            program.elementSegments[k].isRemoved = true
        }
    }
}
