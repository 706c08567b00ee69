/// A call written as text, `%f(1, 2.5, [1, 2, 3, 4]) == 3` or `%f(0) traps int_divz`, as used by
/// `; run:` lines in golden files and by `lathe ir --run`.
///
/// Arguments and expected results are read with the callee's parameter and result types: integers
/// (decimal or 0x hex, negative allowed), floats (`1.5`, `-0.0`, `inf`, `nan`, `nan:0x200000`),
/// vectors as `[lane, ...]`, references as `null`. Expected results compare bit for bit.
public struct RunInvocation: Sendable {
    public enum Expectation: Sendable, Equatable {
        case values([RuntimeValue])
        case trap(TrapCode)
    }
    public var function: String
    public var args: [RuntimeValue]
    public var expectation: Expectation?

    /// Parses `text` against the functions of `module`.
    public init(parsing text: String, in module: Module) throws(ParseError) {
        var p = Parser(tokens: try tokenize(text))
        let nameToken = p.peek
        guard nameToken.kind == .funcName || nameToken.kind == .ident else { throw p.error("a function name like %f") }
        _ = p.next()
        guard let f = module.function(named: nameToken.text) else {
            throw ParseError(line: nameToken.line, column: nameToken.column, message: "no function %\(nameToken.text) in the module")
        }
        function = f.name
        try p.expect("(")
        var args: [RuntimeValue] = []
        for (n, type) in f.signature.params.enumerated() {
            if n > 0 { try p.expect(",") }
            args.append(try p.runtimeValue(type))
        }
        try p.expect(")")
        self.args = args
        if p.accept("=") {
            try p.expect("=")
            var values: [RuntimeValue] = []
            for (n, type) in f.signature.results.enumerated() {
                if n > 0 { try p.expect(",") }
                values.append(try p.runtimeValue(type))
            }
            expectation = .values(values)
        } else if p.peek.kind == .ident && p.peek.text == "traps" {
            _ = p.next()
            let t = p.peek
            guard t.kind == .ident, let code = TrapCode(name: t.text) else { throw p.error("a trap code such as int_divz") }
            _ = p.next()
            expectation = .trap(code)
        }
        guard p.peek.kind == .end else { throw p.error("end of the run line") }
    }

    /// Text of an outcome in the form expectations are written (`== 1, 2` or `traps heap_oob`).
    public static func describe(_ outcome: Result<[RuntimeValue], Trap>) -> String {
        switch outcome {
        case .success(let values): "== " + values.map(\.description).joined(separator: ", ")
        case .failure(let trap): "traps \(trap.code)"
        }
    }

    /// Whether `outcome` is what the line expects (always true when it states no expectation).
    public func isSatisfied(by outcome: Result<[RuntimeValue], Trap>) -> Bool {
        switch (expectation, outcome) {
        case (nil, _): true
        case (.values(let e), .success(let a)): e == a
        case (.trap(let code), .failure(let t)): code == t.code
        default: false
        }
    }
}

extension Parser {
    mutating func runtimeValue(_ type: IRType) throws(ParseError) -> RuntimeValue {
        if type.isRef {
            if peek.kind == .ident && peek.text == "null" { _ = next(); return .null(type) }
            return RuntimeValue(type: type, scalar: try intImmediate())
        }
        if type.isVector { return RuntimeValue(type: type, bits: Interpreter.fromBytes(try laneList(type))) }
        if type.isFloat { return RuntimeValue(type: type, scalar: try floatImmediate(type)) }
        let bits = try intImmediate()
        return RuntimeValue(type: type, scalar: type == .i32 ? bits & 0xffff_ffff : bits)
    }
}
