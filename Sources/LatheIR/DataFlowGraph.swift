import LatheEntity

/// What each instruction computes and what each value is; says nothing about order (see `Layout`).
public struct DataFlowGraph: Sendable {
    public private(set) var insts = PrimaryMap<Inst, InstructionData>()
    public private(set) var values = PrimaryMap<Value, ValueData>()
    public private(set) var results = SecondaryMap<Inst, ValueList>(default: ValueList())
    public private(set) var blockParams = PrimaryMap<Block, ValueList>()
    /// Operand lists, block calls and result lists.
    public var pool = ListPool<Value>()
    /// Vector constants and shuffle masks (16 or 32 bytes, little-endian lane order).
    public var constants = PrimaryMap<ConstRef, [UInt8]>()
    /// `br_table` destinations: the default block call first.
    public var jumpTables = PrimaryMap<JumpTableRef, [ValueList]>()

    public init() {}

    /// Makes room for about `n` more instructions and as many values without reallocating.
    public mutating func reserveCapacity(instructions n: Int) {
        insts.reserveCapacity(insts.count + n)
        values.reserveCapacity(values.count + n)
        results.reserveCapacity(insts.count + n)
        // A result list takes a 4-slot block; block calls and argument lists take more.
        pool.reserveCapacity(pool.storageSlots + 6 * n)
    }

    public var instCount: Int { insts.count }
    public var valueCount: Int { values.count }
    public var blockCount: Int { blockParams.count }

    public subscript(inst: Inst) -> InstructionData {
        get { insts[inst] }
        set { insts[inst] = newValue }
    }

    public func isValid(_ v: Value) -> Bool { values.isValid(v) }
    public func isValid(_ i: Inst) -> Bool { insts.isValid(i) }
    public func isValid(_ b: Block) -> Bool { blockParams.isValid(b) }

    // MARK: values

    @inlinable public func type(of v: Value) -> IRType { values[v].type }
    public func definition(of v: Value) -> ValueDef { values[v].def }

    /// Follows alias links to the value that really defines `v`.
    public func resolve(_ v: Value) -> Value {
        var v = v
        var steps = 0
        while case .alias(let target) = values[v].def {
            v = target
            steps += 1
            precondition(steps <= values.count, "alias cycle at \(v)")
        }
        return v
    }

    /// Changes the type of `v` (for lowerings that erase distinctions, such as vector lane shapes; breaks verification otherwise).
    public mutating func setType(_ v: Value, _ type: IRType) {
        values[v] = ValueData(type: type, def: values[v].def)
    }

    /// Makes `v` an alias of `target`: every use of `v` now means `target`.
    public mutating func makeAlias(_ v: Value, of target: Value) {
        precondition(resolve(target) != v, "alias would create a cycle")
        values[v] = ValueData(type: values[v].type, def: .alias(target))
    }

    // MARK: blocks

    public mutating func makeBlock() -> Block { blockParams.push(ValueList()) }

    @inlinable public func params(_ block: Block) -> [Value] { pool.elements(blockParams[block]) }
    @inlinable public func paramCount(_ block: Block) -> Int { pool.count(blockParams[block]) }

    @discardableResult
    public mutating func appendParam(_ block: Block, type: IRType) -> Value {
        let n = pool.count(blockParams[block])
        let v = values.push(ValueData(type: type, def: .param(block, n)))
        pool.push(v, to: &blockParams[block])
        return v
    }

    /// Removes parameter `index` of `block`, renumbering later parameters; the value itself stays (use `makeAlias`).
    public mutating func removeParam(_ block: Block, at index: Int) {
        pool.remove(at: index, from: &blockParams[block])
        for (n, p) in params(block).enumerated() where n >= index {
            values[p] = ValueData(type: values[p].type, def: .param(block, n))
        }
    }

    // MARK: instructions

    /// Adds an instruction with no results yet (see `makeResults`).
    public mutating func makeInst(_ data: InstructionData) -> Inst { insts.push(data) }

    /// Gives `inst` one result per type.
    public mutating func makeResults(_ inst: Inst, types: [IRType]) {
        var list = results[inst]
        pool.clear(&list)
        for (n, t) in types.enumerated() {
            pool.push(values.push(ValueData(type: t, def: .result(inst, n))), to: &list)
        }
        results[inst] = list
    }

    /// Gives `inst`, which has no results yet, one result of type `type`.
    @discardableResult
    public mutating func makeResult(_ inst: Inst, type: IRType) -> Value {
        var list = results[inst]
        precondition(list.handle == 0, "\(inst) already has results")
        let v = values.push(ValueData(type: type, def: .result(inst, 0)))
        pool.push(v, to: &list)
        results[inst] = list
        return v
    }

    @inlinable public func results(of inst: Inst) -> [Value] { pool.elements(results[inst]) }
    @inlinable public func resultCount(_ inst: Inst) -> Int { pool.count(results[inst]) }
    @inlinable public func firstResult(_ inst: Inst) -> Value? { resultCount(inst) > 0 ? pool.get(results[inst], 0) : nil }

    /// Makes a `ValueList` block call: the destination then its arguments.
    public mutating func makeBlockCall(_ block: Block, _ args: [Value]) -> ValueList {
        var list = ValueList()
        pool.push(Value(index: block.index), to: &list)
        for a in args { pool.push(a, to: &list) }
        return list
    }

    public func blockCallTarget(_ call: ValueList) -> Block { Block(index: pool.get(call, 0).index) }
    public func blockCallArgs(_ call: ValueList) -> [Value] { Array(pool.elements(call).dropFirst()) }
    /// Argument `i` of a block call (without building the argument array).
    public func blockCallArg(_ call: ValueList, _ i: Int) -> Value { pool.get(call, i + 1) }

    /// Number of block calls of `inst`: 1 for `jump`, 2 for `brif`, the table size for `br_table`, 0 otherwise.
    @inlinable public func blockCallCount(_ inst: Inst) -> Int {
        let d = insts[inst]
        switch d.opcode.format {
        case .jump: return 1
        case .branch: return 2
        case .branchTable: return jumpTables[JumpTableRef(index: Int(d.b))].count
        default: return 0
        }
    }

    /// Block call `edge` of a branch (index into `blockCalls`), without building the array.
    @inlinable public func blockCall(_ inst: Inst, edge: Int) -> ValueList {
        let d = insts[inst]
        switch d.opcode.format {
        case .jump: return ValueList(handle: d.a)
        case .branch: return ValueList(handle: edge == 0 ? d.b : d.c)
        case .branchTable: return jumpTables[JumpTableRef(index: Int(d.b))][edge]
        default: preconditionFailure("\(d.opcode.name) has no destinations")
        }
    }

    /// The block calls of a branch, in text order (for `br_table`: default first).
    public func blockCalls(_ inst: Inst) -> [ValueList] {
        let d = insts[inst]
        switch d.opcode.format {
        case .jump: return [ValueList(handle: d.a)]
        case .branch: return [ValueList(handle: d.b), ValueList(handle: d.c)]
        case .branchTable: return jumpTables[JumpTableRef(index: Int(d.b))]
        default: return []
        }
    }

    /// Destination blocks of a branch (duplicates kept: `brif v0, block1, block1` lists block1 twice).
    public func successors(_ inst: Inst) -> [Block] { blockCalls(inst).map(blockCallTarget) }

    /// Appends `arg` to destination `edge` (index into `blockCalls`) of branch `inst`.
    public mutating func appendBranchArg(_ inst: Inst, edge: Int, _ arg: Value) {
        let d = insts[inst]
        switch d.opcode.format {
        case .jump:
            var l = ValueList(handle: d.a); pool.push(arg, to: &l); insts[inst].a = l.handle
        case .branch:
            if edge == 0 { var l = ValueList(handle: d.b); pool.push(arg, to: &l); insts[inst].b = l.handle }
            else { var l = ValueList(handle: d.c); pool.push(arg, to: &l); insts[inst].c = l.handle }
        case .branchTable:
            let jt = JumpTableRef(index: Int(d.b))
            pool.push(arg, to: &jumpTables[jt][edge])
        default: preconditionFailure("\(d.opcode.name) has no destinations")
        }
    }

    /// Removes argument `argIndex` (0 = first argument after the block) from destination `edge` of `inst`.
    public mutating func removeBranchArg(_ inst: Inst, edge: Int, argIndex: Int) {
        let d = insts[inst]
        switch d.opcode.format {
        case .jump:
            var l = ValueList(handle: d.a); pool.remove(at: argIndex + 1, from: &l); insts[inst].a = l.handle
        case .branch:
            if edge == 0 { var l = ValueList(handle: d.b); pool.remove(at: argIndex + 1, from: &l); insts[inst].b = l.handle }
            else { var l = ValueList(handle: d.c); pool.remove(at: argIndex + 1, from: &l); insts[inst].c = l.handle }
        case .branchTable:
            let jt = JumpTableRef(index: Int(d.b))
            pool.remove(at: argIndex + 1, from: &jumpTables[jt][edge])
        default: preconditionFailure("\(d.opcode.name) has no destinations")
        }
    }

    /// The value list holding a call's callee/arguments or a return's values.
    func operandList(_ d: InstructionData) -> ValueList? {
        switch d.opcode.format {
        case .call, .callIndirect, .callRef, .return: ValueList(handle: d.b)
        default: nil
        }
    }

    /// Every value operand of `inst`, in the order the printer writes them (block-call arguments included).
    public func valueOperands(_ inst: Inst) -> [Value] {
        let d = insts[inst]
        func v(_ x: UInt32) -> Value { Value(index: Int(x)) }
        switch d.opcode.format {
        case .nullary, .intConst, .floatConst, .vectorConst, .memorySize, .globalGet, .tableSize, .refNull, .refFunc, .trap, .segmentDrop:
            return []
        case .unary, .extractLane, .load, .memoryGrow, .condTrap: return [v(d.a)]
        case .binary, .intCompare, .floatCompare, .shuffle, .insertLane, .store, .memoryLane: return [v(d.a), v(d.b)]
        case .ternary, .memoryCopy, .memoryFill, .memoryInit, .tableInit, .tableCopy, .tableFill: return [v(d.a), v(d.b), v(d.c)]
        case .globalSet, .tableGet: return [v(d.b)]
        case .tableSet, .tableGrow: return [v(d.b), v(d.c)]
        case .call, .callIndirect, .callRef, .return: return pool.elements(ValueList(handle: d.b))
        case .jump, .branchTable, .branch:
            var out: [Value] = d.opcode.format == .jump ? [] : [v(d.a)]
            for call in blockCalls(inst) { out += blockCallArgs(call) }
            return out
        }
    }

    /// Rewrites every value operand of `inst` through `transform` (same order as `valueOperands`).
    public mutating func mapValueOperands(_ inst: Inst, _ transform: (Value) -> Value) {
        var d = insts[inst]
        func t(_ x: UInt32) -> UInt32 { transform(Value(index: Int(x))).raw }
        func mapList(_ list: ValueList, skipFirst: Bool) {
            let n = pool.count(list)
            for i in (skipFirst ? 1 : 0)..<max(n, skipFirst ? 1 : 0) {
                pool.set(list, i, transform(pool.get(list, i)))
            }
        }
        switch d.opcode.format {
        case .nullary, .intConst, .floatConst, .vectorConst, .memorySize, .globalGet, .tableSize, .refNull, .refFunc, .trap, .segmentDrop:
            break
        case .unary, .extractLane, .load, .memoryGrow, .condTrap: d.a = t(d.a)
        case .binary, .intCompare, .floatCompare, .shuffle, .insertLane, .store, .memoryLane: d.a = t(d.a); d.b = t(d.b)
        case .ternary, .memoryCopy, .memoryFill, .memoryInit, .tableInit, .tableCopy, .tableFill: d.a = t(d.a); d.b = t(d.b); d.c = t(d.c)
        case .globalSet, .tableGet: d.b = t(d.b)
        case .tableSet, .tableGrow: d.b = t(d.b); d.c = t(d.c)
        case .call, .callIndirect, .callRef, .return: mapList(ValueList(handle: d.b), skipFirst: false)
        case .jump, .branch, .branchTable:
            if d.opcode.format != .jump { d.a = t(d.a) }
            insts[inst] = d
            for call in blockCalls(inst) { mapList(call, skipFirst: true) }
            return
        }
        insts[inst] = d
    }

    /// Replaces aliased operands by the values they stand for, in every instruction.
    public mutating func resolveAllAliases() {
        let snapshot = values
        func resolved(_ v: Value) -> Value {
            var v = v
            while case .alias(let target) = snapshot[v].def { v = target }
            return v
        }
        for i in insts.keys { mapValueOperands(i, resolved) }
    }
}

extension DataFlowGraph {
    /// A value standing for one not yet defined (parser forward references); becomes an alias later.
    mutating func makePlaceholder() -> Value {
        values.push(ValueData(type: .i32, def: .param(Block.reservedValue, 0)))
    }
}
