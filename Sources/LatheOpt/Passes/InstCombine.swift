import LatheEntity
import LatheIR

/// `instcombine`: local algebraic rewrites of one instruction, looking at its operands' definitions.
///
/// Each rule below states its precondition beside it. Integer rules hold for wrapping arithmetic of
/// the operand width; a rule never removes a trap (division by a constant it rewrites is by a
/// nonzero constant) and never adds one. Float rules are only the bit-exact ones (sign-bit moves):
/// wasm lets arithmetic choose NaN bits, so `x * 1.0 → x` and the like are not done. An instruction
/// whose operands are all constants is folded by the interpreter (`ConstantFolding`).
///
/// Sweeps the function in layout order until a sweep changes nothing (at most `maxSweeps`); each
/// instruction is rewritten repeatedly until no rule applies. Replaced results become aliases,
/// resolved before returning. Instructions the rewrites left unused (operands and constants no longer
/// needed) are erased; those that were dead before stay for `dce`. Scalar negation and complement stay
/// in their wasm forms (`0 - x`, `x ^ -1`): scalar `ineg`/`bnot` have no wasm instruction.
public struct InstCombine: FunctionPass {
    public init() {}
    public var name: String { "instcombine" }
    public var summary: String { "Local algebraic simplifications (identities, strength reduction, reassociation of constants, canonical operand order)." }
    /// Terminators are never touched, so the control flow stays as it is.
    public var preserves: Analyses { .all }

    static let maxSweeps = 4
    static let maxStepsPerInst = 16

    public func run(_ f: inout Function, _ analyses: inout AnalysisCache) -> Bool {
        var changed = false
        let usesBefore = f.useCounts()
        let firstNewInst = f.dfg.instCount
        for _ in 0..<Self.maxSweeps {
            var sweepChanged = false
            var block = f.layout.entryBlock
            while let b = block {
                var next = f.layout.firstInst(b)
                while let inst = next {
                    next = f.layout.nextInst(inst)
                    var steps = 0
                    rewriting: while steps < Self.maxStepsPerInst, let rewrite = Combiner.simplify(&f, inst) {
                        steps += 1
                        switch rewrite {
                        case .value(let v):
                            // A result standing for itself (possible only in unreachable code) would be an alias cycle.
                            if f.dfg.results(of: inst).contains(f.dfg.resolve(v)) { break rewriting }
                            f.replaceInst(inst, with: [v])
                            sweepChanged = true
                            break rewriting
                        case .data(let d):
                            f.dfg[inst] = d
                            sweepChanged = true
                        }
                    }
                }
                block = f.layout.nextBlock(b)
            }
            changed = changed || sweepChanged
            if !sweepChanged { break }
        }
        if changed {
            f.dfg.resolveAllAliases()
            f.eraseLeftovers(usesBefore: usesBefore, firstNewInst: firstNewInst)
        }
        return changed
    }
}

/// What a rule does with an instruction: its result becomes an existing value, or it becomes other data with the same result type.
enum Rewrite {
    case value(Value)
    case data(InstructionData)
}

/// The rules; each takes the function (to read definitions and insert constants before the instruction).
enum Combiner {
    /// The first rule that applies to `inst`, or nil.
    static func simplify(_ f: inout Function, _ inst: Inst) -> Rewrite? {
        let d = f.dfg[inst]
        switch d.opcode.format {
        case .unary, .binary, .ternary, .intCompare, .floatCompare: break
        default: return nil
        }
        guard f.dfg.resultCount(inst) == 1, let result = f.dfg.firstResult(inst) else { return nil }
        if let folded = foldConstants(&f, inst, result) { return folded }
        var c = Context(inst: inst, d: d, resultType: f.dfg.type(of: result))
        c.a = f.dfg.resolve(Value(index: Int(d.a)))
        c.b = f.dfg.resolve(Value(index: Int(d.b)))
        c.c = f.dfg.resolve(Value(index: Int(d.c)))
        switch d.opcode.format {
        case .binary: return binary(&f, c)
        case .unary: return unary(&f, c)
        case .intCompare: return intCompare(&f, c)
        case .ternary: return d.opcode == .select ? select(&f, c) : nil
        default: return nil
        }
    }

    /// The instruction being simplified and its operands (resolved; only those of its format are meaningful).
    struct Context {
        var inst: Inst
        var d: InstructionData
        var resultType: IRType
        var a = Value.reservedValue, b = Value.reservedValue, c = Value.reservedValue

        /// `d` with other operands; with an opcode given, fresh data holding only what is passed.
        func with(_ op: Opcode? = nil, a: Value, b: Value? = nil, imm8: UInt8? = nil) -> InstructionData {
            var n = op.map { InstructionData(opcode: $0) } ?? d
            n.a = a.raw
            if let b { n.b = b.raw }
            if let imm8 { n.imm8 = imm8 }
            return n
        }
    }

    // MARK: helpers

    static func isScalarInt(_ t: IRType) -> Bool { t == .i32 || t == .i64 }

    /// The constant `iconst` bits of `v`, masked to its type's width.
    static func constant(_ f: Function, _ v: Value) -> UInt64? {
        guard let i = f.definingInst(v), f.layout.block(of: i) != nil, f.dfg[i].opcode == .iconst else { return nil }
        return f.dfg[i].imm64 & Semantics.mask(f.dfg.type(of: v).bits)
    }

    /// The instruction defining `v` and its data, when it is in the layout.
    static func definition(_ f: Function, _ v: Value) -> (Inst, InstructionData)? {
        guard let i = f.definingInst(v), f.layout.block(of: i) != nil else { return nil }
        return (i, f.dfg[i])
    }

    /// `iconst.t bits` inserted just before `inst`.
    static func makeConstant(_ f: inout Function, _ t: IRType, _ bits: UInt64, before inst: Inst) -> Value {
        f.insertValue(ConstantFolding.constantData(t, bits & Semantics.mask(t.bits)), ctrl: t, before: inst)
    }

    static func operand(_ d: InstructionData, _ k: Int) -> Value { Value(index: Int(k == 0 ? d.a : k == 1 ? d.b : d.c)) }

    /// Folds an instruction whose operands are all `iconst`/`fconst` (the interpreter computes; see `ConstantFolding.fold`).
    static func foldConstants(_ f: inout Function, _ inst: Inst, _ result: Value) -> Rewrite? {
        let t = f.dfg.type(of: result)
        guard ConstantFolding.isScalar(t) else { return nil }
        var bits: [UInt64] = []
        for v in f.dfg.valueOperands(inst) {
            guard let i = f.definingInst(v), f.layout.block(of: i) != nil else { return nil }
            let d = f.dfg[i]
            guard d.opcode == .iconst || d.opcode == .fconst else { return nil }
            bits.append(d.imm64 & Semantics.mask(f.dfg.type(of: v).bits))
        }
        guard !bits.isEmpty, let out = ConstantFolding.fold(inst, in: f, operands: bits) else { return nil }
        return .value(f.insertValue(ConstantFolding.constantData(t, out), ctrl: t, before: inst))
    }

    static func isPowerOfTwo(_ x: UInt64) -> Bool { x != 0 && x & (x - 1) == 0 }

    /// Whether `v` is 0 or 1: an i32 produced by a scalar compare or `eqz`.
    static func isBoolean(_ f: Function, _ v: Value) -> Bool {
        guard f.dfg.type(of: v) == .i32, let (_, d) = definition(f, v) else { return false }
        switch d.opcode {
        case .eqz: return true
        case .icmp, .fcmp: return !f.dfg.type(of: operand(d, 0)).isVector
        default: return false
        }
    }

    // MARK: binary

    static func binary(_ f: inout Function, _ c: Context) -> Rewrite? {
        let op = c.d.opcode
        let t = f.dfg.type(of: c.a)
        let (x, y) = (c.a, c.b)

        // Same operand twice. Precondition: none (bitwise and min/max identities hold lane-wise for any type).
        if x == y {
            switch op {
            case .band, .bor, .smin, .smax, .umin, .umax: return .value(x)  // x&x = x|x = min(x,x) = max(x,x) = x
            case .isub, .bxor, .bandNot:
                // x-x = x^x = x&~x = 0 (scalars: a vector zero would need a vconst)
                if isScalarInt(t) { return .value(makeConstant(&f, t, 0, before: c.inst)) }
            default: break
            }
        }
        guard isScalarInt(t) else { return nil }
        let m = Semantics.mask(t.bits)
        let w = UInt64(t.bits)
        let cx = constant(f, x), cy = constant(f, y)

        // Commutative ops: constant to the right. Precondition: op is commutative and only the left operand is constant.
        if [.iadd, .imul, .band, .bor, .bxor].contains(op), cx != nil, cy == nil {
            return .data(c.with(a: y, b: x))
        }
        // Constant left operand of shifts: 0 shifted or rotated stays 0; -1 stays -1 under sshr and rotations.
        if let k = cx, [.ishl, .sshr, .ushr, .rotl, .rotr].contains(op) {
            if k == 0 || (k == m && op != .ishl && op != .ushr) { return .value(x) }
        }
        // 0 - (0 - x) → x. Precondition: wrapping subtraction. (Scalar `ineg`/`bnot` have no wasm
        // instruction, so the wasm forms 0 - x and x ^ -1 are the canonical ones here.)
        if op == .isub, cx == 0, let (_, inner) = definition(f, y), inner.opcode == .isub, constant(f, operand(inner, 0)) == 0 {
            return .value(operand(inner, 1))
        }
        guard let k = cy else { return nil }

        switch op {
        case .iadd:
            if k == 0 { return .value(x) }  // x + 0 = x
            if let r = reassociate(&f, c, k) { return r }
        case .isub:
            if k == 0 { return .value(x) }  // x - 0 = x
            // x - c → x + (-c). Precondition: wrapping arithmetic mod 2^w, so both are x + (2^w - c).
            return .data(c.with(.iadd, a: x, b: makeConstant(&f, t, (0 &- k) & m, before: c.inst)))
        case .imul:
            if k == 0 { return .value(y) }  // x * 0 = 0 (integers only: no NaN)
            if k == 1 { return .value(x) }  // x * 1 = x
            if k == m { return .data(c.with(.isub, a: makeConstant(&f, t, 0, before: c.inst), b: x)) }  // x * -1 = 0 - x mod 2^w
            if let r = reassociate(&f, c, k) { return r }
            // x * 2^n → x << n. Precondition: 0 < n < w; wrapping multiplication by 2^n is a left shift.
            if isPowerOfTwo(k) { return .data(c.with(.ishl, a: x, b: makeConstant(&f, t, UInt64(k.trailingZeroBitCount), before: c.inst))) }
        case .band:
            if k == m { return .value(x) }  // x & -1 = x
            if k == 0 { return .value(y) }  // x & 0 = 0
            if let r = reassociate(&f, c, k) { return r }
        case .bor:
            if k == 0 { return .value(x) }  // x | 0 = x
            if k == m { return .value(y) }  // x | -1 = -1
            if let r = reassociate(&f, c, k) { return r }
        case .bxor:
            if k == 0 { return .value(x) }  // x ^ 0 = x
            if let r = reassociate(&f, c, k) { return r }
        case .bandNot:
            // x & ~c → x & (~c): the constant's complement is known. Precondition: none.
            return .data(c.with(.band, a: x, b: makeConstant(&f, t, ~k & m, before: c.inst)))
        case .ishl, .sshr, .ushr, .rotl, .rotr:
            // Shifts and rotations use the amount mod w (wasm semantics), so reduce it.
            let s = k % w
            if s == 0 { return .value(x) }  // by a multiple of w: no change
            if s != k { return .data(c.with(a: x, b: makeConstant(&f, t, s, before: c.inst))) }
            // (x << a) << b → x << (a + b), (x >>u a) >>u b → x >>u (a + b). Precondition: a, b already
            // reduced mod w and a + b < w (then each shift is exact and shifts compose); same op both times.
            if op == .ishl || op == .ushr, let (_, inner) = definition(f, x), inner.opcode == op,
               let a = constant(f, operand(inner, 1)), a < w, a + s < w {
                return .data(c.with(a: operand(inner, 0), b: makeConstant(&f, t, a + s, before: c.inst)))
            }
        case .udiv:
            if k == 1 { return .value(x) }  // x /u 1 = x (no trap: divisor nonzero)
            // x /u 2^n → x >>u n. Precondition: the divisor is a nonzero power of two, so no trap is removed.
            if isPowerOfTwo(k) { return .data(c.with(.ushr, a: x, b: makeConstant(&f, t, UInt64(k.trailingZeroBitCount), before: c.inst))) }
        case .urem:
            // x %u 2^n → x & (2^n - 1). Precondition: the divisor is a nonzero power of two (no trap removed).
            if isPowerOfTwo(k) { return .data(c.with(.band, a: x, b: makeConstant(&f, t, k - 1, before: c.inst))) }
        case .sdiv:
            if k == 1 { return .value(x) }  // x /s 1 = x, INT_MIN included (only /-1 overflows); never traps
        case .srem:
            // x %s 1 = x %s -1 = 0. Precondition: divisor ±1; wasm defines INT_MIN %s -1 = 0 (no trap).
            if k == 1 || k == m { return .value(makeConstant(&f, t, 0, before: c.inst)) }
        default:
            break
        }
        return nil
    }

    /// (x op c1) op c2 → x op (c1 op c2) for op in iadd, imul, band, bor, bxor. Precondition: op is
    /// associative under wrapping arithmetic; the inner instruction stays (it may have other uses).
    static func reassociate(_ f: inout Function, _ c: Context, _ k: UInt64) -> Rewrite? {
        let op = c.d.opcode
        guard let (_, inner) = definition(f, c.a), inner.opcode == op, let k1 = constant(f, operand(inner, 1)) else { return nil }
        let t = f.dfg.type(of: c.a)
        guard case .success(let combined) = Semantics.intBinary(op, k1, k, t.bits) else { return nil }
        return .data(c.with(a: operand(inner, 0), b: makeConstant(&f, t, combined, before: c.inst)))
    }

    // MARK: unary

    static func unary(_ f: inout Function, _ c: Context) -> Rewrite? {
        let op = c.d.opcode
        guard let (_, inner) = definition(f, c.a) else { return nil }
        let innerOperand = operand(inner, 0)
        switch op {
        case .ineg, .bnot, .fneg:
            // -(-x) = x, ~~x = x (wrapping), fneg(fneg x) = x (flips the sign bit twice: bit-exact, NaNs too).
            if inner.opcode == op { return .value(innerOperand) }
        case .fabs:
            if inner.opcode == .fabs { return .value(c.a) }  // fabs(fabs x) = fabs x (clears the sign bit once)
            if inner.opcode == .fneg { return .data(c.with(a: innerOperand)) }  // fabs(fneg x) = fabs x: the sign bit is cleared anyway
        case .eqz:
            // eqz(icmp cc a, b) → icmp !cc a, b. Precondition: a scalar icmp gives 0 or 1; the inverse condition is its negation.
            if inner.opcode == .icmp, !f.dfg.type(of: innerOperand).isVector {
                return .data(c.with(.icmp, a: innerOperand, b: operand(inner, 1), imm8: inner.intCC.inverse.rawValue))
            }
            // eqz(eqz b) → b. Precondition: b is 0 or 1 (a scalar compare or eqz result).
            if inner.opcode == .eqz, isBoolean(f, innerOperand) { return .value(innerOperand) }
        case .ireduce:
            // ireduce(uextend x) = ireduce(sextend x) = x: the low 32 bits of the extension are x.
            if inner.opcode == .uextend || inner.opcode == .sextend, f.dfg.type(of: innerOperand) == c.resultType {
                return .value(innerOperand)
            }
        case .bitcast:
            // bitcast(bitcast x) = x when x has the result's type: bit patterns are kept exactly.
            if inner.opcode == .bitcast, f.dfg.type(of: innerOperand) == c.resultType { return .value(innerOperand) }
        default:
            break
        }
        return nil
    }

    // MARK: compares and select

    static func intCompare(_ f: inout Function, _ c: Context) -> Rewrite? {
        let t = f.dfg.type(of: c.a)
        guard isScalarInt(t) else { return nil }
        let cc = c.d.intCC
        // x cc x: true for the reflexive conditions. Precondition: integers (no NaN).
        if c.a == c.b {
            let reflexive: Bool = [.eq, .sle, .sge, .ule, .uge].contains(cc)
            return .value(makeConstant(&f, .i32, reflexive ? 1 : 0, before: c.inst))
        }
        let ka = constant(f, c.a), kb = constant(f, c.b)
        // c cc x → x swap(cc) c: the same comparison read from the other side.
        if ka != nil, kb == nil { return .data(c.with(a: c.b, b: c.a, imm8: cc.swapped.rawValue)) }
        guard let k = kb else { return nil }
        // Unsigned compares with 0: x <u 0 is false, x >=u 0 is true.
        if k == 0, cc == .ult || cc == .uge { return .value(makeConstant(&f, .i32, cc == .uge ? 1 : 0, before: c.inst)) }
        // b != 0 → b and b == 0 → eqz b. Precondition: b is 0 or 1 (a scalar compare or eqz).
        if k == 0, cc == .ne, isBoolean(f, c.a) { return .value(c.a) }
        if k == 0, cc == .eq, isBoolean(f, c.a) { return .data(c.with(.eqz, a: c.a)) }
        return nil
    }

    static func select(_ f: inout Function, _ c: Context) -> Rewrite? {
        // select c, x, x = x whatever c is.
        if c.b == c.c { return .value(c.b) }
        // A constant condition picks its arm (the interpreter tests the low 32 bits, as wasm's i32 condition).
        if let k = constant(f, c.a) { return .value(k & 0xffff_ffff != 0 ? c.b : c.c) }
        // select (eqz k), x, y → select k, y, x: eqz k is nonzero exactly when k is zero.
        if let (_, inner) = definition(f, c.a), inner.opcode == .eqz, f.dfg.type(of: operand(inner, 0)) == .i32 {
            var n = c.d
            n.a = operand(inner, 0).raw
            n.b = c.c.raw
            n.c = c.b.raw
            return .data(n)
        }
        return nil
    }
}
