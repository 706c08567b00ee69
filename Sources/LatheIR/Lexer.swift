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
    let chars = Array(source.unicodeScalars)
    var i = 0, line = 1, lineStart = 0
    func isIdent(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" }
    while i < chars.count {
        let c = chars[i]
        let col = i - lineStart + 1
        if c == "\n" { line += 1; i += 1; lineStart = i; continue }
        if c == " " || c == "\t" || c == "\r" { i += 1; continue }
        if c == ";" { while i < chars.count && chars[i] != "\n" { i += 1 }; continue }
        let start = i
        if c == "%" {
            i += 1
            while i < chars.count && (isIdent(chars[i]) || chars[i] == "." || chars[i] == "$") { i += 1 }
            tokens.append(Token(kind: .funcName, text: String(String.UnicodeScalarView(chars[(start + 1)..<i])), line: line, column: col))
            continue
        }
        if c == "-" && i + 1 < chars.count && chars[i + 1] == ">" {
            tokens.append(Token(kind: .arrow, text: "->", line: line, column: col)); i += 2; continue
        }
        if ("0"..."9").contains(c) || (c == "-" && i + 1 < chars.count && ("0"..."9").contains(chars[i + 1])) {
            i += 1
            // digits, hex digits, '.', exponents with sign (1e-5, 0x1p+3)
            while i < chars.count {
                let d = chars[i]
                if isIdent(d) || d == "." { i += 1; continue }
                if (d == "-" || d == "+"), let prev = Optional(chars[i - 1]), "eEpP".unicodeScalars.contains(prev),
                   !String(String.UnicodeScalarView(chars[start..<i])).lowercased().hasPrefix("0x") || "pP".unicodeScalars.contains(prev) {
                    i += 1; continue
                }
                break
            }
            tokens.append(Token(kind: .number, text: String(String.UnicodeScalarView(chars[start..<i])), line: line, column: col))
            continue
        }
        if isIdent(c) || (c == "-" && i + 1 < chars.count && isIdent(chars[i + 1])) {
            i += 1
            while i < chars.count && isIdent(chars[i]) { i += 1 }
            tokens.append(Token(kind: .ident, text: String(String.UnicodeScalarView(chars[start..<i])), line: line, column: col))
            continue
        }
        if "(){}[],:=.+".unicodeScalars.contains(c) {
            tokens.append(Token(kind: .punct, text: String(c), line: line, column: col)); i += 1; continue
        }
        throw ParseError(line: line, column: col, message: "unexpected character '\(c)'")
    }
    tokens.append(Token(kind: .end, text: "", line: line, column: i - lineStart + 1))
    return tokens
}
