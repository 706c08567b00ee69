/// Wasm's numeric semantics on raw bits, shared by the interpreter (and later constant folding).
///
/// Integers of width `w` (8, 16, 32 or 64) travel as `UInt64` with bits above `w` zero. Floats
/// travel as their IEEE bits. NaN policy: every arithmetic op that produces a NaN (add, sub, mul,
/// div, sqrt, min, max, ceil, floor, trunc, nearest, promote, demote) returns the positive canonical
/// quiet NaN (f32 0x7fc00000, f64 0x7ff8000000000000), whatever the input payloads; this is one
/// of the results wasm allows and makes runs deterministic. `fneg`, `fabs`, `fcopysign`, `bitcast`,
/// loads, stores, `select` and constants only move bits, so payloads survive them exactly.
public enum Semantics {
    public static let canonicalNaN32: UInt32 = 0x7fc0_0000
    public static let canonicalNaN64: UInt64 = 0x7ff8_0000_0000_0000

    @inline(__always) public static func mask(_ w: Int) -> UInt64 { w == 64 ? ~0 : (1 << UInt64(w)) - 1 }
    @inline(__always) public static func signed(_ x: UInt64, _ w: Int) -> Int64 {
        w == 64 ? Int64(bitPattern: x) : Int64(bitPattern: x << UInt64(64 - w)) >> Int64(64 - w)
    }

    /// Integer binary op; division traps come back as the failure.
    public static func intBinary(_ op: Opcode, _ a: UInt64, _ b: UInt64, _ w: Int) -> Result<UInt64, TrapCode> {
        let m = mask(w)
        let sa = signed(a, w), sb = signed(b, w)
        let sh = UInt64(b % UInt64(w))
        switch op {
        case .iadd: return .success((a &+ b) & m)
        case .isub: return .success((a &- b) & m)
        case .imul: return .success((a &* b) & m)
        case .sdiv:
            if b == 0 { return .failure(.int_divz) }
            if sb == -1 && sa == signed(1 << UInt64(w - 1), w) { return .failure(.int_ovf) }
            return .success(UInt64(bitPattern: sa / sb) & m)
        case .udiv:
            if b == 0 { return .failure(.int_divz) }
            return .success(a / b)
        case .srem:
            if b == 0 { return .failure(.int_divz) }
            if sb == -1 { return .success(0) }
            return .success(UInt64(bitPattern: sa % sb) & m)
        case .urem:
            if b == 0 { return .failure(.int_divz) }
            return .success(a % b)
        case .band: return .success(a & b)
        case .bor: return .success(a | b)
        case .bxor: return .success(a ^ b)
        case .bandNot: return .success(a & ~b & m)
        case .ishl: return .success((a << sh) & m)
        case .sshr: return .success(UInt64(bitPattern: sa >> Int64(sh)) & m)
        case .ushr: return .success(a >> sh)
        case .rotl: return .success(sh == 0 ? a : ((a << sh) | (a >> (UInt64(w) - sh))) & m)
        case .rotr: return .success(sh == 0 ? a : ((a >> sh) | (a << (UInt64(w) - sh))) & m)
        case .smin: return .success(sa < sb ? a : b)
        case .smax: return .success(sa > sb ? a : b)
        case .umin: return .success(min(a, b))
        case .umax: return .success(max(a, b))
        case .saddSat, .ssubSat:
            let lo = -(Int64(1) << Int64(w - 1)), hi = (Int64(1) << Int64(w - 1)) - 1
            let r = op == .saddSat ? sa + sb : sa - sb
            return .success(UInt64(bitPattern: Swift.min(Swift.max(r, lo), hi)) & m)
        case .uaddSat: return .success(Swift.min(a + b, m))
        case .usubSat: return .success(a >= b ? a - b : 0)
        case .avgrU: return .success((a + b + 1) >> 1)
        default: preconditionFailure("\(op.name) is not an integer binary op")
        }
    }

    public static func intUnary(_ op: Opcode, _ a: UInt64, _ w: Int) -> UInt64 {
        let m = mask(w)
        switch op {
        case .bnot: return ~a & m
        case .clz: return a == 0 ? UInt64(w) : UInt64(a.leadingZeroBitCount - (64 - w)) as UInt64
        case .ctz: return a == 0 ? UInt64(w) : UInt64(a.trailingZeroBitCount)
        case .popcnt: return UInt64(a.nonzeroBitCount)
        case .ineg: return (0 &- a) & m
        case .iabs: return signed(a, w) < 0 ? (0 &- a) & m : a
        case .eqz: return a == 0 ? 1 : 0
        case .sext8: return UInt64(bitPattern: signed(a & 0xff, 8)) & m
        case .sext16: return UInt64(bitPattern: signed(a & 0xffff, 16)) & m
        case .sext32: return UInt64(bitPattern: signed(a & 0xffff_ffff, 32)) & m
        default: preconditionFailure("\(op.name) is not an integer unary op")
        }
    }

    public static func intCompare(_ cc: IntCC, _ a: UInt64, _ b: UInt64, _ w: Int) -> Bool {
        let sa = signed(a, w), sb = signed(b, w)
        switch cc {
        case .eq: return a == b
        case .ne: return a != b
        case .slt: return sa < sb
        case .sgt: return sa > sb
        case .sle: return sa <= sb
        case .sge: return sa >= sb
        case .ult: return a < b
        case .ugt: return a > b
        case .ule: return a <= b
        case .uge: return a >= b
        }
    }

    // MARK: floats

    /// A float lane as Double (exact for f32) and back, so one implementation serves both widths.
    @inline(__always) static func toDouble(_ bits: UInt64, _ w: Int) -> Double {
        w == 32 ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))) : Double(bitPattern: bits)
    }

    @inline(__always) static func canonical(_ w: Int) -> UInt64 { w == 32 ? UInt64(canonicalNaN32) : canonicalNaN64 }
    @inline(__always) static func signBit(_ w: Int) -> UInt64 { 1 << UInt64(w - 1) }
    static func isNaN(_ bits: UInt64, _ w: Int) -> Bool { toDouble(bits, w).isNaN }

    /// Float binary op; computed in the lane's own precision (no double rounding).
    public static func floatBinary(_ op: Opcode, _ a: UInt64, _ b: UInt64, _ w: Int) -> UInt64 {
        if op == .fcopysign { return (a & ~signBit(w)) | (b & signBit(w)) }
        if w == 32 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: a)), y = Float(bitPattern: UInt32(truncatingIfNeeded: b))
            let r: Float
            switch op {
            case .fadd: r = x + y
            case .fsub: r = x - y
            case .fmul: r = x * y
            case .fdiv: r = x / y
            case .fmin, .fmax: return minMax(op, a, b, w)
            default: preconditionFailure("\(op.name) is not a float binary op")
            }
            return r.isNaN ? UInt64(canonicalNaN32) : UInt64(r.bitPattern)
        }
        let x = Double(bitPattern: a), y = Double(bitPattern: b)
        let r: Double
        switch op {
        case .fadd: r = x + y
        case .fsub: r = x - y
        case .fmul: r = x * y
        case .fdiv: r = x / y
        case .fmin, .fmax: return minMax(op, a, b, w)
        default: preconditionFailure("\(op.name) is not a float binary op")
        }
        return r.isNaN ? canonicalNaN64 : r.bitPattern
    }

    /// Wasm min/max: NaN if either is NaN; -0 < +0.
    static func minMax(_ op: Opcode, _ a: UInt64, _ b: UInt64, _ w: Int) -> UInt64 {
        let x = toDouble(a, w), y = toDouble(b, w)
        if x.isNaN || y.isNaN { return canonical(w) }
        if x == 0 && y == 0 {
            // both zeros: min takes a negative one if any, max a positive one if any
            return op == .fmin ? ((a & signBit(w)) != 0 ? a : b) : ((a & signBit(w)) == 0 ? a : b)
        }
        return op == .fmin ? (x < y ? a : b) : (x > y ? a : b)
    }

    public static func floatUnary(_ op: Opcode, _ a: UInt64, _ w: Int) -> UInt64 {
        switch op {
        case .fneg: return a ^ signBit(w)
        case .fabs: return a & ~signBit(w)
        default: break
        }
        if w == 32 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: a))
            let r: Float
            switch op {
            case .sqrt: r = x.squareRoot()
            case .ceil: r = x.rounded(.up)
            case .floor: r = x.rounded(.down)
            case .trunc: r = x.rounded(.towardZero)
            case .nearest: r = x.rounded(.toNearestOrEven)
            default: preconditionFailure("\(op.name) is not a float unary op")
            }
            return r.isNaN ? UInt64(canonicalNaN32) : UInt64(r.bitPattern)
        }
        let x = Double(bitPattern: a)
        let r: Double
        switch op {
        case .sqrt: r = x.squareRoot()
        case .ceil: r = x.rounded(.up)
        case .floor: r = x.rounded(.down)
        case .trunc: r = x.rounded(.towardZero)
        case .nearest: r = x.rounded(.toNearestOrEven)
        default: preconditionFailure("\(op.name) is not a float unary op")
        }
        return r.isNaN ? canonicalNaN64 : r.bitPattern
    }

    public static func floatCompare(_ cc: FloatCC, _ a: UInt64, _ b: UInt64, _ w: Int) -> Bool {
        let x = toDouble(a, w), y = toDouble(b, w)
        switch cc {
        case .eq: return x == y
        case .ne: return x != y
        case .lt: return x < y
        case .gt: return x > y
        case .le: return x <= y
        case .ge: return x >= y
        }
    }

    // MARK: conversions

    /// Float to integer of width `w`: trapping (NaN: bad_toint, out of range: int_ovf) or saturating.
    public static func floatToInt(_ bits: UInt64, from fw: Int, to w: Int, signed isSigned: Bool, saturating: Bool) -> Result<UInt64, TrapCode> {
        let x = toDouble(bits, fw)
        if x.isNaN { return saturating ? .success(0) : .failure(.bad_toint) }
        let t = x.rounded(.towardZero)
        if isSigned {
            let lo = -Double(sign: .plus, exponent: w - 1, significand: 1), hi = Double(sign: .plus, exponent: w - 1, significand: 1)
            if t < lo || t >= hi {
                if !saturating { return .failure(.int_ovf) }
                return .success(t < 0 ? UInt64(1) << UInt64(w - 1) : mask(w) >> 1)
            }
            return .success(UInt64(bitPattern: Int64(t)) & mask(w))
        }
        let hi = Double(sign: .plus, exponent: w, significand: 1)
        if t <= -1 || t >= hi {
            if !saturating { return .failure(.int_ovf) }
            return .success(t < 0 ? UInt64(0) : mask(w))
        }
        return .success(UInt64(t))
    }

    /// Integer of width `w` to float of width `fw`, rounding to nearest even.
    public static func intToFloat(_ a: UInt64, from w: Int, to fw: Int, signed isSigned: Bool) -> UInt64 {
        if fw == 32 {
            let r = isSigned ? Float(signed(a, w)) : Float(a)
            return UInt64(r.bitPattern)
        }
        return (isSigned ? Double(signed(a, w)) : Double(a)).bitPattern
    }

    public static func promote(_ a: UInt64) -> UInt64 {
        let x = Float(bitPattern: UInt32(truncatingIfNeeded: a))
        return x.isNaN ? canonicalNaN64 : Double(x).bitPattern
    }

    public static func demote(_ a: UInt64) -> UInt64 {
        let x = Double(bitPattern: a)
        return x.isNaN ? UInt64(canonicalNaN32) : UInt64(Float(x).bitPattern)
    }
}
