import Foundation
import SwitchyardCore
import SwitchyardStore

/// How well decisions did over a window of days, from agents' verdicts: accuracy overall and by
/// stage, precision and recall by department, coverage by stage, and the daily trend. What
/// `GET /v1/quality` answers.
///
/// A thumbs up means the department decided was right; a thumbs down that it was wrong, and,
/// when it names one, which department was right. Precision of a department is the share of
/// its judged decisions that were right; recall is the share of the judged tickets that truly
/// belong to it (an up on it, or a down naming it) that were decided to it. A down naming no
/// department counts against precision and accuracy but says nothing of recall.
struct QualityReport: Sendable, Encodable {
    struct Window: Sendable, Encodable {
        var from: Date
        var to: Date
        var days: Int
    }

    /// Decisions made and judged, and how many of the judged were right.
    struct Tally: Sendable, Encodable, Hashable {
        var decided = 0
        var judged = 0
        var correct = 0

        /// correct / judged; nil with nothing judged.
        var accuracy: Double? { judged == 0 ? nil : Double(correct) / Double(judged) }

        enum CodingKeys: String, CodingKey {
            case decided, judged, correct, accuracy
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(decided, forKey: .decided)
            try container.encode(judged, forKey: .judged)
            try container.encode(correct, forKey: .correct)
            try container.encode(accuracy, forKey: .accuracy)
        }
    }

    struct StageQuality: Sendable, Encodable {
        var stage: Stage
        var tally: Tally
        /// The stage's share of the decisions made.
        var coverage: Double?

        enum CodingKeys: String, CodingKey {
            case stage, coverage
        }

        func encode(to encoder: any Encoder) throws {
            try tally.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(stage, forKey: .stage)
            try container.encode(coverage, forKey: .coverage)
        }
    }

    struct DepartmentQuality: Sendable, Encodable {
        var department: DepartmentID
        /// Decisions made to the department, judged ones and right ones among them.
        var tally: Tally
        /// Judged tickets that truly belong to the department.
        var actual: Int
        /// Of those, decided to the department.
        var found: Int

        var precision: Double? { tally.accuracy }
        var recall: Double? { actual == 0 ? nil : Double(found) / Double(actual) }

        enum CodingKeys: String, CodingKey {
            case department, decided, judged, correct, actual, precision, recall
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(department, forKey: .department)
            try container.encode(tally.decided, forKey: .decided)
            try container.encode(tally.judged, forKey: .judged)
            try container.encode(tally.correct, forKey: .correct)
            try container.encode(actual, forKey: .actual)
            try container.encode(precision, forKey: .precision)
            try container.encode(recall, forKey: .recall)
        }
    }

    struct Day: Sendable, Encodable {
        /// The UTC day, `2026-12-04`.
        var day: String
        var tally: Tally
        /// Decisions made that day by each stage that made any.
        var byStage: [String: Int]

        enum CodingKeys: String, CodingKey {
            case day
            case byStage = "by_stage"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(day, forKey: .day)
            try tally.encode(to: encoder)
            try container.encode(byStage, forKey: .byStage)
        }
    }

    var window: Window
    var overall: Tally
    /// Every stage, in pipeline order, whether it decided anything or not.
    var stages: [StageQuality]
    /// Every department that was decided or named by a thumbs down, by id.
    var departments: [DepartmentQuality]
    /// Every day of the window, earliest first.
    var daily: [Day]
    /// Whether more judged decisions were in the window than were read (the newest were).
    var truncated: Bool
    /// The drift alerts under way (the quality monitor's episodes), by kind.
    var alerts: [Alert] = []

    struct Alert: Sendable, Encodable {
        /// `accuracy`, `department_mix` or `stage_mix`.
        var kind: String
        var since: Date
        /// What started it.
        var summary: String
    }

    /// The report over `days` UTC days up to `now`, from the window's judged decisions and its
    /// decision volume (both as the store reads them from `window.from`).
    init(judged: [JudgedDecision], volume: [DecisionVolume], days: Int, now: Date, truncated: Bool = false) {
        let from = Self.startOfWindow(days: days, now: now)
        window = Window(from: from, to: now, days: days)
        self.truncated = truncated
        var overall = Tally()
        var byStage: [Stage: Tally] = [:]
        var byDepartment: [DepartmentID: DepartmentQuality] = [:]
        var byDay: [String: (tally: Tally, stages: [String: Int])] = [:]
        func department(_ id: DepartmentID) -> DepartmentQuality {
            byDepartment[id] ?? DepartmentQuality(department: id, tally: Tally(), actual: 0, found: 0)
        }
        for entry in volume {
            overall.decided += entry.count
            byStage[entry.stage, default: Tally()].decided += entry.count
            var quality = department(entry.department)
            quality.tally.decided += entry.count
            byDepartment[entry.department] = quality
            byDay[entry.day, default: (Tally(), [:])].tally.decided += entry.count
            byDay[entry.day, default: (Tally(), [:])].stages[entry.stage.rawValue, default: 0] += entry.count
        }
        for decision in judged {
            let right = decision.verdict == .up
            let correct = right ? 1 : 0
            overall.judged += 1
            overall.correct += correct
            byStage[decision.stage, default: Tally()].judged += 1
            byStage[decision.stage, default: Tally()].correct += correct
            var decided = department(decision.department)
            decided.tally.judged += 1
            decided.tally.correct += correct
            byDepartment[decision.department] = decided
            if let truth = right ? decision.department : decision.correctDepartment {
                var actual = department(truth)
                actual.actual += 1
                if right { actual.found += 1 }
                byDepartment[truth] = actual
            }
            let day = StoreSpendingLedger.day(decision.decidedAt)
            byDay[day, default: (Tally(), [:])].tally.judged += 1
            byDay[day, default: (Tally(), [:])].tally.correct += correct
        }
        self.overall = overall
        stages = Stage.allCases.map { stage in
            let tally = byStage[stage] ?? Tally()
            return StageQuality(
                stage: stage, tally: tally, coverage: overall.decided == 0 ? nil : Double(tally.decided) / Double(overall.decided))
        }
        departments = byDepartment.values.sorted { $0.department < $1.department }
        daily = (0..<days).map { offset in
            let day = StoreSpendingLedger.day(from.addingTimeInterval(Double(offset) * 86_400))
            let entry = byDay[day] ?? (Tally(), [:])
            return Day(day: day, tally: entry.tally, byStage: entry.stages)
        }
    }

    /// The start of the UTC day `days − 1` days before `now`'s: a window of `days` whole days
    /// counting today.
    static func startOfWindow(days: Int, now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let today = calendar.startOfDay(for: now)
        return today.addingTimeInterval(-Double(max(1, days) - 1) * 86_400)
    }

    enum CodingKeys: String, CodingKey {
        case window, overall, stages, departments, daily, truncated, alerts
    }
}
