import Testing
@testable import LatheProspero

@Suite struct IntervalTests {
    /// Points of the box: its corners, its centre, zero where it lies inside, and random points.
    static func points(_ x: FloatInterval, _ y: FloatInterval, _ rng: inout SplitMix, count: Int = 64) -> [(Float, Float)] {
        var xs = [x.lo, x.hi, (x.lo + x.hi) / 2], ys = [y.lo, y.hi, (y.lo + y.hi) / 2]
        if x.lo <= 0 && 0 <= x.hi { xs += [0, -0.0] }
        if y.lo <= 0 && 0 <= y.hi { ys += [0, -0.0] }
        var out: [(Float, Float)] = []
        for a in xs { for b in ys { out.append((a, b)) } }
        for _ in 0..<count { out.append((rng.float(x.lo, x.hi), rng.float(y.lo, y.hi))) }
        return out
    }

    static func check(_ text: String, _ x: FloatInterval, _ y: FloatInterval, _ rng: inout SplitMix) throws {
        let program = try VMProgram(parsing: text)
        let tape = Tape(program)
        let (interval, choices) = IntervalEvaluator.evaluate(tape, x: x, y: y)
        let simplified = simplify(tape, choices)
        for (px, py) in points(x, y, &rng) {
            let v = program.evaluate(x: px, y: py)
            #expect(interval.contains(v) && !(v.isNaN && !interval.isUnknown),
                    "\(text) over x \(x) y \(y): \(v) at (\(px), \(py)) outside \(interval)")
            let s = simplified.evaluate(x: px, y: py)
            #expect(s.bitPattern == v.bitPattern || (s.isNaN && v.isNaN), "simplified \(text) at (\(px), \(py)): \(s) vs \(v)")
        }
    }

    static func simplify(_ tape: Tape, _ choices: [UInt8]) -> Tape {
        var map = [UInt32](repeating: TapeSimplifier.none, count: tape.slotCount)
        var free = [UInt32](repeating: 0, count: tape.slotCount + 1)
        var child = [TapeOp](repeating: TapeOp(.const, out: 0), count: tape.ops.count)
        let r = tape.ops.withUnsafeBufferPointer { ops in
            choices.withUnsafeBufferPointer { c in
                TapeSimplifier.simplify(ops.baseAddress!, count: ops.count, output: tape.output, choices: c.baseAddress!,
                                        map: map.withUnsafeMutableBufferPointer { $0.baseAddress! },
                                        free: free.withUnsafeMutableBufferPointer { $0.baseAddress! },
                                        into: child.withUnsafeMutableBufferPointer { $0.baseAddress! })
            }
        }
        #expect(map.allSatisfy { $0 == TapeSimplifier.none })
        return Tape(ops: Array(child[r.start..<tape.ops.count]), output: r.output, slotCount: r.slots)
    }

    static let boxes: [FloatInterval] = [
        FloatInterval(0, 1), FloatInterval(-1, 0), FloatInterval(-2, -1), FloatInterval(-1, 2), FloatInterval(-3, 0.5),
        FloatInterval(0.25, 0.25), FloatInterval(0, 0), FloatInterval(-0.5, 0.5), FloatInterval(1e-3, 4), FloatInterval(-1e30, 1e30),
    ]

    @Test(arguments: ["add", "sub", "mul", "div", "min", "max"])
    func binaryOperations(op: String) throws {
        var rng = SplitMix(seed: 1)
        for x in Self.boxes { for y in Self.boxes {
            try Self.check("x var-x\ny var-y\nr \(op) x y\n", x, y, &rng)
        } }
    }

    @Test(arguments: ["neg", "square", "sqrt", "abs"])
    func unaryOperations(op: String) throws {
        var rng = SplitMix(seed: 2)
        for x in Self.boxes {
            try Self.check("x var-x\nr \(op) x\n", x, FloatInterval(0, 0), &rng)
        }
    }

    @Test func immediateForms() throws {
        var rng = SplitMix(seed: 3)
        for c in ["2.5", "-0.75", "0"] {
            for body in ["add x c", "add c x", "sub x c", "sub c x", "mul x c", "mul c x", "div x c", "div c x", "min x c", "max c x"] {
                for x in Self.boxes { try Self.check("x var-x\nc const \(c)\nr \(body)\n", x, FloatInterval(0, 0), &rng) }
            }
        }
    }

    @Test func sqrtBelowZeroIsUnknown() {
        let tape = Tape(try! VMProgram(parsing: "x var-x\nr sqrt x\n"))
        #expect(IntervalEvaluator.evaluate(tape, x: FloatInterval(-1, 0), y: FloatInterval(0, 0)).result.isUnknown)
        #expect(IntervalEvaluator.evaluate(tape, x: FloatInterval(0, 4), y: FloatInterval(0, 0)).result == FloatInterval(0, 2))
        // A NaN never lets a min/max arm go, and an unknown interval is neither inside nor outside.
        let m = Tape(try! VMProgram(parsing: "x var-x\ns sqrt x\nc const 5\nr min s c\n"))
        let (r, choices) = IntervalEvaluator.evaluate(m, x: FloatInterval(-1, 1), y: FloatInterval(0, 0))
        #expect(r.isUnknown && !(r.hi < 0) && !(r.lo >= 0))
        #expect(choices.allSatisfy { $0 == Choice.both })
    }

    /// Random expressions over random boxes: the interval holds every sampled value, and the tape
    /// simplified under the recorded choices computes the same bits as the full program.
    @Test func randomExpressions() throws {
        var rng = SplitMix(seed: 4)
        let binary = ["add", "sub", "mul", "min", "max", "min", "max", "div"], unary = ["neg", "square", "sqrt", "abs"]
        for _ in 0..<300 {
            var lines = ["v0 var-x", "v1 var-y", "v2 const \(rng.float(-2, 2))"]
            for i in 3..<(8 + rng.int(30)) {
                if rng.int(4) == 0 {
                    lines.append("v\(i) \(unary[rng.int(unary.count)]) v\(rng.int(i))")
                } else if rng.int(6) == 0 {
                    lines.append("v\(i) const \(rng.float(-3, 3))")
                } else {
                    lines.append("v\(i) \(binary[rng.int(binary.count)]) v\(rng.int(i)) v\(i - 1 - rng.int(min(i, 4)))")
                }
            }
            let x0 = rng.float(-1, 1), y0 = rng.float(-1, 1)
            let x = FloatInterval(x0, x0 + rng.float(0, 0.5)), y = FloatInterval(y0, y0 + rng.float(0, 0.5))
            try Self.check(lines.joined(separator: "\n"), x, y, &rng)
        }
    }
}
