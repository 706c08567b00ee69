/// Writes a `Module` in the binary format.
///
/// Sections come out in the required order; custom sections go back where they were read. Function
/// bodies and constant expressions are kept encoded, so a module read with canonical LEB128
/// integers is written back byte for byte.
public enum ModuleWriter {
    public static func write(_ m: Module) -> [UInt8] {
        var w = ByteWriter()
        // The bulk of a module is bodies, data and custom payloads; reserving for them up front
        // keeps the output from being copied as it grows.
        var estimate = 1024 + m.bodies.reduce(0) { $0 + $1.code.count + 8 }
        estimate += m.data.reduce(0) { $0 + $1.bytes.count + 8 }
        estimate += m.customSections.reduce(0) { $0 + $1.payload.count + $1.name.utf8.count + 12 }
        w.bytes.reserveCapacity(estimate)
        w.append(contentsOf: [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00])
        writeCustomSections(m, after: nil, &w)
        let order: [SectionID] = [.type, .import, .function, .table, .memory, .tag, .global, .export, .start,
                                  .element, .dataCount, .code, .data]
        for id in order {
            if id == .code && shouldWrite(id, m) {
                writeCodeSection(m, &w)
            } else if shouldWrite(id, m) {
                w.byte(id.rawValue)
                w.sized { s in writeSection(id, m, &s) }
            }
            writeCustomSections(m, after: id, &w)
        }
        return w.bytes
    }

    static func shouldWrite(_ id: SectionID, _ m: Module) -> Bool {
        if m.presentSections.contains(id) { return true }
        switch id {
        case .type: return !m.recGroups.isEmpty
        case .import: return !m.imports.isEmpty
        case .function: return !m.functions.isEmpty
        case .table: return !m.tables.isEmpty
        case .memory: return !m.memories.isEmpty
        case .tag: return !m.tags.isEmpty
        case .global: return !m.globals.isEmpty
        case .export: return !m.exports.isEmpty
        case .start: return m.start != nil
        case .element: return !m.elements.isEmpty
        case .dataCount: return m.dataCount != nil
        case .code: return !m.bodies.isEmpty
        case .data: return !m.data.isEmpty
        case .custom: return false
        }
    }

    /// The code section, written in one pass: sizes are computed first so bodies are copied once.
    ///
    /// The local declarations of all bodies are encoded into one buffer first (body `i`'s are
    /// `prefixes[prefixEnds[i - 1] ..< prefixEnds[i]]`), which gives every body's size.
    static func writeCodeSection(_ m: Module, _ w: inout ByteWriter) {
        var prefixes = ByteWriter()
        prefixes.bytes.reserveCapacity(m.bodies.count * 4)
        var prefixEnds: [Int] = []
        prefixEnds.reserveCapacity(m.bodies.count)
        var contentSize = ByteWriter.unsignedSize(UInt64(m.bodies.count))
        for b in m.bodies {
            let start = prefixes.bytes.count
            prefixes.u32(b.locals.count)
            for l in b.locals { prefixes.u32(l.count); prefixes.valType(l.type) }
            prefixEnds.append(prefixes.bytes.count)
            let size = prefixes.bytes.count - start + b.code.count
            contentSize += ByteWriter.unsignedSize(UInt64(size)) + size
        }
        w.byte(SectionID.code.rawValue)
        w.u32(contentSize)
        w.u32(m.bodies.count)
        var start = 0
        for (b, end) in zip(m.bodies, prefixEnds) {
            w.u32(end - start + b.code.count)
            w.append(contentsOf: prefixes.bytes[start..<end])
            w.append(contentsOf: b.code)
            start = end
        }
    }

    static func writeCustomSections(_ m: Module, after: SectionID?, _ w: inout ByteWriter) {
        for c in m.customSections where c.after == after {
            w.byte(0)
            let nameLength = c.name.utf8.count
            w.u32(ByteWriter.unsignedSize(UInt64(nameLength)) + nameLength + c.payload.count)
            w.name(c.name)
            w.append(contentsOf: c.payload)
        }
    }

    static func writeSection(_ id: SectionID, _ m: Module, _ w: inout ByteWriter) {
        switch id {
        case .custom: break
        case .type:
            w.u32(m.recGroups.count)
            for g in m.recGroups { w.recGroup(g) }
        case .import:
            w.u32(m.imports.count)
            for imp in m.imports {
                w.name(imp.module)
                w.name(imp.name)
                w.byte(imp.descriptor.kind.rawValue)
                switch imp.descriptor {
                case .function(let t): w.u32(t)
                case .table(let t): w.refType(t.elementType); w.limits(t.limits)
                case .memory(let mt): w.limits(mt.limits)
                case .global(let g): w.valType(g.valueType); w.byte(g.mutable ? 1 : 0)
                case .tag(let t): w.byte(0); w.u32(t.typeIndex)
                }
            }
        case .function:
            w.u32(m.functions.count)
            for f in m.functions { w.u32(f) }
        case .table:
            w.u32(m.tables.count)
            for t in m.tables {
                if let initializer = t.initializer {
                    w.byte(0x40); w.byte(0)
                    w.refType(t.type.elementType); w.limits(t.type.limits)
                    w.append(contentsOf: initializer.bytes)
                } else {
                    w.refType(t.type.elementType); w.limits(t.type.limits)
                }
            }
        case .memory:
            w.u32(m.memories.count)
            for mem in m.memories { w.limits(mem.limits) }
        case .tag:
            w.u32(m.tags.count)
            for t in m.tags { w.byte(0); w.u32(t.typeIndex) }
        case .global:
            w.u32(m.globals.count)
            for g in m.globals {
                w.valType(g.type.valueType)
                w.byte(g.type.mutable ? 1 : 0)
                w.append(contentsOf: g.initializer.bytes)
            }
        case .export:
            w.u32(m.exports.count)
            for e in m.exports {
                w.name(e.name)
                w.byte(e.kind.rawValue)
                w.u32(e.index)
            }
        case .start:
            w.u32(m.start ?? 0)
        case .element:
            w.u32(m.elements.count)
            for e in m.elements { writeElementSegment(e, &w) }
        case .dataCount:
            w.u32(m.dataCount ?? UInt32(m.data.count))
        case .code:
            writeCodeSection(m, &w)
        case .data:
            w.u32(m.data.count)
            for d in m.data {
                switch d.mode {
                case .passive:
                    w.u32(1)
                case .active(let memory, let offset):
                    if memory == 0 && d.flags != 2 {
                        w.u32(0)
                    } else {
                        w.u32(2); w.u32(memory)
                    }
                    w.append(contentsOf: offset.bytes)
                }
                w.u32(d.bytes.count)
                w.append(contentsOf: d.bytes)
            }
        }
    }

    /// Picks the encoding form: the one it was read with when it still fits, else the shortest.
    static func elementFlags(_ e: ElementSegment) -> UInt32 {
        var shortest: UInt32
        switch e.mode {
        case .passive: shortest = 1
        case .declarative: shortest = 3
        case .active(let table, _):
            if case .functions = e.items {
                shortest = table == 0 ? 0 : 2
            } else {
                shortest = (table == 0 && e.type == .funcref) ? 0 : 2
            }
        }
        if case .expressions = e.items { shortest |= 4 }
        guard let original = e.flags, original & 5 == shortest & 5 else { return shortest }
        if original & 1 != 0 { return original & 3 == shortest & 3 ? original : shortest }
        // Active: forms 2 and 6 name the table and type explicitly and always fit.
        return (original & 2 == 0 && shortest & 2 != 0) ? shortest : original
    }

    static func writeElementSegment(_ e: ElementSegment, _ w: inout ByteWriter) {
        let flags = elementFlags(e)
        w.u32(flags)
        switch e.mode {
        case .active(let table, let offset):
            if flags & 2 != 0 { w.u32(table) }
            w.append(contentsOf: offset.bytes)
        default: break
        }
        if flags & 3 != 0 {
            if flags & 4 != 0 { w.refType(e.type) } else { w.byte(0) }
        }
        switch e.items {
        case .functions(let fs):
            w.u32(fs.count)
            for f in fs { w.u32(f) }
        case .expressions(let es):
            w.u32(es.count)
            for x in es { w.append(contentsOf: x.bytes) }
        }
    }
}
