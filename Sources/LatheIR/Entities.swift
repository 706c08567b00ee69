import LatheEntity

/// An SSA value: an instruction result or a block parameter.
public struct Value: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "v" }
}

/// An instruction in a function's data flow graph.
public struct Inst: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "inst" }
}

/// A basic block; its parameters replace phi nodes.
public struct Block: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "block" }
}

/// A function a function may call directly (`fn0 = %name sig0`).
public struct FuncRef: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "fn" }
}

/// A signature used by indirect calls, by-reference calls and `fn` declarations.
public struct SigRef: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "sig" }
}

/// A global variable (module-wide, shared by index between functions of a module).
public struct GlobalRef: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "gv" }
}

/// A linear memory (module-wide, shared by index).
public struct MemoryRef: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "mem" }
}

/// A table of references (module-wide, shared by index).
public struct TableRef: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "table" }
}

/// A vector constant or shuffle mask in the function's constant pool.
public struct ConstRef: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "const" }
}

/// A `br_table` jump table: default destination first, then the indexed destinations.
public struct JumpTableRef: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "jt" }
}

/// A source-level variable for SSA construction in `FunctionBuilder`.
public struct Variable: EntityRef {
    public let raw: UInt32
    public init(index: Int) { raw = UInt32(truncatingIfNeeded: index) }
    public var index: Int { Int(raw) }
    public static var prefix: String { "var" }
}

/// A list of values in the DFG's value pool (call arguments, return values, block call arguments).
public typealias ValueList = EntityList<Value>
