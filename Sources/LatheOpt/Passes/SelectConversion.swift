import LatheEntity
import LatheIR

/// `select`: if-conversion. A two-way branch whose sides are small side-effect-free blocks meeting
/// again in one merge block becomes straight-line code ending in a jump to the merge block, whose
/// arguments are chosen by `select`.
///
/// Shapes, with A ending in `brif c, T(...), E(...)`:
/// - diamond: T and E each reached only from A, each holding at most `maxHoistedPerSide`
///   hoistable instructions and ending in `jump M(...)` to the same M;
/// - triangle: one side is such a block jumping to M, the other side is M itself;
/// - both sides are the same block (`brif c, M(x), M(y)`).
/// A hoistable instruction is removable when unused (`Effects.isRemovableIfUnused`: it cannot trap,
/// write state or call), so running it on the path that did not need it changes nothing observable;
/// reads of globals or the memory size may move above the branch because nothing between the old
/// and the new position writes. A conversion makes at most one `select` per jump it removes, so
/// the instruction count never grows. After a conversion, M is merged into A when A became its only
/// predecessor, so nested conditionals (clamp chains) collapse completely; the pass runs to a fixpoint.
///
/// Then selects between two floats ordered by their own comparison become `fmin`/`fmax` where that
/// is exact (see `rewriteMinMax`). Integer selects of that shape stay selects: wasm has no scalar
/// integer min/max instruction, so the lowerer cannot lower scalar `smin`/`smax`/`umin`/`umax`.
public struct SelectConversion: FunctionPass {
    /// At most this many instructions are hoisted out of each side, so both sides' work stays small.
    public static let maxHoistedPerSide = 4

    public init() {}
    public var name: String { "select" }
    public var summary: String { "If-conversion: small pure diamonds and triangles become selects (to a fixpoint); exact float selects become fmin/fmax." }
    public var preserves: Analyses { .none }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        let cfg = analyses.cfg(f)
        var state = State(entry: entry)
        for b in f.layout.blocks { state.preds[b] = cfg.predecessors[b] }
        var converted = false
        var progress = true
        while progress {
            progress = false
            // Later blocks first: inner conditionals usually follow their outer branch in the layout.
            for a in f.layout.blocks.reversed() where f.layout.isInserted(a) {
                if state.convert(a, &f) {
                    state.mergeIntoOnlyPredecessor(a, &f)
                    progress = true
                    converted = true
                }
            }
        }
        if converted { f.dfg.resolveAllAliases() }
        let rewritten = Self.rewriteMinMax(&f)
        if rewritten { f.dfg.resolveAllAliases() }
        return converted || rewritten
    }

    /// Predecessor lists kept up to date while blocks are converted and merged.
    struct State {
        let entry: Block
        var preds = SecondaryMap<Block, [Block]>(default: [])

        /// One way out of A towards the merge block: straight there, or through a side block.
        struct Side {
            var call: ValueList
            /// The side block, when the edge goes through one.
            var block: Block?
            var merge: Block
        }

        /// The side of the branch along `call`: through a hoistable side block when the target is one, else direct.
        func side(_ call: ValueList, from a: Block, _ f: Function) -> Side {
            let s = f.dfg.blockCallTarget(call)
            let direct = Side(call: call, block: nil, merge: s)
            guard s != a, s != entry, preds[s] == [a], let term = f.layout.lastInst(s), f.dfg[term].opcode == .jump else { return direct }
            let m = f.dfg.blockCallTarget(f.dfg.blockCall(term, edge: 0))
            guard m != s, m != a else { return direct }
            var count = 0
            var inst = f.layout.firstInst(s)
            while let i = inst, i != term {
                guard f.dfg[i].opcode.effects.isRemovableIfUnused else { return direct }
                count += 1
                if count > SelectConversion.maxHoistedPerSide { return direct }
                inst = f.layout.nextInst(i)
            }
            return Side(call: call, block: s, merge: m)
        }

        /// Arguments a side passes to the merge block (the side block's jump arguments, or the branch's own).
        func mergeArgs(_ side: Side, _ f: Function) -> [Value] {
            guard let s = side.block, let term = f.layout.lastInst(s) else { return f.dfg.blockCallArgs(side.call) }
            return f.dfg.blockCallArgs(f.dfg.blockCall(term, edge: 0))
        }

        /// If-converts the branch ending `a` when its shape allows; returns whether it did.
        mutating func convert(_ a: Block, _ f: inout Function) -> Bool {
            guard let term = f.layout.lastInst(a), f.dfg[term].opcode == .brif else { return false }
            let cond = f.dfg.resolve(Value(index: Int(f.dfg[term].a)))
            // `select` takes an i32 condition; an i64 `brif` condition is left alone.
            guard f.dfg.type(of: cond) == .i32 else { return false }
            // A triangle's merge block has two predecessors, so it is never taken for a side block.
            let t = side(f.dfg.blockCall(term, edge: 0), from: a, f)
            let e = side(f.dfg.blockCall(term, edge: 1), from: a, f)
            let m = t.merge
            guard t.merge == e.merge, m != a else { return false }
            // Side parameters stand for the branch's arguments once the side's code runs in A.
            let tArgs = mergeArgs(t, f).map { resolvedArg($0, t, f) }
            let eArgs = mergeArgs(e, f).map { resolvedArg($0, e, f) }
            guard tArgs.count == eArgs.count, tArgs.count == f.dfg.paramCount(m) else { return false }
            // Never grow the code: each select must pay for a jump that goes (a side block's, or A's
            // own when M is merged into A because A becomes its only predecessor).
            let selects = zip(tArgs, eArgs).filter { $0 != $1 }.count
            let sideBlocks = (t.block == nil ? 0 : 1) + (e.block == nil ? 0 : 1)
            let mergesAfter = m != entry && preds[m].allSatisfy { $0 == a || $0 == t.block || $0 == e.block }
            guard selects <= sideBlocks + (mergesAfter ? 1 : 0) else { return false }

            for side in [t, e] {
                guard let s = side.block else { continue }
                for (param, arg) in zip(f.dfg.params(s), f.dfg.blockCallArgs(side.call)) { f.dfg.makeAlias(param, of: arg) }
                let jump = f.layout.lastInst(s)!
                while let i = f.layout.firstInst(s), i != jump {
                    f.layout.removeInst(i)
                    f.layout.insertInst(i, before: term)
                }
                f.layout.removeInst(jump)
                f.layout.removeBlock(s)
                preds[s] = []
            }
            var args: [Value] = []
            for (x, y) in zip(tArgs, eArgs) {
                let x = f.dfg.resolve(x), y = f.dfg.resolve(y)
                if x == y { args.append(x); continue }
                args.append(f.insertValue(InstructionData(opcode: .select, a: cond.raw, b: x.raw, c: y.raw), before: term))
            }
            let call = f.dfg.makeBlockCall(m, args)
            f.insertInst(InstructionData(opcode: .jump, a: call.handle), before: term)
            f.layout.removeInst(term)
            preds[m].removeAll { $0 == a || $0 == t.block || $0 == e.block }
            preds[m].append(a)
            return true
        }

        /// `v` as seen from A: a side block's parameter is the branch argument passed to it.
        func resolvedArg(_ v: Value, _ side: Side, _ f: Function) -> Value {
            let v = f.dfg.resolve(v)
            if let s = side.block, case .param(let b, let n) = f.dfg.definition(of: v), b == s {
                return f.dfg.resolve(f.dfg.blockCallArg(side.call, n))
            }
            return v
        }

        /// Merges the target of `a`'s closing jump into `a` while `a` is its only predecessor.
        mutating func mergeIntoOnlyPredecessor(_ a: Block, _ f: inout Function) {
            while let term = f.layout.lastInst(a), f.dfg[term].opcode == .jump {
                let call = f.dfg.blockCall(term, edge: 0)
                let m = f.dfg.blockCallTarget(call)
                guard m != a, m != entry, preds[m] == [a] else { return }
                merge(m, into: a, jump: term, f: &f)
            }
        }

        /// Moves `m`'s instructions to the end of `a` in place of `a`'s jump to it.
        mutating func merge(_ m: Block, into a: Block, jump term: Inst, f: inout Function) {
            let call = f.dfg.blockCall(term, edge: 0)
            for (param, arg) in zip(f.dfg.params(m), f.dfg.blockCallArgs(call)) { f.dfg.makeAlias(param, of: arg) }
            f.layout.removeInst(term)
            while let i = f.layout.firstInst(m) {
                f.layout.removeInst(i)
                f.layout.appendInst(i, to: a)
            }
            f.layout.removeBlock(m)
            preds[m] = []
            if let last = f.layout.lastInst(a) {
                for s in f.dfg.successors(last) {
                    for k in preds[s].indices where preds[s][k] == m { preds[s][k] = a }
                }
            }
        }
    }

    // MARK: float min and max

    /// Replaces `select (fcmp cc p, q), x, y` with `fmin`/`fmax p, q` where `{x, y} == {p, q}` and the two agree exactly.
    ///
    /// Precondition: neither p nor q can be NaN or -0.0 (`isOrderedNonNegativeZero`). Wasm `fmin`
    /// returns NaN when an operand is NaN while the select returns one operand, and orders -0.0
    /// below +0.0 while the comparison calls them equal, so without that knowledge no select of
    /// this shape is an `fmin` or `fmax` and it is left alone. With it, the comparison is a total
    /// order and equal operands have equal bits, so whichever one the select returns on equality
    /// is the minimum (maximum) bit for bit.
    static func rewriteMinMax(_ f: inout Function) -> Bool {
        var changed = false
        for b in f.layout.blocks {
            var inst = f.layout.firstInst(b)
            while let i = inst {
                inst = f.layout.nextInst(i)
                let d = f.dfg[i]
                guard d.opcode == .select, let cmpInst = f.definingInst(Value(index: Int(d.a))) else { continue }
                let cmp = f.dfg[cmpInst]
                guard cmp.opcode == .fcmp else { continue }
                let p = f.dfg.resolve(Value(index: Int(cmp.a))), q = f.dfg.resolve(Value(index: Int(cmp.b)))
                let x = f.dfg.resolve(Value(index: Int(d.b))), y = f.dfg.resolve(Value(index: Int(d.c)))
                guard f.dfg.type(of: p).isFloat, p != q else { continue }
                let picksFirstWhenTrue: Bool
                if x == p && y == q { picksFirstWhenTrue = true } else if x == q && y == p { picksFirstWhenTrue = false } else { continue }
                let isLess: Bool
                switch cmp.floatCC {
                case .lt, .le: isLess = true
                case .gt, .ge: isLess = false
                case .eq, .ne: continue
                }
                guard isOrderedNonNegativeZero(p, f), isOrderedNonNegativeZero(q, f) else { continue }
                // p < q ? p : q is the minimum; p > q ? p : q the maximum; swapping the arms swaps them.
                let op: Opcode = (isLess == picksFirstWhenTrue) ? .fmin : .fmax
                let v = f.insertValue(InstructionData(opcode: op, a: p.raw, b: q.raw), before: i)
                f.replaceInst(i, with: [v])
                changed = true
            }
        }
        return changed
    }

    /// Whether `v` is provably neither NaN nor -0.0: a float constant that is neither, or an integer converted to float (never NaN; 0 converts to +0.0).
    static func isOrderedNonNegativeZero(_ v: Value, _ f: Function) -> Bool {
        guard let i = f.definingInst(v) else { return false }
        let d = f.dfg[i]
        switch d.opcode {
        case .fcvtFromSint, .fcvtFromUint:
            return f.dfg.type(of: v).isFloat
        case .fconst:
            if f.dfg.type(of: v) == .f32 {
                let x = Float(bitPattern: UInt32(truncatingIfNeeded: d.imm64))
                return !x.isNaN && !(x == 0 && x.sign == .minus)
            }
            let x = Double(bitPattern: d.imm64)
            return !x.isNaN && !(x == 0 && x.sign == .minus)
        default:
            return false
        }
    }
}
