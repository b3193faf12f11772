/// Which outbox entries a deliverer claims.
///
/// Each enabled adapter has its own lane, so that a slow or failing platform holds back only
/// its own deliveries: its entries never take the slots, or the claims, of another platform's.
/// One more lane takes the entries of every adapter not enabled (queued before an adapter was
/// removed or renamed), which the deliverer dead-letters with a reason.
public enum WriteBackLane: Sendable, Hashable, CustomStringConvertible {
    /// The entries of one adapter.
    case adapter(String)
    /// The entries of every adapter not named here.
    case otherThan([String])

    /// Every entry, whatever its adapter.
    public static var every: WriteBackLane { .otherThan([]) }

    public var description: String {
        switch self {
        case .adapter(let name): name
        case .otherThan([]): "every adapter"
        case .otherThan(let names): "adapters other than \(names.joined(separator: ", "))"
        }
    }
}
