import Foundation
import SwitchyardCore
import SwitchyardStore

/// What the quality monitor watches for: rolling accuracy under its threshold, and a sharp
/// shift of the departments or stages decisions go to against a reference window.
enum DriftKind: String, Sendable, Hashable, Codable, CaseIterable {
    case accuracy
    case departmentMix = "department_mix"
    case stageMix = "stage_mix"
}

/// One kind's state at one check.
struct DriftReading: Sendable, Hashable {
    var kind: DriftKind
    /// Whether the kind is drifting; nil when the window has too little to tell (too few
    /// verdicts or decisions), which neither starts nor ends an episode.
    var drifting: Bool?
    /// The measure: accuracy, or the mixes' total variation distance.
    var value: Double?
    /// What was measured, in words, for the alert, its recovery and the log.
    var summary: String
}

enum QualityDrift {
    /// The readings of every kind: from the window's totals (its report's `overall`) and the
    /// decision volume of the window and of the reference window before it.
    static func readings(
        overall: QualityReport.Tally, window: [DecisionVolume], reference: [DecisionVolume], settings: Configuration.QualitySettings
    ) -> [DriftReading] {
        [
            accuracy(overall, settings: settings),
            mix(.departmentMix, what: "department", window: window, reference: reference, key: \.department.rawValue, settings: settings),
            mix(.stageMix, what: "stage", window: window, reference: reference, key: \.stage.rawValue, settings: settings),
        ]
    }

    static func accuracy(_ overall: QualityReport.Tally, settings: Configuration.QualitySettings) -> DriftReading {
        let days = "the last \(settings.windowDays) day\(settings.windowDays == 1 ? "" : "s")"
        guard let accuracy = overall.accuracy, overall.judged >= settings.minimumJudged else {
            return DriftReading(
                kind: .accuracy, drifting: nil, value: nil,
                summary: "\(overall.judged) verdict\(overall.judged == 1 ? "" : "s") over \(days), fewer than min_judged "
                    + "\(settings.minimumJudged)")
        }
        return DriftReading(
            kind: .accuracy, drifting: accuracy < settings.accuracyThreshold, value: accuracy,
            summary: "accuracy \(percent(accuracy)) over \(days) (\(overall.correct) of \(overall.judged) verdicts up), threshold "
                + percent(settings.accuracyThreshold))
    }

    /// The total variation distance between the window's and the reference's shares by `key`:
    /// half the sum of the shares' differences, 0 for the same mix, 1 for disjoint ones.
    static func mix(
        _ kind: DriftKind, what: String, window: [DecisionVolume], reference: [DecisionVolume], key: (DecisionVolume) -> String,
        settings: Configuration.QualitySettings
    ) -> DriftReading {
        func shares(_ entries: [DecisionVolume]) -> (total: Int, shares: [String: Double]) {
            var counts: [String: Int] = [:]
            for entry in entries { counts[key(entry), default: 0] += entry.count }
            let total = counts.values.reduce(0, +)
            return (total, counts.mapValues { total == 0 ? 0 : Double($0) / Double(total) })
        }
        let now = shares(window), before = shares(reference)
        guard now.total >= settings.minimumDecided, before.total >= settings.minimumDecided else {
            return DriftReading(
                kind: kind, drifting: nil, value: nil,
                summary: "\(now.total) decisions in the window and \(before.total) in the reference window, "
                    + "fewer than min_decided \(settings.minimumDecided) in one")
        }
        let keys = Set(now.shares.keys).union(before.shares.keys)
        let changes = keys.map { ($0, before.shares[$0] ?? 0, now.shares[$0] ?? 0) }
            .sorted { (abs($0.2 - $0.1), $1.0) > (abs($1.2 - $1.1), $0.0) }
        let distance = changes.reduce(0) { $0 + abs($1.2 - $1.1) } / 2
        let largest = changes.prefix(3).map { "\($0.0) \(percent($0.1)) → \(percent($0.2))" }.joined(separator: ", ")
        return DriftReading(
            kind: kind, drifting: distance > settings.mixThreshold, value: distance,
            summary: "the \(what) mix moved \(String(format: "%.2f", distance)) (threshold \(String(format: "%.2f", settings.mixThreshold))) "
                + "from the \(settings.referenceDays) days before the last \(settings.windowDays): \(largest)")
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }
}
