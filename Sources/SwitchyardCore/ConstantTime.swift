/// Comparisons whose time says nothing about the values compared.
public enum ConstantTime {
    /// Whether two byte strings are equal, looking at every byte of the shorter whatever the
    /// first difference. Compare fixed-length digests (SHA-256 of the secrets), so that the
    /// length says nothing either.
    public static func equal(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}
