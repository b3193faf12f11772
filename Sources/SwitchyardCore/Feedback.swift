public import Foundation

/// An agent's judgement of a decision.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    case up, down
}

/// One thumbs up or down, with the right department when the agent gave one.
public struct Feedback: Sendable, Hashable, Codable {
    public var verdict: Verdict
    /// The department the ticket should have gone to (usually given with `down`).
    public var department: DepartmentID?
    /// Who gave it, as the platform names the agent.
    public var agent: String?
    public var createdAt: Date

    public init(verdict: Verdict, department: DepartmentID? = nil, agent: String? = nil, createdAt: Date) {
        self.verdict = verdict
        self.department = department
        self.agent = agent
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case verdict, department, agent
        case createdAt = "created_at"
    }
}
