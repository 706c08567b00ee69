import LatheEntity
import LatheIR

/// `dce`: removes instructions whose results are unused and that neither trap nor write state nor call.
///
/// Works to a fixpoint with a worklist: removing an instruction drops the uses of its operands, and
/// the instructions defining operands left unused are examined next. Loads stay (they may trap);
/// block parameters stay (their arguments are uses).
public struct DeadCodeElimination: FunctionPass {
    public init() {}
    public var name: String { "dce" }
    public var summary: String { "Removes unused instructions that cannot trap, write state or call, to a fixpoint." }
    /// Only non-terminator instructions go, so the control flow stays as it is.
    public var preserves: Analyses { .all }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        var uses = SecondaryMap<Value, Int32>(default: 0)
        var worklist: [Inst] = []
        var block = f.layout.entryBlock
        while let b = block {
            var inst = f.layout.firstInst(b)
            while let i = inst {
                for v in f.dfg.valueOperands(i) { uses[f.dfg.resolve(v)] += 1 }
                inst = f.layout.nextInst(i)
            }
            block = f.layout.nextBlock(b)
        }
        block = f.layout.entryBlock
        while let b = block {
            var inst = f.layout.firstInst(b)
            while let i = inst {
                if isDead(i, f, uses) { worklist.append(i) }
                inst = f.layout.nextInst(i)
            }
            block = f.layout.nextBlock(b)
        }
        var changed = false
        while let i = worklist.popLast() {
            // An instruction can be queued twice (once per operand that became unused); only the first removal counts.
            guard f.layout.block(of: i) != nil, isDead(i, f, uses) else { continue }
            let operands = f.dfg.valueOperands(i)
            f.layout.removeInst(i)
            changed = true
            for v in operands {
                let r = f.dfg.resolve(v)
                uses[r] -= 1
                if uses[r] == 0, case .result(let def, _) = f.dfg.definition(of: r), f.layout.block(of: def) != nil, isDead(def, f, uses) {
                    worklist.append(def)
                }
            }
        }
        return changed
    }

    /// Whether `i` may go: removable by its effects and none of its results used.
    func isDead(_ i: Inst, _ f: Function, _ uses: SecondaryMap<Value, Int32>) -> Bool {
        guard f.dfg[i].opcode.effects.isRemovableIfUnused else { return false }
        for r in f.dfg.results(of: i) where uses[r] != 0 { return false }
        return true
    }
}
