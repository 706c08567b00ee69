import LatheEntity
import LatheIR

/// `gvn`: global value numbering over the dominator tree. A pure instruction computing what an
/// instruction in a dominating position already computed (same opcode, immediates, result type and
/// operands) is replaced by that earlier result.
///
/// Pure instructions are numbered (`Effects.isPure`: no trap, no memory, global or table access,
/// no call), constants included, so duplicate `iconst`s go, and so are `global_get`s of immutable
/// globals and ops that may trap but have no other effect (divisions, float-to-int truncations). Loads and mutable globals are reused within extended basic blocks only (see
/// `AvailableMemory`). Commutative integer ops sort their operands for the key, and comparisons swap operands and
/// condition into one order. The table is scoped by a preorder walk of the dominator tree: entries
/// made in a block are dropped when the walk leaves its subtree, so a value is only reused where
/// its definition dominates the use.
public struct GlobalValueNumbering: FunctionPass {
    public init() {}
    public var name: String { "gvn" }
    public var summary: String { "Replaces pure instructions recomputing a dominating instruction's value by that value; reuses loads and globals (and forwards stores) within extended basic blocks." }
    /// Only non-terminator instructions go, so the control flow stays as it is.
    public var preserves: Analyses { .all }

    /// What an instruction computes, with operands resolved and put in canonical order.
    struct Key: Hashable {
        var opcode: Opcode
        var imm8: UInt8
        var imm16: UInt16
        var a: UInt32, b: UInt32, c: UInt32
        var type: IRType
    }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        guard let entry = f.entryBlock else { return false }
        let dom = analyses.dominators(f)
        let cfg = analyses.cfg(f)
        var children = SecondaryMap<Block, [Block]>(default: [])
        for b in dom.reversePostorder {
            if let parent = dom.immediateDominator(b) { children[parent].append(b) }
        }
        var table: [Key: Value] = [:]
        // Keys added in each open scope, to forget when the walk leaves the block's subtree.
        var added: [Key] = []
        var stack: [(block: Block, scopeStart: Int, entered: Bool)] = [(entry, 0, false)]
        // Equal vector constants may sit in different constant slots: key them by their first slot.
        var constantSlot: [[UInt8]: UInt32] = [:]
        // Loads and globals known at the end of each open block, for its single-predecessor children.
        var memoryAtEnd: [Block: AvailableMemory] = [:]
        var changed = false
        while let top = stack.popLast() {
            if top.entered {
                for k in added[top.scopeStart...] { table[k] = nil }
                added.removeSubrange(top.scopeStart...)
                memoryAtEnd[top.block] = nil
                continue
            }
            stack.append((top.block, added.count, true))
            // The block continues its only predecessor (its immediate dominator) in an extended basic block.
            var memory = AvailableMemory()
            if let parent = dom.immediateDominator(top.block), let known = memoryAtEnd[parent],
               !cfg.predecessors[top.block].isEmpty, cfg.predecessors[top.block].allSatisfy({ $0 == parent }) {
                memory = known
            }
            var inst = f.layout.firstInst(top.block)
            while let i = inst {
                inst = f.layout.nextInst(i)
                if let earlier = memory.visit(i, f) {
                    f.replaceInst(i, with: [earlier])
                    changed = true
                    continue
                }
                guard var key = key(i, f) else { continue }
                if key.opcode == .vconst {
                    let bytes = f.dfg.constants[ConstRef(index: Int(key.a))]
                    if let slot = constantSlot[bytes] { key.a = slot } else { constantSlot[bytes] = key.a }
                }
                if let earlier = table[key] {
                    f.replaceInst(i, with: [earlier])
                    changed = true
                } else {
                    table[key] = f.dfg.firstResult(i)!
                    added.append(key)
                }
            }
            if children[top.block].contains(where: { kid in cfg.predecessors[kid].allSatisfy { $0 == top.block } }) {
                memoryAtEnd[top.block] = memory
            }
            for kid in children[top.block].reversed() { stack.append((kid, 0, false)) }
        }
        if changed { f.dfg.resolveAllAliases() }
        return changed
    }

    /// The key of `i`, or nil when it is not numbered (not pure, not one result, or a format whose words are not all operands and immediates).
    func key(_ i: Inst, _ f: Function) -> Key? {
        let d = f.dfg[i]
        // An op that may only trap (a division, a float-to-int truncation) is numbered too: the
        // dominating copy ran first on the same operands without trapping, so this one would not trap either.
        let effects = d.opcode.effects
        guard effects.isPure || effects == .mayTrap || d.opcode == .globalGet, f.dfg.resultCount(i) == 1 else { return nil }
        func operand(_ x: UInt32) -> UInt32 { f.dfg.resolve(Value(index: Int(x))).raw }
        var k = Key(opcode: d.opcode, imm8: d.imm8, imm16: d.imm16, a: 0, b: 0, c: 0, type: f.dfg.type(of: f.dfg.firstResult(i)!))
        switch d.opcode.format {
        case .unary, .extractLane:
            k.a = operand(d.a)
        case .binary, .insertLane:
            k.a = operand(d.a); k.b = operand(d.b)
            if Self.commutative.contains(d.opcode), k.b < k.a { swap(&k.a, &k.b) }
        case .ternary:
            k.a = operand(d.a); k.b = operand(d.b); k.c = operand(d.c)
        case .shuffle:
            // The mask is in constant slot c; equal masks in different slots simply get different keys.
            k.a = operand(d.a); k.b = operand(d.b); k.c = d.c
        case .intCompare:
            k.a = operand(d.a); k.b = operand(d.b)
            if k.b < k.a { swap(&k.a, &k.b); k.imm8 = d.intCC.swapped.rawValue }
        case .floatCompare:
            // a < b exactly when b > a, NaN included (both false), so swapping operands and condition keeps the result.
            k.a = operand(d.a); k.b = operand(d.b)
            if k.b < k.a { swap(&k.a, &k.b); k.imm8 = d.floatCC.swapped.rawValue }
        case .intConst, .floatConst:
            k.b = d.b; k.c = d.c
        case .vectorConst:
            k.a = d.a
        case .globalGet where AliasAnalysis.isImmutable(GlobalRef(index: Int(d.a)), in: f):
            // An immutable global reads the same everywhere.
            k.a = d.a
        default:
            return nil
        }
        return k
    }

    /// Integer ops whose operands may be exchanged. Float ops are left out: which NaN payload
    /// `fadd` of two NaNs returns may depend on the order.
    static let commutative: Set<Opcode> = [.iadd, .imul, .band, .bor, .bxor, .smin, .smax, .umin, .umax, .uaddSat, .saddSat, .avgrU]
}

/// Loads and globals whose value is known at a point of an extended basic block (a block and the
/// chain of blocks each having the previous one as only predecessor), for `gvn`.
///
/// Precondition for every reuse: the earlier instruction ran on every path to the later one (it
/// is earlier in the same chain, so it dominates it and nothing else runs in between), and nothing
/// between them may have written what it read: each write drops the entries it may alias
/// (`AliasAnalysis`), a call drops everything.
struct AvailableMemory {
    /// What a load reads: opcode (extension included), result type, memory, offset and address.
    struct LoadKey: Equatable {
        var opcode: Opcode
        var type: IRType
        var memory: UInt16
        var offset: UInt32
        var address: Value
    }

    /// Known loads, with the location they read to drop them when a write may alias it.
    var loads: [(key: LoadKey, location: MemoryLocation, value: Value)] = []
    /// Known values of globals.
    var globals: [(global: GlobalRef, value: Value)] = []
    /// Entries kept at most, so a long block stays linear.
    static let limit = 64

    /// Updates the state for `i`; returns the value `i`'s result already has when it is a load or
    /// `global_get` whose value is known.
    mutating func visit(_ i: Inst, _ f: Function) -> Value? {
        let d = f.dfg[i]
        let effects = d.opcode.effects
        if effects.contains(.calls) {
            loads.removeAll()
            globals.removeAll()
            return nil
        }
        switch d.opcode.format {
        case .load where effects == [.mayTrap, .readsMemory]:
            guard let result = f.dfg.firstResult(i), let location = AliasAnalysis.location(of: i, in: f) else { return nil }
            let key = LoadKey(opcode: d.opcode, type: f.dfg.type(of: result), memory: d.imm16, offset: d.b,
                              address: f.dfg.resolve(Value(index: Int(d.a))))
            // The same bytes, read the same way, since the earlier load (which did not trap) or store.
            if let known = loads.first(where: { $0.key == key }) { return known.value }
            remember(key, location, result)
            return nil
        case .globalGet:
            let g = GlobalRef(index: Int(d.a))
            guard let result = f.dfg.firstResult(i) else { return nil }
            if let known = globals.first(where: { $0.global == g }) { return known.value }
            if globals.count < Self.limit { globals.append((g, result)) }
            return nil
        case .globalSet:
            let g = GlobalRef(index: Int(d.a))
            globals.removeAll { AliasAnalysis.mayClobber(global: i, $0.global, in: f) }
            // The global holds exactly the value set (same type: the verifier checks it).
            globals.append((g, f.dfg.resolve(Value(index: Int(d.b)))))
            return nil
        default:
            break
        }
        if effects.contains(.writesMemory) {
            let written = AliasAnalysis.location(of: i, in: f)
            // Without a location (`memory_fill`, `memory_grow`...) the write may reach any byte.
            loads.removeAll { entry in written.map { AliasAnalysis.mayAlias($0, entry.location) } ?? true }
            // A plain store of a value: a later plain load of the same type, address and offset reads those bits back.
            if d.opcode == .store, let location = written {
                let stored = f.dfg.resolve(Value(index: Int(d.a)))
                let key = LoadKey(opcode: .load, type: f.dfg.type(of: stored), memory: d.imm16, offset: d.c,
                                  address: f.dfg.resolve(Value(index: Int(d.b))))
                remember(key, location, stored)
            }
        }
        if effects.contains(.writesGlobal) { globals.removeAll() }
        return nil
    }

    mutating func remember(_ key: LoadKey, _ location: MemoryLocation, _ value: Value) {
        if loads.count >= Self.limit { loads.removeFirst() }
        loads.append((key, location, value))
    }
}
