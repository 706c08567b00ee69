import LatheWasm

/// Builds valid, terminating programs from a seed, aimed at what optimizers get wrong.
///
/// Expressions are built bottom-up with their types known, so every module validates. Every loop
/// counts a private counter down from at most 4 (checked at the loop's top, so a `br` back to the
/// loop still counts), functions call only functions with higher indices (directly or through the
/// table), and the one recursive function clamps its depth parameter to 5 first and does not call
/// itself inside loops: every export terminates. Float values whose NaN bits the spec leaves open
/// are canonicalized before anything can see their bits (stores, reinterpretation, globals,
/// copysign's sign operand, splats and lane replacement), so memory and globals compare bit for bit.
public struct ProgramGenerator {
    /// Tuning knobs; the defaults suit the CI batch.
    public struct Options: Sendable {
        public var functions: ClosedRange<Int> = 2...5
        /// AST nodes each body may spend (roughly its size).
        public var nodesPerFunction: ClosedRange<Int> = 25...90
        public var simd = true
        public init() {}
    }

    var rng: SplitMix64
    let options: Options
    var program: FuzzProgram

    public init(seed: UInt64, options: Options = Options()) {
        rng = SplitMix64(seed: seed)
        self.options = options
        program = FuzzProgram(seed: seed)
    }

    /// The program for `seed`; the same seed always gives the same program.
    public static func generate(seed: UInt64, options: Options = Options()) -> FuzzProgram {
        var g = ProgramGenerator(seed: seed, options: options)
        return g.run()
    }

    var scalarTypes: [ValType] { options.simd ? [.i32, .i32, .i64, .i64, .f32, .f64, .v128] : [.i32, .i32, .i64, .i64, .f32, .f64] }

    mutating func randomType() -> ValType { rng.pick(scalarTypes) }

    mutating func run() -> FuzzProgram {
        let n = rng.range(options.functions)
        let recursive = n >= 2 && rng.chance(60) ? rng.below(n) : -1
        for i in 0..<n {
            var params = (0..<rng.range(0...3)).map { _ in randomType() }
            if i == recursive { params.insert(.i32, at: 0) }
            let resultCount = rng.pick([0, 1, 1, 1, 2, 2, 3])
            let results = (0..<resultCount).map { _ in randomType() }
            program.functions.append(FuzzFunction(params: params, results: results, locals: [], body: [], exported: true))
        }
        for _ in 0..<rng.range(1...4) {
            let t = randomType()
            program.globals.append(FuzzGlobal(type: t, mutable: rng.chance(80), initialBits: Values.edgeBits(t, &rng)))
        }
        program.memoryPages = (1, UInt64(rng.range(1...3)))
        for _ in 0..<rng.range(0...3) {
            let offset = UInt32(rng.pick([0, 8, 64, 1000, 65_520]))
            program.data.append((offset, (0..<rng.range(1...16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
        }
        if n > 1 && rng.chance(70) { program.table = (0..<n).map { Optional($0) } + [nil] }
        for i in 0..<n {
            var b = BodyBuilder(program: program, index: i, recursive: i == recursive, simd: options.simd, rng: rng,
                                budget: rng.range(options.nodesPerFunction))
            program.functions[i].body = b.body()
            program.functions[i].locals = Array(b.locals.dropFirst(program.functions[i].params.count))
            rng = SplitMix64(seed: b.rng.next())
        }
        return program
    }
}

/// Edge values and seeded argument tuples.
public enum Values {
    static let i32Edges: [UInt64] = [0, 1, 2, 7, 31, 32, 0xFF, 0x80, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFE, 65_532]
    static let i64Edges: [UInt64] = [0, 1, 2, 63, 64, 0xFFFF_FFFF, 0x1_0000_0000, 0x8000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ~0, ~1, 0xFFFF_FFFF_0000_0000]
    static let f32Edges: [UInt64] = [0, 0x8000_0000, 0x3F80_0000, 0xBF80_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000,
                                     0x7FA0_0001, 0x7FC1_2345, 0x0000_0001, 0x4F00_0000, 0xCF00_0000, 0x5F00_0000, 0x3F00_0000, 0x3FC0_0000, 0x4020_0000, 0x7F7F_FFFF]
    static let f64Edges: [UInt64] = [0, 0x8000_0000_0000_0000, 0x3FF0_0000_0000_0000, 0xBFF0_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000,
                                     0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0000, 0x7FF4_0000_0000_0001, 0x7FF8_0000_0012_3456, 1,
                                     0x41E0_0000_0000_0000, 0xC1E0_0000_0000_0000, 0x43E0_0000_0000_0000, 0x3FE0_0000_0000_0000, 0x4004_0000_0000_0000]

    /// Bits of an interesting value of type `t`: an edge value, a small number or random bits.
    static func edgeBits(_ t: ValType, _ rng: inout SplitMix64) -> UInt64 {
        let roll = rng.below(10)
        switch t {
        case .i32:
            if roll < 5 { return rng.pick(i32Edges) }
            if roll < 8 { return UInt64(bitPattern: Int64(rng.range(-20...20))) }
            return rng.next() & 0xFFFF_FFFF
        case .i64:
            if roll < 5 { return rng.pick(i64Edges) }
            if roll < 8 { return UInt64(bitPattern: Int64(rng.range(-20...20))) }
            return rng.next()
        case .f32:
            if roll < 6 { return rng.pick(f32Edges) }
            if roll < 8 { return UInt64(Float(rng.range(-10...10)).bitPattern) }
            return rng.next() & 0xFFFF_FFFF
        case .f64:
            if roll < 6 { return rng.pick(f64Edges) }
            if roll < 8 { return Double(rng.range(-10...10)).bitPattern }
            return rng.next()
        default:
            return rng.next()
        }
    }

    /// A constant node with an interesting value of type `t`.
    static func constant(_ t: ValType, _ rng: inout SplitMix64) -> Node {
        if t == .v128 {
            let lo = rng.chance(50) ? rng.next() : edgeBits(.i64, &rng)
            let hi = rng.chance(30) ? lo : rng.next()
            return .inst(Instruction(.v128Const, .v128(V128(lo: lo, hi: hi))), [], results: [.v128])
        }
        return Node.constant(t, bits: edgeBits(t, &rng))
    }

    /// The argument tuples every export of a program is called with: `count` tuples derived from the seed.
    public static func argumentTuples(_ params: [ValType], seed: UInt64, function: Int, count: Int = 3) -> [[UInt64]] {
        var rng = SplitMix64(seed: SplitMix64.derive(seed, UInt64(function) + 1000))
        return (0..<count).map { k in
            params.map { t in
                if k == 0 { return 0 }
                if t == .v128 { return rng.next() }
                return edgeBits(t, &rng)
            }
        }
    }
}

/// A branch target while building a body: the values a branch to it carries.
struct Label {
    var types: [ValType]
}

/// Builds one function body.
struct BodyBuilder {
    let program: FuzzProgram
    let index: Int
    let recursive: Bool
    let simd: Bool
    var rng: SplitMix64
    var budget: Int
    var locals: [ValType]
    /// Locals generated code must not write: loop counters and the recursion depth.
    var reserved: Set<Int> = []
    var labels: [Label] = []
    var loopDepth = 0
    var selfCalls = 0
    var function: FuzzFunction { program.functions[index] }

    init(program: FuzzProgram, index: Int, recursive: Bool, simd: Bool, rng: SplitMix64, budget: Int) {
        self.program = program
        self.simd = simd
        self.index = index
        self.recursive = recursive
        self.rng = rng
        self.budget = budget
        locals = program.functions[index].params
    }

    mutating func randomType() -> ValType { rng.pick(simd ? [.i32, .i32, .i64, .i64, .f32, .f64, .v128] : [.i32, .i32, .i64, .i64, .f32, .f64]) }

    mutating func newLocal(_ t: ValType) -> UInt32 {
        locals.append(t)
        return UInt32(locals.count - 1)
    }

    static func get(_ l: UInt32, _ t: ValType) -> Node { .inst(Instruction(.localGet, .index(l)), [], results: [t]) }
    static func set(_ l: UInt32, _ v: Node) -> Node { .inst(Instruction(.localSet, .index(l)), [v], results: []) }
    static func i32(_ v: Int32) -> Node { .inst(Instruction(.i32Const, .i32(v)), [], results: [.i32]) }
    static func op(_ o: Opcode, _ children: [Node], _ r: ValType) -> Node { .inst(Instruction(o), children, results: [r]) }

    mutating func body() -> [Node] {
        var nodes: [Node] = []
        // A few extra locals of every type, so expressions have places to keep values.
        for t in [ValType.i32, .i64, .f32, .f64] + (simd && rng.chance(40) ? [.v128] : []) where rng.chance(60) { _ = newLocal(t) }
        if recursive {
            reserved.insert(0)
            // depth = depth <u 5 ? depth : 5; if depth == 0 return.
            nodes.append(Self.set(0, .inst(Instruction(.select), [Self.get(0, .i32), Self.i32(5), Self.op(.i32LtU, [Self.get(0, .i32), Self.i32(5)], .i32)], results: [.i32])))
            nodes.append(.ifElse(cond: Self.op(.i32Eqz, [Self.get(0, .i32)], .i32), results: [], then: [.inst(Instruction(.return), function.results.map { Values.constant($0, &rng) }, results: [])], else: []))
        }
        labels = [Label(types: function.results)]
        nodes += statements(rng.range(2...6))
        nodes += values(function.results)
        return nodes
    }

    // MARK: statements

    mutating func statements(_ n: Int) -> [Node] {
        var out: [Node] = []
        for _ in 0..<n where budget > 0 { out.append(statement()) }
        return out
    }

    mutating func statement() -> Node {
        budget -= 1
        let settable = locals.indices.filter { !reserved.contains($0) }
        if settable.isEmpty { return .dropAll(expr(randomType())) }
        switch rng.below(20) {
        case 0, 1, 2:
            let l = rng.pick(settable)
            return Self.set(UInt32(l), observable(expr(locals[l])))
        case 3:
            let mutableGlobals = program.globals.indices.filter { program.globals[$0].mutable }
            guard let g = mutableGlobals.isEmpty ? nil : rng.pick(mutableGlobals) else { return statement() }
            return .inst(Instruction(.globalSet, .index(UInt32(g))), [observable(expr(program.globals[g].type))], results: [])
        case 4, 5, 6:
            let (op, t) = rng.pick(OpTables.stores.filter { simd || $0.1 != .v128 })
            return .inst(Instruction(op, .memArg(memArg(op))), [address(), observable(expr(t))], results: [])
        case 7, 8:
            return ifStatement()
        case 9:
            return block([])
        case 10, 11:
            return loopDepth < 3 ? loop([]) : ifStatement()
        case 12:
            return branch()
        case 13:
            return .dropAll(call(results: nil) ?? expr(.i32))
        case 14:
            labels.append(Label(types: []))
            let ret = Node.inst(Instruction(.return), values(function.results), results: [])
            labels.removeLast()
            return .ifElse(cond: expr(.i32), results: [], then: [ret], else: [])
        case 15:
            if rng.chance(20) {
                // No label is pushed: nothing is generated inside this `if`.
                return .ifElse(cond: expr(.i32), results: [], then: [.inst(Instruction(.unreachable), [], results: [])], else: [])
            }
            return .dropAll(expr(randomType()))
        case 16:
            switch rng.below(4) {
            case 0: return .dropAll(.inst(Instruction(.memoryGrow, .index(0)), [Self.i32(Int32(rng.below(2)))], results: [.i32]))
            case 1:
                return .inst(Instruction(.memoryFill, .index(0)), [address(), expr(.i32), Self.i32(Int32(rng.range(0...40)))], results: [])
            default:
                return .inst(Instruction(.memoryCopy, .indexPair(0, 0)), [address(), address(), Self.i32(Int32(rng.range(0...40)))], results: [])
            }
        default:
            let l = rng.pick(settable)
            return .dropAll(.inst(Instruction(.localTee, .index(UInt32(l))), [observable(expr(locals[l]))], results: [locals[l]]))
        }
    }

    mutating func ifStatement() -> Node {
        let cond = condition()
        labels.append(Label(types: []))
        let then = statements(rng.range(1...3))
        let els = rng.chance(50) ? statements(rng.range(1...3)) : []
        labels.removeLast()
        return .ifElse(cond: cond, results: [], then: then, else: els)
    }

    /// A `block` pushing `results`, with branches out of it.
    mutating func block(_ results: [ValType]) -> Node {
        labels.append(Label(types: results))
        var body = statements(rng.range(1...4))
        if rng.chance(50) {
            // br_if to this block with values: not taken, the values stay; drop them.
            let cond = condition()
            body.append(.dropAll(.inst(Instruction(.brIf, .index(0)), values(results) + [cond], results: results)))
        }
        body += values(results)
        labels.removeLast()
        return .block(.block, results: results, body: body)
    }

    /// A bounded loop pushing `results`: `c = n; block { loop { if c == 0 { br out }; c -= 1; ...; br_if loop cond } }`.
    mutating func loop(_ results: [ValType]) -> Node {
        let c = newLocal(.i32)
        reserved.insert(Int(c))
        let start = Self.set(c, Self.i32(Int32(rng.range(1...4))))
        labels.append(Label(types: results))   // the block around the loop
        labels.append(Label(types: []))        // the loop
        labels.append(Label(types: []))        // the if of the exit check
        let exit = Node.ifElse(cond: Self.op(.i32Eqz, [Self.get(c, .i32)], .i32), results: [],
                               then: [.inst(Instruction(.br, .index(2)), results.map { Values.constant($0, &rng) }, results: [])], else: [])
        labels.removeLast()
        let count = Self.set(c, Self.op(.i32Sub, [Self.get(c, .i32), Self.i32(1)], .i32))
        loopDepth += 1
        var body = [exit, count] + statements(rng.range(1...4))
        if rng.chance(60) { body.append(.inst(Instruction(.brIf, .index(0)), [condition()], results: [])) }
        body += values(results)
        loopDepth -= 1
        labels.removeLast()
        let inner = Node.block(.loop, results: results, body: body)
        labels.removeLast()
        return .seq([start, .block(.block, results: results, body: [inner])])
    }

    /// A conditional `br`, `br_if` or `br_table` to enclosing labels.
    mutating func branch() -> Node {
        let target = rng.below(labels.count)
        let depth = UInt32(labels.count - 1 - target)
        let types = labels[target].types
        switch rng.below(3) {
        case 0:
            return .dropAll(.inst(Instruction(.brIf, .index(depth)), values(types) + [condition()], results: types))
        case 1:
            labels.append(Label(types: []))
            let br = Node.inst(Instruction(.br, .index(depth + 1)), values(types), results: [])
            labels.removeLast()
            return .ifElse(cond: condition(), results: [], then: [br], else: [])
        default:
            // Targets with the same branch types as the default; inside the `if`, depths grow by one.
            let same = labels.indices.filter { labels[$0].types == types }.map { UInt32(labels.count - $0) }
            let targets = (0..<rng.range(0...5)).map { _ in rng.pick(same) }
            labels.append(Label(types: []))
            let index = rng.chance(50) ? op2(.i32And, expr(.i32), Self.i32(Int32(rng.range(0...7)))) : expr(.i32)
            let table = Node.inst(Instruction(.brTable, .brTable(targets: targets, defaultTarget: depth + 1)), values(types) + [index], results: [])
            labels.removeLast()
            return .ifElse(cond: condition(), results: [], then: [table], else: [])
        }
    }

    // MARK: expressions

    /// Nodes pushing `types`: one node per type, or sometimes one multi-value node.
    mutating func values(_ types: [ValType]) -> [Node] {
        if types.count >= 2 && budget > 0 && rng.chance(25) { return [multi(types)] }
        return types.map { expr($0) }
    }

    /// One node pushing several values: a block, an if, or a call.
    mutating func multi(_ types: [ValType]) -> Node {
        budget -= 1
        switch rng.below(3) {
        case 0: return block(types)
        case 1:
            if let c = call(results: types) { return c }
            return block(types)
        default:
            let cond = condition()
            labels.append(Label(types: types))
            let then = statements(rng.range(0...2)) + types.map { expr($0) }
            let els = statements(rng.range(0...2)) + types.map { expr($0) }
            labels.removeLast()
            return .ifElse(cond: cond, results: types, then: then, else: els)
        }
    }

    mutating func condition() -> Node {
        if rng.chance(60) {
            let t = rng.pick([ValType.i32, .i64, .f32, .f64])
            let cmp: [Opcode] = switch t {
            case .i32: [.i32LtS, .i32LtU, .i32GtS, .i32Eq, .i32Ne, .i32LeS, .i32GeU]
            case .i64: [.i64LtS, .i64GtU, .i64Eq, .i64Ne, .i64LeS]
            case .f32: [.f32Lt, .f32Eq, .f32Ge, .f32Ne]
            default: [.f64Lt, .f64Gt, .f64Eq, .f64Le]
            }
            return op2(rng.pick(cmp), expr(t), expr(t), result: .i32)
        }
        return expr(.i32)
    }

    func op2(_ o: Opcode, _ a: Node, _ b: Node, result: ValType = .i32) -> Node { .inst(Instruction(o), [a, b], results: [result]) }

    mutating func leaf(_ t: ValType) -> Node {
        let ls = locals.indices.filter { locals[$0] == t }
        let gs = program.globals.indices.filter { program.globals[$0].type == t }
        let roll = rng.below(10)
        if roll < 4 && !ls.isEmpty { return Self.get(UInt32(rng.pick(ls)), t) }
        if roll == 4 && !gs.isEmpty { return .inst(Instruction(.globalGet, .index(UInt32(rng.pick(gs)))), [], results: [t]) }
        return Values.constant(t, &rng)
    }

    /// A node pushing one value of type `t`.
    mutating func expr(_ t: ValType) -> Node {
        guard budget > 0 else { return leaf(t) }
        budget -= 1
        switch rng.below(24) {
        case 0, 1, 2, 3: return leaf(t)
        case 4...11: return pureOp(t)
        case 12, 13: return load(t)
        case 14:
            return .inst(Instruction(.select), [expr(t), expr(t), condition()], results: [t])
        case 15:
            let cond = condition()
            labels.append(Label(types: [t]))
            let then = statements(rng.range(0...2)) + [expr(t)]
            let els = statements(rng.range(0...2)) + [expr(t)]
            labels.removeLast()
            return .ifElse(cond: cond, results: [t], then: then, else: els)
        case 16: return block([t])
        case 17: return loopDepth < 2 ? loop([t]) : pureOp(t)
        case 18, 19: return call(results: [t]) ?? pureOp(t)
        case 20: return t == .i32 || t == .i64 ? seam(t) : pureOp(t)
        case 21: return t == .i32 || t == .i64 || t == .f32 || t == .f64 ? clamp(t) : pureOp(t)
        case 22:
            let ls = locals.indices.filter { locals[$0] == t && !reserved.contains($0) }
            if ls.isEmpty { return pureOp(t) }
            return .inst(Instruction(.localTee, .index(UInt32(rng.pick(ls)))), [expr(t)], results: [t])
        default:
            if t == .i32 && rng.chance(50) { return .inst(Instruction(.memorySize, .index(0)), [], results: [.i32]) }
            return pureOp(t)
        }
    }

    /// A numeric operator producing `t`, float-lane vector results canonicalized.
    mutating func pureOp(_ t: ValType) -> Node {
        guard var ops = OpTables.pure[t] else { return leaf(t) }
        // Scalar results mostly come from scalar operators; vector ones would crowd them out.
        if !simd || (t != .v128 && rng.chance(75)) { ops = ops.filter { !$0.params.contains(.v128) } }
        let o = rng.pick(ops)
        var children = o.params.map { expr($0) }
        for i in OpTables.observedFloatOperands(o.opcode) { children[i] = observable(children[i]) }
        var inst = Instruction(o.opcode)
        if o.opcode.immediateKind == .lane { inst.immediate = .lane(UInt8(rng.below(o.lanes))) }
        if o.opcode == .i8x16Shuffle {
            inst.immediate = .v128(V128(bytes: (0..<16).map { _ in UInt8(rng.below(32)) }))
        }
        let node = Node.inst(inst, children, results: [t])
        if OpTables.producesArithmeticNaN(o.opcode) { return canonicalVector(node, f64: o.opcode.info.name.hasPrefix("f64x2")) }
        return node
    }

    mutating func memArg(_ op: Opcode) -> MemArg {
        let natural = UInt32(op.info.naturalAlignment ?? 0)
        let offset: UInt64 = rng.pick([0, 0, 0, 1, 3, 4, 8, 17, 100, 65_530, 65_536])
        return MemArg(align: UInt32(rng.range(0...Int(natural))), offset: offset)
    }

    /// An i32 address: mostly masked into the first page, sometimes near the end, sometimes anything.
    mutating func address() -> Node {
        switch rng.below(10) {
        case 0...5: return op2(.i32And, expr(.i32), Self.i32(Int32(rng.pick([0xFF, 0x3FF, 0xFFF8, 0xFFFF]))))
        case 6, 7: return Self.i32(Int32(rng.pick([0, 1, 4, 7, 8, 64, 65_520, 65_528, 65_532, 65_535, 65_536])))
        default: return expr(.i32)
        }
    }

    mutating func load(_ t: ValType) -> Node {
        guard let ops = OpTables.loads[t] else { return leaf(t) }
        let op = rng.pick(ops)
        return .inst(Instruction(op, .memArg(memArg(op))), [address()], results: [t])
    }

    /// A direct or indirect call to a later function (or, in the recursive function, itself) returning `results` (nil: any).
    mutating func call(results: [ValType]?) -> Node? {
        var callees = Array((index + 1)..<program.functions.count)
        if recursive && loopDepth == 0 && selfCalls < 2 { callees.append(index) }
        if let results { callees = callees.filter { program.functions[$0].results == results } }
        guard !callees.isEmpty else { return nil }
        let j = rng.pick(callees)
        let callee = program.functions[j]
        if j == index {
            selfCalls += 1
            let depth = Self.op(.i32Sub, [Self.get(0, .i32), Self.i32(1)], .i32)
            return .inst(Instruction(.call, .index(UInt32(j))), [depth] + callee.params.dropFirst().map { expr($0) }, results: callee.results)
        }
        let args = values(callee.params)
        if !program.table.isEmpty && rng.chance(40) {
            // Slots index+1 ..< count hold later functions; the last slot is null (a trap when chosen).
            let typeIndex = typeIndexOf(callee)
            let slot: Node = rng.chance(40)
                ? Self.i32(Int32(j))
                : op2(.i32Add, Self.i32(Int32(index + 1)), op2(.i32RemU, expr(.i32), Self.i32(Int32(program.table.count - index - 1))))
            return .inst(Instruction(.callIndirect, .indexPair(typeIndex, 0)), args + [slot], results: callee.results)
        }
        return .inst(Instruction(.call, .index(UInt32(j))), args, results: callee.results)
    }

    /// The type index `FuzzProgram.module()` gives the callee's signature (functions' types come first).
    func typeIndexOf(_ f: FuzzFunction) -> UInt32 {
        var table = TypeTable()
        for g in program.functions { _ = table.index(FuncType(params: g.params, results: g.results)) }
        return table.index(FuncType(params: f.params, results: f.results))
    }

    /// An i64 pack/unpack seam: `(hi << 32) | zext lo`, then `wrap(x >> 32)` or `wrap x`.
    mutating func seam(_ t: ValType) -> Node {
        let packed = op2(.i64Or, op2(.i64Shl, Self.op(.i64ExtendI32U, [expr(.i32)], .i64), .inst(Instruction(.i64Const, .i64(32)), [], results: [.i64]), result: .i64),
                         Self.op(rng.chance(50) ? .i64ExtendI32U : .i64ExtendI32S, [expr(.i32)], .i64), result: .i64)
        if t == .i64 { return packed }
        if rng.chance(50) { return Self.op(.i32WrapI64, [packed], .i32) }
        return Self.op(.i32WrapI64, [op2(rng.chance(50) ? .i64ShrU : .i64ShrS, packed, .inst(Instruction(.i64Const, .i64(32)), [], results: [.i64]), result: .i64)], .i32)
    }

    /// A clamp as a compare-and-branch chain: `t = e; t < lo ? lo : (t > hi ? hi : t)`.
    mutating func clamp(_ t: ValType) -> Node {
        let v = newLocal(t)
        let lo = Values.constant(t, &rng), hi = Values.constant(t, &rng)
        let (lt, gt): (Opcode, Opcode) = switch t {
        case .i32: rng.chance(50) ? (.i32LtS, .i32GtS) : (.i32LtU, .i32GtU)
        case .i64: rng.chance(50) ? (.i64LtS, .i64GtS) : (.i64LtU, .i64GtU)
        case .f32: (.f32Lt, .f32Gt)
        default: (.f64Lt, .f64Gt)
        }
        let inner = Node.ifElse(cond: op2(gt, Self.get(v, t), hi), results: [t], then: [hi], else: [Self.get(v, t)])
        let outer = Node.ifElse(cond: op2(lt, Self.get(v, t), lo), results: [t], then: [lo], else: [inner])
        return .seq([Self.set(v, expr(t)), outer])
    }

    /// The node, with a NaN replaced by the canonical NaN when its bits are not fixed (constants and loads are).
    mutating func observable(_ node: Node) -> Node {
        let t = node.results.first
        guard node.results.count == 1, t == .f32 || t == .f64 else { return node }
        if node.isConstant { return node }
        if case .inst(let i, _, _) = node, i.opcode == .f32Load || i.opcode == .f64Load { return node }
        let tmp = newLocal(t!)
        let nan: Node = t == .f32 ? Node.constant(.f32, bits: 0x7FC0_0000) : Node.constant(.f64, bits: 0x7FF8_0000_0000_0000)
        let ne: Opcode = t == .f32 ? .f32Ne : .f64Ne
        return .inst(Instruction(.select), [nan, .inst(Instruction(.localTee, .index(tmp)), [node], results: [t!]),
                                            op2(ne, Self.get(tmp, t!), Self.get(tmp, t!))], results: [t!])
    }

    /// A float-lane vector with every NaN lane replaced by the canonical NaN.
    mutating func canonicalVector(_ node: Node, f64: Bool) -> Node {
        let tmp = newLocal(.v128)
        let nan = f64 ? V128(lo: 0x7FF8_0000_0000_0000, hi: 0x7FF8_0000_0000_0000) : V128(lo: 0x7FC0_0000_7FC0_0000, hi: 0x7FC0_0000_7FC0_0000)
        let eq = op2(f64 ? .f64x2Eq : .f32x4Eq, Self.get(tmp, .v128), Self.get(tmp, .v128), result: .v128)
        return .inst(Instruction(.v128Bitselect), [.inst(Instruction(.localTee, .index(tmp)), [node], results: [.v128]),
                                                   .inst(Instruction(.v128Const, .v128(nan)), [], results: [.v128]), eq], results: [.v128])
    }
}
