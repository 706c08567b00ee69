import LatheEntity
import LatheIR

/// `licm`: loop-invariant code motion. Pure instructions of a loop whose operands are all defined
/// outside it move to the loop's preheader, so they run once instead of once per iteration.
///
/// Only pure instructions move (`Effects.isPure`: no trap, no memory, global or table access, no
/// call): running one on entry to the loop, even when the iteration that computed it would have
/// skipped it or the loop runs zero times, changes nothing observable. A division stays (it may
/// trap when the loop would not have run it); loads stay (no alias analysis: a store in the loop
/// may change what they read). Loops are handled innermost first, so an instruction invariant in
/// several nested loops moves out step by step to the outermost preheader it can reach.
///
/// The preheader is the one predecessor from outside the loop when it ends in a `jump` to the
/// header; otherwise a new block with the header's parameters is placed before the header, and
/// every edge from outside the loop goes to it instead. A loop headed by the entry block is skipped.
public struct LoopInvariantCodeMotion: FunctionPass {
    public init() {}
    public var name: String { "licm" }
    public var summary: String { "Moves pure loop-invariant instructions to the loop preheader (made when missing), innermost loops first." }
    public var preserves: Analyses { .none }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        var forest = analyses.loops(f)
        guard !forest.loops.isEmpty else { return false }
        let cfg = analyses.cfg(f)
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
            if hoistInvariants(of: l, to: preheader, forest, &f) { changed = true }
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

    /// Moves every pure instruction of loop `l` whose operands are defined outside it to the end of `preheader`.
    func hoistInvariants(of l: Int, to preheader: Block, _ forest: LoopForest, _ f: inout Function) -> Bool {
        guard let destination = f.layout.lastInst(preheader) else { return false }
        var hoisted = false
        var progress = true
        // Blocks are in reverse postorder, so a definition is seen before its uses; repeat for safety.
        while progress {
            progress = false
            for b in forest.loops[l].blocks {
                var inst = f.layout.firstInst(b)
                while let i = inst {
                    inst = f.layout.nextInst(i)
                    guard f.dfg[i].opcode.effects.isPure, f.dfg.resultCount(i) > 0 else { continue }
                    guard f.dfg.valueOperands(i).allSatisfy({ !forest.contains(l, definingBlock($0, f)) }) else { continue }
                    f.layout.removeInst(i)
                    f.layout.insertInst(i, before: destination)
                    progress = true
                    hoisted = true
                }
            }
        }
        return hoisted
    }

    /// The block defining `v` (aliases resolved): its instruction's block or its parameter's block.
    func definingBlock(_ v: Value, _ f: Function) -> Block {
        switch f.dfg.definition(of: f.dfg.resolve(v)) {
        case .result(let i, _): return f.layout.block(of: i) ?? Block.reservedValue
        case .param(let b, _): return b
        case .alias: return Block.reservedValue
        }
    }
}
