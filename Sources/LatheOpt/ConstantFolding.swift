import LatheIR

/// Constant folding shared by `sccp` and `instcombine`: the interpreter computes, this decides whether the answer may replace the code.
enum ConstantFolding {
    /// Whether constants of `t` are folded: scalar numbers (vectors and references never are).
    static func isScalar(_ t: IRType) -> Bool { t == .i32 || t == .i64 || t == .f32 || t == .f64 }

    /// Ops whose float results only move operand bits, so a NaN they produce is exactly determined.
    static func movesBitsOnly(_ op: Opcode) -> Bool {
        op == .fneg || op == .fabs || op == .fcopysign || op == .bitcast || op == .select || op == .bitselect
    }

    /// The bits of the single scalar result of `inst` when its operands hold `operands` (in operand
    /// order, scalar bits), computed by `Interpreter.evaluatePure`; nil when it must not be folded.
    ///
    /// Not folded: anything but a pure computation (loads, calls...), vector results, an op that traps on
    /// these inputs (it stays and traps at run time), and an arithmetic op producing a NaN: wasm lets the
    /// engine choose such a NaN's sign and payload, so the folded bits could differ from a real run.
    static func fold(_ inst: Inst, in f: Function, operands: [UInt64]) -> UInt64? {
        let d = f.dfg[inst]
        guard Interpreter.isPureFormat(d.opcode.format), d.opcode.effects.subtracting(.mayTrap).isEmpty,
              operands.count <= 3, f.dfg.resultCount(inst) == 1, let r = f.dfg.firstResult(inst) else { return nil }
        let t = f.dfg.type(of: r)
        guard isScalar(t) else { return nil }
        func lanes(_ k: Int) -> SIMD4<UInt64> { SIMD4(k < operands.count ? operands[k] : 0, 0, 0, 0) }
        guard case .success(let out)? = Interpreter.evaluatePure(inst, in: f.dfg, lanes(0), lanes(1), lanes(2)) else { return nil }
        let bits = out[0] & Semantics.mask(t.bits)
        if t.isFloat && !movesBitsOnly(d.opcode) && isNaN(bits, t) { return nil }
        return bits
    }

    static func isNaN(_ bits: UInt64, _ t: IRType) -> Bool {
        t == .f32 ? Float(bitPattern: UInt32(truncatingIfNeeded: bits)).isNaN : Double(bitPattern: bits).isNaN
    }

    /// `iconst`/`fconst` data holding `bits` (already masked to `t`'s width); pass `t` as the controlling type.
    static func constantData(_ t: IRType, _ bits: UInt64) -> InstructionData {
        InstructionData(opcode: t.isInt ? .iconst : .fconst, b: UInt32(truncatingIfNeeded: bits), c: UInt32(truncatingIfNeeded: bits >> 32))
    }
}
