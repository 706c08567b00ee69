import LatheEntity

/// Where a verifier error is.
public enum ErrorLocation: Sendable, Equatable {
    case function
    case block(Block)
    case inst(Inst)
}

/// One broken invariant: where, which operand (index into `valueOperands`) if one, and what is wrong.
public struct VerifierError: Error, Sendable, Equatable {
    public var location: ErrorLocation
    public var operand: Int?
    public var message: String
}

extension Function {
    /// Checks every invariant and returns all violations (empty when the function is valid).
    public func verify() -> VerifierReport {
        var v = Verifier(function: self)
        v.run()
        return VerifierReport(function: self, errors: v.errors)
    }
}

/// Checks structure, types, entity existence and dominance, collecting every error.
struct Verifier {
    let function: Function
    let dfg: DataFlowGraph
    let layout: Layout
    /// Names for error messages; built on the first error (it walks the whole function).
    lazy var printer = FunctionPrinter(function)
    var errors: [VerifierError] = []

    init(function: Function) {
        self.function = function
        self.dfg = function.dfg
        self.layout = function.layout
    }

    mutating func report(_ location: ErrorLocation, _ message: String, operand: Int? = nil) {
        errors.append(VerifierError(location: location, operand: operand, message: message))
    }

    mutating func run() {
        guard let entry = layout.entryBlock else {
            report(.function, "function has no blocks")
            return
        }
        let params = dfg.params(entry).map { dfg.type(of: $0) }
        if params != function.signature.params {
            report(.block(entry), "entry block parameters (\(params.map(\.description).joined(separator: ", "))) do not match the signature (\(function.signature.params.map(\.description).joined(separator: ", ")))")
        }
        for block in layout.blocks {
            guard let last = layout.lastInst(block) else {
                report(.block(block), "\(printer.name(block)) is empty; every block ends with a terminator")
                continue
            }
            var inst = layout.firstInst(block)
            while let i = inst {
                let op = dfg[i].opcode
                if op.isTerminator && i != last {
                    report(.inst(i), "\(op.name) ends the block but is followed by more instructions")
                } else if !op.isTerminator && i == last {
                    report(.inst(i), "\(printer.name(block)) does not end with a terminator")
                }
                checkInst(i)
                inst = layout.nextInst(i)
            }
        }
        checkDominance(entry)
    }

    mutating func checkInst(_ inst: Inst) {
        let d = dfg[inst]
        let operands = dfg.valueOperands(inst)
        var allValid = true
        for (n, v) in operands.enumerated() {
            if !dfg.isValid(v) {
                report(.inst(inst), "v?\(v.index) does not exist", operand: n); allValid = false
            } else if case .param(let b, _) = dfg.definition(of: dfg.resolve(v)), b.isReserved {
                report(.inst(inst), "\(printer.name(v)) is never defined", operand: n); allValid = false
            }
        }
        for target in dfg.successors(inst) {
            if !dfg.isValid(target) || !layout.isInserted(target) {
                report(.inst(inst), "\(printer.name(target)) is not a block of this function"); allValid = false
            } else if target == layout.entryBlock {
                report(.inst(inst), "branch to the entry block \(printer.name(target))")
            }
        }
        guard allValid else { return }
        // `function.controlType(of:)`, from the operands already in hand.
        let ctrl: IRType?
        switch d.opcode.control {
        case .none: ctrl = nil
        case .result: ctrl = dfg.firstResult(inst).map { dfg.type(of: $0) }
        case .operand(let n): ctrl = n < operands.count && dfg.isValid(operands[n]) ? dfg.type(of: operands[n]) : nil
        }
        if typesCheckQuickly(d, inst, operands, ctrl) { return }
        let typing: InstTyping
        do { typing = try function.typing(of: d, ctrl: ctrl) } catch {
            if let n = error.operand, n < operands.count {
                report(.inst(inst), "\(printer.name(operands[n])) has type \(dfg.type(of: operands[n])), but \(error.message)", operand: n)
            } else {
                report(.inst(inst), error.message)
            }
            return
        }
        if typing.operands.count != operands.count {
            report(.inst(inst), "\(d.opcode.name) expects \(typing.operands.count) operand(s), found \(operands.count)",
                   operand: operands.count > typing.operands.count ? typing.operands.count : nil)
        }
        for (n, (v, expected)) in zip(operands, typing.operands).enumerated() {
            let t = dfg.type(of: v)
            if !expected.accepts(t) {
                report(.inst(inst), "\(printer.name(v)) has type \(t), but \(d.opcode.name) expects \(expected) here", operand: n)
            }
        }
        let resultCount = dfg.resultCount(inst)
        var resultsMatch = resultCount == typing.results.count
        for n in 0..<resultCount where resultsMatch {
            resultsMatch = dfg.type(of: dfg.pool.get(dfg.results[inst], n)) == typing.results[n]
        }
        if !resultsMatch {
            let results = dfg.results(of: inst).map { dfg.type(of: $0) }
            report(.inst(inst), "\(d.opcode.name) should produce (\(typing.results.map(\.description).joined(separator: ", "))), but its results are (\(results.map(\.description).joined(separator: ", ")))")
        }
        if d.opcode == .returnCall || d.opcode == .returnCallIndirect || d.opcode == .returnCallRef {
            let callee: Signature = d.opcode == .returnCall ? function.signature(of: FuncRef(index: Int(d.a))) : function.signatures[SigRef(index: Int(d.a))]
            if callee.results != function.signature.results {
                report(.inst(inst), "tail call returns (\(callee.results.map(\.description).joined(separator: ", "))), but the function returns (\(function.signature.results.map(\.description).joined(separator: ", ")))")
            }
        }
    }

    /// Whether a common scalar op passes the type checks, found without building an `InstTyping`.
    ///
    /// Mirrors `typing(of:ctrl:)` for the ops it covers; false means "run the full check", not "wrong".
    func typesCheckQuickly(_ d: InstructionData, _ inst: Inst, _ operands: [Value], _ ctrl: IRType?) -> Bool {
        guard let t = ctrl else { return false }
        switch function.quickResults(of: d, ctrl: ctrl) {
        case .slow: return false
        case .none: if dfg.resultCount(inst) != 0 { return false }
        case .one(let r): if dfg.resultCount(inst) != 1 || dfg.type(of: dfg.pool.get(dfg.results[inst], 0)) != r { return false }
        }
        func fits(_ types: IRType...) -> Bool {
            guard operands.count == types.count else { return false }
            for (v, e) in zip(operands, types) where !dfg.type(of: v).isSubtype(of: e) { return false }
            return true
        }
        switch d.opcode {
        case .iconst, .fconst, .vconst:
            return operands.isEmpty
        case .iadd, .isub, .imul, .sdiv, .udiv, .srem, .urem, .band, .bor, .bxor, .bandNot,
             .smin, .smax, .umin, .umax, .saddSat, .uaddSat, .ssubSat, .usubSat, .avgrU,
             .fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .fcopysign, .icmp, .fcmp:
            return fits(t, t)
        case .ishl, .sshr, .ushr, .rotl, .rotr:
            return fits(t, t.isVector ? .i32 : t)
        case .bnot, .clz, .ctz, .popcnt, .ineg, .iabs, .sqrt, .fneg, .fabs, .ceil, .floor, .trunc, .nearest,
             .sext8, .sext16, .sext32, .eqz, .refIsNull:
            return fits(t)
        case .sextend, .uextend: return fits(.i32)
        case .ireduce: return fits(.i64)
        case .fpromote: return fits(.f32)
        case .fdemote: return fits(.f64)
        case .select: return fits(.i32, t, t)
        case .load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32:
            return fits(function.memories[d.memory].addressType)
        case .store, .istore8, .istore16, .istore32:
            return fits(t, function.memories[d.memory].addressType)
        case .globalGet: return operands.isEmpty
        case .globalSet: return fits(function.globals[GlobalRef(index: Int(d.a))].type)
        default: return false
        }
    }

    /// Definitions dominate uses (in reachable blocks); block-call arguments are used at the branch.
    mutating func checkDominance(_ entry: Block) {
        let cfg = ControlFlowGraph(function)
        let domtree = DominatorTree(cfg: cfg, entry: entry)
        for block in layout.blocks where domtree.isReachable(block) {
            var inst = layout.firstInst(block)
            while let i = inst {
                for (n, v) in dfg.valueOperands(i).enumerated() where dfg.isValid(v) {
                    let r = dfg.resolve(v)
                    switch dfg.definition(of: r) {
                    case .param(let b, _):
                        if b.isReserved { break }
                        if !layout.isInserted(b) {
                            report(.inst(i), "\(printer.name(v)) is a parameter of \(printer.name(b)), which is not in the layout", operand: n)
                        } else if !domtree.dominates(b, block) {
                            report(.inst(i), "\(printer.name(v)) is defined in \(printer.name(b)), which does not dominate this use", operand: n)
                        }
                    case .result(let def, _):
                        guard let db = layout.block(of: def) else {
                            report(.inst(i), "\(printer.name(v)) is defined by an instruction not in the layout", operand: n)
                            break
                        }
                        if db == block {
                            if !layout.instComesBefore(def, i) {
                                report(.inst(i), "\(printer.name(v)) is used before its definition", operand: n)
                            }
                        } else if !domtree.dominates(db, block) {
                            report(.inst(i), "\(printer.name(v)) is defined in \(printer.name(db)), which does not dominate this use", operand: n)
                        }
                    case .alias: break
                    }
                }
                inst = layout.nextInst(i)
            }
        }
    }
}

/// Predecessors and successors of each block, from the terminators in the layout.
public struct ControlFlowGraph: Sendable {
    public private(set) var successors = SecondaryMap<Block, [Block]>(default: [])
    public private(set) var predecessors = SecondaryMap<Block, [Block]>(default: [])
    /// The function's block count: entries from this index on belong to no block.
    public private(set) var blockCount = 0

    public init() {}

    public init(_ f: Function) { compute(f) }

    /// Recomputes the graph for `f`, reusing this graph's storage (one graph can serve many functions in turn).
    public mutating func compute(_ f: Function) {
        // Only the previous function's entries can be non-empty.
        for k in 0..<blockCount {
            successors[Block(index: k)].removeAll(keepingCapacity: true)
            predecessors[Block(index: k)].removeAll(keepingCapacity: true)
        }
        blockCount = f.dfg.blockCount
        successors.grow(to: blockCount)
        predecessors.grow(to: blockCount)
        var block = f.layout.firstBlock
        while let b = block {
            block = f.layout.nextBlock(b)
            guard let last = f.layout.lastInst(b) else { continue }
            for k in 0..<f.dfg.blockCallCount(last) {
                let s = f.dfg.blockCallTarget(f.dfg.blockCall(last, edge: k))
                guard f.dfg.isValid(s) && f.layout.isInserted(s) else { continue }
                successors[b].append(s)
                predecessors[s].append(b)
            }
        }
    }
}

/// Immediate dominators by the Cooper–Harvey–Kennedy iteration over reverse postorder.
public struct DominatorTree: Sendable {
    private var idom = SecondaryMap<Block, Block>(default: .reservedValue)
    private var rpoNumber = SecondaryMap<Block, Int>(default: -1)
    /// Preorder number of each block in the dominator tree, and the largest preorder number in its subtree.
    private var treePre = SecondaryMap<Block, Int>(default: -1)
    private var treePost = SecondaryMap<Block, Int>(default: -1)
    public private(set) var reversePostorder: [Block] = []
    // Scratch kept for the next `compute`.
    private var visited = EntitySet<Block>()
    private var postorder: [Block] = []
    private var dfsStack: [(Block, Int32)] = []
    private var childStart: [Int32] = [], childFill: [Int32] = [], children: [Block] = []

    public init() {}

    public init(cfg: ControlFlowGraph, entry: Block) { compute(cfg: cfg, entry: entry) }

    /// Recomputes the tree for `cfg`, reusing this tree's storage.
    public mutating func compute(cfg: ControlFlowGraph, entry: Block) {
        let blocks = cfg.blockCount
        idom.removeAll(); idom.grow(to: blocks)
        rpoNumber.removeAll(); rpoNumber.grow(to: blocks)
        treePre.removeAll(); treePre.grow(to: blocks)
        treePost.removeAll(); treePost.grow(to: blocks)
        // iterative DFS postorder
        visited.removeAll()
        postorder.removeAll(keepingCapacity: true)
        dfsStack.removeAll(keepingCapacity: true)
        dfsStack.append((entry, 0))
        visited.insert(entry)
        while let (b, k) = dfsStack.popLast() {
            let succ = cfg.successors[b]
            if k < succ.count {
                dfsStack.append((b, k + 1))
                let s = succ[Int(k)]
                if visited.insert(s) { dfsStack.append((s, 0)) }
            } else {
                postorder.append(b)
            }
        }
        reversePostorder.removeAll(keepingCapacity: true)
        reversePostorder.append(contentsOf: postorder.reversed())
        for (n, b) in reversePostorder.enumerated() { rpoNumber[b] = n }
        idom[entry] = entry
        var changed = true
        while changed {
            changed = false
            for b in reversePostorder.dropFirst() {
                var newIdom: Block? = nil
                for p in cfg.predecessors[b] where !idom[p].isReserved {
                    newIdom = newIdom.map { intersect($0, p) } ?? p
                }
                if let n = newIdom, idom[b] != n { idom[b] = n; changed = true }
            }
        }
        numberTree(entry)
    }

    /// Pre- and postorder numbers of the dominator tree, so `dominates` is two comparisons.
    private mutating func numberTree(_ entry: Block) {
        // Children of each block in reverse postorder, as compressed rows indexed by RPO number.
        let n = reversePostorder.count
        childStart.removeAll(keepingCapacity: true)
        childStart.append(contentsOf: repeatElement(0, count: n + 1))
        for b in reversePostorder.dropFirst() where !idom[b].isReserved { childStart[rpoNumber[idom[b]] + 1] += 1 }
        for k in 0..<n { childStart[k + 1] += childStart[k] }
        childFill.removeAll(keepingCapacity: true)
        childFill.append(contentsOf: childStart)
        children.removeAll(keepingCapacity: true)
        children.append(contentsOf: repeatElement(entry, count: Int(childStart[n])))
        for b in reversePostorder.dropFirst() where !idom[b].isReserved {
            let p = rpoNumber[idom[b]]
            children[Int(childFill[p])] = b
            childFill[p] += 1
        }
        var counter = 0
        dfsStack.removeAll(keepingCapacity: true)
        dfsStack.append((entry, childStart[rpoNumber[entry]]))
        treePre[entry] = 0
        while let (b, k) = dfsStack.popLast() {
            if k < childStart[rpoNumber[b] + 1] {
                dfsStack.append((b, k + 1))
                counter += 1
                let kid = children[Int(k)]
                treePre[kid] = counter
                dfsStack.append((kid, childStart[rpoNumber[kid]]))
            } else {
                treePost[b] = counter
            }
        }
    }

    private func intersect(_ a: Block, _ b: Block) -> Block {
        var x = a, y = b
        while x != y {
            while rpoNumber[x] > rpoNumber[y] { x = idom[x] }
            while rpoNumber[y] > rpoNumber[x] { y = idom[y] }
        }
        return x
    }

    public func isReachable(_ b: Block) -> Bool { rpoNumber[b] >= 0 }

    public func immediateDominator(_ b: Block) -> Block? {
        let d = idom[b]
        return d.isReserved || d == b ? nil : d
    }

    /// Whether `a` dominates `b` (every block dominates itself).
    public func dominates(_ a: Block, _ b: Block) -> Bool {
        guard isReachable(a), isReachable(b) else { return false }
        return treePre[a] <= treePre[b] && treePre[b] <= treePost[a]
    }
}
