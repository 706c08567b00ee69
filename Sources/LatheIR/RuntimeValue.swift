/// A typed value the interpreter passes in and out: up to 256 bits, scalars in the low bits.
///
/// References hold a module function index (funcref) or an opaque host number; null is all ones.
public struct RuntimeValue: Sendable, Equatable, CustomStringConvertible {
    public var type: IRType
    public var bits: SIMD4<UInt64>

    public init(type: IRType, bits: SIMD4<UInt64>) { self.type = type; self.bits = bits }
    public init(type: IRType, scalar: UInt64) { self.type = type; self.bits = SIMD4(scalar, 0, 0, 0) }

    public static let nullBits: UInt64 = ~0

    public static func i32(_ x: Int32) -> RuntimeValue { RuntimeValue(type: .i32, scalar: UInt64(UInt32(bitPattern: x))) }
    public static func i64(_ x: Int64) -> RuntimeValue { RuntimeValue(type: .i64, scalar: UInt64(bitPattern: x)) }
    public static func f32(_ x: Float) -> RuntimeValue { RuntimeValue(type: .f32, scalar: UInt64(x.bitPattern)) }
    public static func f64(_ x: Double) -> RuntimeValue { RuntimeValue(type: .f64, scalar: x.bitPattern) }
    public static func null(_ type: IRType) -> RuntimeValue { RuntimeValue(type: type, scalar: nullBits) }

    public var scalar: UInt64 { bits[0] }
    public var isNull: Bool { type.isRef && bits[0] == Self.nullBits }

    /// Lane `i` of width `laneBits`, zero-extended.
    public func lane(_ i: Int, bits laneBits: Int) -> UInt64 { Lanes.get(bits, i, laneBits) }

    /// The same syntax `; run:` lines use: `-3`, `1.5`, `nan`, `[1, 2, 3, 4]`, `null`.
    public var description: String {
        if type.isRef { return isNull ? "null" : "ref:\(bits[0])" }
        if type.isVector {
            var bytes: [UInt8] = []
            for i in 0..<type.bytes { bytes.append(UInt8(truncatingIfNeeded: Lanes.get(bits, i, 8))) }
            return FunctionPrinter(Function(name: "", signature: Signature())).formatLanes(bytes, type)
        }
        switch type {
        case .i32: return String(Int32(truncatingIfNeeded: bits[0]))
        case .i64: return String(Int64(bitPattern: bits[0]))
        case .f32: return formatF32(UInt32(truncatingIfNeeded: bits[0]))
        default: return formatF64(bits[0])
        }
    }
}

/// Lane access on a 256-bit container (little-endian lane order).
enum Lanes {
    @inline(__always) static func get(_ v: SIMD4<UInt64>, _ i: Int, _ w: Int) -> UInt64 {
        let bit = i * w
        return (v[bit >> 6] >> UInt64(bit & 63)) & Semantics.mask(w)
    }
    @inline(__always) static func set(_ v: inout SIMD4<UInt64>, _ i: Int, _ w: Int, _ x: UInt64) {
        let bit = i * w
        let m = Semantics.mask(w) << UInt64(bit & 63)
        v[bit >> 6] = (v[bit >> 6] & ~m) | ((x << UInt64(bit & 63)) & m)
    }
    /// Clears bits above `bits` (so 128-bit values keep their upper half zero).
    static func truncate(_ v: SIMD4<UInt64>, _ bits: Int) -> SIMD4<UInt64> {
        bits >= 256 ? v : bits == 128 ? SIMD4(v[0], v[1], 0, 0) : SIMD4(v[0] & Semantics.mask(bits), 0, 0, 0)
    }
}
