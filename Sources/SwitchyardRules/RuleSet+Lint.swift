public import SwitchyardCore
public import SwitchyardYAML

extension RuleSet {
    /// Everything `switchyard rules lint` warns about, by place: the patterns prone to
    /// catastrophic backtracking (``warnings``), rules that can never fire because an earlier
    /// rule decides every one of their `match` examples first, and configured departments no
    /// rule sends tickets to (reported at `configuration`, the file that lists them).
    public func lint(departments: DepartmentCatalog, configuration: String) -> [Diagnostic] {
        var found = warnings
        for rule in rules where rule.kind != .annotating && !rule.examples.match.isEmpty {
            // Every example matches the rule, and an earlier rule takes every one of them.
            let shadows = rule.examples.match.map { example in
                rule.conditionHolds(for: example.ticket).holds ? self.rule(before: rule, deciding: example.ticket) : nil
            }
            guard shadows.allSatisfy({ $0 != nil }) else { continue }
            let names = shadows.compactMap { $0.map { "\"\($0.id)\" (\($0.location))" } }.removingDuplicates()
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
