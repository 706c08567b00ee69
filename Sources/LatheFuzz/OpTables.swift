import LatheWasm

/// A numeric instruction usable as a typed expression: its operand types and result type.
struct TypedOp: Sendable {
    var opcode: Opcode
    var params: [ValType]
    var result: ValType
    /// Lanes of the shape named by the mnemonic's prefix, for `.lane` immediates (else 0).
    var lanes: Int
}

/// The instructions the generator draws from, grouped by result type, read off LatheWasm's opcode table.
///
/// Only deterministic features are used: MVP, sign extension, saturating conversion and SIMD
/// (relaxed SIMD is nondeterministic by design and left out).
enum OpTables {
    static let features: Set<Feature> = [.mvp, .signExtension, .saturatingConversion, .simd]

    static func valType(_ s: Substring) -> ValType? {
        switch s {
        case "i32": .i32
        case "i64": .i64
        case "f32": .f32
        case "f64": .f64
        case "v128": .v128
        default: nil
        }
    }

    static func lanes(_ name: String) -> Int {
        for (prefix, n) in [("i8x16", 16), ("i16x8", 8), ("i32x4", 4), ("i64x2", 2), ("f32x4", 4), ("f64x2", 2)] where name.hasPrefix(prefix) { return n }
        return 0
    }

    /// Pure operators (no immediate, or a lane index): one result, numeric operands.
    static let pure: [ValType: [TypedOp]] = {
        var out: [ValType: [TypedOp]] = [:]
        for op in Opcode.allCases {
            let info = op.info
            guard features.contains(info.feature), info.immediate == .none || info.immediate == .lane,
                  let sig = info.signature else { continue }
            let parts = sig.split(separator: "->", omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let params = parts[0].split(separator: " ").map { valType($0) }
            let results = parts[1].split(separator: " ").map { valType($0) }
            guard results.count == 1, let r = results[0], !params.contains(where: { $0 == nil }) else { continue }
            out[r, default: []].append(TypedOp(opcode: op, params: params.map { $0! }, result: r, lanes: lanes(info.name)))
        }
        return out
    }()

    /// Loads (`a -> T` with a memarg), by result type.
    static let loads: [ValType: [Opcode]] = {
        var out: [ValType: [Opcode]] = [:]
        for op in Opcode.allCases where op.immediateKind == .memArg && features.contains(op.info.feature) {
            guard let sig = op.info.signature, sig.hasPrefix("a -> "), let t = valType(sig.dropFirst(5)) else { continue }
            out[t, default: []].append(op)
        }
        return out
    }()

    /// Stores (`a T ->` with a memarg) and the stored type.
    static let stores: [(Opcode, ValType)] = Opcode.allCases.compactMap { op in
        guard op.immediateKind == .memArg, features.contains(op.info.feature), let sig = op.info.signature,
              sig.hasPrefix("a "), sig.hasSuffix(" ->"), let t = valType(sig.dropFirst(2).dropLast(3)) else { return nil }
        return (op, t)
    }

    /// Float operators whose result bits are not fixed by the spec when a NaN comes out (arithmetic NaN).
    static func producesArithmeticNaN(_ op: Opcode) -> Bool {
        let name = op.info.name
        if name.hasPrefix("f32x4.") || name.hasPrefix("f64x2.") {
            for cmp in [".eq", ".ne", ".lt", ".gt", ".le", ".ge", "extract_lane"] where name.hasSuffix(cmp) || name.contains(cmp + "_") { return false }
            return true
        }
        return false
    }

    /// Operators that expose the bits of a scalar float operand (NaN payload or sign): index of that operand.
    static func observedFloatOperands(_ op: Opcode) -> [Int] {
        switch op {
        case .i32ReinterpretF32, .i64ReinterpretF64, .f32x4Splat, .f64x2Splat: [0]
        case .f32Copysign, .f64Copysign, .f32x4ReplaceLane, .f64x2ReplaceLane: [1]
        default: []
        }
    }
}
