public import SwitchyardCore

/// Per-department confidence thresholds under which a model's answer is not trusted to route
/// the ticket: it goes to a human-triage department instead (stage `abstained`). Thresholds
/// come from `switchyard calibrate`, chosen so that what is routed automatically reaches a
/// target precision.
public struct Abstention: Sendable, Hashable {
    /// Where tickets go when the model is not sure enough: a configured department.
    public var department: DepartmentID
    /// The lowest confidence at which a model's answer of each department is routed.
    public var thresholds: [DepartmentID: Double]
    /// The threshold of departments not in `thresholds`.
    public var defaultThreshold: Double

    public init(department: DepartmentID, thresholds: [DepartmentID: Double], defaultThreshold: Double) {
        self.department = department
        self.thresholds = thresholds
        self.defaultThreshold = defaultThreshold
    }

    public func threshold(for department: DepartmentID) -> Double {
        thresholds[department] ?? defaultThreshold
    }

    /// The thresholds that make each department's automatically routed decisions right at
    /// `targetPrecision` or better, from labelled decisions (`cases` whose stage is `model` or
    /// `fallback_model`; others are ignored).
    ///
    /// A department's threshold is the lowest confidence `t` at which the decisions for it
    /// with a confidence of at least `t` are right at the target rate; when none is, 1 (its
    /// answers always go to people). Departments decided fewer than `minimumDecisions` times
    /// get the threshold found the same way over every department's decisions together, which
    /// is also ``defaultThreshold``.
    public static func calibrated(
        from cases: [Evaluation.Case], targetPrecision: Double, minimumDecisions: Int = 30
    ) -> Calibration {
        let modelCases = cases.filter {
            ($0.stage == Stage.model.rawValue || $0.stage == Stage.fallbackModel.rawValue) && $0.decided != nil && $0.confidence != nil
        }
        let overall = threshold(modelCases, targetPrecision: targetPrecision)
        var departments: [Calibration.Department] = []
        for (department, decided) in Dictionary(grouping: modelCases, by: { $0.decided! }).sorted(by: { $0.key < $1.key }) {
            let own = decided.count >= minimumDecisions
            let threshold = own ? threshold(decided, targetPrecision: targetPrecision) : overall
            let kept = decided.filter { $0.confidence! >= threshold }
            departments.append(
                Calibration.Department(
                    department: department, decisions: decided.count, threshold: threshold, ownThreshold: own,
                    coverage: Double(kept.count) / Double(decided.count),
                    precision: kept.isEmpty ? nil : Double(kept.count { $0.isRight }) / Double(kept.count)))
        }
        return Calibration(targetPrecision: targetPrecision, defaultThreshold: overall, departments: departments)
    }

    /// The lowest confidence at which the decisions at or above it are right at `targetPrecision`.
    private static func threshold(_ cases: [Evaluation.Case], targetPrecision: Double) -> Double {
        let sorted = cases.sorted { $0.confidence! > $1.confidence! }
        var right = 0
        var best = 1.0
        for (index, item) in sorted.enumerated() {
            if item.isRight { right += 1 }
            // Only where the next confidence is lower can a threshold fall between them.
            let last = index == sorted.count - 1 || sorted[index + 1].confidence! < item.confidence!
            if last, Double(right) / Double(index + 1) >= targetPrecision { best = item.confidence! }
        }
        return best
    }
}

/// What `switchyard calibrate` found: a threshold per department and what it gives.
public struct Calibration: Sendable, Hashable {
    public struct Department: Sendable, Hashable {
        public var department: DepartmentID
        /// Model decisions for it in the calibration data.
        public var decisions: Int
        public var threshold: Double
        /// False when it had too few decisions and took the overall threshold.
        public var ownThreshold: Bool
        /// The share of its decisions at or above the threshold.
        public var coverage: Double
        /// How often those were right; nil when none is kept.
        public var precision: Double?
    }

    public var targetPrecision: Double
    public var defaultThreshold: Double
    public var departments: [Department]

    /// The thresholds as ``Abstention`` takes them.
    public func abstention(department: DepartmentID) -> Abstention {
        Abstention(
            department: department,
            thresholds: Dictionary(uniqueKeysWithValues: departments.filter(\.ownThreshold).map { ($0.department, $0.threshold) }),
            defaultThreshold: defaultThreshold)
    }
}
