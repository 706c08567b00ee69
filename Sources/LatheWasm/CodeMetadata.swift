/// A code-metadata custom section (`metadata.code.T`, also Binaryen's `binaryen.inline`): per function, items at byte offsets of its body.
///
/// Layout: vec(function index, vec(byte offset u32, payload length u32, payload bytes)). The offset
/// counts from the start of the function body (after its size); offset 0 marks a hint about the
/// function itself rather than one instruction.
public struct CodeMetadata: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var offset: UInt32
        public var payload: [UInt8]
        public init(offset: UInt32, payload: [UInt8]) { self.offset = offset; self.payload = payload }
    }

    /// Items by module-wide function index, in section order.
    public var functions: [(index: UInt32, items: [Item])]

    public init(functions: [(index: UInt32, items: [Item])] = []) { self.functions = functions }

    public static func == (a: CodeMetadata, b: CodeMetadata) -> Bool {
        a.functions.count == b.functions.count && zip(a.functions, b.functions).allSatisfy { $0.index == $1.index && $0.items == $1.items }
    }

    /// Whether a custom section with this name holds code metadata.
    public static func isCodeMetadata(_ sectionName: String) -> Bool {
        sectionName.hasPrefix("metadata.code.") || sectionName == "binaryen.inline"
    }

    /// Decodes a section payload.
    public init(payload: ArraySlice<UInt8>) throws(WasmError) {
        var r = ByteReader(bytes: payload)
        var functions: [(index: UInt32, items: [Item])] = []
        let count = try r.readCount("code metadata functions")
        for _ in 0..<count {
            let index = try r.readU32()
            let itemCount = try r.readCount("code metadata items", minElementSize: 2)
            var items: [Item] = []
            for _ in 0..<itemCount {
                let offset = try r.readU32()
                let length = try r.readU32()
                items.append(Item(offset: offset, payload: Array(try r.readBytes(Int(length)))))
            }
            functions.append((index, items))
        }
        if !r.isAtEnd { throw r.error("code metadata: \(r.remaining) bytes after the last function") }
        self.functions = functions
    }

    /// The section payload.
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u32(functions.count)
        for f in functions {
            w.u32(f.index)
            w.u32(f.items.count)
            for item in f.items {
                w.u32(item.offset)
                w.u32(item.payload.count)
                for b in item.payload { w.byte(b) }
            }
        }
        return w.bytes
    }
}

extension Module {
    /// Drops the instruction-level code metadata of the functions whose bodies were rewritten (their
    /// byte offsets no longer point at the instructions they described); function-level items
    /// (offset 0) stay. A section that cannot be decoded is dropped whole: hints never change behaviour.
    public mutating func dropStaleCodeMetadata(rewrittenFunctions rewritten: Set<UInt32>) {
        if rewritten.isEmpty { return }
        customSections = customSections.compactMap { section in
            guard CodeMetadata.isCodeMetadata(section.name) else { return section }
            guard var metadata = try? CodeMetadata(payload: section.payload) else { return nil }
            metadata.functions = metadata.functions.compactMap { f in
                guard rewritten.contains(f.index) else { return f }
                let kept = f.items.filter { $0.offset == 0 }
                return kept.isEmpty ? nil : (f.index, kept)
            }
            if metadata.functions.isEmpty { return nil }
            var out = section
            out.payload = metadata.payload[...]
            return out
        }
    }
}

extension Module {
    /// Drops the names of non-parameter locals and of labels of the functions whose bodies were
    /// rewritten: their locals were renumbered, so those names would label the wrong locals.
    public mutating func dropStaleLocalNames(rewrittenFunctions rewritten: Set<UInt32>) {
        guard !rewritten.isEmpty, let k = customSections.firstIndex(where: { $0.name == "name" }), var names = self.names else { return }
        let imported = importedFunctionCount
        let types = self.types
        var changed = false
        for f in rewritten {
            let defined = Int(f) - imported
            guard defined >= 0, defined < functions.count else { continue }
            let typeIndex = Int(functions[defined])
            let params = typeIndex < types.count ? (types[typeIndex].funcType?.params.count ?? 0) : 0
            if let locals = names.locals[f] {
                let kept = locals.filter { $0.key < UInt32(params) }
                if kept.count != locals.count { names.locals[f] = kept.isEmpty ? nil : kept; changed = true }
            }
            if names.labels[f] != nil { names.labels[f] = nil; changed = true }
        }
        if changed { customSections[k].payload = names.encode()[...] }
    }
}
