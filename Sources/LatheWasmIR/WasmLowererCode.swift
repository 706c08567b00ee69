import LatheWasm

/// The body a lowering emits: one small record per wasm instruction, encoded straight to bytes.
///
/// Nearly every instruction the lowerer writes has no immediate or one or two integers; those are
/// kept inline, so emitting, the clean-up passes and encoding copy no `Immediate` enum (whose
/// copies retain array payloads). The few with structured immediates (`br_table`, `v128.const`,
/// typed `select`, `ref.null`, vector ops) are kept as `Instruction`s in `others`.
struct LoweredCode {
    enum Shape: UInt8 {
        case none
        /// `a`: one index (local, global, label, function, ...).
        case index
        /// `a`, `b`: two indices.
        case indexPair
        /// `align`, memory `a`, offset `b`.
        case memArg
        /// `b`: the constant's bits, sign-extended to 64 (`i32.const`, `i64.const`).
        case signed
        /// `b`: IEEE bits (`f32.const` in the low 32, `f64.const`).
        case float32, float64
        /// `block`, `loop` or `if` with the empty block type.
        case emptyBlock
        /// `a`: index into `others`.
        case other
    }

    struct Entry {
        var opcode: LatheWasm.Opcode
        var shape: Shape
        var align: UInt8 = 0
        var a: UInt32 = 0
        var b: UInt64 = 0
    }

    var entries: [Entry] = []
    var others: [Instruction] = []
    /// After `encoded()`: the byte offset in the code of each call marked with an inline hint, and the hint.
    var callHintOffsets: [(offset: Int, hint: UInt8)] = []
    /// Opcodes of the open constructs while dropping fall-through branches (kept for its storage).
    private var openKinds: [LatheWasm.Opcode] = []
    /// Room for the worst-case encoding, reused; the body returned is an exact-size copy.
    private var encodeScratch: [UInt8] = []

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        others.removeAll(keepingCapacity: true)
    }

    /// Bits 32...39 of `b` in a call's entry (`index` or `indexPair` shape, which use at most the
    /// low 32): its inline hint plus one, zero when it has none.
    static let callHintShift: UInt64 = 32

    /// Marks the call just emitted with an inline hint (0...127), so `encoded()` reports its offset.
    mutating func markLastCall(hint: UInt8) {
        let n = entries.count - 1
        precondition(n >= 0 && entries[n].opcode.isCall && (entries[n].shape == .index || entries[n].shape == .indexPair), "hint on a non-call")
        entries[n].b |= (UInt64(hint) + 1) << Self.callHintShift
    }

    var count: Int { entries.count }
    var lastOpcode: LatheWasm.Opcode? { entries.isEmpty ? nil : entries[entries.count - 1].opcode }

    @inline(__always) mutating func op(_ o: LatheWasm.Opcode) { entries.append(Entry(opcode: o, shape: .none)) }
    @inline(__always) mutating func index(_ o: LatheWasm.Opcode, _ i: UInt32) { entries.append(Entry(opcode: o, shape: .index, a: i)) }
    @inline(__always) mutating func indexPair(_ o: LatheWasm.Opcode, _ x: UInt32, _ y: UInt32) {
        entries.append(Entry(opcode: o, shape: .indexPair, a: x, b: UInt64(y)))
    }
    @inline(__always) mutating func memArg(_ o: LatheWasm.Opcode, log2Align: UInt8, offset: UInt32, memory: UInt32) {
        entries.append(Entry(opcode: o, shape: .memArg, align: log2Align, a: memory, b: UInt64(offset)))
    }
    @inline(__always) mutating func signed(_ o: LatheWasm.Opcode, _ v: Int64) {
        entries.append(Entry(opcode: o, shape: .signed, b: UInt64(bitPattern: v)))
    }
    @inline(__always) mutating func float32(_ bits: UInt32) { entries.append(Entry(opcode: .f32Const, shape: .float32, b: UInt64(bits))) }
    @inline(__always) mutating func float64(_ bits: UInt64) { entries.append(Entry(opcode: .f64Const, shape: .float64, b: bits)) }
    @inline(__always) mutating func emptyBlock(_ o: LatheWasm.Opcode) { entries.append(Entry(opcode: o, shape: .emptyBlock)) }
    mutating func other(_ inst: Instruction) {
        entries.append(Entry(opcode: inst.opcode, shape: .other, a: UInt32(others.count)))
        others.append(inst)
    }

    /// `local.get x` right after `local.set x` turns the set into `local.tee x` instead.
    @inline(__always) mutating func localGet(_ x: UInt32) {
        let n = entries.count
        if n > 0 && entries[n - 1].opcode == .localSet && entries[n - 1].a == x {
            entries[n - 1].opcode = .localTee
        } else {
            entries.append(Entry(opcode: .localGet, shape: .index, a: x))
        }
    }

    /// Whether some `local.set` or `local.tee` writes local `x`.
    func writesLocal(_ x: UInt32) -> Bool {
        entries.contains { ($0.opcode == .localSet || $0.opcode == .localTee) && $0.a == x }
    }

    mutating func removeLast() { entries.removeLast() }

    /// Nesting depth after all but the last instruction.
    func depthBeforeLast() -> Int {
        var depth = 0
        for e in entries.dropLast() {
            switch e.opcode {
            case .block, .loop, .if: depth += 1
            case .end: depth -= 1
            default: break
            }
        }
        return depth
    }

    /// Removes each `br k` that is followed by the `end`s of the k+1 innermost constructs, the outermost a block.
    mutating func dropFallthroughBranches() {
        openKinds.removeAll(keepingCapacity: true)
        var kept = 0
        let n = entries.count
        for p in 0..<n {
            let e = entries[p]
            var keep = true
            switch e.opcode {
            case .block, .loop, .if: openKinds.append(e.opcode)
            case .end: openKinds.removeLast()
            case .br where Int(e.a) < openKinds.count:
                let depth = Int(e.a)
                var fallsThrough = true
                var j = 0
                while fallsThrough && j <= depth {
                    let q = p + 1 + j
                    // Falling out of an inner loop or `if` also continues after it; the target itself must be a block.
                    fallsThrough = q < n && entries[q].opcode == .end && (j < depth || openKinds[openKinds.count - 1 - j] == .block)
                    j += 1
                }
                keep = !fallsThrough
            default: break
            }
            if keep {
                if kept != p { entries[kept] = e }
                kept += 1
            }
        }
        entries.removeLast(n - kept)
    }

    /// The binary encoding of the instructions.
    ///
    /// Written into a buffer sized for the worst case (28 bytes per inline record: a prefixed
    /// opcode and a memarg with a memory index), so no byte is appended with a capacity check,
    /// then copied out at its exact size (the module keeps every body).
    mutating func encoded() -> [UInt8] {
        var side = ByteWriter()
        var sideEnd: [Int] = []
        if !others.isEmpty {
            for o in others { side.writeInstruction(o); sideEnd.append(side.bytes.count) }
        }
        let encodings = LatheWasm.Opcode.encodings
        let bound = entries.count * 28 + side.bytes.count
        if encodeScratch.count < bound { encodeScratch = [UInt8](repeating: 0, count: max(bound, 2 * encodeScratch.count)) }
        callHintOffsets.removeAll(keepingCapacity: true)
        var hinted: [(offset: Int, hint: UInt8)] = []
        let written = encodeScratch.withUnsafeMutableBufferPointer { buf -> Int in
            var out = buf.baseAddress!
            @inline(__always) func put(_ b: UInt8) { out.pointee = b; out += 1 }
            @inline(__always) func unsigned(_ value: UInt64) {
                var v = value
                while v >= 0x80 { put(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
                put(UInt8(v))
            }
            @inline(__always) func signed(_ value: Int64) {
                var v = value
                while true {
                    let b = UInt8(truncatingIfNeeded: v) & 0x7F
                    v >>= 7
                    if (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0) { put(b); return }
                    put(b | 0x80)
                }
            }
            @inline(__always) func fixed(_ v: UInt64, _ n: Int) {
                for k in 0..<n { put(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
            }
            for e in entries {
                if e.shape == .other {
                    let k = Int(e.a)
                    let from = k == 0 ? 0 : sideEnd[k - 1]
                    for j in from..<sideEnd[k] { put(side.bytes[j]) }
                    continue
                }
                let enc = encodings[Int(e.opcode.rawValue)]
                let start = out
                if enc.prefix == 0 { put(UInt8(enc.code)) } else { put(enc.prefix); unsigned(UInt64(enc.code)) }
                switch e.shape {
                case .none, .other: break
                case .index:
                    unsigned(UInt64(e.a))
                    if e.b >> Self.callHintShift != 0 { hinted.append((start - buf.baseAddress!, UInt8(truncatingIfNeeded: (e.b >> Self.callHintShift) - 1))) }
                case .indexPair:
                    unsigned(UInt64(e.a)); unsigned(e.b & 0xFFFF_FFFF)
                    if e.b >> Self.callHintShift != 0 { hinted.append((start - buf.baseAddress!, UInt8(truncatingIfNeeded: (e.b >> Self.callHintShift) - 1))) }
                case .memArg:
                    if e.a != 0 { unsigned(UInt64(e.align) | 0x40); unsigned(UInt64(e.a)) } else { unsigned(UInt64(e.align)) }
                    unsigned(e.b)
                case .signed: signed(Int64(bitPattern: e.b))
                case .float32: fixed(e.b, 4)
                case .float64: fixed(e.b, 8)
                case .emptyBlock: put(0x40)
                }
            }
            return out - buf.baseAddress!
        }
        callHintOffsets = hinted
        return Array(encodeScratch[0..<written])
    }
}
