import LatheEntity
import LatheIR

/// `directize`: turns `call_indirect` through a constant slot of a table nothing changes into a direct call.
///
/// The table must be in `ProgramIR.constantTables` (never written, not imported or exported), the
/// callee index an `iconst`, the slot hold a function, and that function's type be the type the
/// call expects (the same type index, or equal signatures where types are structural). Otherwise
/// the call stays: it may trap (null slot, index out of bounds, type mismatch), and that must be kept.
public struct Directize: ModulePass {
    public init() {}
    public var name: String { "directize" }
    public var summary: String { "Turns call_indirect through a constant index of a table nothing changes into a direct call." }

    public func run(_ program: inout ProgramIR, options: ModulePassOptions) -> Set<Int> {
        if program.constantTables.isEmpty { return [] }
        var changed = Set<Int>()
        for k in program.entries.indices where !program.entries[k].isRemoved {
            guard var f = program.entries[k].function else { continue }
            var any = false
            for b in f.layout.blocks {
                for i in f.layout.insts(b) where f.dfg[i].opcode == .callIndirect || f.dfg[i].opcode == .returnCallIndirect {
                    if directize(i, in: &f, entry: program.entries[k], program) { any = true }
                }
            }
            if any {
                program.entries[k].function = f
                changed.insert(k)
            }
        }
        return changed
    }

    /// Rewrites `call` when its target is known; returns whether it did.
    func directize(_ call: Inst, in f: inout Function, entry: ProgramIR.Entry, _ program: ProgramIR) -> Bool {
        var d = f.dfg[call]
        guard let slots = program.constantTables[Int(d.c)] else { return false }
        let operands = f.dfg.valueOperands(call)
        guard let index = f.intConstant(operands[0]) else { return false }
        // The index operand is an i32: only its low 32 bits are the slot.
        let slot = Int(UInt32(truncatingIfNeeded: index))
        guard slot < slots.count, let target = slots[slot], target < program.entries.count else { return false }
        let sig = SigRef(index: Int(d.a))
        let expected = sig.index < entry.typeIndexOfSignature.count ? entry.typeIndexOfSignature[sig.index] : nil
        let targetEntry = program.entries[target]
        guard let targetType = targetEntry.typeIndex else { return false }
        if expected != targetType {
            // Equal signatures are the same type only when types are structural.
            guard program.signaturesAreStructural, let body = targetEntry.function, body.signature == f.signatures[sig] else { return false }
        }
        let ref = f.functionRef(named: targetEntry.name)
            ?? f.functionRefs.push(ExternalFunction(name: targetEntry.name, signature: sig))
        d.opcode = d.opcode == .callIndirect ? .call : .returnCall
        d.a = ref.raw
        d.b = f.dfg.pool.make(operands.dropFirst()).handle
        d.c = 0
        f.dfg[call] = d
        return true
    }
}
