/// A parse failure: 1-based position and what was expected.
public struct ParseError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "\(line):\(column): \(message)" }
}

/// One token of IR text.
struct Token: Sendable {
    enum Kind: Sendable, Equatable { case ident, number, funcName, punct, arrow, end }
    var kind: Kind
    var text: String
    var line: Int
    var column: Int

    var display: String {
        switch kind {
        case .end: "end of input"
        case .funcName: "'%\(text)'"
        default: "'\(text)'"
        }
    }
}

/// Splits IR text into tokens; `;` starts a comment that runs to the end of the line.
func tokenize(_ source: String) throws(ParseError) -> [Token] {
    var tokens: [Token] = []
    let bytes = Array(source.utf8)
    var i = 0, line = 1, lineStart = 0
    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) func isIdent(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a || isDigit(c) || c == 0x5f }
    func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }
    let dot = UInt8(ascii: "."), minus = UInt8(ascii: "-"), plus = UInt8(ascii: "+")
    while i < bytes.count {
        let c = bytes[i]
        let col = i - lineStart + 1
        if c == 0x0a { line += 1; i += 1; lineStart = i; continue }
        if c == 0x20 || c == 0x09 || c == 0x0d { i += 1; continue }
        if c == UInt8(ascii: ";") { while i < bytes.count && bytes[i] != 0x0a { i += 1 }; continue }
        let start = i
        if c == UInt8(ascii: "%") {
            i += 1
            while i < bytes.count && (isIdent(bytes[i]) || bytes[i] == dot || bytes[i] == UInt8(ascii: "$")) { i += 1 }
            tokens.append(Token(kind: .funcName, text: text(start + 1, i), line: line, column: col))
            continue
        }
        let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
        if c == minus && next == UInt8(ascii: ">") {
            tokens.append(Token(kind: .arrow, text: "->", line: line, column: col)); i += 2; continue
        }
        if isDigit(c) || (c == minus && isDigit(next)) {
            i += 1
            let hex = c == UInt8(ascii: "0") && (next | 0x20) == UInt8(ascii: "x") || c == minus && i + 1 < bytes.count && bytes[i] == UInt8(ascii: "0") && (bytes[i + 1] | 0x20) == UInt8(ascii: "x")
            // digits, hex digits, '.', exponents with sign (1e-5, 0x1p+3)
            while i < bytes.count {
                let d = bytes[i]
                if isIdent(d) || d == dot { i += 1; continue }
                let prev = bytes[i - 1] | 0x20
                if (d == minus || d == plus) && (prev == UInt8(ascii: "p") || !hex && prev == UInt8(ascii: "e")) { i += 1; continue }
                break
            }
            tokens.append(Token(kind: .number, text: text(start, i), line: line, column: col))
            continue
        }
        if isIdent(c) || (c == minus && isIdent(next)) {
            i += 1
            while i < bytes.count && isIdent(bytes[i]) { i += 1 }
            tokens.append(Token(kind: .ident, text: text(start, i), line: line, column: col))
            continue
        }
        if "(){}[],:=.+".utf8.contains(c) {
            tokens.append(Token(kind: .punct, text: String(UnicodeScalar(c)), line: line, column: col)); i += 1; continue
        }
        var scalarEnd = i + 1
        while scalarEnd < bytes.count && bytes[scalarEnd] & 0xc0 == 0x80 { scalarEnd += 1 }
        throw ParseError(line: line, column: col, message: "unexpected character '\(text(i, scalarEnd))'")
    }
    tokens.append(Token(kind: .end, text: "", line: line, column: i - lineStart + 1))
    return tokens
}
