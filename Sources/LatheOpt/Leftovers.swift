import LatheEntity
import LatheIR

extension Function {
    /// Removes the instructions a pass left unused: removable ones (`Effects.isRemovableIfUnused`)
    /// whose results are all unused now although one was used in `usesBefore` (counted when the pass
    /// started), or that the pass created (index `firstNewInst` on), then whatever that leaves unused.
    ///
    /// Instructions that were already dead stay (that is `dce`'s business), so a pass cleans only
    /// after itself and reports changes only where it made them.
    mutating func eraseLeftovers(usesBefore: SecondaryMap<Value, Int32>, firstNewInst: Int) {
        var uses = useCounts()
        func isUnused(_ i: Inst) -> Bool {
            guard dfg[i].opcode.effects.isRemovableIfUnused, layout.block(of: i) != nil else { return false }
            for r in dfg.results(of: i) where uses[r] != 0 { return false }
            return true
        }
        var worklist: [Inst] = []
        var block = layout.entryBlock
        while let b = block {
            var inst = layout.firstInst(b)
            while let i = inst {
                inst = layout.nextInst(i)
                guard isUnused(i) else { continue }
                if i.index >= firstNewInst || dfg.results(of: i).contains(where: { usesBefore[$0] != 0 }) { worklist.append(i) }
            }
            block = layout.nextBlock(b)
        }
        while let i = worklist.popLast() {
            guard isUnused(i) else { continue }
            let operands = dfg.valueOperands(i)
            layout.removeInst(i)
            for v in operands {
                let r = dfg.resolve(v)
                uses[r] -= 1
                if uses[r] == 0, let def = definingInst(r), isUnused(def) { worklist.append(def) }
            }
        }
    }
}
