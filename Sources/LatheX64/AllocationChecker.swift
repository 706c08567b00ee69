/// Validates a register allocation by executing the allocated code symbolically: it tracks which
/// vreg each register and stack slot holds along every path (a forward data-flow whose meet keeps
/// a location's vreg only when all predecessors agree) and checks every use reads the location
/// holding its vreg. Jumps copy argument locations into parameter locations as one parallel move,
/// as the emitter does.
public enum AllocationChecker {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let block: Int
        public let inst: Int
        public let message: String
        public var description: String { "block \(block), inst \(inst): \(message)" }
    }

    static let unknown: VReg = .max - 1

    /// Returns every violation found (empty when the allocation is correct).
    public static func check(_ f: MachFunction, _ alloc: Allocation) -> [Failure] {
        let locationCount = 32 + alloc.slotCount
        func index(_ v: VReg) -> Int? {
            let l = alloc.locs[Int(v)]
            return l == .none ? nil : Int(l.raw)
        }
        var entryState = [[VReg]?](repeating: nil, count: f.blocks.count)
        entryState[0] = [VReg](repeating: unknown, count: locationCount)
        var failures: [Failure] = []
        var work = [0]
        var reported = Set<Int>()
        func meet(_ b: Int, _ s: [VReg]) {
            if var old = entryState[b] {
                var changed = false
                for k in 0..<s.count where old[k] != s[k] && old[k] != unknown { old[k] = unknown; changed = true }
                if changed { entryState[b] = old; work.append(b) }
            } else {
                entryState[b] = s
                work.append(b)
            }
        }
        while let b = work.popLast() {
            var state = entryState[b]!
            let blk = f.blocks[b]
            var groupWrites = Set<Int>()
            for i in blk.instStart..<blk.instEnd {
                let inst = f.insts[i]
                // incoming arguments and call results are written as one parallel move: distinct locations
                if inst.op == .arg || inst.op == .callResult, let k = index(inst.dst) {
                    if !groupWrites.insert(k).inserted, reported.insert(i).inserted {
                        failures.append(Failure(block: b, inst: i, message: "v\(inst.dst) shares \(alloc.locs[Int(inst.dst)]) with another value written by the same parallel move"))
                    }
                } else {
                    groupWrites.removeAll()
                }
                for u in f.uses(inst) {
                    guard let k = index(u) else {
                        if reported.insert(i).inserted { failures.append(Failure(block: b, inst: i, message: "v\(u) has no location")) }
                        continue
                    }
                    if state[k] != u, reported.insert(i).inserted {
                        let held = state[k] == unknown ? "an unknown value" : "v\(state[k])"
                        failures.append(Failure(block: b, inst: i, message: "reads v\(u) from \(alloc.locs[Int(u)]), which holds \(held)"))
                    }
                }
                if inst.op == .call {
                    // the callee may overwrite every caller-saved register
                    for k in 0..<32 where k >= 16 || !LinearScan.calleeSavedSet.contains(UInt8(k)) { state[k] = unknown }
                }
                if inst.dst != noVReg, let k = index(inst.dst) { state[k] = inst.dst }
                switch inst.op {
                case .jump:
                    let target = Int(inst.imm)
                    var next = state
                    for (arg, p) in zip(f.list(inst), f.params(target)) {
                        if let ka = index(arg), let kp = index(p) { next[kp] = state[ka] == arg ? p : unknown }
                    }
                    meet(target, next)
                case .brif:
                    meet(Int(inst.imm), state)
                    meet(Int(inst.imm2), state)
                default: break
                }
            }
        }
        return failures
    }
}
