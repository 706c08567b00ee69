import LatheEntity
import LatheIR

/// `sccp`: sparse conditional constant propagation (Wegman–Zadeck) over the SSA control flow graph.
///
/// Each value starts unknown and only moves down the lattice unknown → constant → varying. Blocks
/// and edges start unexecutable; a block parameter is the meet of the arguments on executable
/// edges only, so a value that is constant on every path the function can take folds even when a
/// never-taken edge passes something else. Constants are scalar bits (i32, i64, f32, f64), folded
/// by `Interpreter.evaluatePure`, the interpreter's own code; an op that would trap on its constant
/// inputs (division by zero, `INT_MIN / -1`, a float-to-int overflow) is varying and stays.
///
/// Afterwards: used constant values are rematerialized as `iconst`/`fconst` (floats by their exact
/// bits, so NaN payloads and `-0.0` survive) where they were defined, unused folded instructions
/// go, `brif`/`br_table` on a constant become `jump`, and blocks no executable edge reaches are
/// removed. Every remaining branch then targets only executable blocks, so the CFG stays consistent.
/// Constant block parameters are removed with their arguments on every edge, and instructions the
/// rewrite left unused are erased (see `eraseLeftovers`).
public struct SparseConditionalConstantPropagation: FunctionPass {
    public init() {}
    public var name: String { "sccp" }
    public var summary: String { "Sparse conditional constant propagation: folds values constant on every executable path, resolves constant branches, drops dead blocks." }
    public var preserves: Analyses { .none }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        // The solver's copy of `f` must be gone before rewriting, or the first edit copies the whole function.
        let solution = {
            var solver = SCCPSolver(f)
            solver.solve(entry: entry)
            return solver.solution
        }()
        return solution.rewrite(&f)
    }
}

/// A lattice element: nothing known yet, one constant (scalar bits, zero above the type's width), or varying.
struct LatticeCell: Equatable {
    enum State: UInt8 { case unknown, constant, varying }
    var state: State
    var bits: UInt64

    static let unknown = LatticeCell(state: .unknown, bits: 0)
    static let varying = LatticeCell(state: .varying, bits: 0)
    static func constant(_ bits: UInt64) -> LatticeCell { LatticeCell(state: .constant, bits: bits) }

    /// The greatest lower bound: unknown is neutral, different constants give varying. Constants compare by bits.
    func meet(_ other: LatticeCell) -> LatticeCell {
        switch (state, other.state) {
        case (.unknown, _): return other
        case (_, .unknown): return self
        case (.constant, .constant) where bits == other.bits: return self
        default: return .varying
        }
    }
}

/// The SCCP fixpoint over one function.
struct SCCPSolver {
    let f: Function
    var cells = SecondaryMap<Value, LatticeCell>(default: .unknown)
    var executableBlocks = EntitySet<Block>()
    /// Executable edges as `terminator << 32 | edge index` (several edges may join the same two blocks).
    var executableEdges = Set<UInt64>()
    var blockWork: [Block] = []
    var valueWork: [Value] = []
    /// Instructions using each value (compressed rows: `userStart[v]..<userStart[v+1]` into `users`).
    var userStart: [Int32] = []
    var users: [Inst] = []

    init(_ f: Function) {
        self.f = f
        buildUsers()
    }

    /// Counts, then fills, the users of every value (operands resolved through aliases).
    mutating func buildUsers() {
        let n = f.dfg.valueCount
        var counts = [Int32](repeating: 0, count: n + 1)
        let order = f.instsInLayoutOrder
        for i in order { for v in f.dfg.valueOperands(i) { counts[f.dfg.resolve(v).index + 1] += 1 } }
        for k in 0..<n { counts[k + 1] += counts[k] }
        userStart = counts
        var fill = counts
        users = [Inst](repeating: .reservedValue, count: Int(counts[n]))
        for i in order {
            for v in f.dfg.valueOperands(i) {
                let r = f.dfg.resolve(v).index
                users[Int(fill[r])] = i
                fill[r] += 1
            }
        }
    }

    func cell(_ v: Value) -> LatticeCell { cells[f.dfg.resolve(v)] }

    /// Lowers `v` to `new` (met with its current cell) and queues its users when it changed.
    mutating func lower(_ v: Value, to new: LatticeCell) {
        let old = cells[v]
        let met = old.meet(new)
        guard met != old else { return }
        cells[v] = met
        valueWork.append(v)
    }

    mutating func solve(entry: Block) {
        for p in f.dfg.params(entry) { cells[p] = .varying }
        markExecutable(entry)
        while true {
            if let b = blockWork.popLast() {
                var inst = f.layout.firstInst(b)
                while let i = inst { visit(i); inst = f.layout.nextInst(i) }
            } else if let v = valueWork.popLast() {
                for k in Int(userStart[v.index])..<Int(userStart[v.index + 1]) {
                    let i = users[k]
                    if let b = f.layout.block(of: i), executableBlocks.contains(b) { visit(i) }
                }
            } else if !forceUnknownValues() {
                break
            }
        }
    }

    /// Makes every value of an executable block that is still unknown varying (sound: varying claims
    /// nothing) and queues it; true if there was one. In verified SSA every such value is reached by
    /// then, so this only guards against a branch left undecided or a parameter met with an unknown.
    mutating func forceUnknownValues() -> Bool {
        var forced = false
        func force(_ v: Value) {
            guard cells[v].state == .unknown else { return }
            cells[v] = .varying
            valueWork.append(v)
            forced = true
        }
        for b in executableBlocks.members {
            for p in f.dfg.params(b) { force(p) }
            var inst = f.layout.firstInst(b)
            while let i = inst {
                if f.dfg.resultCount(i) == 1, let r = f.dfg.firstResult(i) { force(r) } else { for r in f.dfg.results(of: i) { force(r) } }
                inst = f.layout.nextInst(i)
            }
        }
        return forced
    }

    mutating func markExecutable(_ b: Block) {
        if executableBlocks.insert(b) { blockWork.append(b) }
    }

    /// Recomputes the cells of `inst`'s results, or the edges a terminator may take.
    mutating func visit(_ inst: Inst) {
        let d = f.dfg[inst]
        if d.opcode.isTerminator { visitTerminator(inst, d); return }
        guard f.dfg.resultCount(inst) == 1, let result = f.dfg.firstResult(inst) else {
            for r in f.dfg.results(of: inst) { lower(r, to: .varying) }
            return
        }
        lower(result, to: evaluate(inst, d, result: result))
    }

    /// The cell of `inst`'s single result given its operands' cells.
    func evaluate(_ inst: Inst, _ d: InstructionData, result: Value) -> LatticeCell {
        let type = f.dfg.type(of: result)
        guard ConstantFolding.isScalar(type) else { return .varying }
        switch d.opcode {
        case .iconst, .fconst:
            return .constant(d.imm64 & Semantics.mask(type.bits))
        case .select:
            // The chosen operand's cell when the condition is known; both arms' meet otherwise.
            let c = cell(Value(index: Int(d.a)))
            let x = cell(Value(index: Int(d.b))), y = cell(Value(index: Int(d.c)))
            switch c.state {
            case .unknown: return .unknown
            case .constant: return c.bits & 0xffff_ffff != 0 ? x : y
            case .varying: return x.meet(y)
            }
        default:
            // Only computations fold (`ConstantFolding.fold`); loads, calls and the like are varying at once.
            let operandCount: Int
            switch d.opcode.format {
            case .unary: operandCount = 1
            case .binary, .intCompare, .floatCompare: operandCount = 2
            case .ternary: operandCount = 3
            default: return .varying
            }
            var bits: [UInt64] = []
            var sawUnknown = false
            for k in 0..<operandCount {
                let c = cell(Value(index: Int(k == 0 ? d.a : k == 1 ? d.b : d.c)))
                switch c.state {
                case .varying: return .varying
                case .unknown: sawUnknown = true
                case .constant: bits.append(c.bits)
                }
            }
            if sawUnknown { return .unknown }
            // Only tracked (scalar) values get a constant cell, so these are scalar operand bits. nil: not
            // foldable, or it traps on these inputs (then it stays and traps when run).
            guard let out = ConstantFolding.fold(inst, in: f, operands: bits) else { return .varying }
            return .constant(out)
        }
    }

    /// Marks the edges `inst` may take executable and meets their arguments into the targets' parameters.
    mutating func visitTerminator(_ inst: Inst, _ d: InstructionData) {
        switch d.opcode.format {
        case .jump:
            take(inst, edge: 0)
        case .branch:
            let c = cell(Value(index: Int(d.a)))
            switch c.state {
            case .unknown: break
            case .constant: take(inst, edge: c.bits != 0 ? 0 : 1)
            case .varying: take(inst, edge: 0); take(inst, edge: 1)
            }
        case .branchTable:
            let c = cell(Value(index: Int(d.a)))
            let count = f.dfg.blockCallCount(inst)
            switch c.state {
            case .unknown: break
            case .constant: take(inst, edge: Self.tableEdge(index: c.bits, count: count))
            case .varying: for k in 0..<count { take(inst, edge: k) }
            }
        default:
            break
        }
    }

    /// The `br_table` edge an index selects (edge 0 is the default), as the interpreter picks it.
    static func tableEdge(index: UInt64, count: Int) -> Int {
        index < UInt64(count - 1) ? Int(index) + 1 : 0
    }

    mutating func take(_ inst: Inst, edge: Int) {
        executableEdges.insert(UInt64(inst.raw) << 32 | UInt64(edge))
        let call = f.dfg.blockCall(inst, edge: edge)
        let target = f.dfg.blockCallTarget(call)
        let params = f.dfg.blockParams[target]
        for k in 0..<f.dfg.pool.count(params) {
            let p = f.dfg.pool.get(params, k)
            lower(p, to: ConstantFolding.isScalar(f.dfg.type(of: p)) ? cell(f.dfg.blockCallArg(call, k)) : .varying)
        }
        markExecutable(target)
    }

    var solution: SCCPSolution {
        SCCPSolution(cells: cells, executableBlocks: executableBlocks, executableEdges: executableEdges, userStart: userStart)
    }
}

/// The fixpoint SCCP reached, and the rewrite it licenses.
struct SCCPSolution {
    let cells: SecondaryMap<Value, LatticeCell>
    let executableBlocks: EntitySet<Block>
    let executableEdges: Set<UInt64>
    let userStart: [Int32]

    func usesCount(_ v: Value) -> Int { Int(userStart[v.index + 1] - userStart[v.index]) }

    func isExecutable(_ inst: Inst, edge: Int) -> Bool { executableEdges.contains(UInt64(inst.raw) << 32 | UInt64(edge)) }

    /// Applies the solution to `g` (the function solved); returns whether anything changed.
    func rewrite(_ g: inout Function) -> Bool {
        var changed = false
        let usesBefore = g.useCounts()
        let firstNewInst = g.dfg.instCount
        /// Constant parameters of executable blocks, with the constant standing for each (nil: unused).
        var constantParams: [(block: Block, param: Value, constant: Value?)] = []
        for b in g.layout.blocks where executableBlocks.contains(b) {
            // Constant parameters: a constant at the top of the block stands for each used one.
            if let first = g.layout.firstInst(b) {
                for p in g.dfg.params(b) where cells[p].state == .constant {
                    let t = g.dfg.type(of: p)
                    let value = usesCount(p) > 0 ? g.insertValue(ConstantFolding.constantData(t, cells[p].bits), ctrl: t, before: first) : nil
                    constantParams.append((b, p, value))
                }
            }
            var next = g.layout.firstInst(b)
            while let inst = next {
                next = g.layout.nextInst(inst)
                let d = g.dfg[inst]
                if d.opcode.isTerminator {
                    if rewriteBranch(&g, inst, d) { changed = true }
                    continue
                }
                guard d.opcode != .iconst, d.opcode != .fconst, g.dfg.resultCount(inst) == 1,
                      let r = g.dfg.firstResult(inst), cells[r].state == .constant else { continue }
                // A constant result means the op computed without trapping: removing it is safe.
                if usesCount(r) > 0 {
                    let t = g.dfg.type(of: r)
                    g.replaceInst(inst, with: [g.insertValue(ConstantFolding.constantData(t, cells[r].bits), ctrl: t, before: inst)])
                } else {
                    g.layout.removeInst(inst)
                }
                changed = true
            }
        }
        for b in g.layout.blocks where !executableBlocks.contains(b) {
            while let i = g.layout.lastInst(b) { g.layout.removeInst(i) }
            g.layout.removeBlock(b)
            changed = true
        }
        if !constantParams.isEmpty {
            removeParams(&g, constantParams)
            changed = true
        }
        if changed {
            g.dfg.resolveAllAliases()
            g.eraseLeftovers(usesBefore: usesBefore, firstNewInst: firstNewInst)
        }
        return changed
    }

    /// Removes constant parameters and their arguments on every edge into their blocks (all of which
    /// are executable by now, so they all passed that constant); uses of a parameter become its constant.
    func removeParams(_ g: inout Function, _ params: [(block: Block, param: Value, constant: Value?)]) {
        var removed = SecondaryMap<Block, [Int]>(default: [])
        for (b, p, constant) in params {
            guard case .param(_, let index) = g.dfg.definition(of: p) else { continue }
            removed[b].append(index)
            if let constant { g.dfg.makeAlias(p, of: constant) }
        }
        // Arguments first (their positions are the parameters' before removal), highest position first.
        var seenTables = Set<UInt32>()
        for b in g.layout.blocks {
            guard let term = g.layout.lastInst(b) else { continue }
            let d = g.dfg[term]
            if d.opcode == .brTable && !seenTables.insert(d.b).inserted { continue }  // a shared table is edited once
            for edge in 0..<g.dfg.blockCallCount(term) {
                let target = g.dfg.blockCallTarget(g.dfg.blockCall(term, edge: edge))
                for k in removed[target].sorted(by: >) { g.dfg.removeBranchArg(term, edge: edge, argIndex: k) }
            }
        }
        for b in g.layout.blocks where !removed[b].isEmpty {
            for k in removed[b].sorted(by: >) { g.dfg.removeParam(b, at: k) }
        }
    }

    /// Turns a `brif` or `br_table` with exactly one executable edge into a `jump` along it.
    func rewriteBranch(_ g: inout Function, _ inst: Inst, _ d: InstructionData) -> Bool {
        guard d.opcode == .brif || d.opcode == .brTable else { return false }
        let taken = (0..<g.dfg.blockCallCount(inst)).filter { isExecutable(inst, edge: $0) }
        // One executable edge: the condition is a known constant (a varying one makes every edge
        // executable), or a `br_table` has only its default. Either way that edge is always taken.
        guard taken.count == 1 else { return false }
        let call = g.dfg.blockCall(inst, edge: taken[0])
        g.dfg[inst] = InstructionData(opcode: .jump, a: call.handle)
        return true
    }
}
