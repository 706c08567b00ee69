import LatheEntity
import LatheIR

/// The edge rewrites of one `simplify-cfg` round: forwarding past empty blocks and jump threading.
///
/// Both move an edge `p → B` to one of `B`'s successors, so `p` then reaches the successor without
/// running `B`. That is only sound when nothing outside `B` reads a value `B` defines (parameters
/// included) except through `B`'s own branch arguments, which the rewrite substitutes; `escaping`
/// holds the values some other block reads. The CFG and dominator tree are the round's start state.
struct EdgeEdits {
    let cfg: ControlFlowGraph
    let dom: DominatorTree
    /// Values read by an instruction outside the block defining them.
    let escaping: EntitySet<Value>
    /// Blocks whose incoming edges this round moves past them (`forwardEmptyBlocks`).
    var forwarded = EntitySet<Block>()

    /// At most this many pure instructions in a block a jump is threaded through.
    static let maxThreadedBody = 4
    /// At most this many constants materialized before a threaded jump.
    static let maxThreadedConstants = 2

    init(_ f: Function, _ cfg: ControlFlowGraph, _ dom: DominatorTree) {
        self.cfg = cfg
        self.dom = dom
        escaping = f.valuesReadOutsideTheirBlock()
    }

    /// Whether `b` is the target of a back edge (a predecessor it dominates): a loop header.
    func isLoopHeader(_ b: Block) -> Bool {
        cfg.predecessors[b].contains { dom.dominates(b, $0) }
    }

    /// Whether no block other than `b` reads one of `b`'s parameters or results.
    func keepsValuesInside(_ f: Function, _ b: Block) -> Bool {
        if f.dfg.params(b).contains(where: { escaping.contains($0) }) { return false }
        var inst = f.layout.firstInst(b)
        while let i = inst {
            if f.dfg.results(of: i).contains(where: { escaping.contains($0) }) { return false }
            inst = f.layout.nextInst(i)
        }
        return true
    }

    // MARK: forwarding past empty blocks

    /// Moves every edge into a block whose only instruction is `jump T(args)` to `T`, with the
    /// block's parameters in `args` replaced by the edge's arguments.
    ///
    /// Preconditions (per empty block B, not the entry, reachable, `T != B`, T has other incoming
    /// edges, else T merges into B instead): B's parameters are
    /// read nowhere but in its jump; every other argument is defined in a block strictly dominating
    /// B, so it dominates each predecessor's branch too. Size: the arguments move onto every incoming
    /// edge, so B must have one incoming edge or pass only its own parameters (no constant copied
    /// onto many edges). A `brif` or `br_table` edge moves only when T takes no parameters: a table
    /// whose edges carry no arguments lowers to one `br_table`, one with arguments to a trampoline
    /// per edge, and a `brif` whose arms are blocks passing values is what `select` converts.
    mutating func forwardEmptyBlocks(_ f: inout Function) -> Bool {
        let entry = f.layout.entryBlock
        for b in f.layout.blocks where b != entry && dom.isReachable(b) && isEmptyForwarder(f, b) {
            _ = forwarded.insert(b)
        }
        guard !forwarded.isEmpty else { return false }
        var changed = false
        for p in f.layout.blocks where !forwarded.contains(p) {
            // A forwarder's own jump stays as it is this round, so its substitution is the one checked.
            guard let term = f.layout.lastInst(p) else { continue }
            // Only plain `jump` edges take arguments: a `br_table` with arguments lowers to a trampoline
            // per edge, and `select` looks for `brif` diamonds whose arms are blocks.
            let argumentsAllowed = f.dfg[term].opcode == .jump
            for edge in 0..<f.dfg.blockCallCount(term) {
                let call = f.dfg.blockCall(term, edge: edge)
                let b = f.dfg.blockCallTarget(call)
                guard forwarded.contains(b), let jump = f.layout.lastInst(b) else { continue }
                let next = f.dfg.blockCall(jump, edge: 0)
                let t = f.dfg.blockCallTarget(next)
                if !argumentsAllowed && f.dfg.paramCount(t) != 0 { continue }
                let params = f.dfg.params(b)
                let incoming = f.dfg.blockCallArgs(call)
                let args = f.dfg.blockCallArgs(next).map { a -> Value in
                    let r = f.dfg.resolve(a)
                    if let k = params.firstIndex(of: r) { return incoming[k] }
                    return r
                }
                f.setBlockCall(term, edge: edge, f.dfg.makeBlockCall(t, args))
                changed = true
            }
        }
        return changed
    }

    /// Whether `b` is an empty block whose incoming edges `forwardEmptyBlocks` may move to its target.
    func isEmptyForwarder(_ f: Function, _ b: Block) -> Bool {
        guard let jump = f.layout.firstInst(b), jump == f.layout.lastInst(b), f.dfg[jump].opcode == .jump else { return false }
        let next = f.dfg.blockCall(jump, edge: 0)
        let t = f.dfg.blockCallTarget(next)
        // A target with no other incoming edge is better merged into this block (`mergeStraightLines`).
        guard t != b, cfg.predecessors[t].count > 1 else { return false }
        let params = f.dfg.params(b)
        if params.contains(where: { escaping.contains($0) }) { return false }
        var onlyParams = true
        for a in f.dfg.blockCallArgs(next) {
            let r = f.dfg.resolve(a)
            if params.contains(r) { continue }
            onlyParams = false
            guard let d = f.definingBlock(r), d != b, dom.dominates(d, b) else { return false }
        }
        return onlyParams || cfg.predecessors[b].count == 1
    }

    // MARK: jump threading

    /// Sends each `jump B(args)` straight to the successor B's branch will take when that follows
    /// from the jump's constant arguments.
    ///
    /// Preconditions (per threaded jump from p): B is not p, not a loop header (threading into a
    /// loop's body past its header would make a second entry) and keeps its values inside (see the
    /// type's comment); B holds at most `maxThreadedBody` pure instructions before a `brif`/`br_table`
    /// whose condition folds (with the interpreter, `ConstantFolding.fold`) from p's constant
    /// arguments and constants; the chosen edge's arguments are B's parameters (p's arguments
    /// replace them), values defined outside B (they dominate B, so p as well), or values of B that
    /// folded to constants, which are materialized before p's jump (at most `maxThreadedConstants`).
    /// B's instructions are pure, so skipping them on this path changes no effect.
    mutating func threadJumps(_ f: inout Function) -> Bool {
        var changed = false
        for p in f.layout.blocks {
            guard let term = f.layout.lastInst(p), f.dfg[term].opcode == .jump else { continue }
            let call = f.dfg.blockCall(term, edge: 0)
            let b = f.dfg.blockCallTarget(call)
            guard b != p, !isLoopHeader(b), keepsValuesInside(f, b),
                  let (edge, known) = threadedEdge(f, b, arguments: f.dfg.blockCallArgs(call)) else { continue }
            let branch = f.layout.lastInst(b)!
            let next = f.dfg.blockCall(branch, edge: edge)
            let target = f.dfg.blockCallTarget(next)
            guard target != b else { continue }
            let params = f.dfg.params(b)
            let incoming = f.dfg.blockCallArgs(call)
            var constants: [(Value, UInt64)] = []
            var args: [Value] = []
            var ok = true
            for a in f.dfg.blockCallArgs(next) {
                let r = f.dfg.resolve(a)
                if let k = params.firstIndex(of: r) { args.append(incoming[k]); continue }
                guard f.definingBlock(r) == b else { args.append(r); continue }
                guard let bits = known[r], ConstantFolding.isScalar(f.dfg.type(of: r)) else { ok = false; break }
                constants.append((r, bits))
                args.append(r)
            }
            guard ok, constants.count <= Self.maxThreadedConstants else { continue }
            for (r, bits) in constants {
                let t = f.dfg.type(of: r)
                let c = f.insertValue(ConstantFolding.constantData(t, bits), ctrl: t, before: term)
                args = args.map { $0 == r ? c : $0 }
            }
            f.setBlockCall(term, edge: 0, f.dfg.makeBlockCall(target, args))
            changed = true
        }
        return changed
    }

    /// The edge B's branch takes when its parameters hold `arguments`, with the constants of B's
    /// values that fold; nil when B is not a short pure block ending in a branch whose condition folds.
    func threadedEdge(_ f: Function, _ b: Block, arguments: [Value]) -> (Int, [Value: UInt64])? {
        var known: [Value: UInt64] = [:]
        func bits(_ v: Value) -> UInt64? {
            let r = f.dfg.resolve(v)
            if let k = known[r] { return k }
            guard let i = f.definingInst(r), f.dfg[i].opcode == .iconst || f.dfg[i].opcode == .fconst,
                  ConstantFolding.isScalar(f.dfg.type(of: r)) else { return nil }
            return f.dfg[i].imm64 & Semantics.mask(f.dfg.type(of: r).bits)
        }
        for (param, arg) in zip(f.dfg.params(b), arguments) {
            if let k = bits(arg), ConstantFolding.isScalar(f.dfg.type(of: param)) { known[param] = k }
        }
        guard !known.isEmpty else { return nil }
        var count = 0
        var inst = f.layout.firstInst(b)
        while let i = inst, i != f.layout.lastInst(b) {
            count += 1
            guard count <= Self.maxThreadedBody, f.dfg[i].opcode.effects.isPure else { return nil }
            let operands = f.dfg.valueOperands(i).map(bits)
            if operands.allSatisfy({ $0 != nil }), let r = f.dfg.firstResult(i),
               let folded = ConstantFolding.fold(i, in: f, operands: operands.map { $0! }) {
                known[r] = folded
            }
            inst = f.layout.nextInst(i)
        }
        guard let branch = f.layout.lastInst(b) else { return nil }
        let d = f.dfg[branch]
        guard d.opcode == .brif || d.opcode == .brTable, let c = bits(Value(index: Int(d.a))) else { return nil }
        let edge = d.opcode == .brif ? (c != 0 ? 0 : 1)
            : SCCPSolver.tableEdge(index: c, count: f.dfg.blockCallCount(branch))
        return (edge, known)
    }
}

extension Function {
    /// Replaces destination `edge` of branch `inst` by `call` (for `br_table`: in its jump table,
    /// which tables sharing it see too).
    mutating func setBlockCall(_ inst: Inst, edge: Int, _ call: ValueList) {
        var d = dfg[inst]
        switch d.opcode.format {
        case .jump: d.a = call.handle
        case .branch: if edge == 0 { d.b = call.handle } else { d.c = call.handle }
        case .branchTable:
            dfg.jumpTables[JumpTableRef(index: Int(d.b))][edge] = call
            return
        default: preconditionFailure("\(d.opcode.name) has no destinations")
        }
        dfg[inst] = d
    }
}
