public import SwitchyardCore
public import SwitchyardYAML

/// A rule's inline unit tests, `examples: {match: [...], no_match: [...]}`: tickets (or plain
/// texts, taken as the body) the rule must and must not match.
public struct RuleExamples: Sendable {
    public struct Example: Sendable {
        public var ticket: Ticket
        /// Where the example is written.
        public var location: SourceLocation

        public init(ticket: Ticket, location: SourceLocation) {
            self.ticket = ticket
            self.location = location
        }
    }

    public var match: [Example] = []
    public var noMatch: [Example] = []

    public init(match: [Example] = [], noMatch: [Example] = []) {
        self.match = match
        self.noMatch = noMatch
    }

    public var isEmpty: Bool { match.isEmpty && noMatch.isEmpty }
}

/// One example that did not come out as written.
public struct ExampleFailure: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public var description: String { "\(location): error: \(message)" }
}

/// What running every rule's examples found.
public struct ExampleReport: Sendable {
    /// Examples run, `match` and `no_match` together.
    public var examples: Int
    /// Rules that have examples.
    public var rulesWithExamples: Int
    public var failures: [ExampleFailure]
}

extension RuleSet {
    /// Runs every rule's examples. A `match` example must satisfy the rule's condition and, for
    /// a deciding or fallback rule, be decided by that rule when the whole set of its kind runs
    /// (so an earlier rule that shadows it fails the example); a `no_match` example must not
    /// satisfy the condition.
    public func runExamples() -> ExampleReport {
        var failures: [ExampleFailure] = []
        var count = 0
        var withExamples = 0
        for rule in rules where !rule.examples.isEmpty {
            withExamples += 1
            for (position, example) in rule.examples.match.enumerated() {
                count += 1
                let what = "example match[\(position)] of rule \"\(rule.id)\""
                let (holds, stopped) = rule.conditionHolds(for: example.ticket)
                guard holds else {
                    let limit = stopped.first.map { " (a pattern stopped: \($0.reason))" } ?? ""
                    failures.append(.init(location: example.location, message: "\(what) does not match it\(limit)"))
                    continue
                }
                guard let shadow = self.rule(before: rule, deciding: example.ticket) else { continue }
                failures.append(
                    .init(
                        location: example.location,
                        message: "\(what) matches, but \"\(shadow.id)\" (\(shadow.location)) decides it first"))
            }
            for (position, example) in rule.examples.noMatch.enumerated() {
                count += 1
                if rule.conditionHolds(for: example.ticket).holds {
                    failures.append(
                        .init(
                            location: example.location,
                            message: "example no_match[\(position)] of rule \"\(rule.id)\" matches it"))
                }
            }
        }
        return ExampleReport(examples: count, rulesWithExamples: withExamples, failures: failures)
    }
}

extension RuleSet {
    /// The rule that decides `ticket` before `rule` can: the first rule of `rule`'s kind that
    /// matches it, when that is not `rule`. nil for an annotating rule (every one of them runs)
    /// and when `rule` itself decides.
    func rule(before rule: Rule, deciding ticket: Ticket) -> Rule? {
        guard rule.kind != .annotating, let winner = evaluate(ticket, kind: rule.kind).match?.ruleID, winner != rule.id
        else { return nil }
        return rules.first { $0.id == winner }
    }
}
