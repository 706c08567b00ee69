import LatheEntity
import LatheIR

/// `dse`: removes `global_set`s and memory stores that a later write of the same place overwrites
/// before anything could read or observe the first one.
///
/// Works inside each block, forward, with the writes not yet observed ("pending"):
/// - a `global_set g` is dead when another `global_set g` follows with nothing in between that
///   reads `g` (`global_get g`), calls, may trap (after a trap the host may read an exported global)
///   or leaves the function (the block's end);
/// - a store is dead when a later store writes the same address value (the same SSA value), the
///   same offset and memory, at least as many bytes, with nothing in between that has any effect
///   but reading a global: no load, call or memory op, no instruction that may trap (other stores
///   included) and no write (had the first store trapped, the write would not have happened).
///   The first store traps exactly when the second would (same bounds, no wider), so it may go.
/// The stored value stays; `dce` removes its computation when nothing else uses it.
public struct DeadStoreElimination: FunctionPass {
    public init() {}
    public var name: String { "dse" }
    public var summary: String { "Removes global_sets and stores overwritten (same global; same address, offset, memory, no narrower) before any read, call or trap, within a block." }
    /// Only non-terminator instructions go, so the control flow stays as it is.
    public var preserves: Analyses { .all }

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        var dead: [Inst] = []
        for b in f.layout.blocks { findDeadWrites(in: b, f, &dead) }
        for i in dead { f.layout.removeInst(i) }
        return !dead.isEmpty
    }

    /// Appends to `dead` the writes of block `b` overwritten before being observed.
    func findDeadWrites(in b: Block, _ f: Function, _ dead: inout [Inst]) {
        // The last `global_set` of each global not yet observed, by global index.
        var pendingGlobals: [UInt32: Inst] = [:]
        // Stores not yet observed; after any effect but a global read this holds at most the last store.
        var pendingStores: [Inst] = []
        var inst = f.layout.firstInst(b)
        while let i = inst {
            inst = f.layout.nextInst(i)
            let d = f.dfg[i]
            let effects = d.opcode.effects
            switch d.opcode {
            case .globalSet:
                // Nothing between the pending set and this one read the global, called or could trap
                // (each of those cleared it), so the earlier value was never observable.
                if let earlier = pendingGlobals[d.a] { dead.append(earlier) }
                pendingGlobals[d.a] = i
                // A write that would not have happened had a pending store trapped: stores stay.
                pendingStores.removeAll()
            case .globalGet:
                // Reads only this global: other pending writes stay candidates.
                pendingGlobals[d.a] = nil
            case .store, .istore8, .istore16, .istore32:
                // Overwritten: same address value, offset and memory, and this store writes at least
                // the bytes of the earlier one. Nothing in between had an effect (that cleared the list),
                // and this store traps whenever the earlier one would (its bounds are no smaller).
                for earlier in pendingStores where overwrites(d, f.dfg[earlier], f) { dead.append(earlier) }
                // This store may trap: no pending write survives past it except itself.
                pendingStores = [i]
                pendingGlobals.removeAll()
            default:
                if effects.isPure { continue }
                // Any other effect (a load, a memory op, a call, a trap, a terminator...) may read
                // memory or make an earlier trap observable: pending stores stay.
                pendingStores.removeAll()
                // A global write of another kind (tables, memory growth) neither reads globals nor traps.
                let observesGlobals = !effects.isDisjoint(with: [.mayTrap, .calls, .terminator, .readsGlobal])
                if observesGlobals { pendingGlobals.removeAll() }
            }
        }
    }

    /// Whether `later` (a store) writes every byte `earlier` (a store) writes, at the same address value.
    func overwrites(_ later: InstructionData, _ earlier: InstructionData, _ f: Function) -> Bool {
        guard later.imm16 == earlier.imm16, later.c == earlier.c else { return false }
        let address = { (d: InstructionData) in f.dfg.resolve(Value(index: Int(d.b))) }
        guard address(later) == address(earlier) else { return false }
        return storedBytes(later, f) >= storedBytes(earlier, f)
    }

    /// How many bytes a store writes.
    func storedBytes(_ d: InstructionData, _ f: Function) -> Int {
        switch d.opcode {
        case .istore8: 1
        case .istore16: 2
        case .istore32: 4
        default: f.dfg.type(of: Value(index: Int(d.a))).bytes
        }
    }
}
