import LatheEntity
import LatheIR

/// `gvn`: global value numbering over the dominator tree. A pure instruction computing what an
/// instruction in a dominating position already computed (same opcode, immediates, result type and
/// operands) is replaced by that earlier result.
///
/// Only pure instructions are numbered (`Effects.isPure`: no trap, no memory, global or table
/// access, no call), constants included, so duplicate `iconst`s go. Loads are not numbered: without
/// alias analysis a store or call between two loads may change what the second one reads.
/// Commutative integer ops sort their operands for the key, and comparisons swap operands and
/// condition into one order. The table is scoped by a preorder walk of the dominator tree: entries
/// made in a block are dropped when the walk leaves its subtree, so a value is only reused where
/// its definition dominates the use.
public struct GlobalValueNumbering: FunctionPass {
    public init() {}
    public var name: String { "gvn" }
    public var summary: String { "Replaces pure instructions recomputing a dominating instruction's value by that value (constants included; loads are not numbered)." }
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
        var changed = false
        while let top = stack.popLast() {
            if top.entered {
                for k in added[top.scopeStart...] { table[k] = nil }
                added.removeSubrange(top.scopeStart...)
                continue
            }
            stack.append((top.block, added.count, true))
            var inst = f.layout.firstInst(top.block)
            while let i = inst {
                inst = f.layout.nextInst(i)
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
            for kid in children[top.block].reversed() { stack.append((kid, 0, false)) }
        }
        if changed { f.dfg.resolveAllAliases() }
        return changed
    }

    /// The key of `i`, or nil when it is not numbered (not pure, not one result, or a format whose words are not all operands and immediates).
    func key(_ i: Inst, _ f: Function) -> Key? {
        let d = f.dfg[i]
        guard d.opcode.effects.isPure, f.dfg.resultCount(i) == 1 else { return nil }
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
        default:
            return nil
        }
        return k
    }

    /// Integer ops whose operands may be exchanged. Float ops are left out: which NaN payload
    /// `fadd` of two NaNs returns may depend on the order.
    static let commutative: Set<Opcode> = [.iadd, .imul, .band, .bor, .bxor, .smin, .smax, .umin, .umax, .uaddSat, .saddSat, .avgrU]
}
