/// Section identifiers in the binary format.
public enum SectionID: UInt8, Sendable, CaseIterable, Comparable {
    case custom = 0, type = 1, `import` = 2, function = 3, table = 4, memory = 5, global = 6, export = 7
    case start = 8, element = 9, code = 10, data = 11, dataCount = 12, tag = 13

    /// Position in the required section order (tags come after memories, data count before code).
    public var orderRank: Int {
        switch self {
        case .custom: 0
        case .type: 1
        case .import: 2
        case .function: 3
        case .table: 4
        case .memory: 5
        case .tag: 6
        case .global: 7
        case .export: 8
        case .start: 9
        case .element: 10
        case .dataCount: 11
        case .code: 12
        case .data: 13
        }
    }

    public static func < (a: SectionID, b: SectionID) -> Bool { a.orderRank < b.orderRank }

    public var name: String {
        switch self {
        case .custom: "custom"
        case .type: "type"
        case .import: "import"
        case .function: "function"
        case .table: "table"
        case .memory: "memory"
        case .global: "global"
        case .export: "export"
        case .start: "start"
        case .element: "element"
        case .code: "code"
        case .data: "data"
        case .dataCount: "data count"
        case .tag: "tag"
        }
    }
}

/// A constant expression, kept as its bytes (ending with `end`); decode with `instructions()`.
public struct ConstExpr: Sendable, Hashable {
    public var bytes: ArraySlice<UInt8>

    public init(bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    /// Builds an expression from instructions (the final `end` is added).
    public init(_ instructions: [Instruction]) {
        var w = ByteWriter()
        for i in instructions { w.writeInstruction(i) }
        w.writeInstruction(Instruction(.end))
        self.bytes = w.bytes[...]
    }

    /// The instructions, without the final `end`.
    public func instructions() throws(WasmError) -> [Instruction] {
        var it = InstructionIterator(reader: ByteReader(bytes: bytes))
        var out: [Instruction] = []
        while let i = try it.next() {
            if it.finished { break }
            out.append(i)
        }
        return out
    }
}

public struct Import: Sendable, Hashable {
    public enum Descriptor: Sendable, Hashable {
        case function(typeIndex: UInt32)
        case table(TableType)
        case memory(MemoryType)
        case global(GlobalType)
        case tag(TagType)

        public var kind: ExternalKind {
            switch self {
            case .function: .function
            case .table: .table
            case .memory: .memory
            case .global: .global
            case .tag: .tag
            }
        }
    }
    public var module: String
    public var name: String
    public var descriptor: Descriptor

    public init(module: String, name: String, descriptor: Descriptor) {
        self.module = module
        self.name = name
        self.descriptor = descriptor
    }
}

public struct Export: Sendable, Hashable {
    public var name: String
    public var kind: ExternalKind
    public var index: UInt32
    public init(name: String, kind: ExternalKind, index: UInt32) {
        self.name = name
        self.kind = kind
        self.index = index
    }
}

public struct Table: Sendable, Hashable {
    public var type: TableType
    /// Initial value of every element (table with an init expression, form 0x40 0x00).
    public var initializer: ConstExpr?
    public init(type: TableType, initializer: ConstExpr? = nil) {
        self.type = type
        self.initializer = initializer
    }
}

public struct Global: Sendable, Hashable {
    public var type: GlobalType
    public var initializer: ConstExpr
    public init(type: GlobalType, initializer: ConstExpr) {
        self.type = type
        self.initializer = initializer
    }
}

public struct ElementSegment: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case passive
        case declarative
        case active(table: UInt32, offset: ConstExpr)
    }
    public enum Items: Sendable, Hashable {
        case functions([UInt32])
        case expressions([ConstExpr])

        public var count: Int {
            switch self {
            case .functions(let f): f.count
            case .expressions(let e): e.count
            }
        }
    }
    public var mode: Mode
    /// The element type; `(ref func)` for segments of function indices as read (any type given
    /// with `.functions` items is written and validated as that).
    public var type: RefType
    public var items: Items
    /// The encoding form (0–7) it was read with; the writer keeps it when it still fits.
    public var flags: UInt32?

    public init(mode: Mode, type: RefType, items: Items, flags: UInt32? = nil) {
        self.mode = mode
        self.type = type
        self.items = items
        self.flags = flags
    }
}

public struct DataSegment: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case passive
        case active(memory: UInt32, offset: ConstExpr)
    }
    public var mode: Mode
    public var bytes: ArraySlice<UInt8>
    /// The encoding form (0–2) it was read with; the writer keeps it when it still fits.
    public var flags: UInt32?

    public init(mode: Mode, bytes: ArraySlice<UInt8>, flags: UInt32? = nil) {
        self.mode = mode
        self.bytes = bytes
        self.flags = flags
    }
}

/// A run of locals of one type in a function body.
public struct LocalGroup: Sendable, Hashable {
    public var count: UInt32
    public var type: ValType
    public init(count: UInt32, type: ValType) {
        self.count = count
        self.type = type
    }
}

/// A function body: its declared locals and its expression bytes (ending with `end`).
///
/// The expression stays encoded; `instructions()` decodes it. When read from a file, the indices
/// of `code` are file offsets.
public struct FunctionBody: Sendable, Hashable {
    public var locals: [LocalGroup]
    public var code: ArraySlice<UInt8>

    public init(locals: [LocalGroup], code: ArraySlice<UInt8>) {
        self.locals = locals
        self.code = code
    }

    /// Builds a body from instructions (the final `end` must be included).
    public init(locals: [LocalGroup], instructions: [Instruction]) {
        var w = ByteWriter()
        for i in instructions { w.writeInstruction(i) }
        self.locals = locals
        self.code = w.bytes[...]
    }

    /// The number of declared locals (parameters not included).
    public var localCount: UInt64 { locals.reduce(0) { $0 + UInt64($1.count) } }

    /// An iterator over the instructions; offsets it reports are those of `code`'s indices.
    public func makeIterator() -> InstructionIterator {
        InstructionIterator(reader: ByteReader(bytes: code))
    }

    /// All instructions including the final `end`.
    public func instructions() throws(WasmError) -> [Instruction] {
        var it = makeIterator()
        var out: [Instruction] = []
        while let i = try it.next() { out.append(i) }
        return out
    }
}

/// A custom section and where it sits relative to the known sections.
public struct CustomSection: Sendable, Hashable {
    public var name: String
    public var payload: ArraySlice<UInt8>
    /// The last non-custom section before it; nil when it comes before all of them.
    public var after: SectionID?

    public init(name: String, payload: ArraySlice<UInt8>, after: SectionID?) {
        self.name = name
        self.payload = payload
        self.after = after
    }
}

/// Where the sections and entries of a module were in the file it was read from.
///
/// Empty for a module built in code. Index `i` of each list is the offset of entry `i` of that
/// section (imports, defined functions, tables, ...), so validation errors name real offsets.
/// Code that inserts or removes entries should reset it: stale offsets only mislead.
public struct SourceOffsets: Sendable {
    /// Offset of each known section's id byte.
    public var sections: [SectionID: Int] = [:]
    public var recGroups: [Int] = []
    public var imports: [Int] = []
    public var functions: [Int] = []
    public var tables: [Int] = []
    public var memories: [Int] = []
    public var tags: [Int] = []
    public var globals: [Int] = []
    public var exports: [Int] = []
    public var elements: [Int] = []
    public var data: [Int] = []
    /// Of each function body: the offset of its first byte after the size (the locals' count), where code metadata offsets start.
    public var bodies: [Int] = []

    public init() {}

    /// The offset of entry `index` in `list`, else that of `section`, else 0.
    public func offset(_ list: KeyPath<SourceOffsets, [Int]>, _ index: Int, section: SectionID) -> Int {
        let entries = self[keyPath: list]
        return index < entries.count ? entries[index] : sections[section] ?? 0
    }
}

/// A WebAssembly module (Wasm 3.0).
public struct Module: Sendable {
    public var recGroups: [RecGroup] = []
    public var imports: [Import] = []
    /// Type index of each defined function.
    public var functions: [UInt32] = []
    public var tables: [Table] = []
    public var memories: [MemoryType] = []
    public var tags: [TagType] = []
    public var globals: [Global] = []
    public var exports: [Export] = []
    public var start: UInt32?
    public var elements: [ElementSegment] = []
    public var dataCount: UInt32?
    public var bodies: [FunctionBody] = []
    public var data: [DataSegment] = []
    public var customSections: [CustomSection] = []
    /// Known sections present in the input even if empty, so an empty section is written back.
    public var presentSections: Set<SectionID> = []
    /// The input used longer LEB128 encodings than needed somewhere, so it cannot be written back identically.
    public var hasNonCanonicalIntegers = false
    /// Where things were in the input file (empty for a module built in code).
    public var offsets = SourceOffsets()

    public init() {}

    /// All defined types in index order, flattened from the recursion groups.
    public var types: [SubType] { recGroups.flatMap(\.types) }

    /// The function signature of the function with this module-wide index.
    public func functionTypeIndex(_ index: UInt32) -> UInt32? {
        var i = Int(index)
        for imp in imports {
            if case .function(let t) = imp.descriptor {
                if i == 0 { return t }
                i -= 1
            }
        }
        return i < functions.count ? functions[i] : nil
    }

    /// The type index of every function by module-wide index: imports first, then defined functions.
    public var functionTypeIndices: [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(functions.count + imports.count)
        for imp in imports { if case .function(let t) = imp.descriptor { out.append(t) } }
        return out + functions
    }

    public var importedFunctionCount: Int { imports.count { $0.descriptor.kind == .function } }
    public var importedTableCount: Int { imports.count { $0.descriptor.kind == .table } }
    public var importedMemoryCount: Int { imports.count { $0.descriptor.kind == .memory } }
    public var importedGlobalCount: Int { imports.count { $0.descriptor.kind == .global } }
    public var importedTagCount: Int { imports.count { $0.descriptor.kind == .tag } }

    /// The parsed name section, if present and well formed.
    public var names: NameSection? {
        guard let s = customSections.first(where: { $0.name == "name" }) else { return nil }
        return try? NameSection(parsing: s.payload)
    }
}
