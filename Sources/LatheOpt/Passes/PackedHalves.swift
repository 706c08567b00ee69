import LatheEntity
import LatheIR

/// The two 32-bit halves of i64 values, as i32 values or constants, for `sroa`.
///
/// `isAvailable` says (without changing the function) whether a half of an i64 value can be computed
/// from i32 values; `materialize` then inserts the i32 instructions computing it, just before the
/// instruction defining the i64 value (its operands' halves are defined before their own
/// definitions, which dominate it). Each rule's bit equality is stated beside it; shift counts are
/// taken modulo 64 as the IR does.
struct PackedHalves {
    enum Half { case low, high }
    /// A half: a known constant or an i32 value.
    enum Piece: Equatable { case constant(UInt32), value(Value) }

    /// Deepest chain of ops followed below a value (bounds recursion on machine stacks of worker threads).
    static let maxDepth = 48

    /// The i64 block parameters being split; their halves are set by `setParamHalves`.
    let splitParams: Set<Value>
    private var available: [Value: UInt8] = [:]
    private var lowPieces: [Value: Piece] = [:]
    private var highPieces: [Value: Piece] = [:]

    init(splitParams: Set<Value> = []) { self.splitParams = splitParams }

    /// Records the two i32 parameters replacing split parameter `old`.
    mutating func setParamHalves(_ old: Value, low: Value, high: Value) {
        lowPieces[old] = .value(low)
        highPieces[old] = .value(high)
    }

    /// Whether `d` computes its i64 result's halves from the halves of `v` (and `v` is not a shift count or a condition).
    static func splits(_ d: InstructionData, operand v: Value, _ f: Function) -> Bool {
        switch d.opcode {
        case .band, .bor, .bxor, .iadd, .isub, .imul: return true
        case .ishl, .ushr, .sshr: return operand(d.a, f) == v && operand(d.b, f) != v
        case .select: return operand(d.a, f) != v
        default: return false
        }
    }

    /// The shift count of a shift by a constant, modulo 64.
    private static func constantShift(_ d: InstructionData, _ f: Function) -> Int? {
        guard let c = f.intConstant(Value(index: Int(d.b))) else { return nil }
        return Int(c & 63)
    }

    private static func operand(_ x: UInt32, _ f: Function) -> Value { f.dfg.resolve(Value(index: Int(x))) }

    /// Whether half `half` of the i64 value `v` can be computed from i32 values.
    mutating func isAvailable(_ v: Value, _ half: Half, _ f: Function, depth: Int = 0) -> Bool {
        let v = f.dfg.resolve(v)
        guard f.dfg.type(of: v) == .i64 else { return false }
        let known: UInt8 = half == .low ? 1 : 4, yes: UInt8 = half == .low ? 2 : 8
        if let s = available[v], s & known != 0 { return s & yes != 0 }
        guard depth < Self.maxDepth else { return false }
        let result = computeAvailable(v, half, f, depth: depth + 1)
        available[v, default: 0] |= known | (result ? yes : 0)
        return result
    }

    private mutating func computeAvailable(_ v: Value, _ half: Half, _ f: Function, depth: Int) -> Bool {
        guard case .result(let inst, 0) = f.dfg.definition(of: v) else { return splitParams.contains(v) }
        let d = f.dfg[inst]
        // Operand words are read only for the ops that have them (an iconst keeps its bits there).
        var a: Value { Self.operand(d.a, f) }
        var b: Value { Self.operand(d.b, f) }
        switch d.opcode {
        case .iconst: return true
        case .uextend, .sextend: return f.dfg.type(of: a) == .i32
        case .band, .bor, .bxor: return isAvailable(a, half, f, depth: depth) && isAvailable(b, half, f, depth: depth)
        case .iadd:
            guard isAvailable(a, half, f, depth: depth) && isAvailable(b, half, f, depth: depth) else { return false }
            return half == .low || knownZero(a, .low, f, depth: 0) || knownZero(b, .low, f, depth: 0)
        case .isub:
            guard isAvailable(a, half, f, depth: depth) && isAvailable(b, half, f, depth: depth) else { return false }
            return half == .low || knownZero(b, .low, f, depth: 0)
        case .imul:
            return half == .low && isAvailable(a, .low, f, depth: depth) && isAvailable(b, .low, f, depth: depth)
        case .ishl, .ushr, .sshr:
            guard let k = Self.constantShift(d, f) else { return false }
            if k == 0 { return isAvailable(a, half, f, depth: depth) }
            switch (d.opcode, half, k >= 32) {
            case (.ishl, .low, true), (.ushr, .high, true): return true
            case (.ishl, .high, true), (.ishl, .low, false): return isAvailable(a, .low, f, depth: depth)
            case (.ushr, .low, true), (.sshr, _, true), (.ushr, .high, false), (.sshr, .high, false):
                return isAvailable(a, .high, f, depth: depth)
            default: return false
            }
        case .select:
            return isAvailable(b, half, f, depth: depth) && isAvailable(Self.operand(d.c, f), half, f, depth: depth)
        default: return false
        }
    }

    /// Whether half `half` of the i64 value `v` is zero whatever the inputs (looking at most 8 ops deep: not memoized).
    func knownZero(_ v: Value, _ half: Half, _ f: Function, depth: Int) -> Bool {
        guard depth < 8, case .result(let inst, 0) = f.dfg.definition(of: f.dfg.resolve(v)) else { return false }
        let d = f.dfg[inst]
        var a: Value { Self.operand(d.a, f) }
        var b: Value { Self.operand(d.b, f) }
        switch d.opcode {
        case .iconst: return (half == .low ? d.b : d.c) == 0
        case .uextend: return half == .high
        case .band: return knownZero(a, half, f, depth: depth + 1) || knownZero(b, half, f, depth: depth + 1)
        case .bor, .bxor: return knownZero(a, half, f, depth: depth + 1) && knownZero(b, half, f, depth: depth + 1)
        case .ishl: return half == .low && (Self.constantShift(d, f) ?? 0) >= 32
        case .ushr: return half == .high && (Self.constantShift(d, f) ?? 0) >= 32
        case .select: return knownZero(b, half, f, depth: depth + 1) && knownZero(Self.operand(d.c, f), half, f, depth: depth + 1)
        default: return false
        }
    }

    /// Inserts what computes half `half` of `v` (after `isAvailable` said yes) and returns it.
    mutating func materialize(_ v: Value, _ half: Half, _ f: inout Function) -> Piece {
        let v = f.dfg.resolve(v)
        if let p = half == .low ? lowPieces[v] : highPieces[v] { return p }
        guard case .result(let inst, 0) = f.dfg.definition(of: v) else { preconditionFailure("\(v): parameter without halves") }
        let d = f.dfg[inst]
        let a = d.opcode == .iconst ? v : Self.operand(d.a, f)
        let b = d.opcode.format == .binary || d.opcode.format == .ternary ? Self.operand(d.b, f) : v
        let piece: Piece
        switch d.opcode {
        case .iconst:
            piece = .constant(half == .low ? d.b : d.c)
        case .uextend:
            // Zero extension: bits 0-31 are a, bits 32-63 are 0.
            piece = half == .low ? .value(a) : .constant(0)
        case .sextend:
            // Sign extension: bits 0-31 are a, bits 32-63 copy bit 31 of a, which is a >>s 31.
            if half == .low { piece = .value(a) } else { piece = shift(.sshr, .value(a), 31, before: inst, &f) }
        case .band, .bor, .bxor:
            // Bitwise: each result bit depends only on the same bit of the operands.
            let x = materialize(a, half, &f), y = materialize(b, half, &f)
            piece = combine(d.opcode, x, y, before: inst, &f)
        case .iadd, .isub:
            // Carries and borrows only move upward, so the low half of a sum or difference is the i32 sum
            // or difference of the low halves. The high half is a.high ± b.high ∓ the carry (borrow) out of
            // the low halves, which is 0 when a low half of the sum (the subtrahend) is 0 (checked by isAvailable).
            let x = materialize(a, half, &f), y = materialize(b, half, &f)
            piece = combine(d.opcode, x, y, before: inst, &f)
        case .imul:
            // (a * b) mod 2^32 depends only on a mod 2^32 and b mod 2^32 (only the low half is available).
            let x = materialize(a, .low, &f), y = materialize(b, .low, &f)
            piece = combine(.imul, x, y, before: inst, &f)
        case .ishl, .ushr, .sshr:
            let k = Self.constantShift(d, f)!
            if k == 0 {
                piece = materialize(a, half, &f)
            } else if k >= 32 {
                switch (d.opcode, half) {
                // x << k: bits below k are 0; bit 32+j is bit j-(k-32) of x, a bit of x.low: (x.low << (k-32)).
                case (.ishl, .low): piece = .constant(0)
                case (.ishl, .high): let x = materialize(a, .low, &f); piece = shift(.ishl, x, k - 32, before: inst, &f)
                // x >>u k: bit i is bit i+k of x, a bit of x.high (bit i+k-32) or 0 past bit 63.
                case (.ushr, .low): let x = materialize(a, .high, &f); piece = shift(.ushr, x, k - 32, before: inst, &f)
                case (.ushr, .high): piece = .constant(0)
                // x >>s k: as >>u, but bits past 63 copy the sign bit, bit 31 of x.high.
                case (.sshr, .low): let x = materialize(a, .high, &f); piece = shift(.sshr, x, k - 32, before: inst, &f)
                default: let x = materialize(a, .high, &f); piece = shift(.sshr, x, 31, before: inst, &f)
                }
            } else {
                // 0 < k < 32: bit i < 32 of x << k is bit i-k of x.low; bit 32+j of x >> k is bit j+k of
                // x.high (or 0 / the sign past bit 63), i.e. x.high >> k. The other halves mix both.
                let source = materialize(a, d.opcode == .ishl ? .low : .high, &f)
                piece = shift(d.opcode, source, k, before: inst, &f)
            }
        case .select:
            // select picks one whole operand, so each half is the select of the operands' halves.
            let c = Self.operand(d.c, f)
            let x = materialize(b, half, &f), y = materialize(c, half, &f)
            if x == y {
                piece = x
            } else {
                let cond = a
                let vx = value(of: x, before: inst, &f), vy = value(of: y, before: inst, &f)
                piece = .value(f.insertValue(InstructionData(opcode: .select, a: cond.raw, b: vx.raw, c: vy.raw), before: inst))
            }
        default:
            preconditionFailure("\(d.opcode.name): no halves (isAvailable not asked)")
        }
        if half == .low { lowPieces[v] = piece } else { highPieces[v] = piece }
        return piece
    }

    /// `piece` as an i32 value, inserting an `iconst.i32` before `position` for a constant.
    mutating func value(of piece: Piece, before position: Inst, _ f: inout Function) -> Value {
        switch piece {
        case .value(let v): return v
        case .constant(let k): return f.insertValue(.iconst(.i32, Int64(Int32(bitPattern: k))), ctrl: .i32, before: position)
        }
    }

    /// `x op y` on i32 halves, folding constants and identities (x | 0 = x, x & -1 = x, x * 1 = x, x - 0 = x ...).
    private mutating func combine(_ op: Opcode, _ x: Piece, _ y: Piece, before position: Inst, _ f: inout Function) -> Piece {
        if case .constant(let p) = x, case .constant(let q) = y {
            switch op {
            case .band: return .constant(p & q)
            case .bor: return .constant(p | q)
            case .bxor: return .constant(p ^ q)
            case .iadd: return .constant(p &+ q)
            case .isub: return .constant(p &- q)
            default: return .constant(p &* q)
            }
        }
        switch (op, x, y) {
        case (.band, .constant(0), _), (.band, _, .constant(0)), (.imul, .constant(0), _), (.imul, _, .constant(0)): return .constant(0)
        case (.bor, .constant(UInt32.max), _), (.bor, _, .constant(UInt32.max)): return .constant(UInt32.max)
        case (.band, .constant(UInt32.max), _), (.bor, .constant(0), _), (.bxor, .constant(0), _), (.iadd, .constant(0), _), (.imul, .constant(1), _):
            return y
        case (.band, _, .constant(UInt32.max)), (.bor, _, .constant(0)), (.bxor, _, .constant(0)), (.iadd, _, .constant(0)),
             (.isub, _, .constant(0)), (.imul, _, .constant(1)):
            return x
        default:
            let vx = value(of: x, before: position, &f), vy = value(of: y, before: position, &f)
            return .value(f.insertValue(InstructionData(opcode: op, a: vx.raw, b: vy.raw), before: position))
        }
    }

    /// `x op k` for an i32 shift by 0 ≤ k < 32, folding constants.
    private mutating func shift(_ op: Opcode, _ x: Piece, _ k: Int, before position: Inst, _ f: inout Function) -> Piece {
        if k == 0 { return x }
        if case .constant(let p) = x {
            switch op {
            case .ishl: return .constant(p << UInt32(k))
            case .ushr: return .constant(p >> UInt32(k))
            default: return .constant(UInt32(bitPattern: Int32(bitPattern: p) >> Int32(k)))
            }
        }
        let vx = value(of: x, before: position, &f)
        let count = f.insertValue(.iconst(.i32, Int64(k)), ctrl: .i32, before: position)
        return .value(f.insertValue(InstructionData(opcode: op, a: vx.raw, b: count.raw), before: position))
    }
}
