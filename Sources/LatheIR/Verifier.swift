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
        let info = d.opcode.info
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
        switch info.control {
        case .none: ctrl = nil
        case .result: ctrl = dfg.firstResult(inst).map { dfg.type(of: $0) }
        case .operand(let n): ctrl = n < operands.count && dfg.isValid(operands[n]) ? dfg.type(of: operands[n]) : nil
        }
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
            report(.inst(inst), "\(info.name) expects \(typing.operands.count) operand(s), found \(operands.count)",
                   operand: operands.count > typing.operands.count ? typing.operands.count : nil)
        }
        for (n, (v, expected)) in zip(operands, typing.operands).enumerated() {
            let t = dfg.type(of: v)
            if !expected.accepts(t) {
                report(.inst(inst), "\(printer.name(v)) has type \(t), but \(info.name) expects \(expected) here", operand: n)
            }
        }
        let resultCount = dfg.resultCount(inst)
        var resultsMatch = resultCount == typing.results.count
        for n in 0..<resultCount where resultsMatch {
            resultsMatch = dfg.type(of: dfg.pool.get(dfg.results[inst], n)) == typing.results[n]
        }
        if !resultsMatch {
            let results = dfg.results(of: inst).map { dfg.type(of: $0) }
            report(.inst(inst), "\(info.name) should produce (\(typing.results.map(\.description).joined(separator: ", "))), but its results are (\(results.map(\.description).joined(separator: ", ")))")
        }
        if d.opcode == .returnCall || d.opcode == .returnCallIndirect || d.opcode == .returnCallRef {
            let callee: Signature = d.opcode == .returnCall ? function.signature(of: FuncRef(index: Int(d.a))) : function.signatures[SigRef(index: Int(d.a))]
            if callee.results != function.signature.results {
                report(.inst(inst), "tail call returns (\(callee.results.map(\.description).joined(separator: ", "))), but the function returns (\(function.signature.results.map(\.description).joined(separator: ", ")))")
            }
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

    public init(_ f: Function) {
        for b in f.layout.blocks {
            guard let last = f.layout.lastInst(b) else { continue }
            for s in f.dfg.successors(last) where f.dfg.isValid(s) && f.layout.isInserted(s) {
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

    public init(cfg: ControlFlowGraph, entry: Block) {
        // iterative DFS postorder
        var visited = EntitySet<Block>()
        var post: [Block] = []
        var stack: [(Block, Int)] = [(entry, 0)]
        visited.insert(entry)
        while let (b, k) = stack.popLast() {
            let succ = cfg.successors[b]
            if k < succ.count {
                stack.append((b, k + 1))
                let s = succ[k]
                if visited.insert(s) { stack.append((s, 0)) }
            } else {
                post.append(b)
            }
        }
        reversePostorder = post.reversed()
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
        var children = SecondaryMap<Block, [Block]>(default: [])
        for b in reversePostorder.dropFirst() where !idom[b].isReserved { children[idom[b]].append(b) }
        var counter = 0
        var stack: [(Block, Int)] = [(entry, 0)]
        treePre[entry] = 0
        while let (b, k) = stack.popLast() {
            let kids = children[b]
            if k < kids.count {
                stack.append((b, k + 1))
                counter += 1
                treePre[kids[k]] = counter
                stack.append((kids[k], 0))
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
