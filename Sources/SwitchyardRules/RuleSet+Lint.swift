public import SwitchyardCore
public import SwitchyardYAML

extension RuleSet {
    /// Everything `switchyard rules lint` warns about, by place: the patterns prone to
    /// catastrophic backtracking (``warnings``), rules that can never fire because an earlier
    /// rule decides every one of their `match` examples first, and configured departments no
    /// rule sends tickets to (reported at `configuration`, the file that lists them).
    public func lint(departments: DepartmentCatalog, configuration: String) -> [Diagnostic] {
        var found = warnings
        for (index, rule) in rules.enumerated() where rule.kind != .annotating && !rule.examples.match.isEmpty {
            let winners = rule.examples.match.map { example -> String? in
                guard rule.conditionHolds(for: example.ticket).holds else { return nil }
                return evaluate(example.ticket, kind: rule.kind).match?.ruleID
            }
            // Every example matches the rule and every one is taken by the same kind of rule before it.
            let earlier = Set(rules[..<index].map(\.id))
            guard winners.allSatisfy({ $0.map(earlier.contains) ?? false }) else { continue }
            let names = winners.compactMap { $0 }.removingDuplicates().map { id in
                "\"\(id)\"" + (rules.first { $0.id == id }.map { " (\($0.location))" } ?? "")
            }
            found.append(
                Diagnostic(
                    location: rule.location,
                    message: "rule \"\(rule.id)\" can never fire on its examples: \(names.joined(separator: ", ")) "
                        + "decides all of them first; move it earlier, give it `priority:`, or narrow the earlier rule",
                    severity: .warning))
        }
        let routed = Set(rules.compactMap(\.action.department))
        let unused = departments.ids.filter { !routed.contains($0) }
        if !unused.isEmpty, !rules.isEmpty {
            found.append(
                Diagnostic(
                    location: .file(configuration),
                    message: "no rule sends tickets to \(unused.map(\.rawValue).joined(separator: ", ")); "
                        + "only the model stage and the default department reach them",
                    severity: .warning))
        }
        return found.sorted()
    }
}
