public import Foundation

/// What the store knows about one rule's decisions: how many tickets it decided (deciding and
/// fallback rules) or annotated (annotating rules), the last time, and agents' verdicts on the
/// decisions it made. What `GET /v1/rules` shows beside each rule.
public struct RuleStatistics: Sendable, Hashable {
    public var ruleID: String
    public var hits: Int
    public var lastHit: Date?
    /// Thumbs up on decisions the rule made.
    public var up: Int
    /// Thumbs down on decisions the rule made.
    public var down: Int

    public init(ruleID: String, hits: Int = 0, lastHit: Date? = nil, up: Int = 0, down: Int = 0) {
        self.ruleID = ruleID
        self.hits = hits
        self.lastHit = lastHit
        self.up = up
        self.down = down
    }

    /// How often agents agreed with the rule's decisions: up / (up + down); nil without feedback.
    public var precision: Double? {
        up + down == 0 ? nil : Double(up) / Double(up + down)
    }
}

extension RuleStatistics {
    /// Adds rows of `(rule, hits, last hit)` and `(rule, verdict, count)` into statistics by rule id.
    package static func combine(
        hits: [(String, Int, Date?)], verdicts: [(String, String, Int)]
    ) -> [String: RuleStatistics] {
        var statistics: [String: RuleStatistics] = [:]
        for (rule, count, last) in hits {
            var entry = statistics[rule] ?? RuleStatistics(ruleID: rule)
            entry.hits += count
            if let last { entry.lastHit = max(entry.lastHit ?? last, last) }
            statistics[rule] = entry
        }
        for (rule, verdict, count) in verdicts {
            var entry = statistics[rule] ?? RuleStatistics(ruleID: rule)
            if verdict == "up" { entry.up += count } else { entry.down += count }
            statistics[rule] = entry
        }
        return statistics
    }
}
