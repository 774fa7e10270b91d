/// A seedable SplitMix64 pseudo-random number generator that yields the same sequence on every platform.
///
/// The generator never touches the system random source or `Hasher`, and its helpers use only integer
/// arithmetic and correctly rounded floating-point operations, so every derived value is reproducible.
struct DeterministicRandom: Sendable {
    /// The SplitMix64 golden-ratio increment.
    private static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The internal state, advanced by ``increment`` on every draw.
    private var state: UInt64

    /// Creates a generator from a single seed.
    init(seed: UInt64) {
        state = seed
    }

    /// Creates a generator from several seed parts, mixed so that nearby inputs give unrelated streams.
    init(_ first: UInt64, _ second: UInt64, _ third: UInt64 = 0) {
        state = DeterministicRandom.mix(DeterministicRandom.mix(first, second), third)
    }

    /// Returns the next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= DeterministicRandom.increment
        return DeterministicRandom.finalize(state)
    }

    /// Returns a uniformly distributed integer in `0..<bound` (`bound` must be positive).
    mutating func below(_ bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Returns a uniformly distributed integer in `range`.
    mutating func within(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Returns a uniformly distributed value in `0 ..< 1`.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Returns `true` with the given probability.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// Returns a uniformly chosen element of a non-empty array.
    mutating func element<Element>(of array: [Element]) -> Element {
        array[below(array.count)]
    }

    /// Rounds `expected` to an integer count, randomly up or down so that the mean equals `expected`.
    mutating func count(expected: Double) -> Int {
        let whole = expected.rounded(.down)
        return Int(whole) + (chance(expected - whole) ? 1 : 0)
    }

    /// Combines two values into a well-mixed 64-bit hash.
    static func mix(_ first: UInt64, _ second: UInt64) -> UInt64 {
        finalize(finalize(first &+ increment) ^ finalize(second &+ 2 &* increment))
    }

    /// The SplitMix64 output function.
    private static func finalize(_ value: UInt64) -> UInt64 {
        var mixed = value
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
