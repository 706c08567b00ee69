import LatheIR

extension VMProgram {
    /// The program as an IR function `(x, y) -> value`: scalar f32, or f32x4 lanes (4 pixels per call).
    ///
    /// `min`/`max` become `fmin`/`fmax`; those propagate NaN from either operand (the renderer's
    /// minps-style operations only from the first), which differs only where a NaN occurs.
    public func irFunction(name: String = "eval", lanes: Int = 1) -> Function {
        precondition(lanes == 1 || lanes == 4)
        let type: IRType = lanes == 1 ? .f32 : .f32x4
        var b = FunctionBuilder(name: name, signature: Signature(params: [type, type], results: [type]))
        let entry = b.createBlock()
        let params = b.appendFunctionParams(entry)
        b.switchToBlock(entry)
        b.sealBlock(entry)
        var values: [Value] = []
        values.reserveCapacity(instructions.count)
        for inst in instructions {
            let a = inst.op.arity >= 1 ? values[Int(inst.a)] : params[0]
            let c = inst.op.arity == 2 ? values[Int(inst.b)] : params[0]
            let v: Value
            switch inst.op {
            case .varX: v = params[0]
            case .varY: v = params[1]
            case .const:
                let s = b.f32const(inst.value)
                v = lanes == 1 ? s : b.splat(.f32x4, s)
            case .add: v = b.fadd(a, c)
            case .sub: v = b.fsub(a, c)
            case .mul: v = b.fmul(a, c)
            case .div: v = b.fdiv(a, c)
            case .min: v = b.fmin(a, c)
            case .max: v = b.fmax(a, c)
            case .neg: v = b.fneg(a)
            case .square: v = b.fmul(a, a)
            case .sqrt: v = b.sqrt(a)
            case .abs: v = b.fabs(a)
            }
            values.append(v)
        }
        b.return([values[values.count - 1]])
        return b.finalize()
    }
}
