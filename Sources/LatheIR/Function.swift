import LatheEntity

/// A function declared for direct calls (`fn0 = %name sig0`).
public struct ExternalFunction: Sendable, Equatable {
    public var name: String
    public var signature: SigRef
    public init(name: String, signature: SigRef) { self.name = name; self.signature = signature }
}

/// A global variable's type and mutability (`gv0 = global i32 mutable`).
public struct GlobalDecl: Sendable, Equatable {
    public var type: IRType
    public var isMutable: Bool
    public init(type: IRType, isMutable: Bool) { self.type = type; self.isMutable = isMutable }
}

/// A linear memory: size limits in 64 KiB pages, and whether addresses are i64 (memory64).
public struct MemoryDecl: Sendable, Equatable {
    public var minPages: UInt64
    public var maxPages: UInt64?
    public var is64: Bool
    public init(minPages: UInt64, maxPages: UInt64? = nil, is64: Bool = false) {
        self.minPages = minPages; self.maxPages = maxPages; self.is64 = is64
    }
    public var addressType: IRType { is64 ? .i64 : .i32 }
}

/// A table: element type, initial size, and optionally its initial function elements by name.
public struct TableDecl: Sendable, Equatable {
    public var elementType: IRType
    public var minSize: UInt32
    public var elements: [String]
    public init(elementType: IRType, minSize: UInt32, elements: [String] = []) {
        self.elementType = elementType; self.minSize = minSize; self.elements = elements
    }
}

/// One IR function: signature, declarations of what it references, data flow graph and layout.
///
/// Globals, memories and tables are module-wide: index N names the same entity in every function of
/// a module. A function declares the ones it uses so it can be verified alone.
public struct Function: Sendable {
    public var name: String
    public var signature: Signature
    public var dfg = DataFlowGraph()
    public var layout = Layout()
    public var signatures = PrimaryMap<SigRef, Signature>()
    public var functionRefs = PrimaryMap<FuncRef, ExternalFunction>()
    public var globals = PrimaryMap<GlobalRef, GlobalDecl>()
    public var memories = PrimaryMap<MemoryRef, MemoryDecl>()
    public var tables = PrimaryMap<TableRef, TableDecl>()
    /// Contents of passive data segments by module-wide index, for the interpreter (`data2 = data [1, 2]`); optional.
    public var dataSegments: [UInt32: [UInt8]] = [:]
    /// Contents of passive element segments by index (function names, nil for null), for the interpreter; optional.
    public var elemSegments: [UInt32: [String?]] = [:]
    /// Inline hints of call sites (`call`, `call_indirect`, `call_ref` and their tail forms): 0 never,
    /// 127 always, 1...126 a log call frequency (32 is one call per call of this function).
    ///
    /// A side table, empty unless the input had call-site hints. Entries of instructions no longer
    /// in the layout, or no longer calls, mean nothing; readers check (`callHint(_:)`).
    public var callHints: [Inst: UInt8] = [:]

    public init(name: String, signature: Signature) {
        self.name = name
        self.signature = signature
    }

    public var entryBlock: Block? { layout.entryBlock }

    /// The signature of a directly called function.
    @inlinable public func signature(of f: FuncRef) -> Signature { signatures[functionRefs[f].signature] }

    /// The inline hint of `inst` when it is a call in the layout.
    public func callHint(_ inst: Inst) -> UInt8? {
        guard !callHints.isEmpty, let hint = callHints[inst], dfg[inst].opcode.isCall, layout.block(of: inst) != nil else { return nil }
        return hint
    }

    /// Instructions in layout order, block by block.
    public var instsInLayoutOrder: [Inst] { layout.blocks.flatMap { layout.insts($0) } }
}

/// Several functions that can call each other by name (the unit the interpreter runs).
public struct Module: Sendable {
    public var functions: [Function]
    public init(functions: [Function] = []) { self.functions = functions }
    public func function(named name: String) -> Function? { functions.first { $0.name == name } }
    public func index(of name: String) -> Int? { functions.firstIndex { $0.name == name } }
}
