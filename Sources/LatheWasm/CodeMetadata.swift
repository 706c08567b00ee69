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

/// Call-site inline hints (`metadata.code.inline`, `binaryen.inline`): items at the byte offset of a call instruction.
///
/// The payload's first byte is a log call frequency: 0 never inline, 127 always inline, 1...126
/// estimated calls per call of the caller (32 is one). Offsets count from the first byte after
/// the body's size (the locals' count), so an instruction's offset is never 0; offset 0 is the
/// function-level form, which hints every call of that function and is not listed here.
extension Module {
    /// The sections that hold inline hints, in the order their items are read (the first one wins at an offset).
    public static let inlineHintSections = ["metadata.code.inline", "binaryen.inline"]

    /// Instruction-level inline hints by module-wide function index, then body offset; malformed sections are skipped.
    public func callSiteInlineHints() -> [UInt32: [UInt32: UInt8]] {
        var out: [UInt32: [UInt32: UInt8]] = [:]
        for name in Self.inlineHintSections {
            for section in customSections where section.name == name {
                guard let metadata = try? CodeMetadata(payload: section.payload) else { continue }
                for f in metadata.functions {
                    for item in f.items where item.offset != 0 && !item.payload.isEmpty && item.payload[0] <= 127 {
                        if out[f.index]?[item.offset] == nil { out[f.index, default: [:]][item.offset] = item.payload[0] }
                    }
                }
            }
        }
        return out
    }

    /// The code-metadata offset of `bodies[i].code`'s first byte: the size of its locals' declaration.
    ///
    /// From the file when the body was read from one, else from the encoding the writer uses.
    public func codeMetadataOffsetOfCode(definedFunction i: Int) -> Int {
        let body = bodies[i]
        if i < offsets.bodies.count, offsets.bodies.count == bodies.count, offsets.bodies[i] <= body.code.startIndex {
            return body.code.startIndex - offsets.bodies[i]
        }
        return body.localsEncodedSize
    }

    /// Replaces the instruction-level items of the inline-hint sections for the functions in `hints`
    /// (by module-wide index; items as offset and hint), keeping function-level items.
    ///
    /// Written to `metadata.code.inline` when the module has it or neither section, else to
    /// `binaryen.inline`; instruction-level items of these functions in the other section go.
    public mutating func replaceCallSiteInlineHints(_ hints: [UInt32: [(offset: UInt32, hint: UInt8)]]) {
        if hints.isEmpty { return }
        let target = customSections.contains { $0.name == "metadata.code.inline" } || !customSections.contains { $0.name == "binaryen.inline" }
            ? "metadata.code.inline" : "binaryen.inline"
        var wrote = false
        customSections = customSections.compactMap { section in
            guard Self.inlineHintSections.contains(section.name) else { return section }
            guard var metadata = try? CodeMetadata(payload: section.payload) else { return nil }
            var byIndex: [UInt32: [CodeMetadata.Item]] = [:]
            for f in metadata.functions { byIndex[f.index, default: []] += f.items }
            for f in hints.keys { byIndex[f] = byIndex[f]?.filter { $0.offset == 0 } }
            if section.name == target && !wrote {
                wrote = true
                for (f, items) in hints { byIndex[f, default: []] += items.map { CodeMetadata.Item(offset: $0.offset, payload: [$0.hint]) } }
            }
            metadata.functions = byIndex.keys.sorted().compactMap { f in
                let items = byIndex[f]!.sorted { $0.offset < $1.offset }
                return items.isEmpty ? nil : (f, items)
            }
            if metadata.functions.isEmpty { return nil }
            var out = section
            out.payload = metadata.payload[...]
            return out
        }
        if !wrote {
            let items = hints.keys.sorted().compactMap { f -> (index: UInt32, items: [CodeMetadata.Item])? in
                let list = hints[f]!.sorted { $0.offset < $1.offset }.map { CodeMetadata.Item(offset: $0.offset, payload: [$0.hint]) }
                return list.isEmpty ? nil : (f, list)
            }
            if !items.isEmpty {
                customSections.append(CustomSection(name: target, payload: CodeMetadata(functions: items).payload[...], after: .code))
            }
        }
    }
}

extension FunctionBody {
    /// Bytes of the locals' declaration as the module writer encodes it (shortest integers).
    public var localsEncodedSize: Int {
        var w = ByteWriter()
        w.u32(locals.count)
        for l in locals { w.u32(l.count); w.valType(l.type) }
        return w.bytes.count
    }
}

extension Opcode {
    /// Whether this is a call an inline hint can name: `call`, `call_indirect`, `call_ref` or a tail form.
    public var isCall: Bool {
        switch self {
        case .call, .callIndirect, .callRef, .returnCall, .returnCallIndirect, .returnCallRef: true
        default: false
        }
    }
}
