/// A closed f32 interval; NaN bounds mean "unknown": any value, NaN included.
public struct FloatInterval: Sendable, Equatable {
    public var lo: Float
    public var hi: Float
    public init(_ lo: Float, _ hi: Float) { self.lo = lo; self.hi = hi }
    public static let unknown = FloatInterval(.nan, .nan)
    public var isUnknown: Bool { lo.isNaN }

    /// Whether the interval accounts for the value (an unknown interval accounts for everything).
    public func contains(_ v: Float) -> Bool { isUnknown || (lo <= v && v <= hi) }
}

/// Interval arithmetic over a tape, recording which arm of each min/max wins over the whole box.
///
/// Bounds use the same f32 operations as the point evaluators: correctly rounded f32 operations
/// are monotone, so a bound computed from the box's corners bounds every f32 result inside the box
/// exactly (no outward widening is needed for f32 point evaluation). An interval whose width is not
/// finite (an infinite bound, an overflow, a NaN) becomes unknown, so a NaN at a point is always
/// covered; `sqrt` of an interval reaching below zero and division by an interval holding zero are unknown.
public enum IntervalEvaluator {
    @inline(__always)
    static func normalized(_ l: Float, _ h: Float) -> (Float, Float) {
        (h - l).isFinite ? (l, h) : (.nan, .nan)
    }

    /// Evaluates ops `0..<count` into `lo`/`hi` (indexed by slot) and sets `choices[i]` for each min/max;
    /// returns how many min/max ops had one arm decided.
    @discardableResult
    public static func evaluate(
        _ ops: UnsafePointer<TapeOp>, count: Int, lo: UnsafeMutablePointer<Float>, hi: UnsafeMutablePointer<Float>,
        choices: UnsafeMutablePointer<UInt8>, x: FloatInterval, y: FloatInterval
    ) -> Int {
        var decided = 0
        for i in 0..<count {
            let op = ops[i]
            let al = lo[Int(op.a)], ah = hi[Int(op.a)]
            var l: Float, h: Float
            switch op.code {
            case .varX: l = x.lo; h = x.hi
            case .varY: l = y.lo; h = y.hi
            case .const: l = op.imm; h = op.imm
            case .copy: l = al; h = ah
            case .add:
                (l, h) = normalized(al + lo[Int(op.b)], ah + hi[Int(op.b)])
            case .sub:
                (l, h) = normalized(al - hi[Int(op.b)], ah - lo[Int(op.b)])
            case .mul:
                (l, h) = mul(al, ah, lo[Int(op.b)], hi[Int(op.b)])
            case .div:
                (l, h) = div(al, ah, lo[Int(op.b)], hi[Int(op.b)])
            case .min:
                let bl = lo[Int(op.b)], bh = hi[Int(op.b)]
                if al.isNaN || bl.isNaN {
                    l = .nan; h = .nan; choices[i] = Choice.both
                } else {
                    l = Swift.min(al, bl); h = Swift.min(ah, bh)
                    let c = ah < bl ? Choice.first : (bh < al ? Choice.second : Choice.both)
                    choices[i] = c
                    decided &+= c == Choice.both ? 0 : 1
                }
            case .max:
                let bl = lo[Int(op.b)], bh = hi[Int(op.b)]
                if al.isNaN || bl.isNaN {
                    l = .nan; h = .nan; choices[i] = Choice.both
                } else {
                    l = Swift.max(al, bl); h = Swift.max(ah, bh)
                    let c = bh < al ? Choice.first : (ah < bl ? Choice.second : Choice.both)
                    choices[i] = c
                    decided &+= c == Choice.both ? 0 : 1
                }
            case .neg: l = -ah; h = -al
            case .square:
                if al >= 0 { (l, h) = normalized(al * al, ah * ah) }
                else if ah <= 0 { (l, h) = normalized(ah * ah, al * al) }
                else { (l, h) = normalized(0, Swift.max(al * al, ah * ah)) }
            case .sqrt:
                if al >= 0 { l = al.squareRoot(); h = ah.squareRoot() } else { l = .nan; h = .nan }
            case .abs:
                if al >= 0 { l = al; h = ah }
                else if ah <= 0 { l = -ah; h = -al }
                else { (l, h) = normalized(0, Swift.max(-al, ah)) }
            case .addImm: (l, h) = normalized(al + op.imm, ah + op.imm)
            case .subImm: (l, h) = normalized(al - op.imm, ah - op.imm)
            case .rsubImm: (l, h) = normalized(op.imm - ah, op.imm - al)
            case .mulImm:
                (l, h) = op.imm >= 0 ? normalized(al * op.imm, ah * op.imm) : normalized(ah * op.imm, al * op.imm)
            case .divImm:
                (l, h) = op.imm > 0 ? normalized(al / op.imm, ah / op.imm) : normalized(ah / op.imm, al / op.imm)
            case .rdivImm:
                (l, h) = div(op.imm, op.imm, al, ah)
            }
            lo[Int(op.out)] = l
            hi[Int(op.out)] = h
        }
        return decided
    }

    @inline(__always)
    static func mul(_ al: Float, _ ah: Float, _ bl: Float, _ bh: Float) -> (Float, Float) {
        let p1 = al * bl, p2 = al * bh, p3 = ah * bl, p4 = ah * bh
        return normalized(Swift.min(Swift.min(p1, p2), Swift.min(p3, p4)), Swift.max(Swift.max(p1, p2), Swift.max(p3, p4)))
    }

    @inline(__always)
    static func div(_ al: Float, _ ah: Float, _ bl: Float, _ bh: Float) -> (Float, Float) {
        // A divisor interval holding zero (or unknown) can give infinities and NaN.
        if !(bl > 0 || bh < 0) { return (.nan, .nan) }
        let q1 = al / bl, q2 = al / bh, q3 = ah / bl, q4 = ah / bh
        return normalized(Swift.min(Swift.min(q1, q2), Swift.min(q3, q4)), Swift.max(Swift.max(q1, q2), Swift.max(q3, q4)))
    }

    /// The interval of a whole tape over a box (allocates; for tests and tools).
    public static func evaluate(_ tape: Tape, x: FloatInterval, y: FloatInterval) -> (result: FloatInterval, choices: [UInt8]) {
        var lo = [Float](repeating: 0, count: Swift.max(tape.slotCount, 1))
        var hi = lo
        var choices = [UInt8](repeating: 0, count: tape.ops.count)
        tape.ops.withUnsafeBufferPointer { ops in
            lo.withUnsafeMutableBufferPointer { l in
                hi.withUnsafeMutableBufferPointer { h in
                    choices.withUnsafeMutableBufferPointer { c in
                        evaluate(ops.baseAddress!, count: ops.count, lo: l.baseAddress!, hi: h.baseAddress!, choices: c.baseAddress!, x: x, y: y)
                    }
                }
            }
        }
        return (FloatInterval(lo[Int(tape.output)], hi[Int(tape.output)]), choices)
    }
}

/// Evaluates a tape over a block of pixels, 8 at a time (`SIMD8<Float>`), one op over all vectors at once.
public enum SIMDEvaluator {
    public typealias Vector = SIMD8<Float>

    /// Slot `s`, vector `k` lives at `slots[s * vectors + k]`; vector `k` covers row `k / chunksPerRow`,
    /// columns `8 * (k % chunksPerRow) ..< +8`; `xs` and `ys` are the block's column x and row y values.
    @inline(__always)
    public static func evaluate(
        _ ops: UnsafePointer<TapeOp>, count: Int, slots: UnsafeMutablePointer<Vector>,
        vectors: Int, chunksPerRow: Int, xs: UnsafePointer<Float>, ys: UnsafePointer<Float>
    ) {
        for i in 0..<count {
            let op = ops[i]
            let o = slots + Int(op.out) * vectors
            let a = slots + Int(op.a) * vectors
            let b = slots + Int(op.b) * vectors
            let imm = Vector(repeating: op.imm)
            switch op.code {
            case .varX:
                for k in 0..<vectors {
                    o[k] = UnsafeRawPointer(xs + 8 * (k % chunksPerRow)).loadUnaligned(as: Vector.self)
                }
            case .varY:
                for k in 0..<vectors { o[k] = Vector(repeating: ys[k / chunksPerRow]) }
            case .const: for k in 0..<vectors { o[k] = imm }
            case .copy: for k in 0..<vectors { o[k] = a[k] }
            case .add: for k in 0..<vectors { o[k] = a[k] + b[k] }
            case .sub: for k in 0..<vectors { o[k] = a[k] - b[k] }
            case .mul: for k in 0..<vectors { o[k] = a[k] * b[k] }
            case .div: for k in 0..<vectors { o[k] = a[k] / b[k] }
            case .min:
                for k in 0..<vectors { let x = a[k], y = b[k]; o[k] = x.replacing(with: y, where: y .< x) }
            case .max:
                for k in 0..<vectors { let x = a[k], y = b[k]; o[k] = x.replacing(with: y, where: x .< y) }
            case .neg:
                // The sign bit flipped: SIMD's prefix `-` is `0 - a`, which gives +0 for +0 (and 1 / neg(0) would be +inf).
                for k in 0..<vectors {
                    let bits = unsafeBitCast(a[k], to: SIMD8<UInt32>.self) ^ 0x8000_0000
                    o[k] = unsafeBitCast(bits, to: Vector.self)
                }
            case .square: for k in 0..<vectors { o[k] = a[k] * a[k] }
            case .sqrt: for k in 0..<vectors { o[k] = a[k].squareRoot() }
            case .abs:
                for k in 0..<vectors {
                    let bits = unsafeBitCast(a[k], to: SIMD8<UInt32>.self) & 0x7fff_ffff
                    o[k] = unsafeBitCast(bits, to: Vector.self)
                }
            case .addImm: for k in 0..<vectors { o[k] = a[k] + imm }
            case .subImm: for k in 0..<vectors { o[k] = a[k] - imm }
            case .rsubImm: for k in 0..<vectors { o[k] = imm - a[k] }
            case .mulImm: for k in 0..<vectors { o[k] = a[k] * imm }
            case .divImm: for k in 0..<vectors { o[k] = a[k] / imm }
            case .rdivImm: for k in 0..<vectors { o[k] = imm / a[k] }
            }
        }
    }
}
