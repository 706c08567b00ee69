/// Where a virtual register lives for its whole life: a register (0...15 GPRs, 16...31 XMM) or a
/// 32-byte stack slot (32 and up).
public struct Loc: Hashable, Sendable, CustomStringConvertible {
    public let raw: UInt32
    public init(raw: UInt32) { self.raw = raw }
    public static func gpr(_ r: GPR) -> Loc { Loc(raw: UInt32(r.number)) }
    public static func xmm(_ r: XMM) -> Loc { Loc(raw: 16 + UInt32(r.number)) }
    public static func slot(_ k: Int) -> Loc { Loc(raw: 32 + UInt32(k)) }
    public static let none = Loc(raw: .max)
    public var gpr: GPR? { raw < 16 ? GPR(UInt8(raw)) : nil }
    public var xmm: XMM? { raw >= 16 && raw < 32 ? XMM(UInt8(raw - 16)) : nil }
    public var slot: Int? { raw >= 32 && raw != .max ? Int(raw - 32) : nil }
    public var description: String { gpr.map(\.description) ?? xmm.map(\.description) ?? slot.map { "slot\($0)" } ?? "none" }
}

/// The result of register allocation: a location per virtual register.
public struct Allocation: Sendable {
    public var locs: [Loc]
    public var slotCount: Int
    /// Callee-saved GPRs that some vreg occupies (the prologue saves them).
    public var calleeSaved: [GPR]
    /// Vregs that were spilled to a stack slot.
    public var spilled: Int
}

/// Live intervals and linear-scan allocation over the machine function's block order.
///
/// Instruction i reads its operands at position 2i and writes its result at 2i+1; a block's
/// parameters are written at 2·start−1, the entry's `arg`s all at 1 and a call's results all at the
/// call's 2i+1 (the emitter moves each group at once). A vreg's interval is one range from its definition to its
/// last use, widened to the start of every block where it is live-in and the end of every block
/// where it is live-out (from a backward data-flow over the CFG). Scan: intervals by start, an
/// active set per class; when no register is free the interval that ends last is spilled to its
/// own 32-byte slot (spilled vregs stay in memory for their whole life; the emitter uses scratch
/// registers r10, r11, xmm12...xmm15 around each instruction, which are never allocated).
public enum LinearScan {
    /// Allocatable registers in preference order (caller-saved first).
    public static let gprs: [GPR] = [.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .rbx, .r12, .r13, .r14, .r15]
    public static let xmms: [XMM] = (0..<12).map { XMM(UInt8($0)) }
    static let calleeSavedSet: Set<UInt8> = [3, 12, 13, 14, 15]

    /// Live-in sets per block (bitsets over vregs).
    static func liveIns(_ f: MachFunction) -> [[UInt64]] {
        let words = (f.classes.count + 63) / 64
        let n = f.blocks.count
        var uses = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: n)
        var defs = uses
        @inline(__always) func set(_ s: inout [UInt64], _ v: VReg) { s[Int(v) >> 6] |= 1 << UInt64(v & 63) }
        @inline(__always) func has(_ s: [UInt64], _ v: VReg) -> Bool { s[Int(v) >> 6] & (1 << UInt64(v & 63)) != 0 }
        for b in 0..<n {
            for p in f.params(b) { set(&defs[b], p) }
            for i in f.blocks[b].instStart..<f.blocks[b].instEnd {
                let inst = f.insts[i]
                for u in f.uses(inst) where !has(defs[b], u) { set(&uses[b], u) }
                if inst.dst != noVReg { set(&defs[b], inst.dst) }
            }
        }
        var liveIn = uses
        var changed = true
        while changed {
            changed = false
            for b in stride(from: n - 1, through: 0, by: -1) {
                var outSet = [UInt64](repeating: 0, count: words)
                for s in f.successors(b) { for w in 0..<words { outSet[w] |= liveIn[s][w] } }
                for w in 0..<words {
                    let x = uses[b][w] | (outSet[w] & ~defs[b][w])
                    if x != liveIn[b][w] { liveIn[b][w] = x; changed = true }
                }
            }
        }
        return liveIn
    }

    /// Each vreg's interval `[start, end]` in positions; unused vregs get `start > end`.
    public static func intervals(_ f: MachFunction) -> (start: [Int], end: [Int]) {
        let liveIn = liveIns(f)
        var start = [Int](repeating: .max, count: f.classes.count), end = [Int](repeating: -1, count: f.classes.count)
        func touch(_ v: VReg, _ p: Int) { start[Int(v)] = min(start[Int(v)], p); end[Int(v)] = max(end[Int(v)], p) }
        for b in 0..<f.blocks.count {
            let blk = f.blocks[b]
            let first = 2 * blk.instStart - 1, last = 2 * blk.instEnd - 1
            for p in f.params(b) { touch(p, first) }
            for i in blk.instStart..<blk.instEnd {
                let inst = f.insts[i]
                for u in f.uses(inst) { touch(u, 2 * i) }
                // the emitter writes a call's results, and the incoming arguments, as one parallel move
                if inst.dst != noVReg {
                    touch(inst.dst, inst.op == .callResult ? 2 * Int(inst.imm2) + 1 : inst.op == .arg ? 1 : 2 * i + 1)
                }
            }
            for w in 0..<liveIn[b].count where liveIn[b][w] != 0 {
                for bit in 0..<64 where liveIn[b][w] & (1 << UInt64(bit)) != 0 { touch(VReg(w * 64 + bit), first) }
            }
            for s in f.successors(b) {
                for w in 0..<liveIn[s].count where liveIn[s][w] != 0 {
                    for bit in 0..<64 where liveIn[s][w] & (1 << UInt64(bit)) != 0 { touch(VReg(w * 64 + bit), last) }
                }
            }
        }
        return (start, end)
    }

    public static func allocate(_ f: MachFunction) -> Allocation {
        let (start, end) = intervals(f)
        var locs = [Loc](repeating: .none, count: f.classes.count)
        let order = (0..<f.classes.count).filter { start[$0] <= end[$0] }.sorted { (start[$0], $0) < (start[$1], $1) }
        var freeG = Array(gprs.reversed()), freeX = Array(xmms.reversed())
        var active: [Int] = []  // vregs holding registers, any order
        var slots = 0, spilled = 0
        var usedCallee = Set<UInt8>()
        let calls = f.insts.indices.filter { f.insts[$0].op == .call }.map { 2 * $0 }
        /// Whether the vreg is live across a call (then only callee-saved registers keep it).
        func crossesCall(_ v: Int) -> Bool {
            var lo = 0, hi = calls.count
            while lo < hi { let mid = (lo + hi) / 2; if calls[mid] <= start[v] { lo = mid + 1 } else { hi = mid } }
            return lo < calls.count && calls[lo] < end[v]
        }
        for v in order {
            // expire intervals that ended before this one starts
            active.removeAll { w in
                guard end[w] < start[v] else { return false }
                if let g = locs[w].gpr { freeG.append(g) } else if let x = locs[w].xmm { freeX.append(x) }
                return true
            }
            let isG = f.classes[v] == .gpr
            if crossesCall(v) {
                if isG, let k = freeG.lastIndex(where: { calleeSavedSet.contains($0.number) }) {
                    let g = freeG.remove(at: k)
                    locs[v] = .gpr(g); active.append(v); usedCallee.insert(g.number)
                } else {
                    locs[v] = .slot(slots); slots += 1; spilled += 1
                }
                continue
            }
            if isG, let g = freeG.popLast() {
                locs[v] = .gpr(g); active.append(v)
                if calleeSavedSet.contains(g.number) { usedCallee.insert(g.number) }
                continue
            }
            if !isG, let x = freeX.popLast() { locs[v] = .xmm(x); active.append(v); continue }
            // spill whichever of this interval and the same-class active ones ends last
            let victim = active.filter { f.classes[$0] == f.classes[v] }.max { end[$0] < end[$1] }
            if let w = victim, end[w] > end[v] {
                locs[v] = locs[w]; active.append(v)
                active.removeAll { $0 == w }
                locs[w] = .slot(slots)
            } else {
                locs[v] = .slot(slots)
            }
            slots += 1; spilled += 1
        }
        let saved = LinearScan.gprs.filter { usedCallee.contains($0.number) }
        return Allocation(locs: locs, slotCount: slots, calleeSaved: saved, spilled: spilled)
    }
}
