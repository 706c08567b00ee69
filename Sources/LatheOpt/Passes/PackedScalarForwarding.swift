import LatheEntity
import LatheIR

/// `sroa`: forwards the i32 pieces of an i64 built from them (two i32 results packed into one i64,
/// as wasm compilers return small structs) to the `ireduce` unpacks, and splits i64 block
/// parameters that only carry such packs into two i32 parameters.
///
/// An i64 value is *splittable* when both 32-bit halves can be written as i32 values computed from
/// i32 values (see `PackedHalves`): extensions, constants, shifts by 32 or more, bitwise ops and
/// (with care for carries) additions of splittable values, `select` between them, and split block
/// parameters. Each `ireduce.i32 v` whose operand's low half is known becomes that half (the
/// unpacks `ireduce (ushr v, 32)`, `ireduce (band v, 0xffffffff)` reduce to it). The carrier
/// itself stays; once nothing uses it, `dce` removes the packing.
///
/// A block parameter (not of the entry block) is split when every incoming argument is splittable
/// and every use unpacks it: `ireduce`, an op whose result is again splittable and only unpacked,
/// or an argument passed to a parameter that is split as well. Each such parameter becomes two i32
/// parameters (low, high) and every edge passes the argument's halves; the unpacking ops of the
/// old parameter are removed here, since they would read a value that no longer exists. A carrier
/// with any other use (stored, returned, passed to a call, compared) is not split. i32 values packed
/// from 8- or 16-bit pieces get the same forwarding of their `band`/shift unpacks (`NarrowUnpacks`).
public struct PackedScalarForwarding: FunctionPass {
    public init() {}
    public var name: String { "sroa" }
    public var summary: String { "Forwards i32 halves packed into an i64 to their unpacks; splits i64 block parameters carrying packs." }
    /// New instructions and parameters only; the control flow stays.
    public var preserves: Analyses { .all }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        var halves = PackedHalves()
        var changed = splitBlockParameters(&f, entry: entry, &halves)
        var block = f.layout.entryBlock
        while let b = block {
            var inst = f.layout.firstInst(b)
            while let i = inst {
                inst = f.layout.nextInst(i)
                let d = f.dfg[i]
                if d.opcode == .band || d.opcode == .ushr || d.opcode == .sshr {
                    if let v = NarrowUnpacks.forward(i, &f) { f.replaceInst(i, with: [v]); changed = true }
                    continue
                }
                guard d.opcode == .ireduce, let r = f.dfg.firstResult(i), f.dfg.type(of: r) == .i32 else { continue }
                let carrier = f.dfg.resolve(Value(index: Int(d.a)))
                // ireduce.i32 v is the low 32 bits of v, which is what the low half stands for.
                guard halves.isAvailable(carrier, .low, f) else { continue }
                let low = halves.materialize(carrier, .low, &f)
                let lowValue = halves.value(of: low, before: i, &f)
                f.replaceInst(i, with: [lowValue])
                changed = true
            }
            block = f.layout.nextBlock(b)
        }
        if changed { f.dfg.resolveAllAliases() }
        return changed
    }

    /// One edge into a block: the branch and which of its block calls.
    struct Edge { var branch: Inst; var index: Int }

    /// Splits every i64 block parameter that only carries packs and is only unpacked; true if any was.
    /// Leaves in `halves` the halves of the split parameters (none when it returns false).
    func splitBlockParameters(_ f: inout Function, entry: Block, _ halves: inout PackedHalves) -> Bool {
        var candidates = Set<Value>()
        var incoming: [Block: [Edge]] = [:]
        var users: [Value: [Inst]] = [:]
        var block = f.layout.entryBlock
        while let b = block {
            if b != entry { for p in f.dfg.params(b) where f.dfg.type(of: p) == .i64 { candidates.insert(p) } }
            var inst = f.layout.firstInst(b)
            while let i = inst {
                for v in f.dfg.valueOperands(i) where f.dfg.type(of: v) == .i64 { users[f.dfg.resolve(v), default: []].append(i) }
                for k in 0..<f.dfg.blockCallCount(i) {
                    incoming[f.dfg.blockCallTarget(f.dfg.blockCall(i, edge: k)), default: []].append(Edge(branch: i, index: k))
                }
                inst = f.layout.nextInst(i)
            }
            block = f.layout.nextBlock(b)
        }
        if candidates.isEmpty { halves = PackedHalves(); return false }

        // Drop candidates until the rest are consistent: each one's arguments splittable and uses unpacks,
        // assuming the remaining candidates are split.
        var unpackOnly: [Value: Bool] = [:]
        var shrinking = true
        while shrinking && !candidates.isEmpty {
            shrinking = false
            halves = PackedHalves(splitParams: candidates)
            unpackOnly.removeAll(keepingCapacity: true)
            for p in candidates.sorted(by: { $0.index < $1.index }) {
                guard case .param(let b, let n) = f.dfg.definition(of: p) else { continue }
                let argsSplit = (incoming[b] ?? []).allSatisfy { e in
                    let arg = f.dfg.resolve(f.dfg.blockCallArg(f.dfg.blockCall(e.branch, edge: e.index), n))
                    return halves.isAvailable(arg, .low, f) && halves.isAvailable(arg, .high, f)
                }
                if !argsSplit || !isOnlyUnpacked(p, candidates, users, f, &halves, &unpackOnly, depth: 0) {
                    candidates.remove(p)
                    shrinking = true
                }
            }
        }
        if candidates.isEmpty { halves = PackedHalves(); return false }
        halves = PackedHalves(splitParams: candidates)

        // New parameters first, so halves of arguments can refer to the halves of split parameters.
        var splitByBlock: [(block: Block, indices: [Int])] = []
        for b in f.layout.blocks where b != entry {
            let indices = f.dfg.params(b).indices.filter { candidates.contains(f.dfg.params(b)[$0]) }
            guard !indices.isEmpty else { continue }
            for n in indices {
                let old = f.dfg.params(b)[n]
                let low = f.dfg.appendParam(b, type: .i32), high = f.dfg.appendParam(b, type: .i32)
                halves.setParamHalves(old, low: low, high: high)
            }
            splitByBlock.append((b, indices))
        }
        for (b, indices) in splitByBlock {
            for e in incoming[b] ?? [] {
                var newArgs: [Value] = []
                for n in indices {
                    let arg = f.dfg.resolve(f.dfg.blockCallArg(f.dfg.blockCall(e.branch, edge: e.index), n))
                    for half in [PackedHalves.Half.low, .high] {
                        let piece = halves.materialize(arg, half, &f)
                        newArgs.append(halves.value(of: piece, before: e.branch, &f))
                    }
                }
                for v in newArgs { f.dfg.appendBranchArg(e.branch, edge: e.index, v) }
                for n in indices.reversed() { f.dfg.removeBranchArg(e.branch, edge: e.index, argIndex: n) }
            }
        }
        // The unpacks of the old parameters: ireduces become halves, the ops between them go.
        var web: [Inst] = []
        var seen = Set<Inst>()
        var pending = Array(candidates)
        while let v = pending.popLast() {
            for u in users[v] ?? [] where seen.insert(u).inserted {
                let d = f.dfg[u]
                if d.opcode.isTerminator { continue }
                if d.opcode == .ireduce {
                    let low = halves.materialize(v, .low, &f)
                    let lowValue = halves.value(of: low, before: u, &f)
                    f.replaceInst(u, with: [lowValue])
                    continue
                }
                web.append(u)
                if let r = f.dfg.firstResult(u) { pending.append(r) }
            }
        }
        for u in web where f.layout.block(of: u) != nil { f.layout.removeInst(u) }
        for (b, indices) in splitByBlock {
            for n in indices.reversed() { f.dfg.removeParam(b, at: n) }
        }
        return true
    }

    /// Whether every use of `v` unpacks it: `ireduce`, an argument to a candidate parameter, or an
    /// op that `PackedHalves` splits whose result is splittable and again only unpacked.
    func isOnlyUnpacked(_ v: Value, _ candidates: Set<Value>, _ users: [Value: [Inst]], _ f: Function,
                        _ halves: inout PackedHalves, _ memo: inout [Value: Bool], depth: Int) -> Bool {
        if let known = memo[v] { return known }
        guard depth < PackedHalves.maxDepth else { return false }
        var ok = true
        for u in users[v] ?? [] where ok {
            let d = f.dfg[u]
            switch d.opcode {
            case .ireduce:
                continue
            case .jump, .brif, .brTable:
                if d.opcode != .jump && f.dfg.resolve(Value(index: Int(d.a))) == v { ok = false; break }
                for k in 0..<f.dfg.blockCallCount(u) {
                    let call = f.dfg.blockCall(u, edge: k)
                    let params = f.dfg.params(f.dfg.blockCallTarget(call))
                    for n in params.indices where f.dfg.resolve(f.dfg.blockCallArg(call, n)) == v && !candidates.contains(params[n]) {
                        ok = false
                    }
                }
            default:
                guard PackedHalves.splits(d, operand: v, f), let r = f.dfg.firstResult(u), f.dfg.type(of: r) == .i64,
                      halves.isAvailable(r, .low, f), halves.isAvailable(r, .high, f),
                      isOnlyUnpacked(r, candidates, users, f, &halves, &memo, depth: depth + 1) else { ok = false; break }
            }
        }
        memo[v] = ok
        return ok
    }
}
