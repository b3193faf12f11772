public import SwitchyardCore

/// How well a classifier (or a whole pipeline) did on labelled tickets: `switchyard eval`.
///
/// Pure arithmetic over what was decided and what the labels say: accuracy, macro-F1, every
/// department's precision, recall and F1, the confusion matrix, coverage and accuracy by
/// stage, a reliability table (does a confidence of 0.8 mean right 80 % of the time?),
/// latency percentiles and cost.
public struct Evaluation: Sendable {
    /// One labelled ticket and what was decided for it.
    public struct Case: Sendable, Hashable {
        /// The label: the department the ticket belongs to.
        public var truth: DepartmentID
        /// The department decided; nil when the ticket was left undecided.
        public var decided: DepartmentID?
        /// The decider's confidence, when it gave one (rules give none).
        public var confidence: Double?
        /// `rule`, `model`, `fallback` or `abstained`.
        public var stage: String
        public var latencyMilliseconds: Double
        /// What the model calls for this ticket cost, in US dollars.
        public var costUSD: Double

        public init(
            truth: DepartmentID, decided: DepartmentID?, confidence: Double?, stage: String,
            latencyMilliseconds: Double = 0, costUSD: Double = 0
        ) {
            self.truth = truth
            self.decided = decided
            self.confidence = confidence
            self.stage = stage
            self.latencyMilliseconds = latencyMilliseconds
            self.costUSD = costUSD
        }

        public var isRight: Bool { decided == truth }
    }

    /// One department's figures.
    public struct DepartmentFigures: Sendable, Hashable {
        public var department: DepartmentID
        /// Tickets labelled with it.
        public var support: Int
        /// Tickets decided for it.
        public var decided: Int
        /// Tickets decided for it that are labelled with it.
        public var right: Int

        public var precision: Double? { decided == 0 ? nil : Double(right) / Double(decided) }
        public var recall: Double? { support == 0 ? nil : Double(right) / Double(support) }
        /// 0 when precision or recall is undefined or both are 0 (scikit-learn's `zero_division=0`).
        public var f1: Double {
            guard let precision, let recall, precision + recall > 0 else { return 0 }
            return 2 * precision * recall / (precision + recall)
        }
    }

    /// One stage's share of the tickets and how often it was right.
    public struct StageFigures: Sendable, Hashable {
        public var stage: String
        public var tickets: Int
        public var right: Int
        public var coverage: Double
        public var accuracy: Double? { tickets == 0 ? nil : Double(right) / Double(tickets) }
    }

    /// One band of the reliability table: tickets decided with a confidence in `lower..<upper`.
    public struct ReliabilityBin: Sendable, Hashable {
        public var lower: Double
        public var upper: Double
        public var tickets: Int
        public var meanConfidence: Double
        public var accuracy: Double
    }

    public let cases: [Case]
    /// Every department that is a label or a decision, sorted.
    public let departments: [DepartmentID]
    public let departmentFigures: [DepartmentFigures]
    /// `confusion[i][j]`: tickets labelled `departments[i]` decided as `departments[j]`; the
    /// last column counts those left undecided.
    public let confusion: [[Int]]
    public let stages: [StageFigures]

    public init(_ cases: [Case]) {
        self.cases = cases
        let departments = Set(cases.map(\.truth)).union(cases.compactMap(\.decided)).sorted()
        self.departments = departments
        let index = Dictionary(uniqueKeysWithValues: departments.enumerated().map { ($1, $0) })
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: departments.count + 1), count: departments.count)
        for item in cases {
            confusion[index[item.truth]!][item.decided.map { index[$0]! } ?? departments.count] += 1
        }
        self.confusion = confusion
        departmentFigures = departments.enumerated().map { column, department in
            DepartmentFigures(
                department: department,
                support: confusion[column].reduce(0, +),
                decided: confusion.reduce(0) { $0 + $1[column] },
                right: confusion[column][column])
        }
        var byStage: [String: (tickets: Int, right: Int)] = [:]
        for item in cases {
            byStage[item.stage, default: (0, 0)].tickets += 1
            if item.isRight { byStage[item.stage, default: (0, 0)].right += 1 }
        }
        stages = byStage.sorted { $0.key < $1.key }.map {
            StageFigures(
                stage: $0.key, tickets: $0.value.tickets, right: $0.value.right,
                coverage: Double($0.value.tickets) / Double(max(cases.count, 1)))
        }
    }

    /// Right decisions over all tickets (undecided ones count as wrong).
    public var accuracy: Double { cases.isEmpty ? 0 : Double(cases.count { $0.isRight }) / Double(cases.count) }

    /// The mean F1 of the departments that are labels (scikit-learn's `f1_score(average="macro")`
    /// over the labels present in the test set).
    public var macroF1: Double {
        let labelled = departmentFigures.filter { $0.support > 0 }
        return labelled.isEmpty ? 0 : labelled.map(\.f1).reduce(0, +) / Double(labelled.count)
    }

    /// Tickets decided with a confidence, in `bins` equal bands of confidence; empty bands left out.
    public func reliability(bins: Int = 10) -> [ReliabilityBin] {
        var sums = [(tickets: Int, confidence: Double, right: Int)](repeating: (0, 0, 0), count: bins)
        for item in cases where item.decided != nil {
            guard let confidence = item.confidence else { continue }
            let band = min(Int(confidence * Double(bins)), bins - 1)
            sums[band].tickets += 1
            sums[band].confidence += confidence
            if item.isRight { sums[band].right += 1 }
        }
        return sums.enumerated().compactMap { band, sum in
            guard sum.tickets > 0 else { return nil }
            return ReliabilityBin(
                lower: Double(band) / Double(bins), upper: Double(band + 1) / Double(bins), tickets: sum.tickets,
                meanConfidence: sum.confidence / Double(sum.tickets), accuracy: Double(sum.right) / Double(sum.tickets))
        }
    }

    /// The expected calibration error of ``reliability(bins:)``: the tickets' mean distance
    /// between confidence and accuracy.
    public func calibrationError(bins: Int = 10) -> Double {
        let table = reliability(bins: bins)
        let total = table.reduce(0) { $0 + $1.tickets }
        guard total > 0 else { return 0 }
        return table.reduce(0) { $0 + Double($1.tickets) * abs($1.accuracy - $1.meanConfidence) } / Double(total)
    }

    /// The latency at each percentile (0–100) over all tickets, nearest rank.
    public func latencyPercentile(_ percentile: Double) -> Double {
        let sorted = cases.map(\.latencyMilliseconds).sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((percentile / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank - 1, 0), sorted.count - 1)]
    }

    public var costUSD: Double { cases.reduce(0) { $0 + $1.costUSD } }

    /// The share of tickets sent to the human-triage department (stage `abstained`).
    public var abstentionRate: Double {
        cases.isEmpty ? 0 : Double(cases.count { $0.stage == Stage.abstained.rawValue }) / Double(cases.count)
    }

    /// How often the tickets routed automatically (every stage but `abstained`) were right;
    /// nil when none was.
    public var automaticPrecision: Double? {
        let routed = cases.filter { $0.stage != Stage.abstained.rawValue }
        return routed.isEmpty ? nil : Double(routed.count { $0.isRight }) / Double(routed.count)
    }

    /// One point of the precision/coverage curve: what keeping only the decisions with a
    /// confidence of at least `threshold` would give.
    public struct CoveragePoint: Sendable, Hashable {
        public var threshold: Double
        /// The share of all tickets kept.
        public var coverage: Double
        /// The share of kept tickets decided right; nil when none is kept.
        public var precision: Double?
    }

    /// Precision against coverage at each threshold: decisions without a confidence (rules)
    /// are always kept, undecided tickets never.
    public func precisionCoverage(
        thresholds: [Double] = [0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
    ) -> [CoveragePoint] {
        thresholds.map { threshold in
            let kept = cases.filter { $0.decided != nil && ($0.confidence ?? 1) >= threshold }
            return CoveragePoint(
                threshold: threshold, coverage: Double(kept.count) / Double(max(cases.count, 1)),
                precision: kept.isEmpty ? nil : Double(kept.count { $0.isRight }) / Double(kept.count))
        }
    }
}
