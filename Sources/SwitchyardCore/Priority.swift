/// Ticket priority, on the four-step scale most helpdesks share (Zendesk's names).
public enum Priority: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low, normal, high, urgent

    private var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .urgent: 3
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}
