/// Text-format identifiers for one index space, built from the name section.
///
/// A name becomes `$name` when every character is an id character, `$"..."` otherwise. Like
/// `wasm-tools print`, the first item with a given name keeps it and later items with the same
/// name get `$"#func2 name"`; an empty name, or a made-up one that would collide, gets no id.
struct PrintNameSpace {
    private var ids: [UInt32: String] = [:]

    init() {}

    /// - Parameter kind: the word used in made-up names for duplicates (`func`, `local`, ...).
    init(_ names: [UInt32: String], kind: String) {
        var taken = Set<String>()
        var duplicates: [(UInt32, String)] = []
        for index in names.keys.sorted() {
            let name = names[index]!
            if name.isEmpty { continue }
            if taken.insert(name).inserted {
                ids[index] = PrintText.identifier(name)
            } else {
                duplicates.append((index, name))
            }
        }
        for (index, name) in duplicates {
            let madeUp = "#\(kind)\(index) \(name)"
            if taken.insert(madeUp).inserted { ids[index] = PrintText.identifier(madeUp) }
        }
    }

    /// The `$id` of an item, or nil when it has no usable name.
    subscript(index: UInt32) -> String? { ids[index] }

    /// `$id` when named, else the index in decimal (for references).
    func reference(_ index: UInt32) -> String { ids[index] ?? String(index) }

    /// The name and index comment that follow a definition's keyword: `$id (;3;)` or `(;3;)`.
    func definition(_ index: UInt32) -> String {
        if let id = ids[index] { return "\(id) (;\(index);)" }
        return "(;\(index);)"
    }

    var isEmpty: Bool { ids.isEmpty }

    /// Forgets the names of items with an index below `end`.
    mutating func removeNames(below end: UInt32) {
        ids = ids.filter { $0.key >= end }
    }
}

/// All the name spaces of a module that the printer uses.
struct PrintNames {
    var module: String?
    var functions = PrintNameSpace()
    var types = PrintNameSpace()
    var tables = PrintNameSpace()
    var memories = PrintNameSpace()
    var globals = PrintNameSpace()
    var elements = PrintNameSpace()
    var data = PrintNameSpace()
    var tags = PrintNameSpace()
    private var localMaps: [UInt32: [UInt32: String]] = [:]
    private var labelMaps: [UInt32: [UInt32: String]] = [:]
    private var fieldMaps: [UInt32: [UInt32: String]] = [:]
    private var fieldCache: [UInt32: PrintNameSpace] = [:]

    init(_ section: NameSection?) {
        guard let s = section else { return }
        if let m = s.moduleName, !m.isEmpty { module = PrintText.identifier(m) }
        functions = PrintNameSpace(s.functions, kind: "func")
        types = PrintNameSpace(s.types, kind: "type")
        tables = PrintNameSpace(s.tables, kind: "table")
        memories = PrintNameSpace(s.memories, kind: "memory")
        globals = PrintNameSpace(s.globals, kind: "global")
        elements = PrintNameSpace(s.elements, kind: "elem")
        data = PrintNameSpace(s.dataSegments, kind: "data")
        tags = PrintNameSpace(s.tags, kind: "tag")
        localMaps = s.locals
        labelMaps = s.labels
        fieldMaps = s.fields
        for (t, m) in s.fields { fieldCache[t] = PrintNameSpace(m, kind: "field") }
    }

    /// Names of the parameters and locals of a function (module-wide function index).
    func locals(ofFunction f: UInt32) -> PrintNameSpace {
        guard let m = localMaps[f] else { return PrintNameSpace() }
        return PrintNameSpace(m, kind: "local")
    }

    /// Names of the labels of a function, indexed by the order of the block instructions.
    func labels(ofFunction f: UInt32) -> [UInt32: String] { labelMaps[f] ?? [:] }

    /// Names of the fields of a struct type.
    func fields(ofType t: UInt32) -> PrintNameSpace { fieldCache[t] ?? PrintNameSpace() }
}

/// Spelling of identifiers, strings and numbers in the text format.
enum PrintText {
    /// Whether a character may appear in an unquoted identifier.
    static func isIDChar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "0"..."9", "A"..."Z", "a"..."z": return true
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "/", ":", "<", "=", ">", "?", "@", "\\",
             "^", "_", "`", "|", "~":
            return true
        default: return false
        }
    }

    /// `$name`, or `$"name"` with escapes when the name has characters an id cannot hold.
    static func identifier(_ name: String) -> String {
        if !name.isEmpty && name.unicodeScalars.allSatisfy(isIDChar) { return "$" + name }
        return "$" + quotedName(name)
    }

    /// A quoted string for a name (UTF-8 text): printable ASCII as is, the rest as `\u{...}`.
    static func quotedName(_ name: String) -> String {
        var out = "\""
        for c in name.unicodeScalars {
            if c.value >= 0x20 && c.value < 0x7F && c != "\"" && c != "\\" {
                out.unicodeScalars.append(c)
            } else {
                out += "\\u{" + String(c.value, radix: 16) + "}"
            }
        }
        out += "\""
        return out
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")

    /// A quoted string for raw bytes: printable ASCII as is, the rest as `\hh`.
    static func quotedBytes<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = "\""
        out.reserveCapacity(bytes.count + 2)
        for b in bytes {
            if b >= 0x20 && b < 0x7F && b != 0x22 && b != 0x5C {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out.append("\\")
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            }
        }
        out += "\""
        return out
    }

    /// `0x` and `digits` lowercase hex digits, zero-padded.
    static func hex<T: BinaryInteger>(_ v: T, digits: Int) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// An f32 constant that reads back bit for bit: hex float, `inf`, `nan`, `nan:0x...`, with
    /// the decimal value in a comment as `wasm-tools print` does.
    static func f32(_ bits: UInt32) -> String {
        let text = float(sign: bits >> 31 != 0, exponent: Int((bits >> 23) & 0xFF), fraction: UInt64(bits & 0x7F_FFFF),
                          exponentBits: 8, fractionBits: 23)
        return text + " (;=" + decimalComment(Float(bitPattern: bits).description) + ";)"
    }

    /// An f64 constant that reads back bit for bit.
    static func f64(_ bits: UInt64) -> String {
        let text = float(sign: bits >> 63 != 0, exponent: Int((bits >> 52) & 0x7FF), fraction: bits & 0xF_FFFF_FFFF_FFFF,
                          exponentBits: 11, fractionBits: 52)
        return text + " (;=" + decimalComment(Double(bitPattern: bits).description) + ";)"
    }

    /// The decimal value the way Rust's `Display` writes it (as `wasm-tools print` does in its
    /// comments): shortest digits that read back, no exponent, no trailing `.0`.
    static func decimalComment(_ swiftDescription: String) -> String {
        var s = Substring(swiftDescription)
        var negative = false
        if s.hasPrefix("-") {
            negative = true
            s = s.dropFirst()
        }
        guard let first = s.first, first.isASCII, first.isNumber else {
            return s.hasPrefix("nan") ? "NaN" : (negative ? "-" : "") + s
        }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(String(s[s.index(after: e)...].filter { $0 != "+" })) ?? 0
            s = s[..<e]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        var digits = Array(parts[0] + (parts.count > 1 ? parts[1] : ""))
        var point = parts[0].count + exponent
        while digits.count > 1 && digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1 && digits.last == "0" && digits.count > point { digits.removeLast() }
        var text: String
        if digits == ["0"] {
            text = "0"
        } else if point <= 0 {
            text = "0." + String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            text = String(digits) + String(repeating: "0", count: point - digits.count)
        } else {
            text = String(digits[..<point]) + "." + String(digits[point...])
        }
        return (negative ? "-" : "") + text
    }

    /// `.hhh` for the fraction bits (trailing zero digits dropped), or "" when they are all zero.
    static func fractionHex(_ fraction: UInt64, fractionBits: Int) -> String {
        let pad = (4 - fractionBits % 4) % 4
        var f = fraction << UInt64(pad)
        var n = (fractionBits + pad) / 4
        while n > 0 && f & 0xF == 0 {
            f >>= 4
            n -= 1
        }
        if n == 0 { return "" }
        let s = String(f, radix: 16)
        return "." + String(repeating: "0", count: n - s.count) + s
    }

    /// Hex-float spelling from the IEEE fields.
    static func float(sign: Bool, exponent: Int, fraction: UInt64, exponentBits: Int, fractionBits: Int) -> String {
        let maxExponent = (1 << exponentBits) - 1
        let bias = (1 << (exponentBits - 1)) - 1
        var out = sign ? "-" : ""
        if exponent == maxExponent {
            if fraction == 0 { return out + "inf" }
            let canonical = UInt64(1) << UInt64(fractionBits - 1)
            if fraction == canonical { return out + "nan" }
            return out + "nan:0x" + String(fraction, radix: 16)
        }
        if exponent == 0 && fraction == 0 { return out + "0x0p+0" }
        var e = exponent - bias
        var f = fraction
        if exponent == 0 {
            // Subnormal: normalized like `wasm-tools print` does, 0x1.fff...p(e) below the normal range.
            let top = 63 - fraction.leadingZeroBitCount
            f = (fraction - (UInt64(1) << UInt64(top))) << UInt64(fractionBits - top)
            e = top + 1 - bias - fractionBits
        }
        out += "0x1" + fractionHex(f, fractionBits: fractionBits) + "p" + (e < 0 ? "-" : "+") + String(abs(e))
        return out
    }
}
