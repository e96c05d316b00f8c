import Foundation

/// A small deterministic random generator (SplitMix64), so the demo community is the same every run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A heavy-tailed positive number (Pareto with shape `alpha`, minimum 1): few large, many small.
    public mutating func pareto(alpha: Double) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        return 1 / pow(u, 1 / alpha)
    }
}
