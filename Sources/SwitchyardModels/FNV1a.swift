/// 64-bit FNV-1a, a stable hash for feature hashing.
///
/// Unlike Swift's `Hasher`, which is seeded randomly per process, the same input always
/// gives the same value, so a model trained in one process predicts the same in another.
struct FNV1a: Sendable, Hashable {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    private(set) var value: UInt64 = FNV1a.offsetBasis

    init() {}

    /// A hash that has already consumed `namespace`, so that features of different kinds
    /// with equal text land in different buckets.
    init(namespace: String) {
        combine(namespace.utf8)
    }

    mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte) }
    }

    /// Consumes the UTF-8 encoding of `scalar`.
    mutating func combine(_ scalar: Unicode.Scalar) {
        if scalar.isASCII {
            combine(UInt8(truncatingIfNeeded: scalar.value))
        } else {
            combine(scalar.utf8)
        }
    }

    /// The hash folded to `bits` bits.
    func bucket(bits: Int) -> UInt32 {
        let folded = UInt32(truncatingIfNeeded: value ^ (value >> 32))
        return folded & ((1 << UInt32(bits)) - 1)
    }
}
