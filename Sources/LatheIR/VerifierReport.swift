/// The verifier's findings, renderable as short windows around each error.
public struct VerifierReport: Sendable, CustomStringConvertible {
    public let function: Function
    public let errors: [VerifierError]

    public var isValid: Bool { errors.isEmpty }

    /// Text for at most `maxErrors` errors, then "... and N more errors".
    public func render(maxErrors: Int = 10) -> String {
        let printer = FunctionPrinter(function)
        var out: [String] = []
        for e in errors.prefix(maxErrors) { out += window(e, printer) }
        if errors.count > maxErrors { out.append("... and \(errors.count - maxErrors) more error(s)") }
        return out.joined(separator: "\n")
    }

    public var description: String { render() }

    /// The lines shown for one error: message, signature, block header, 3 instructions each side, caret.
    func window(_ e: VerifierError, _ p: FunctionPrinter) -> [String] {
        let layout = function.layout
        var lines = ["error: \(e.message)", p.signatureLine]
        func caret(under range: Range<Int>) -> String {
            String(repeating: " ", count: range.lowerBound) + String(repeating: "^", count: max(1, range.count))
        }
        switch e.location {
        case .function:
            break
        case .block(let b):
            let header = p.blockHeader(b)
            lines.append(header)
            lines.append(caret(under: 0..<p.name(b).count))
            let insts = layout.insts(b)
            for i in insts.prefix(3) { lines.append(p.instLine(i).text) }
            if insts.count > 3 { lines.append("    ...") }
        case .inst(let inst):
            guard let b = layout.block(of: inst) else {
                lines.append("    (\(inst) is not in the layout)")
                return lines
            }
            lines.append(p.blockHeader(b))
            var before: [String] = []
            var cursor = layout.prevInst(inst)
            while let c = cursor, before.count < 3 { before.insert(p.instLine(c).text, at: 0); cursor = layout.prevInst(c) }
            if cursor != nil { lines.append("    ...") }
            lines += before
            let (text, spans) = p.instLine(inst)
            lines.append(text)
            if let n = e.operand, n < spans.count {
                lines.append(caret(under: spans[n]))
            } else {
                let start = text.prefix { $0 == " " }.count
                lines.append(caret(under: start..<text.count))
            }
            cursor = layout.nextInst(inst)
            var after = 0
            while let c = cursor, after < 3 { lines.append(p.instLine(c).text); after += 1; cursor = layout.nextInst(c) }
            if cursor != nil { lines.append("    ...") }
        }
        return lines
    }
}
