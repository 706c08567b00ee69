import LatheEntity
import LatheIR

/// The bytes a load or store touches: a base value plus a constant displacement, and a width.
///
/// The effective address of an access is `address + offset` (no wrap), where `address` is an
/// integer of `addressBits` bits. `iadd`/`isub` of an `iconst` on the way to the base wrap modulo
/// 2^addressBits, so the displacement (the folded constants plus the immediate offset) is only
/// known modulo 2^addressBits; `AliasAnalysis.mayAlias` reasons modulo that too.
public struct MemoryLocation: Sendable, Equatable {
    /// The memory index of the access (several indices may name one memory: see `AliasAnalysis`).
    public var memory: Int
    /// The address with constant addends peeled off (aliases resolved); nil for a constant address.
    public var base: Value?
    /// The peeled constants plus the immediate offset, modulo 2^addressBits.
    public var displacement: UInt64
    /// Bytes accessed from the effective address.
    public var width: UInt64
    /// Bits of the address operand (32, or 64 for memory64).
    public var addressBits: Int

    public init(memory: Int, base: Value?, displacement: UInt64, width: UInt64, addressBits: Int) {
        self.memory = memory; self.base = base; self.displacement = displacement; self.width = width; self.addressBits = addressBits
    }
}

/// What each block writes: memory writers, `global_set`s, calls. Cached by `AnalysisCache`.
///
/// It lists instructions, not their operands, so it stays valid under passes that only rewrite
/// operands or remove instructions without write effects (`dce`, `instcombine`, `gvn`...).
public struct MemoryEffects: Sendable {
    /// The writes of one block or loop.
    public struct Summary: Sendable {
        /// Instructions writing memory (stores, `memory_grow`/`copy`/`fill`/`init`, `data_drop`).
        public var memoryWrites: [Inst] = []
        /// `global_set` instructions and any other instruction writing a global, calls excluded.
        public var globalWrites: [Inst] = []
        /// Whether a call (direct, indirect, by reference, tail) is among them: it may read and write anything.
        public var hasCall = false

        public init() {}

        mutating func merge(_ other: Summary) {
            memoryWrites += other.memoryWrites
            globalWrites += other.globalWrites
            hasCall = hasCall || other.hasCall
        }
    }

    public private(set) var blocks = SecondaryMap<Block, Summary>(default: Summary())

    public init() {}

    /// Records the writes of every block of `f`.
    public mutating func compute(_ f: Function) {
        blocks.removeAll()
        for b in f.layout.blocks {
            var s = Summary()
            for i in f.layout.insts(b) {
                let effects = f.dfg[i].opcode.effects
                if effects.contains(.calls) { s.hasCall = true; continue }
                if effects.contains(.writesMemory) { s.memoryWrites.append(i) }
                if effects.contains(.writesGlobal) { s.globalWrites.append(i) }
            }
            if s.hasCall || !s.memoryWrites.isEmpty || !s.globalWrites.isEmpty { blocks[b] = s }
        }
    }

    /// The writes of every loop of `forest`, indexed like `forest.loops`.
    public func loopSummaries(_ forest: LoopForest) -> [Summary] {
        forest.loops.map { loop in
            var s = Summary()
            for b in loop.blocks { s.merge(blocks[b]) }
            return s
        }
    }
}

/// A small alias analysis: accesses provably disjoint when they share a base value and their byte
/// ranges do not overlap; everything else may alias.
///
/// Different memory indices prove nothing: a module may import one memory twice, under two
/// indices, and a function does not know which of its memories are imports. The same holds for
/// globals: two mutable globals of one type may be one imported global. Calls may read and write
/// any memory and global.
public enum AliasAnalysis {
    /// How many `iadd`/`isub` of a constant are peeled off an address at most.
    static let peelLimit = 8

    /// The location a load or store (`load*`, `store*`, `load_lane`, `store_lane`) accesses, nil for other instructions.
    public static func location(of i: Inst, in f: Function) -> MemoryLocation? {
        let d = f.dfg[i]
        let address: UInt32, offset: UInt32, width: Int
        switch d.opcode.format {
        case .load:
            address = d.a; offset = d.b
            let result = f.dfg.type(of: f.dfg.firstResult(i)!)
            switch d.opcode {
            case .load: width = result.bytes
            case .uload8, .sload8: width = 1
            case .uload16, .sload16: width = 2
            case .uload32, .sload32: width = 4
            case .sload8x8, .uload8x8, .sload16x4, .uload16x4, .sload32x2, .uload32x2: width = 8
            case .loadSplat, .loadZero: width = result.laneBits / 8
            default: width = 32
            }
        case .store:
            address = d.b; offset = d.c
            switch d.opcode {
            case .store: width = f.dfg.type(of: Value(index: Int(d.a))).bytes
            case .istore8: width = 1
            case .istore16: width = 2
            case .istore32: width = 4
            default: width = 32
            }
        case .memoryLane:
            address = d.b; offset = d.c
            width = f.dfg.type(of: Value(index: Int(d.a))).laneBits / 8
        default:
            return nil
        }
        let addressValue = Value(index: Int(address))
        let bits = f.dfg.type(of: f.dfg.resolve(addressValue)).bits
        let (base, constant) = peel(addressValue, f)
        return MemoryLocation(memory: Int(d.imm16), base: base, displacement: truncate(constant &+ UInt64(offset), bits),
                              width: UInt64(width), addressBits: bits)
    }

    /// `v` as base plus constant (modulo the width of `v`): through `iadd`/`isub` of `iconst`; a constant has no base.
    static func peel(_ v: Value, _ f: Function) -> (Value?, UInt64) {
        var base = f.dfg.resolve(v)
        var constant: UInt64 = 0
        for _ in 0..<peelLimit {
            if let k = f.intConstant(base) { return (nil, constant &+ k) }
            guard let i = f.definingInst(base) else { break }
            let d = f.dfg[i]
            let x = Value(index: Int(d.a)), y = Value(index: Int(d.b))
            if d.opcode == .iadd, let k = f.intConstant(y) { constant &+= k; base = f.dfg.resolve(x) }
            else if d.opcode == .iadd, let k = f.intConstant(x) { constant &+= k; base = f.dfg.resolve(y) }
            else if d.opcode == .isub, let k = f.intConstant(y) { constant &-= k; base = f.dfg.resolve(x) }
            else { break }
        }
        return (base, constant)
    }

    static func truncate(_ x: UInt64, _ bits: Int) -> UInt64 { bits >= 64 ? x : x & ((1 << UInt64(bits)) - 1) }

    /// Whether two accesses may touch a common byte.
    ///
    /// Precondition for "no": the same base value (one runtime value, so the caller must compare
    /// accesses where the base is not redefined in between, e.g. a base defined outside a loop) or
    /// both constant. Both accesses succeed only inside memory, so their effective addresses E1, E2
    /// lie in [0, 2^N) (N the address width), and E1 - E2 ≡ δ = d1 - d2 (mod 2^N): E1 - E2 is δ or
    /// δ - 2^N. The ranges [E1, E1+w1) and [E2, E2+w2) overlap iff -w1 < E1 - E2 < w2, so they are
    /// disjoint iff w2 ≤ δ ≤ 2^N - w1.
    public static func mayAlias(_ a: MemoryLocation, _ b: MemoryLocation) -> Bool {
        guard a.base == b.base, a.addressBits == b.addressBits else { return true }
        let bits = a.addressBits
        let delta = truncate(a.displacement &- b.displacement, bits)
        let modulusMinusWidth = truncate(0 &- a.width, bits)  // 2^N - w1 (w1 ≤ 32 < 2^N)
        return !(b.width <= delta && delta <= modulusMinusWidth)
    }

    /// Whether `writer` (an instruction writing memory) may change the bytes at `location`.
    public static func mayClobber(_ writer: Inst, _ location: MemoryLocation, in f: Function) -> Bool {
        mayClobber(written: self.location(of: writer, in: f), location)
    }

    /// Whether a write of `written` (nil: a write without a location, such as `memory_fill`) may change the bytes at `location`.
    public static func mayClobber(written: MemoryLocation?, _ location: MemoryLocation) -> Bool {
        guard let written else { return true }
        return mayAlias(written, location)
    }

    /// Whether `writer` (an instruction writing a global, not a call) may change global `g`.
    ///
    /// An immutable global never changes. Two indices name one global only when both are imports
    /// of the same type and mutability, which a function cannot rule out for mutable globals of one type.
    public static func mayClobber(global writer: Inst, _ g: GlobalRef, in f: Function) -> Bool {
        let d = f.dfg[writer]
        guard d.opcode == .globalSet else { return true }
        let written = GlobalRef(index: Int(d.a))
        if written == g { return true }
        let a = f.globals[written], b = f.globals[g]
        return a.isMutable && b.isMutable && a.type == b.type
    }

    /// Whether global `g` cannot change at all (declared immutable).
    public static func isImmutable(_ g: GlobalRef, in f: Function) -> Bool { !f.globals[g].isMutable }
}
