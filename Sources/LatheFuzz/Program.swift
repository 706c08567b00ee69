import LatheWasm

/// One node of a generated function body: it pops nothing from the enclosing stack and pushes `results`.
///
/// Every node is self-contained (its operands are its children), so the reducer may replace any
/// node by constants of its result types, or drop a node that pushes nothing, and the body still
/// validates. Labels are relative depths, as in wasm; the reducer never unwraps a block, so they stay right.
public indirect enum Node: Sendable, Hashable {
    /// The children, in order, then the instruction (which consumes exactly what they push).
    case inst(Instruction, [Node], results: [ValType])
    /// `block` or `loop` with a body whose pushes are the results.
    case block(Opcode, results: [ValType], body: [Node])
    /// `if` with its condition, both arms pushing the results.
    case ifElse(cond: Node, results: [ValType], then: [Node], else: [Node])
    /// The nodes one after the other.
    case seq([Node])
    /// The node, then one `drop` per value it pushes.
    case dropAll(Node)

    /// The value types this node leaves on the stack.
    public var results: [ValType] {
        switch self {
        case .inst(_, _, let r): r
        case .block(_, let r, _): r
        case .ifElse(_, let r, _, _): r
        case .seq(let nodes): nodes.flatMap(\.results)
        case .dropAll: []
        }
    }

    /// Number of nodes in this tree, this one included.
    public var size: Int {
        switch self {
        case .inst(_, let c, _): 1 + c.reduce(0) { $0 + $1.size }
        case .block(_, _, let b): 1 + b.reduce(0) { $0 + $1.size }
        case .ifElse(let c, _, let t, let e): 1 + c.size + t.reduce(0) { $0 + $1.size } + e.reduce(0) { $0 + $1.size }
        case .seq(let n): 1 + n.reduce(0) { $0 + $1.size }
        case .dropAll(let n): 1 + n.size
        }
    }

    /// A constant of type `t` with the given bits (low bits for v128).
    public static func constant(_ t: ValType, bits: UInt64 = 0) -> Node {
        switch t {
        case .i32: .inst(Instruction(.i32Const, .i32(Int32(truncatingIfNeeded: bits))), [], results: [.i32])
        case .i64: .inst(Instruction(.i64Const, .i64(Int64(bitPattern: bits))), [], results: [.i64])
        case .f32: .inst(Instruction(.f32Const, .f32(UInt32(truncatingIfNeeded: bits))), [], results: [.f32])
        case .f64: .inst(Instruction(.f64Const, .f64(bits)), [], results: [.f64])
        case .v128: .inst(Instruction(.v128Const, .v128(V128(lo: bits, hi: bits))), [], results: [.v128])
        case .ref(let r): .inst(Instruction(.refNull, .heapType(r.heapType)), [], results: [t])
        }
    }

    /// Zero constants of the given types, as one node.
    public static func zeros(_ types: [ValType]) -> Node {
        types.count == 1 ? constant(types[0]) : .seq(types.map { constant($0) })
    }

    /// Whether the node is a constant instruction.
    public var isConstant: Bool {
        if case .inst(let i, let c, _) = self, c.isEmpty {
            switch i.opcode {
            case .i32Const, .i64Const, .f32Const, .f64Const, .v128Const: return true
            default: return false
            }
        }
        return false
    }
}

/// A generated function: signature, extra locals, body, and whether it is exported.
public struct FuzzFunction: Sendable, Hashable {
    public var params: [ValType]
    public var results: [ValType]
    public var locals: [ValType]
    /// The body's nodes; together they push `results`.
    public var body: [Node]
    public var exported: Bool
}

/// A generated global with its constant initial value.
public struct FuzzGlobal: Sendable, Hashable {
    public var type: ValType
    public var mutable: Bool
    public var initialBits: UInt64
}

/// A generated program: what the generator builds and the reducer shrinks, emitted as a wasm module.
public struct FuzzProgram: Sendable, Hashable {
    public var seed: UInt64
    public var functions: [FuzzFunction] = []
    public var globals: [FuzzGlobal] = []
    public var memoryPages: (min: UInt64, max: UInt64) = (1, 2)
    /// Active data segments at constant offsets in memory 0.
    public var data: [(offset: UInt32, bytes: [UInt8])] = []
    /// The funcref table's contents from slot 0 (nil: a null slot); the table has exactly these slots.
    public var table: [Int?] = []

    public init(seed: UInt64) { self.seed = seed }

    public static func == (a: FuzzProgram, b: FuzzProgram) -> Bool {
        a.seed == b.seed && a.functions == b.functions && a.globals == b.globals && a.memoryPages == b.memoryPages
            && a.table == b.table && a.data.map(\.offset) == b.data.map(\.offset) && a.data.map(\.bytes) == b.data.map(\.bytes)
    }

    public func hash(into h: inout Hasher) {
        h.combine(seed); h.combine(functions); h.combine(globals); h.combine(table)
    }

    /// Number of AST nodes over all bodies.
    public var size: Int { functions.reduce(0) { $0 + $1.body.reduce(0) { $0 + $1.size } } }

    /// The binary module: every function, the memory (`memory`) and every mutable global (`g<i>`) exported.
    public func module() -> Module {
        var m = Module()
        var types = TypeTable()
        for f in functions { m.functions.append(types.index(FuncType(params: f.params, results: f.results))) }
        var bodies: [FunctionBody] = []
        for f in functions {
            var out: [Instruction] = []
            for n in f.body { emit(n, &out, &types) }
            out.append(Instruction(.end))
            bodies.append(FunctionBody(locals: f.locals.map { LocalGroup(count: 1, type: $0) }, instructions: out))
        }
        m.recGroups = types.types.map { RecGroup(types: [SubType(composite: .func($0))]) }
        m.bodies = bodies
        if !table.isEmpty {
            m.tables = [Table(type: TableType(elementType: .funcref, limits: Limits(min: UInt64(table.count), max: UInt64(table.count))))]
            let items = table.map { slot -> ConstExpr in
                if let f = slot { ConstExpr([Instruction(.refFunc, .index(UInt32(f)))]) } else { ConstExpr([Instruction(.refNull, .heapType(.abstract(.func)))]) }
            }
            m.elements = [ElementSegment(mode: .active(table: 0, offset: ConstExpr([Instruction(.i32Const, .i32(0))])), type: .funcref, items: .expressions(items))]
        }
        m.memories = [MemoryType(limits: Limits(min: memoryPages.min, max: memoryPages.max))]
        for g in globals {
            let initial: Instruction = switch g.type {
            case .i32: Instruction(.i32Const, .i32(Int32(truncatingIfNeeded: g.initialBits)))
            case .i64: Instruction(.i64Const, .i64(Int64(bitPattern: g.initialBits)))
            case .f32: Instruction(.f32Const, .f32(UInt32(truncatingIfNeeded: g.initialBits)))
            case .f64: Instruction(.f64Const, .f64(g.initialBits))
            default: Instruction(.v128Const, .v128(V128(lo: g.initialBits, hi: ~g.initialBits)))
            }
            m.globals.append(Global(type: GlobalType(valueType: g.type, mutable: g.mutable), initializer: ConstExpr([initial])))
        }
        for (i, f) in functions.enumerated() where f.exported { m.exports.append(Export(name: "f\(i)", kind: .function, index: UInt32(i))) }
        m.exports.append(Export(name: "memory", kind: .memory, index: 0))
        for (i, g) in globals.enumerated() where g.mutable { m.exports.append(Export(name: "g\(i)", kind: .global, index: UInt32(i))) }
        for d in data {
            m.data.append(DataSegment(mode: .active(memory: 0, offset: ConstExpr([Instruction(.i32Const, .i32(Int32(bitPattern: d.offset)))])), bytes: d.bytes[...]))
        }
        return m
    }

    /// The binary encoding of `module()`.
    public func bytes() -> [UInt8] { ModuleWriter.write(module()) }
}

/// Function types by first use, each once.
struct TypeTable {
    var types: [FuncType] = []

    mutating func index(_ t: FuncType) -> UInt32 {
        if let i = types.firstIndex(of: t) { return UInt32(i) }
        types.append(t)
        return UInt32(types.count - 1)
    }

    mutating func blockType(_ results: [ValType]) -> BlockType {
        switch results.count {
        case 0: .empty
        case 1: .value(results[0])
        default: .typeIndex(index(FuncType(params: [], results: results)))
        }
    }
}

/// Appends the instructions of `node` (post-order) to `out`.
func emit(_ node: Node, _ out: inout [Instruction], _ types: inout TypeTable) {
    switch node {
    case .inst(let i, let children, _):
        for c in children { emit(c, &out, &types) }
        out.append(i)
    case .block(let op, let results, let body):
        out.append(Instruction(op, .blockType(types.blockType(results))))
        for n in body { emit(n, &out, &types) }
        out.append(Instruction(.end))
    case .ifElse(let cond, let results, let then, let els):
        emit(cond, &out, &types)
        out.append(Instruction(.if, .blockType(types.blockType(results))))
        for n in then { emit(n, &out, &types) }
        if !els.isEmpty {
            out.append(Instruction(.else))
            for n in els { emit(n, &out, &types) }
        }
        out.append(Instruction(.end))
    case .seq(let nodes):
        for n in nodes { emit(n, &out, &types) }
    case .dropAll(let n):
        emit(n, &out, &types)
        for _ in n.results { out.append(Instruction(.drop)) }
    }
}
