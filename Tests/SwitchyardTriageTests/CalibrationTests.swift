import SwitchyardCore
import SwitchyardTriage
import Testing

@Suite("Calibrated abstention thresholds and evaluation figures")
struct CalibrationTests {
    /// `right` decisions for `department` at each confidence in `rightAt`, wrong ones at `wrongAt`.
    static func cases(_ department: DepartmentID, rightAt: [Double], wrongAt: [Double], stage: Stage = .model) -> [Evaluation.Case] {
        rightAt.map { Evaluation.Case(truth: department, decided: department, confidence: $0, stage: stage.rawValue) }
            + wrongAt.map { Evaluation.Case(truth: "other", decided: department, confidence: $0, stage: stage.rawValue) }
    }

    @Test("a department's threshold is the lowest confidence whose decisions at or above it reach the target precision")
    func thresholds() {
        // cards: right at 0.9…0.99 (10), wrong at 0.5, 0.55 and 0.85; 0.9 gives 10/10, 0.85 10/11.
        let cards = Self.cases("cards", rightAt: (0..<10).map { 0.9 + Double($0) / 100 }, wrongAt: [0.5, 0.55, 0.85])
        // fees: right everywhere from 0.4 up (10): the lowest confidence is the threshold.
        let fees = Self.cases("fees", rightAt: (0..<10).map { 0.4 + Double($0) / 20 }, wrongAt: [], stage: .fallbackModel)
        // rare: two decisions, too few for a threshold of its own.
        let rare = Self.cases("rare", rightAt: [0.3], wrongAt: [0.99])
        // Rules' decisions are not the model's to calibrate.
        let rules = [Evaluation.Case(truth: "other", decided: "cards", confidence: nil, stage: Stage.rule.rawValue)]
        let calibration = Abstention.calibrated(from: cards + fees + rare + rules, targetPrecision: 0.95, minimumDecisions: 5)
        let byDepartment = Dictionary(uniqueKeysWithValues: calibration.departments.map { ($0.department, $0) })
        #expect(byDepartment["cards"]?.threshold == 0.9)
        #expect(byDepartment["cards"]?.coverage == 10.0 / 13 && byDepartment["cards"]?.precision == 1)
        #expect(byDepartment["fees"]?.threshold == 0.4 && byDepartment["fees"]?.coverage == 1)
        #expect(byDepartment["rare"]?.ownThreshold == false && byDepartment["rare"]?.threshold == calibration.defaultThreshold)
        #expect(byDepartment["cards"]?.decisions == 13, "the rule's decision is left out")

        let abstention = calibration.abstention(department: "human_triage")
        #expect(abstention.thresholds == ["cards": 0.9, "fees": 0.4])
        #expect(abstention.threshold(for: "rare") == calibration.defaultThreshold)
    }

    @Test("a department never right often enough at any confidence always goes to people")
    func unreachable() {
        let calibration = Abstention.calibrated(
            from: Self.cases("cards", rightAt: [0.6, 0.7], wrongAt: [0.95, 0.9]), targetPrecision: 0.9, minimumDecisions: 1)
        #expect(calibration.departments.first?.threshold == 1)
    }

    @Test("abstention rate and the precision of what was routed automatically")
    func abstentionFigures() {
        let cases = Self.cases("cards", rightAt: [0.9, 0.9, 0.9], wrongAt: [0.8])
            + [Evaluation.Case(truth: "cards", decided: "human_triage", confidence: 0.4, stage: Stage.abstained.rawValue)]
        let evaluation = Evaluation(cases)
        #expect(evaluation.abstentionRate == 0.2)
        #expect(evaluation.automaticPrecision == 0.75)
        #expect(evaluation.accuracy == 0.6, "an abstained ticket is not routed right")
    }
}
