import LatheEntity
import LatheIR

/// `licm`: loop-invariant code motion. Pure instructions of a loop whose operands are all defined
/// outside it move to the loop's preheader, so they run once instead of once per iteration.
///
/// Anywhere in the loop, pure instructions (`Effects.isPure`) and `global_get`s of globals the
/// loop cannot change move: running one on entry to the loop, even when the iteration that
/// computed it would have skipped it, changes nothing observable. Ops that may trap (divisions,
/// float-to-int truncations, loads) move only from the loop's prefix, where every entry runs them
/// before anything observable (see `hoistPrefix`); a load also needs every write of the loop to be
/// provably elsewhere (`AliasAnalysis`) and no call in it. Loops are handled innermost first, so an
/// instruction invariant in several nested loops moves out step by step to the outermost
/// preheader it can reach.
///
/// The preheader is the one predecessor from outside the loop when it ends in a `jump` to the
/// header; otherwise a new block with the header's parameters is placed before the header, and
/// every edge from outside the loop goes to it instead. A loop headed by the entry block is skipped.
public struct LoopInvariantCodeMotion: FunctionPass {
    public init() {}
    public var name: String { "licm" }
    public var summary: String { "Moves loop-invariant pure instructions, unchanged globals and (from the header, in order) loads no loop write may alias and trapping ops to the preheader." }
    public var preserves: Analyses { .none }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        var forest = analyses.loops(f)
        guard !forest.loops.isEmpty else { return false }
        let cfg = analyses.cfg(f)
        let loopWrites = analyses.loopEffects(f)
        var changed = false
        // Inner loops come after the loops around them; a new preheader only changes its own header's predecessors.
        for l in forest.loops.indices.reversed() {
            let header = forest.loops[l].header
            guard header != entry else { continue }
            let outside = cfg.predecessors[header].filter { !forest.contains(l, $0) }
            guard !outside.isEmpty else { continue }
            let preheader: Block
            if outside.count == 1, let term = f.layout.lastInst(outside[0]), f.dfg[term].opcode == .jump {
                preheader = outside[0]
            } else {
                preheader = makePreheader(header, from: outside, &f)
                forest.addBlock(preheader, to: forest.loops[l].parent, before: header)
                changed = true
            }
            if hoistInvariants(of: l, to: preheader, forest, loopWrites[l], cfg, &f) { changed = true }
        }
        return changed
    }

    /// A new block before `header` taking over every edge from `outside` blocks, then jumping to the header with its own parameters.
    func makePreheader(_ header: Block, from outside: [Block], _ f: inout Function) -> Block {
        let preheader = f.dfg.makeBlock()
        var params: [Value] = []
        for p in f.dfg.params(header) { params.append(f.dfg.appendParam(preheader, type: f.dfg.type(of: p))) }
        f.layout.insertBlock(preheader, before: header)
        let call = f.dfg.makeBlockCall(header, params)
        f.layout.appendInst(f.makeInst(InstructionData(opcode: .jump, a: call.handle)), to: preheader)
        var seen = EntitySet<Block>()
        for q in outside where seen.insert(q) {
            guard let term = f.layout.lastInst(q) else { continue }
            for k in 0..<f.dfg.blockCallCount(term) {
                let edge = f.dfg.blockCall(term, edge: k)
                if f.dfg.blockCallTarget(edge) == header { f.dfg.pool.set(edge, 0, Value(index: preheader.index)) }
            }
        }
        return preheader
    }

    /// Moves the invariant instructions of loop `l` to the end of `preheader`, which is the loop's
    /// only way in and ends in a `jump` to its header.
    ///
    /// First the header's prefix (see `hoistPrefix`): there invariant trapping ops and loads move
    /// too, in order. Then every pure instruction and every invariant `global_get` anywhere in the
    /// loop: they cannot trap and have no effect, so running them once on entry is unobservable.
    func hoistInvariants(of l: Int, to preheader: Block, _ forest: LoopForest, _ writes: MemoryEffects.Summary,
                         _ cfg: ControlFlowGraph, _ f: inout Function) -> Bool {
        guard let destination = f.layout.lastInst(preheader) else { return false }
        var hoisted = hoistPrefix(of: l, to: destination, forest, writes, cfg, &f)
        var progress = true
        // Blocks are in reverse postorder, so a definition is seen before its uses; repeat for safety.
        while progress {
            progress = false
            for b in forest.loops[l].blocks {
                var inst = f.layout.firstInst(b)
                while let i = inst {
                    inst = f.layout.nextInst(i)
                    let opcode = f.dfg[i].opcode
                    guard f.dfg.resultCount(i) > 0, isInvariant(i, in: l, forest, f) else { continue }
                    guard opcode.effects.isPure || (opcode == .globalGet && globalIsUnchanged(i, writes, f)) else { continue }
                    f.layout.removeInst(i)
                    f.layout.insertInst(i, before: destination)
                    progress = true
                    hoisted = true
                }
            }
        }
        return hoisted
    }

    /// Hoists, in order, the invariant instructions of the loop's prefix: the header, then the
    /// blocks it reaches by `jump` that have it (then them) as only predecessor.
    ///
    /// Precondition for hoisting an instruction that may trap (a division, a float-to-int
    /// truncation, a load): every entry into the loop runs it before any instruction of the loop
    /// with an effect or a possible trap. That holds while the walk has only passed instructions
    /// it hoisted (in their order) or that are `isRemovableIfUnused` (no trap, write or call) or
    /// loads (only when what it hoists afterwards cannot trap, or traps as a load does), and
    /// because the preheader is the loop's only entry and jumps to the header unconditionally: the
    /// hoisted op then runs on the same operands, at the same point of observable behaviour, and
    /// traps with the same code exactly when the first iteration would have. Later iterations
    /// compute the same value: a division's operands are invariant, and a load's bytes are not
    /// written in the loop (no call, no write that may alias it) nor can the memory shrink. The
    /// walk stops at the first instruction that stays and has an effect or may trap other than as a load.
    func hoistPrefix(of l: Int, to destination: Inst, _ forest: LoopForest, _ writes: MemoryEffects.Summary,
                     _ cfg: ControlFlowGraph, _ f: inout Function) -> Bool {
        var hoisted = false
        // Where the loop's writes go (nil: anywhere), once per loop.
        let written = writes.hasCall ? [] : writes.memoryWrites.map { AliasAnalysis.location(of: $0, in: f) }
        var block = forest.loops[l].header
        var chain = EntitySet<Block>()
        // Whether the walk passed a load that stays: from then on only ops trapping as loads do (`heap_oob`) may move.
        var passedLoad = false
        while chain.insert(block) {
            var inst = f.layout.firstInst(block)
            while let i = inst {
                inst = f.layout.nextInst(i)
                let effects = f.dfg[i].opcode.effects
                if effects.contains(.terminator) { break }
                let isLoad = f.dfg[i].opcode.format == .load && effects == [.mayTrap, .readsMemory]
                if f.dfg.resultCount(i) > 0, !passedLoad || isLoad || !effects.contains(.mayTrap),
                   isInvariant(i, in: l, forest, f), canHoistAtLoopEntry(i, writes, written, f) {
                    f.layout.removeInst(i)
                    f.layout.insertInst(i, before: destination)
                    hoisted = true
                } else if isLoad {
                    // A load only reads and traps `heap_oob`: a later load moved before it traps the
                    // same way when either traps, and nothing observable happens between them.
                    passedLoad = true
                } else if !effects.isRemovableIfUnused {
                    return hoisted
                }
            }
            // Continue into the next block only when it runs right after this one on every pass.
            guard let term = f.layout.lastInst(block), f.dfg[term].opcode == .jump else { return hoisted }
            let next = f.dfg.blockCallTarget(f.dfg.blockCall(term, edge: 0))
            let predecessors = cfg.predecessors[next]
            guard forest.contains(l, next), !predecessors.isEmpty, predecessors.allSatisfy({ $0 == block }) else { return hoisted }
            block = next
        }
        return hoisted
    }

    /// Whether `i` may move to the loop entry when it is reached first there (see `hoistPrefix`):
    /// pure, or trapping only (same operands, same result or trap), or a load no write of the loop
    /// may change, or a `global_get` of a global the loop does not set.
    func canHoistAtLoopEntry(_ i: Inst, _ writes: MemoryEffects.Summary, _ written: [MemoryLocation?], _ f: Function) -> Bool {
        let d = f.dfg[i]
        let effects = d.opcode.effects
        if effects.isPure || effects == .mayTrap { return true }
        if d.opcode == .globalGet { return globalIsUnchanged(i, writes, f) }
        guard d.opcode.format == .load, effects == [.mayTrap, .readsMemory], !writes.hasCall,
              let location = AliasAnalysis.location(of: i, in: f) else { return false }
        return !written.contains { AliasAnalysis.mayClobber(written: $0, location) }
    }

    /// Whether the global `global_get` `i` reads keeps its value through the loop (immutable, or no call and no `global_set` that may reach it).
    func globalIsUnchanged(_ i: Inst, _ writes: MemoryEffects.Summary, _ f: Function) -> Bool {
        let g = GlobalRef(index: Int(f.dfg[i].a))
        if AliasAnalysis.isImmutable(g, in: f) { return true }
        return !writes.hasCall && !writes.globalWrites.contains { AliasAnalysis.mayClobber(global: $0, g, in: f) }
    }

    /// Whether every operand of `i` is defined outside loop `l`.
    func isInvariant(_ i: Inst, in l: Int, _ forest: LoopForest, _ f: Function) -> Bool {
        f.dfg.valueOperands(i).allSatisfy { v in f.definingBlock(v).map { !forest.contains(l, $0) } ?? true }
    }
}
