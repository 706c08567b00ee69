import LatheEntity
import LatheIR

/// `adce`: assumes everything dead, marks live what effects and control flow need, removes the rest,
/// block parameters included.
///
/// Roots are the instructions `Effects.isRemovableIfUnused` keeps (terminators, stores, calls,
/// possible traps) and the entry block's parameters (the function's parameters). Liveness flows
/// backwards through operands and through block parameters: a parameter is live only when a live
/// instruction uses it, and an argument passed on an edge is a use only when the parameter it feeds
/// is live. So a value carried around a loop that nothing else reads dies, which `dce` cannot see
/// (to `dce` the loop's back edge argument is a use). Branch conditions stay live, so the control
/// flow does not change.
public struct AggressiveDeadCodeElimination: FunctionPass {
    public init() {}
    public var name: String { "adce" }
    public var summary: String { "Removes instructions and block parameters no effect or branch needs, loop-carried values included." }
    /// Terminators stay with their destinations; only arguments go.
    public var preserves: Analyses { .all }

    /// One incoming edge: the branch and which of its block calls.
    struct Edge { var branch: Inst; var index: Int }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        var liveInsts = EntitySet<Inst>()
        var liveValues = EntitySet<Value>()
        var incoming = SecondaryMap<Block, [Edge]>(default: [])
        var worklist: [Value] = []

        /// Makes `inst` live: its plain operands become live; block-call arguments wait for their parameters.
        func markLive(_ inst: Inst) {
            guard liveInsts.insert(inst) else { return }
            let d = f.dfg[inst]
            switch d.opcode.format {
            case .jump: break
            case .branch, .branchTable: worklist.append(Value(index: Int(d.a)))
            default: worklist.append(contentsOf: f.dfg.valueOperands(inst))
            }
            // Arguments already feeding live parameters (parameters marked before this branch was).
            for k in 0..<f.dfg.blockCallCount(inst) {
                let call = f.dfg.blockCall(inst, edge: k)
                for (n, p) in f.dfg.params(f.dfg.blockCallTarget(call)).enumerated() where liveValues.contains(p) {
                    worklist.append(f.dfg.blockCallArg(call, n))
                }
            }
        }

        var block = f.layout.entryBlock
        while let b = block {
            var inst = f.layout.firstInst(b)
            while let i = inst {
                for k in 0..<f.dfg.blockCallCount(i) {
                    incoming[f.dfg.blockCallTarget(f.dfg.blockCall(i, edge: k))].append(Edge(branch: i, index: k))
                }
                inst = f.layout.nextInst(i)
            }
            block = f.layout.nextBlock(b)
        }
        worklist.append(contentsOf: f.dfg.params(entry))
        block = f.layout.entryBlock
        while let b = block {
            var inst = f.layout.firstInst(b)
            while let i = inst {
                if !f.dfg[i].opcode.effects.isRemovableIfUnused { markLive(i) }
                inst = f.layout.nextInst(i)
            }
            block = f.layout.nextBlock(b)
        }

        while let v = worklist.popLast() {
            let r = f.dfg.resolve(v)
            guard liveValues.insert(r) else { continue }
            switch f.dfg.definition(of: r) {
            case .result(let def, _):
                markLive(def)
            case .param(let b, let n):
                // The argument on an edge from a branch not yet live is queued when that branch becomes live.
                for e in incoming[b] where liveInsts.contains(e.branch) {
                    worklist.append(f.dfg.blockCallArg(f.dfg.blockCall(e.branch, edge: e.index), n))
                }
            case .alias:
                preconditionFailure("resolved value \(r) is an alias")
            }
        }

        var changed = false
        block = f.layout.entryBlock
        while let b = block {
            var inst = f.layout.firstInst(b)
            while let i = inst {
                inst = f.layout.nextInst(i)
                if !liveInsts.contains(i) { f.layout.removeInst(i); changed = true }
            }
            // Dead parameters go from the last to the first, with their argument on every incoming edge.
            if b != entry {
                let params = f.dfg.params(b)
                for n in params.indices.reversed() where !liveValues.contains(params[n]) {
                    for e in incoming[b] { f.dfg.removeBranchArg(e.branch, edge: e.index, argIndex: n) }
                    f.dfg.removeParam(b, at: n)
                    changed = true
                }
            }
            block = f.layout.nextBlock(b)
        }
        return changed
    }
}
