/// What a provider's calls have cost on one day (UTC), in millionths of a US dollar, as the
/// store counts it for every replica: calls under way hold a reservation until they settle.
public struct Spending: Sendable, Hashable {
    /// Reserved by calls not settled yet.
    public var reservedMicros: Int64
    /// Settled: what the finished calls cost.
    public var spentMicros: Int64

    public init(reservedMicros: Int64 = 0, spentMicros: Int64 = 0) {
        self.reservedMicros = reservedMicros
        self.spentMicros = spentMicros
    }
}
