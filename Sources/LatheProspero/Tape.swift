/// The operations of a compact tape; `...Imm` forms take their second operand from `TapeOp.imm`.
public enum TapeCode: UInt8, Sendable {
    case varX, varY, const, copy
    case add, sub, mul, div, min, max
    case neg, square, sqrt, abs
    /// a + imm, a - imm, imm - a, a * imm, a / imm, imm / a.
    case addImm, subImm, rsubImm, mulImm, divImm, rdivImm
}

/// One tape instruction: `out = code(a, b)` over slots (registers reused once a value is dead).
public struct TapeOp: Sendable, Equatable {
    public var out: UInt32
    public var a: UInt32
    public var b: UInt32
    public var imm: Float
    public var code: TapeCode
    public init(_ code: TapeCode, out: UInt32, a: UInt32 = 0, b: UInt32 = 0, imm: Float = 0) {
        self.code = code; self.out = out; self.a = a; self.b = b; self.imm = imm
    }
}

/// A straight-line program over slots whose last write to `output` is the result.
public struct Tape: Sendable {
    public var ops: [TapeOp]
    public var output: UInt32
    /// How many slots the ops use (slot indices are below it).
    public var slotCount: Int

    /// The program with constants folded into immediate operands, dead code removed and slots allocated.
    public init(_ program: VMProgram) {
        let insts = program.instructions
        var ssa: [TapeOp] = []
        ssa.reserveCapacity(insts.count)
        var constant = [Float?](repeating: nil, count: insts.count)
        for (i, inst) in insts.enumerated() {
            let out = UInt32(i)
            let ca = inst.op.arity >= 1 ? constant[Int(inst.a)] : nil
            let cb = inst.op.arity == 2 ? constant[Int(inst.b)] : nil
            var op: TapeOp
            switch inst.op {
            case .varX: op = TapeOp(.varX, out: out)
            case .varY: op = TapeOp(.varY, out: out)
            case .const:
                op = TapeOp(.const, out: out, imm: inst.value)
                constant[i] = inst.value
            default:
                if let ca, inst.op.arity == 1 || cb != nil {
                    let v = VMSemantics.apply(inst.op, ca, cb ?? 0)
                    op = TapeOp(.const, out: out, imm: v)
                    constant[i] = v
                } else {
                    op = Self.fold(inst, out: out, ca: ca, cb: cb)
                }
            }
            ssa.append(op)
        }
        let n = ssa.count
        var map = [UInt32](repeating: TapeSimplifier.none, count: n)
        var free = [UInt32](repeating: 0, count: n + 1)
        var child = [TapeOp](repeating: TapeOp(.const, out: 0), count: n)
        let choices = [UInt8](repeating: 0, count: n)
        let r = ssa.withUnsafeBufferPointer { p in
            map.withUnsafeMutableBufferPointer { m in
                free.withUnsafeMutableBufferPointer { f in
                    child.withUnsafeMutableBufferPointer { c in
                        choices.withUnsafeBufferPointer { ch in
                            TapeSimplifier.simplify(p.baseAddress!, count: n, output: UInt32(n - 1), choices: ch.baseAddress!,
                                                    map: m.baseAddress!, free: f.baseAddress!, into: c.baseAddress!)
                        }
                    }
                }
            }
        }
        ops = Array(child[r.start..<n])
        output = r.output
        slotCount = r.slots
    }

    public init(ops: [TapeOp], output: UInt32, slotCount: Int) {
        self.ops = ops; self.output = output; self.slotCount = slotCount
    }

    /// An operation with one constant operand as its immediate form, else the plain operation.
    private static func fold(_ inst: VMInstruction, out: UInt32, ca: Float?, cb: Float?) -> TapeOp {
        switch inst.op {
        case .add, .mul:
            let code: TapeCode = inst.op == .add ? .addImm : .mulImm
            if let cb { return TapeOp(code, out: out, a: inst.a, imm: cb) }
            if let ca { return TapeOp(code, out: out, a: inst.b, imm: ca) }
        case .sub:
            if let cb { return TapeOp(.subImm, out: out, a: inst.a, imm: cb) }
            if let ca { return TapeOp(.rsubImm, out: out, a: inst.b, imm: ca) }
        case .div:
            if let cb, cb != 0 { return TapeOp(.divImm, out: out, a: inst.a, imm: cb) }
            if let ca { return TapeOp(.rdivImm, out: out, a: inst.b, imm: ca) }
        default: break
        }
        let code: TapeCode = switch inst.op {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .min: .min
        case .max: .max
        case .neg: .neg
        case .square: .square
        case .sqrt: .sqrt
        case .abs: .abs
        case .varX: .varX
        case .varY: .varY
        case .const: .const
        }
        return TapeOp(code, out: out, a: inst.a, b: inst.b)
    }

    /// The value at one point, op by op (scalar; for tests).
    public func evaluate(x: Float, y: Float) -> Float {
        var slots = [Float](repeating: 0, count: slotCount)
        for op in ops {
            let a = slots[Int(op.a)], b = slots[Int(op.b)]
            slots[Int(op.out)] = TapeOp.apply(op.code, a, b, op.imm, x: x, y: y)
        }
        return slots[Int(output)]
    }
}

extension TapeOp {
    /// The scalar meaning of a tape operation (the same f32 operations as `VMSemantics`).
    @inline(__always)
    static func apply(_ code: TapeCode, _ a: Float, _ b: Float, _ imm: Float, x: Float, y: Float) -> Float {
        switch code {
        case .varX: x
        case .varY: y
        case .const: imm
        case .copy: a
        case .add: a + b
        case .sub: a - b
        case .mul: a * b
        case .div: a / b
        case .min: VMSemantics.apply(.min, a, b)
        case .max: VMSemantics.apply(.max, a, b)
        case .neg: -a
        case .square: a * a
        case .sqrt: a.squareRoot()
        case .abs: VMSemantics.apply(.abs, a, 0)
        case .addImm: a + imm
        case .subImm: a - imm
        case .rsubImm: imm - a
        case .mulImm: a * imm
        case .divImm: a / imm
        case .rdivImm: imm / a
        }
    }
}

/// Choices recorded by interval evaluation for `min` / `max`: both arms may win, or only one.
public enum Choice {
    public static let both: UInt8 = 0, first: UInt8 = 1, second: UInt8 = 2
}

/// Rewrites a tape under min/max choices: chosen arms replace the operation, dead code goes,
/// slots are reallocated (walking backwards, a slot is free again above its definition).
public enum TapeSimplifier {
    static let none = UInt32.max

    /// `map` (one entry per parent slot) must hold `none` everywhere, and does again on return;
    /// `free` needs room for the parent's slot count; `child` for `count` ops. The ops are written
    /// backwards from `child + count`: the child tape is `child + start ..< child + count`.
    @inline(__always)
    public static func simplify(
        _ ops: UnsafePointer<TapeOp>, count: Int, output: UInt32, choices: UnsafePointer<UInt8>,
        map: UnsafeMutablePointer<UInt32>, free: UnsafeMutablePointer<UInt32>, into child: UnsafeMutablePointer<TapeOp>
    ) -> (start: Int, count: Int, output: UInt32, slots: Int) {
        var freeCount = 0
        var nextSlot: UInt32 = 0
        @inline(__always) func allocate() -> UInt32 {
            if freeCount > 0 { freeCount -= 1; return free[freeCount] }
            nextSlot += 1
            return nextSlot - 1
        }
        @inline(__always) func slot(_ s: UInt32) -> UInt32 {
            let m = map[Int(s)]
            if m != none { return m }
            let n = allocate()
            map[Int(s)] = n
            return n
        }
        let childOutput = allocate()
        map[Int(output)] = childOutput
        var start = count
        var i = count
        while i > 0 {
            i -= 1
            let op = ops[i]
            let c = map[Int(op.out)]
            if c == none { continue }
            map[Int(op.out)] = none
            free[freeCount] = c
            freeCount += 1
            var out = op
            out.out = c
            switch op.code {
            case .varX, .varY, .const:
                break
            case .min, .max:
                let choice = choices[i]
                if choice != Choice.both {
                    let arm = choice == Choice.first ? op.a : op.b
                    let s = slot(arm)
                    if s == c { continue }
                    out = TapeOp(.copy, out: c, a: s)
                } else {
                    out.a = slot(op.a)
                    out.b = slot(op.b)
                }
            case .add, .sub, .mul, .div:
                out.a = slot(op.a)
                out.b = slot(op.b)
            default:
                out.a = slot(op.a)
            }
            start -= 1
            child[start] = out
        }
        return (start, count - start, childOutput, Int(nextSlot))
    }
}
