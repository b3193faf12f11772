public import Foundation
public import SwitchyardCore

/// A decision an agent judged, with the latest verdict on it: what quality figures are
/// computed from (accuracy by stage, precision and recall by department).
public struct JudgedDecision: Sendable, Hashable {
    public var decisionID: DecisionID
    public var ticketID: TicketID
    public var stage: Stage
    /// The department decided.
    public var department: DepartmentID
    public var confidence: Double
    public var decidedAt: Date
    /// The latest verdict: up agrees with the department decided.
    public var verdict: Verdict
    /// The department a thumbs down named as the right one; nil for up, or a down that named none.
    public var correctDepartment: DepartmentID?
    public var judgedAt: Date

    public init(
        decisionID: DecisionID, ticketID: TicketID, stage: Stage, department: DepartmentID, confidence: Double, decidedAt: Date,
        verdict: Verdict, correctDepartment: DepartmentID? = nil, judgedAt: Date
    ) {
        self.decisionID = decisionID
        self.ticketID = ticketID
        self.stage = stage
        self.department = department
        self.confidence = confidence
        self.decidedAt = decidedAt
        self.verdict = verdict
        self.correctDepartment = correctDepartment
        self.judgedAt = judgedAt
    }
}

/// How many decisions one stage made for one department on one UTC day.
public struct DecisionVolume: Sendable, Hashable {
    /// The UTC day, `2026-12-04`.
    public var day: String
    public var stage: Stage
    public var department: DepartmentID
    public var count: Int

    public init(day: String, stage: Stage, department: DepartmentID, count: Int) {
        self.day = day
        self.stage = stage
        self.department = department
        self.count = count
    }
}
