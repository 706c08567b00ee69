/// SplitMix64: a small, fast generator whose whole stream is fixed by its seed (never the system's randomness).
public struct SplitMix64: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<n` (`n` > 0); the tiny modulo bias does not matter for fuzzing.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A value in the closed range.
    public mutating func range(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }

    /// True with probability `percent`/100.
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// True with probability `numerator`/`denominator`.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// The seed of an independent stream derived from this seed and a stream number.
    public static func derive(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
        var g = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return g.next()
    }
}
