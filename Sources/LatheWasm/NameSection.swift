/// The `name` custom section: names of the module and of its functions, locals, labels, types, fields and more.
public struct NameSection: Sendable, Hashable {
    public var moduleName: String?
    public var functions: [UInt32: String] = [:]
    public var locals: [UInt32: [UInt32: String]] = [:]
    public var labels: [UInt32: [UInt32: String]] = [:]
    public var types: [UInt32: String] = [:]
    public var tables: [UInt32: String] = [:]
    public var memories: [UInt32: String] = [:]
    public var globals: [UInt32: String] = [:]
    public var elements: [UInt32: String] = [:]
    public var dataSegments: [UInt32: String] = [:]
    public var fields: [UInt32: [UInt32: String]] = [:]
    public var tags: [UInt32: String] = [:]

    public init() {}

    /// Parses the payload of a `name` section.
    public init(parsing payload: ArraySlice<UInt8>) throws(WasmError) {
        var r = ByteReader(bytes: payload)
        r.section = "name"
        while !r.isAtEnd {
            let id = try r.readByte()
            let size = try r.readU32()
            guard Int(size) <= r.remaining else { throw r.error("name subsection of \(size) bytes, \(r.remaining) left") }
            var sub = r
            sub.limit = r.position + Int(size)
            switch id {
            case 0: moduleName = try sub.readName()
            case 1: functions = try Self.nameMap(&sub)
            case 2: locals = try Self.indirectNameMap(&sub)
            case 3: labels = try Self.indirectNameMap(&sub)
            case 4: types = try Self.nameMap(&sub)
            case 5: tables = try Self.nameMap(&sub)
            case 6: memories = try Self.nameMap(&sub)
            case 7: globals = try Self.nameMap(&sub)
            case 8: elements = try Self.nameMap(&sub)
            case 9: dataSegments = try Self.nameMap(&sub)
            case 10: fields = try Self.indirectNameMap(&sub)
            case 11: tags = try Self.nameMap(&sub)
            default: break  // unknown subsections are skipped
            }
            r.position = sub.limit
        }
    }

    static func nameMap(_ r: inout ByteReader) throws(WasmError) -> [UInt32: String] {
        let n = try r.readCount("name", minElementSize: 2)
        var map: [UInt32: String] = [:]
        map.reserveCapacity(n)
        for _ in 0..<n {
            let index = try r.readU32()
            map[index] = try r.readName()
        }
        return map
    }

    static func indirectNameMap(_ r: inout ByteReader) throws(WasmError) -> [UInt32: [UInt32: String]] {
        let n = try r.readCount("name map", minElementSize: 2)
        var map: [UInt32: [UInt32: String]] = [:]
        for _ in 0..<n {
            let index = try r.readU32()
            map[index] = try nameMap(&r)
        }
        return map
    }

    /// Encodes the section payload (subsections in id order, entries sorted by index).
    public func encode() -> [UInt8] {
        var w = ByteWriter()
        func sub(_ id: UInt8, _ body: (inout ByteWriter) -> Void) {
            w.byte(id)
            w.sized(body)
        }
        func map(_ m: [UInt32: String], _ w: inout ByteWriter) {
            w.u32(m.count)
            for k in m.keys.sorted() { w.u32(k); w.name(m[k]!) }
        }
        func indirect(_ m: [UInt32: [UInt32: String]], _ w: inout ByteWriter) {
            w.u32(m.count)
            for k in m.keys.sorted() { w.u32(k); map(m[k]!, &w) }
        }
        if let moduleName { sub(0) { $0.name(moduleName) } }
        if !functions.isEmpty { sub(1) { map(functions, &$0) } }
        if !locals.isEmpty { sub(2) { indirect(locals, &$0) } }
        if !labels.isEmpty { sub(3) { indirect(labels, &$0) } }
        if !types.isEmpty { sub(4) { map(types, &$0) } }
        if !tables.isEmpty { sub(5) { map(tables, &$0) } }
        if !memories.isEmpty { sub(6) { map(memories, &$0) } }
        if !globals.isEmpty { sub(7) { map(globals, &$0) } }
        if !elements.isEmpty { sub(8) { map(elements, &$0) } }
        if !dataSegments.isEmpty { sub(9) { map(dataSegments, &$0) } }
        if !fields.isEmpty { sub(10) { indirect(fields, &$0) } }
        if !tags.isEmpty { sub(11) { map(tags, &$0) } }
        return w.bytes
    }
}
