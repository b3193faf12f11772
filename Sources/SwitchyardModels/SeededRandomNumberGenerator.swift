/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so that
/// training is reproducible.
struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// Fisher–Yates, spelled out so that the order never changes with the standard library's
    /// `shuffle(using:)` implementation.
    mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            let bound = UInt64(index + 1)
            let other = Int(next().multipliedFullWidth(by: bound).high)
            elements.swapAt(index, other)
        }
    }
}
