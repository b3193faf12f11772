import Foundation
import SwitchyardCore

/// What evaluating one rule's condition collects besides whether it holds: the tests that
/// ran (when tracing), the capture groups of the patterns that matched (when the rule's
/// action uses them), and the matches PCRE2 gave up on.
struct ConditionEvaluation {
    let ruleID: String
    let tracing: Bool
    let capturing: Bool
    var tests: [TestStep] = []
    var captures = Captures()
    /// Whether any test held or stopped: a rule that came close, kept in a summary trace.
    var cameClose = false
    var stopped: [RuleEvaluation.StoppedMatch]

    init(ruleID: String, tracing: Bool, capturing: Bool, stopped: [RuleEvaluation.StoppedMatch]) {
        self.ruleID = ruleID
        self.tracing = tracing
        self.capturing = capturing
        self.stopped = stopped
    }
}

/// The capture groups of the patterns that matched, for a rule's action (`${1}`, `${order}`).
///
/// Numbered groups come from the first `matches` test that held (in the order the condition
/// ran); a named group from the first pattern that matched with that group taking part.
struct Captures: Sendable {
    private(set) var numbered: [String?]?
    private(set) var named: [String: String] = [:]

    mutating func add(_ found: Pattern.Found, of pattern: Pattern, in subject: String) {
        if numbered == nil {
            numbered = (0..<found.groups.count).map { found.text(of: $0, in: subject) }
        }
        for (name, number) in pattern.groupNumbers where named[name] == nil {
            if let text = found.text(of: number, in: subject) { named[name] = text }
        }
    }

    /// The text for `${name}`: a number is a numbered group, anything else a named one; nil
    /// when the group took no part in the match.
    func value(of name: String) -> String? {
        if let number = Int(name) {
            guard let numbered, number >= 0, number < numbered.count else { return nil }
            return numbered[number]
        }
        return named[name]
    }
}

extension Condition {
    /// Whether the condition holds for `ticket`. Matches that PCRE2 gave up on count as
    /// "no match" and are recorded in `evaluation`.
    func holds(for ticket: Ticket, path: String, _ evaluation: inout ConditionEvaluation) -> Bool {
        func child(_ key: String, _ index: Int) -> String {
            evaluation.tracing ? "\(path).\(key)[\(index)]" : ""
        }
        switch self {
        case .all(let conditions):
            for (index, condition) in conditions.enumerated()
            where !condition.holds(for: ticket, path: child("all", index), &evaluation) {
                return false
            }
            return true
        case .any(let conditions):
            for (index, condition) in conditions.enumerated()
            where condition.holds(for: ticket, path: child("any", index), &evaluation) {
                return true
            }
            return false
        case .none(let conditions):
            // Captures made under `none` belong to tests that must not hold.
            let captures = evaluation.captures
            defer { evaluation.captures = captures }
            for (index, condition) in conditions.enumerated()
            where condition.holds(for: ticket, path: child("none", index), &evaluation) {
                return false
            }
            return true
        case .field(let field, let test):
            return test.holds(for: field, in: ticket, path: path, &evaluation)
        }
    }
}

extension FieldTest {
    /// Runs the test on each of the field's values until one holds.
    fileprivate func holds(for field: Field, in ticket: Ticket, path: String, _ evaluation: inout ConditionEvaluation) -> Bool {
        let values = field.values(in: ticket)
        var held = false
        var spans: [TextSpan] = []
        var stopReason: MatchOutcome.StopReason?
        if case .exists(let expected) = self {
            held = values.contains { !$0.isEmpty } == expected
        } else {
            let wantsPlaces = evaluation.tracing || evaluation.capturing
            for (index, value) in values.enumerated() {
                let outcome: MatchOutcome
                var span: Range<Int>?
                if wantsPlaces {
                    (outcome, span) = locate(in: value, captures: &evaluation.captures)
                } else {
                    outcome = evaluate(value)
                }
                switch outcome {
                case .matched:
                    held = true
                    if let span {
                        spans.append(TextSpan(value: field == .tags ? index : nil, start: span.lowerBound, end: span.upperBound))
                    }
                case .notMatched:
                    break
                case .stopped(let reason):
                    stopReason = reason
                    evaluation.stopped.append(
                        .init(ruleID: evaluation.ruleID, field: field, test: description, reason: reason))
                }
                if held { break }
            }
        }
        if held || stopReason != nil { evaluation.cameClose = true }
        if evaluation.tracing {
            evaluation.tests.append(
                TestStep(
                    path: path, field: field.name, test: description, held: held, spans: spans,
                    stopped: stopReason.map(\.description)))
        }
        return held
    }

    /// Tests one value and says where it held, in Unicode code points; a pattern that
    /// matched adds its groups to `captures`.
    fileprivate func locate(in value: String, captures: inout Captures) -> (MatchOutcome, Range<Int>?) {
        switch self {
        case .matches(let pattern):
            let search = pattern.firstMatch(in: value)
            guard let found = search.found, let whole = found.groups.first ?? nil else { return (search.outcome, nil) }
            captures.add(found, of: pattern, in: value)
            return (.matched, Self.scalarOffset(whole.lowerBound, in: value)..<Self.scalarOffset(whole.upperBound, in: value))
        case .contains(let text), .equals(let text), .startsWith(let text), .endsWith(let text):
            let outcome = evaluate(value)
            guard outcome.isMatch else { return (outcome, nil) }
            let prepared = text.prepared(value)
            // Case folding can change a text's length (`İ`); then the places in the folded
            // text are not places in the value, and no span is given.
            let length = value.unicodeScalars.count
            guard prepared.unicodeScalars.count == length else { return (outcome, nil) }
            let needle = text.value.unicodeScalars.count
            switch self {
            case .contains:
                guard let range = prepared.range(of: text.value) else { return (outcome, nil) }
                let start = prepared.unicodeScalars.distance(from: prepared.startIndex, to: range.lowerBound)
                return (outcome, start..<start + needle)
            case .startsWith: return (outcome, 0..<needle)
            case .endsWith: return (outcome, length - needle..<length)
            default: return (outcome, 0..<length)
            }
        case .oneOf:
            let outcome = evaluate(value)
            return (outcome, outcome.isMatch ? 0..<value.unicodeScalars.count : nil)
        default:
            return (evaluate(value), nil)
        }
    }

    /// A UTF-8 offset as a count of Unicode code points.
    private static func scalarOffset(_ byteOffset: Int, in value: String) -> Int {
        value.utf8.prefix(byteOffset).reduce(0) { count, byte in byte & 0xC0 == 0x80 ? count : count + 1 }
    }
}
