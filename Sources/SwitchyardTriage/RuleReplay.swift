public import SwitchyardCore
public import SwitchyardRules

/// What a candidate rule set would have decided on past tickets, beside what was decided
/// (or what the rules in force decide), and which was right where the answer is known:
/// `switchyard rules replay`.
///
/// Only the rules change. Where no deciding rule of a rule set takes a ticket, it goes to the
/// model stage, and the replay does not call a paid model: the recorded decision is reused
/// when the model stage made it, and otherwise the `modelStandIn` answers (the embedded local
/// model in the command), or the ticket counts as going to the model undecided.
public struct RuleReplay: Sendable {
    /// One past ticket.
    public struct Item: Sendable {
        /// The stored ticket's id, or `#N` for the N-th ticket of a file.
        public var name: String
        public var ticket: Ticket
        /// What was decided, for stored tickets; nil for a file (the rules in force are replayed too).
        public var recorded: Decision?
        /// What is known to be right: agents' feedback, or a file's label.
        public var truth: Truth?

        public init(name: String, ticket: Ticket, recorded: Decision? = nil, truth: Truth? = nil) {
            self.name = name
            self.ticket = ticket
            self.recorded = recorded
            self.truth = truth
        }
    }

    /// What an agent (or a label) says about a ticket's department.
    public enum Truth: Sendable, Hashable {
        /// The ticket belongs to this department (a thumbs up, a correction, a label).
        case department(DepartmentID)
        /// Not this department, and which one is not known (a thumbs down without a department).
        case notDepartment(DepartmentID)

        /// Whether `department` is right: nil when that cannot be told.
        public func judges(_ department: DepartmentID?) -> Bool? {
            guard let department else { return nil }
            switch self {
            case .department(let right): return department == right
            case .notDepartment(let wrong): return department == wrong ? false : nil
            }
        }
    }

    /// Who decides a ticket, and what.
    public struct Outcome: Sendable, Hashable {
        /// nil: the model stage would decide and nothing stood in for it.
        public var department: DepartmentID?
        /// `rule <id>`, `model (recorded)`, `model (stand-in)`, `model (not run)`, or the
        /// recorded stage and decider.
        public var decidedBy: String
        public var priority: Priority?

        public init(department: DepartmentID?, decidedBy: String, priority: Priority?) {
            self.department = department
            self.decidedBy = decidedBy
            self.priority = priority
        }
    }

    public struct Change: Sendable, Hashable {
        public var item: Int
        public var before: Outcome
        public var after: Outcome
    }

    public struct Report: Sendable {
        public var tickets: Int
        public var baselineVersion: String
        public var candidateVersion: String
        public var outcomes: [(before: Outcome, after: Outcome)]
        /// Tickets whose department would change, in order.
        public var changes: [Change]
        /// Tickets whose priority would change (the department staying).
        public var priorityChanges: Int
        /// Tickets with a known right answer, and how often each side had it.
        public var judged: Int
        public var rightBefore: Int
        public var rightAfter: Int
        /// Among the changed tickets with a known answer: the candidate right where the
        /// decision was wrong, wrong where it was right, and changes that cannot be told.
        public var fixed: Int
        public var broken: Int
        public var unknownChanges: Int

        /// The changes grouped by their departments, largest group first.
        public var transitions: [(from: String, to: String, changes: [Change])] {
            struct Transition: Hashable {
                var from: String
                var to: String
            }
            let groups = Dictionary(grouping: changes) {
                Transition(from: Self.name($0.before.department), to: Self.name($0.after.department))
            }
            return groups.map { (from: $0.key.from, to: $0.key.to, changes: $0.value) }
                .sorted { ($0.changes.count, $1.from, $1.to) > ($1.changes.count, $0.from, $0.to) }
        }

        static func name(_ department: DepartmentID?) -> String { department?.rawValue ?? "(model, not run)" }
    }

    public let baseline: RuleSet
    public let candidate: RuleSet
    /// Answers for the model stage where no recorded model answer exists.
    public let modelStandIn: (@Sendable (Ticket) -> DepartmentID?)?

    public init(baseline: RuleSet, candidate: RuleSet, modelStandIn: (@Sendable (Ticket) -> DepartmentID?)?) {
        self.baseline = baseline
        self.candidate = candidate
        self.modelStandIn = modelStandIn
    }

    /// Replays `items`.
    public func run(_ items: [Item]) -> Report {
        var report = Report(
            tickets: items.count, baselineVersion: baseline.version, candidateVersion: candidate.version, outcomes: [],
            changes: [], priorityChanges: 0, judged: 0, rightBefore: 0, rightAfter: 0, fixed: 0, broken: 0,
            unknownChanges: 0)
        for (index, item) in items.enumerated() {
            let before = item.recorded.map(Self.outcome(of:)) ?? outcome(of: item.ticket, with: baseline, recorded: nil)
            let after = outcome(of: item.ticket, with: candidate, recorded: item.recorded)
            report.outcomes.append((before, after))
            if before.department != after.department {
                report.changes.append(Change(item: index, before: before, after: after))
            } else if before.priority != after.priority {
                report.priorityChanges += 1
            }
            guard let truth = item.truth else { continue }
            let wasRight = truth.judges(before.department)
            let isRight = truth.judges(after.department)
            if wasRight != nil || isRight != nil { report.judged += 1 }
            if wasRight == true { report.rightBefore += 1 }
            if isRight == true { report.rightAfter += 1 }
            guard before.department != after.department else { continue }
            switch (wasRight, isRight) {
            case (false, true): report.fixed += 1
            case (true, false): report.broken += 1
            case (false, false): break
            default: report.unknownChanges += 1
            }
        }
        return report
    }

    /// What `ruleSet` decides: its first deciding rule, else the model stage (the recorded
    /// model answer, the stand-in, or nothing). Annotations raise the priority as in triage.
    func outcome(of ticket: Ticket, with ruleSet: RuleSet, recorded: Decision?) -> Outcome {
        let annotations = ruleSet.annotations(for: ticket)
        var outcome: Outcome
        if let match = ruleSet.firstDecidingMatch(for: ticket) {
            outcome = Outcome(department: match.department, decidedBy: "rule \(match.ruleID)", priority: match.priority)
        } else if let recorded, recorded.provenance.stage != .rule {
            outcome = Self.outcome(of: recorded)
            outcome.decidedBy = "model stage (recorded: \(outcome.decidedBy))"
            return outcome
        } else if let modelStandIn, let department = modelStandIn(ticket) {
            outcome = Outcome(department: department, decidedBy: "model stage (local model stands in)", priority: nil)
        } else {
            outcome = Outcome(department: nil, decidedBy: "model stage (not run)", priority: nil)
        }
        outcome.priority = RuleAnnotations.highest(annotations.priority, outcome.priority)
        return outcome
    }

    static func outcome(of decision: Decision) -> Outcome {
        let by = decision.provenance.decidedBy.map { " \($0)" } ?? ""
        let stage = decision.provenance.stage == .rule ? "rule" : decision.provenance.stage.rawValue
        return Outcome(department: decision.department, decidedBy: stage + by, priority: decision.priority)
    }
}
