import LatheIR

/// What a producer or the user asked about inlining one function.
public enum InlineHint: Sendable, Equatable {
    case none
    /// Inline at every call site whatever the size (a code-metadata hint, `binaryen.inline`, `--inline=NAME`).
    case always
    /// Never inline (`--no-inline=NAME`, or a hint saying never).
    case never
}

/// Every function of a module, as IR where it could be lifted: the unit module passes work on.
///
/// Functions are listed by module index (imports first, as in wasm). A function's `FuncRef`s name
/// callees by `name`, so a call resolves to an entry with `index(named:)`. Entries without IR
/// (imports, functions kept as bytes) can be called but not inlined or changed.
public struct ProgramIR: Sendable {
    public struct Entry: Sendable {
        /// The name `FuncRef`s use for this function.
        public var name: String
        /// The IR, or nil when the function is imported or was not lifted.
        public var function: Function?
        /// Whether something outside the IR can reach the function (export, start, table, `ref.func`), so it must stay.
        public var isRoot: Bool
        /// Whether the function was removed (no callers left and not a root): the output module no longer has it.
        public var isRemoved = false
        /// The function-level inline hint: from code metadata (offset 0) or a command-line request.
        public var inlineHint: InlineHint = .none
        /// Whether `inlineHint` came from `--inline`/`--no-inline`: it then wins over call-site hints.
        public var inlineHintIsRequest = false
        /// For programs lifted from wasm: the wasm type index of each of the function's `SigRef`s.
        public var typeIndexOfSignature: [UInt32] = []
        /// For programs lifted from wasm: the wasm type index of the function itself.
        public var typeIndex: UInt32?

        public init(name: String, function: Function?, isRoot: Bool, inlineHint: InlineHint = .none, typeIndexOfSignature: [UInt32] = []) {
            self.name = name
            self.function = function
            self.isRoot = isRoot
            self.inlineHint = inlineHint
            self.typeIndexOfSignature = typeIndexOfSignature
        }
    }

    /// A defined global, as module passes see it (imported globals are not listed).
    public struct Global: Sendable, Equatable {
        /// The module-wide global index (imports first), which IR `GlobalRef`s use.
        public var index: Int
        /// Whether something outside the lifted functions reads or writes it (export, a function kept
        /// as bytes, a constant expression other than global initializers), so it must stay.
        public var isPinned: Bool
        /// The globals this one's initializer reads (they stay while this one does).
        public var initializerReads: [Int] = []
        /// Whether a module pass removed it: the output module no longer has it.
        public var isRemoved = false

        public init(index: Int, isPinned: Bool, initializerReads: [Int] = []) {
            self.index = index
            self.isPinned = isPinned
            self.initializerReads = initializerReads
        }
    }

    /// An element segment, as module passes see it.
    public struct ElementSegment: Sendable, Equatable {
        /// Whether it must stay whatever the IR does: active (it writes a table at instantiation),
        /// declarative, used by a function kept as bytes, or declaring a function some `ref.func` names.
        public var isPinned: Bool
        /// Whether a module pass removed it: the output module no longer has it.
        public var isRemoved = false

        public init(isPinned: Bool) { self.isPinned = isPinned }
    }

    public var entries: [Entry]
    /// The defined globals in index order (empty when the program does not come from a module: nothing to remove then).
    public var globals: [Global] = []
    /// Every element segment by index (empty when the program does not come from a module).
    public var elementSegments: [ElementSegment] = []
    private var indexByName: [String: Int]
    /// Tables whose contents never change after instantiation, by table index: the entry index of
    /// the function in each slot (nil for a null slot). Tables written by any instruction, imported,
    /// exported or initialized from non-constant offsets are absent.
    public var constantTables: [Int: [Int?]] = [:]
    /// Whether signatures with equal parameter and result types are the same type (no GC subtyping,
    /// every recursion group a single type), so `call_indirect`'s type check compares them structurally.
    public var signaturesAreStructural = false

    public init(entries: [Entry]) {
        self.entries = entries
        indexByName = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A program of IR functions that are all roots (the unit golden tests and the interpreter use).
    public init(_ module: Module) {
        self.init(entries: module.functions.map { Entry(name: $0.name, function: $0, isRoot: true) })
    }

    /// The functions with IR, back as an interpreter module (removed functions left out).
    public var module: Module {
        Module(functions: entries.compactMap { $0.isRemoved ? nil : $0.function })
    }

    /// The entry index of the function called `name`.
    public func index(named name: String) -> Int? { indexByName[name] }

    /// The entry index of the callee of `ref` in the function at `caller`.
    public func callee(_ ref: FuncRef, in caller: Function) -> Int? { indexByName[caller.functionRefs[ref].name] }

    /// Instructions in the layout over every function with IR.
    public var instructionCount: Int {
        entries.reduce(0) { $0 + ($1.isRemoved ? 0 : $1.function?.layoutInstructionCount ?? 0) }
    }
}
