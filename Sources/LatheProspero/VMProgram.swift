/// The operations of the Prospero `.vm` format that Lathe reads.
public enum VMOp: UInt8, Sendable, CaseIterable {
    case varX, varY, const
    case add, sub, mul, div, min, max
    case neg, square, sqrt, abs

    /// The spelling in a `.vm` file.
    public var name: String {
        switch self {
        case .varX: "var-x"
        case .varY: "var-y"
        case .const: "const"
        case .add: "add"
        case .sub: "sub"
        case .mul: "mul"
        case .div: "div"
        case .min: "min"
        case .max: "max"
        case .neg: "neg"
        case .square: "square"
        case .sqrt: "sqrt"
        case .abs: "abs"
        }
    }

    /// How many named operands the operation takes (`const` takes a number instead).
    public var arity: Int {
        switch self {
        case .varX, .varY, .const: 0
        case .add, .sub, .mul, .div, .min, .max: 2
        case .neg, .square, .sqrt, .abs: 1
        }
    }

    static let byName: [String: VMOp] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
}

/// One line of a `.vm` program: an operation over earlier instructions (by index) or a constant.
public struct VMInstruction: Sendable, Equatable {
    public var op: VMOp
    public var a: UInt32
    public var b: UInt32
    /// The value of a `const`.
    public var value: Float
    public init(op: VMOp, a: UInt32 = 0, b: UInt32 = 0, value: Float = 0) {
        self.op = op; self.a = a; self.b = b; self.value = value
    }
}

/// A malformed `.vm` line: its 1-based line number and what is wrong.
public struct VMParseError: Error, Sendable, CustomStringConvertible, Equatable {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// A `.vm` program in SSA form: instruction `i` defines value `i`; the last one is the result.
public struct VMProgram: Sendable {
    public var instructions: [VMInstruction]
    /// The name each instruction defines in the file.
    public var names: [String]

    public init(instructions: [VMInstruction], names: [String]) {
        self.instructions = instructions; self.names = names
    }

    /// Parses `name op args...` lines; `#` starts a comment, blank lines are skipped.
    public init(parsing text: String) throws(VMParseError) {
        var instructions: [VMInstruction] = []
        var names: [String] = []
        var index: [Substring: UInt32] = [:]
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if words.isEmpty { continue }
            guard words.count >= 2 else { throw VMParseError(line: lineNumber, message: "expected `name op args...`, got `\(words[0])`") }
            let name = words[0]
            guard let op = VMOp.byName[String(words[1])] else {
                throw VMParseError(line: lineNumber, message: "unknown operation `\(words[1])`")
            }
            let args = words.dropFirst(2)
            var inst = VMInstruction(op: op)
            if op == .const {
                guard args.count == 1 else { throw VMParseError(line: lineNumber, message: "`const` takes one number, got \(args.count) operands") }
                guard let v = Float(args.first!), v.isFinite else {
                    throw VMParseError(line: lineNumber, message: "bad constant `\(args.first!)`")
                }
                inst.value = v
            } else {
                guard args.count == op.arity else {
                    throw VMParseError(line: lineNumber, message: "`\(op.name)` takes \(op.arity) operand\(op.arity == 1 ? "" : "s"), got \(args.count)")
                }
                var refs: [UInt32] = []
                for arg in args {
                    guard let r = index[arg] else { throw VMParseError(line: lineNumber, message: "undefined name `\(arg)`") }
                    refs.append(r)
                }
                if refs.count > 0 { inst.a = refs[0] }
                if refs.count > 1 { inst.b = refs[1] }
            }
            guard index[name] == nil else { throw VMParseError(line: lineNumber, message: "`\(name)` is defined twice") }
            index[name] = UInt32(instructions.count)
            instructions.append(inst)
            names.append(String(name))
        }
        guard !instructions.isEmpty else {
            throw VMParseError(line: max(1, text.hasSuffix("\n") ? lineNumber - 1 : lineNumber), message: "no instructions")
        }
        self.instructions = instructions
        self.names = names
    }

    /// The value at one point, instruction by instruction (the reference for the renderer).
    public func evaluate(x: Float, y: Float) -> Float {
        var values = [Float](repeating: 0, count: instructions.count)
        return values.withUnsafeMutableBufferPointer { v in
            for (i, inst) in instructions.enumerated() {
                let a = v[Int(inst.a)], b = v[Int(inst.b)]
                switch inst.op {
                case .varX: v[i] = x
                case .varY: v[i] = y
                case .const: v[i] = inst.value
                default: v[i] = VMSemantics.apply(inst.op, a, b)
                }
            }
            return v[instructions.count - 1]
        }
    }
}

/// The f32 meaning of each operation, shared by every evaluator.
///
/// `min(a, b)` is `b < a ? b : a` and `max(a, b)` is `a < b ? b : a` (what one x86 `minps`/`maxps`
/// computes): a NaN first operand gives NaN, a NaN second operand gives the first. Prospero's
/// programs never produce NaN, so this matters only for the property tests.
public enum VMSemantics {
    @inline(__always)
    public static func apply(_ op: VMOp, _ a: Float, _ b: Float) -> Float {
        switch op {
        case .add: a + b
        case .sub: a - b
        case .mul: a * b
        case .div: a / b
        case .min: b < a ? b : a
        case .max: a < b ? b : a
        case .neg: -a
        case .square: a * a
        case .sqrt: a.squareRoot()
        case .abs: Float(bitPattern: a.bitPattern & 0x7fff_ffff)
        case .varX, .varY, .const: a
        }
    }

    /// The pixel for a value: 255 (inside) where it is below zero, else 0 (NaN gives 0).
    @inline(__always)
    public static func pixel(_ v: Float) -> UInt8 { v < 0 ? 255 : 0 }

    /// The x of column `j` of an `n`-pixel image: -1 + 2j/(n-1), computed in f64 and rounded once.
    @inline(__always)
    public static func columnX(_ j: Int, _ n: Int) -> Float {
        n <= 1 ? -1 : Float(-1.0 + 2.0 * Double(j) / Double(n - 1))
    }

    /// The y of row `i` of an `n`-pixel image (row 0 is the top): 1 - 2i/(n-1), in f64 and rounded once.
    @inline(__always)
    public static func rowY(_ i: Int, _ n: Int) -> Float {
        n <= 1 ? 1 : Float(1.0 - 2.0 * Double(i) / Double(n - 1))
    }
}
