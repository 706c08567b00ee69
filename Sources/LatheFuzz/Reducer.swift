import LatheWasm

/// Shrinks a generated program while the optimizer still gets it wrong the same way.
///
/// Steps, repeated until none helps or the attempt budget is spent: stop exporting functions,
/// empty whole bodies, then node by node (pre-order) drop a node that pushes nothing, replace a
/// node by zero constants of its types, replace it by a child of the same type, and shrink
/// constants (to 0, then 1). A candidate counts only if it validates, the original still runs to
/// completion (no fuel or stack exhaustion) and the comparison finds a mismatch of the same kind.
public struct Reducer {
    public var configuration: FuzzConfiguration
    public var kind: Mismatch.Kind
    public var maxAttempts: Int
    public private(set) var attempts = 0
    /// Fuel per call while reducing: candidates that loop forever are cut off quickly.
    public var fuel: UInt64 = 300_000

    public init(configuration: FuzzConfiguration, kind: Mismatch.Kind, maxAttempts: Int = 4000) {
        self.configuration = configuration
        self.kind = kind
        self.maxAttempts = maxAttempts
    }

    /// The mismatch `program` shows under the configuration, when it is of the kind being reduced.
    public mutating func reproduces(_ program: FuzzProgram) -> Mismatch? {
        attempts += 1
        let module = program.module()
        do { try ModuleValidator.validate(module) } catch { return nil }
        let plan = CallPlan(module: module, seed: program.seed)
        let baseline = Execution.run(ModuleWriter.write(module), plan: plan, fuel: fuel)
        if baseline.instantiation != nil || baseline.outcomes.contains(where: { $0 == .outOfFuel || $0 == .exhausted }) { return nil }
        let result = Differential.compare(module, baseline: baseline, plan: plan, configuration: configuration)
        guard let m = result.mismatch, m.kind == kind else { return nil }
        return m
    }

    /// The smallest program found that still mismatches, with its mismatch.
    public mutating func reduce(_ program: FuzzProgram, _ mismatch: Mismatch) -> (FuzzProgram, Mismatch) {
        var best = program, bestMismatch = mismatch
        func attempt(_ candidate: FuzzProgram) -> Bool {
            guard attempts < maxAttempts, let m = reproduces(candidate) else { return false }
            best = candidate
            bestMismatch = m
            return true
        }
        var progress = true
        while progress && attempts < maxAttempts {
            progress = false
            for f in best.functions.indices where best.functions[f].exported {
                var c = best
                c.functions[f].exported = false
                if attempt(c) { progress = true }
            }
            for f in best.functions.indices {
                let empty = [Node.zeros(best.functions[f].results)]
                guard best.functions[f].body != empty else { continue }
                var c = best
                c.functions[f].body = empty
                if attempt(c) { progress = true }
            }
            for f in best.functions.indices {
                var index = 0
                while attempts < maxAttempts {
                    guard let node = Self.node(in: best.functions[f].body, at: index) else { break }
                    var replaced = false
                    for alternative in Self.alternatives(node) {
                        var c = best
                        var counter = index
                        Self.replace(in: &c.functions[f].body, at: &counter, with: alternative)
                        if attempt(c) { replaced = true; progress = true; break }
                    }
                    if !replaced { index += 1 }
                }
            }
        }
        return (best, bestMismatch)
    }

    /// Smaller nodes that push the same types as `node`.
    static func alternatives(_ node: Node) -> [Node] {
        let results = node.results
        var out: [Node] = []
        if results.isEmpty {
            if node != .seq([]) { out.append(.seq([])) }
        } else if !node.isConstant {
            out.append(Node.zeros(results))
        }
        switch node {
        case .inst(let i, let children, _):
            for c in children where c.results == results && !results.isEmpty { out.append(c) }
            switch i.immediate {
            case .i32(let v) where v != 0: out += [Node.constant(.i32, bits: 0)] + (v != 1 ? [Node.constant(.i32, bits: 1)] : [])
            case .i64(let v) where v != 0: out += [Node.constant(.i64, bits: 0)] + (v != 1 ? [Node.constant(.i64, bits: 1)] : [])
            case .f32(let v) where v != 0: out.append(Node.constant(.f32, bits: 0))
            case .f64(let v) where v != 0: out.append(Node.constant(.f64, bits: 0))
            case .v128(let v) where i.opcode == .v128Const && (v.lo != 0 || v.hi != 0): out.append(Node.constant(.v128, bits: 0))
            default: break
            }
        case .dropAll(let inner):
            if case .inst(let i, let children, _) = inner, i.opcode == .call || i.opcode == .callIndirect {
                out.append(.seq(children.map { .dropAll($0) }))
            }
        case .ifElse(_, let r, let then, let els) where r.isEmpty:
            out.append(.seq(then))
            if !els.isEmpty { out.append(.seq(els)) }
        default: break
        }
        return out
    }

    /// The node at pre-order position `index` of `nodes`.
    static func node(in nodes: [Node], at index: Int) -> Node? {
        var counter = index
        return find(nodes, &counter)
    }

    static func find(_ nodes: [Node], _ counter: inout Int) -> Node? {
        for n in nodes {
            if counter == 0 { return n }
            counter -= 1
            if let found = find(children(n), &counter) { return found }
        }
        return nil
    }

    static func children(_ n: Node) -> [Node] {
        switch n {
        case .inst(_, let c, _): c
        case .block(_, _, let b): b
        case .ifElse(let c, _, let t, let e): [c] + t + e
        case .seq(let s): s
        case .dropAll(let d): [d]
        }
    }

    /// Replaces the node at pre-order position `counter` (counting down) in `nodes`; true once done.
    @discardableResult
    static func replace(in nodes: inout [Node], at counter: inout Int, with replacement: Node) -> Bool {
        for k in nodes.indices {
            if counter == 0 { nodes[k] = replacement; return true }
            counter -= 1
            switch nodes[k] {
            case .inst(let i, var c, let r):
                if replace(in: &c, at: &counter, with: replacement) { nodes[k] = .inst(i, c, results: r); return true }
            case .block(let op, let r, var b):
                if replace(in: &b, at: &counter, with: replacement) { nodes[k] = .block(op, results: r, body: b); return true }
            case .ifElse(let cond, let r, var t, var e):
                var c = [cond]
                if replace(in: &c, at: &counter, with: replacement) { nodes[k] = .ifElse(cond: c[0], results: r, then: t, else: e); return true }
                if replace(in: &t, at: &counter, with: replacement) { nodes[k] = .ifElse(cond: cond, results: r, then: t, else: e); return true }
                if replace(in: &e, at: &counter, with: replacement) { nodes[k] = .ifElse(cond: cond, results: r, then: t, else: e); return true }
            case .seq(var s):
                if replace(in: &s, at: &counter, with: replacement) { nodes[k] = .seq(s); return true }
            case .dropAll(let d):
                var c = [d]
                if replace(in: &c, at: &counter, with: replacement) { nodes[k] = .dropAll(c[0]); return true }
            }
        }
        return false
    }
}
