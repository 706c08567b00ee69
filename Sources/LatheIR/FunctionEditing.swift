import LatheEntity

/// Edits optimization passes share: inserting typed instructions anywhere, replacing an instruction
/// by values, counting uses.
///
/// Replacing works through aliases; a pass that replaced anything calls `dfg.resolveAllAliases()`
/// before it returns, because later passes and the lowerer read operands directly.
extension Function {
    /// The controlling type of `data` when its opcode takes it from an operand, else nil.
    public func controllingType(of data: InstructionData) -> IRType? {
        guard case .operand(let n) = data.opcode.control else { return nil }
        func v(_ x: UInt32) -> Value { Value(index: Int(x)) }
        switch data.opcode.format {
        case .unary, .binary, .ternary, .intCompare, .floatCompare, .extractLane, .insertLane, .shuffle, .store, .memoryLane, .condTrap:
            return dfg.type(of: v(n == 0 ? data.a : n == 1 ? data.b : data.c))
        case .globalSet, .tableGet:
            return dfg.type(of: v(data.b))
        case .tableSet, .tableGrow:
            return dfg.type(of: v(n == 0 ? data.b : data.c))
        default:
            return nil
        }
    }

    /// The block defining `v` (aliases resolved): its block for a parameter, its instruction's block
    /// for a result; nil for an instruction not in the layout.
    public func definingBlock(_ v: Value) -> Block? {
        switch dfg.definition(of: dfg.resolve(v)) {
        case .param(let b, _): return b
        case .result(let i, _): return layout.block(of: i)
        case .alias: return nil
        }
    }

    /// Creates `data` with results typed from `ctrl` (or its controlling operand), not yet in the layout.
    ///
    /// Traps (`preconditionFailure`) when `data` is ill-typed: passes build instructions from operands
    /// they have checked, so a typing error here is a bug in the pass.
    public mutating func makeInst(_ data: InstructionData, ctrl: IRType? = nil) -> Inst {
        let ctrl = ctrl ?? controllingType(of: data)
        let inst = dfg.makeInst(data)
        switch quickResults(of: data, ctrl: ctrl) {
        case .none: break
        case .one(let t): dfg.makeResult(inst, type: t)
        case .slow:
            let typing: InstTyping
            do { typing = try self.typing(of: data, ctrl: ctrl) }
            catch { preconditionFailure("\(data.opcode.name): \(error.message)") }
            dfg.makeResults(inst, types: typing.results)
        }
        return inst
    }

    /// Inserts `data` just before `position` and returns it.
    @discardableResult
    public mutating func insertInst(_ data: InstructionData, ctrl: IRType? = nil, before position: Inst) -> Inst {
        let inst = makeInst(data, ctrl: ctrl)
        layout.insertInst(inst, before: position)
        return inst
    }

    /// Inserts a single-result `data` just before `position` and returns its result.
    public mutating func insertValue(_ data: InstructionData, ctrl: IRType? = nil, before position: Inst) -> Value {
        let inst = insertInst(data, ctrl: ctrl, before: position)
        return dfg.firstResult(inst)!
    }

    /// Makes each result of `inst` an alias of the value at the same position in `values`, and removes `inst` from the layout.
    public mutating func replaceInst(_ inst: Inst, with values: [Value]) {
        let results = dfg.results(of: inst)
        precondition(results.count == values.count, "\(inst) has \(results.count) results, replaced by \(values.count) values")
        for (r, v) in zip(results, values) where r != v { dfg.makeAlias(r, of: v) }
        layout.removeInst(inst)
    }

    /// How many times each value (aliases resolved) is an operand of an instruction in the layout.
    public func useCounts() -> SecondaryMap<Value, Int32> {
        var uses = SecondaryMap<Value, Int32>(default: 0)
        var block = layout.entryBlock
        while let b = block {
            var inst = layout.firstInst(b)
            while let i = inst {
                for v in dfg.valueOperands(i) { uses[dfg.resolve(v)] += 1 }
                inst = layout.nextInst(i)
            }
            block = layout.nextBlock(b)
        }
        return uses
    }

    /// The instruction defining `v` (aliases resolved), if a result defines it.
    public func definingInst(_ v: Value) -> Inst? {
        if case .result(let i, _) = dfg.definition(of: dfg.resolve(v)) { return i }
        return nil
    }

    /// The 64-bit immediate of `v` when an `iconst` defines it.
    public func intConstant(_ v: Value) -> UInt64? {
        guard let i = definingInst(v), dfg[i].opcode == .iconst else { return nil }
        return dfg[i].imm64
    }

    /// This function's declaration of the external function called `name`, if it has one.
    public func functionRef(named name: String) -> FuncRef? {
        functionRefs.keys.first { functionRefs[$0].name == name }
    }
}
