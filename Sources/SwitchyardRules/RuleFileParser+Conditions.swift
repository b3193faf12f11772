import SwitchyardYAML
import Yams

extension RuleFileParser {
    /// A condition is a mapping holding either one combinator key (`all`, `any`, `none`) with
    /// a non-empty list of conditions, or `field` with exactly one test key (`matches`,
    /// `contains`, …) and, for the text tests, `case_sensitive`.
    ///
    /// Every value present is checked even when the shape is wrong, so that one pass
    /// reports every problem; shape problems are not reported for a mapping that has an
    /// unknown key, since the unknown key is most likely a misspelt known one.
    mutating func parseCondition(_ node: Node, at path: String) -> Condition? {
        let problemsBefore = diagnostics.count
        guard
            let keys = reader.members(
                of: node, path, expecting: "a condition: \(Self.conditionShape)", allowed: Self.conditionKeys)
        else { return nil }

        var lists: [(key: String, conditions: [Condition])] = []
        for key in Self.combinatorKeys {
            guard let listNode = keys[key] else { continue }
            let listPath = "\(path).\(key)"
            guard let items = reader.sequence(listNode, listPath, expecting: "a list of conditions") else { continue }
            if items.isEmpty {
                reader.report("`\(key)` at \(listPath) needs at least one condition", at: listNode)
            }
            let conditions = items.enumerated().compactMap { index, item in
                parseCondition(item, at: "\(listPath)[\(index)]")
            }
            lists.append((key, conditions))
        }
        let field = keys["field"].flatMap { readField($0, at: "\(path).field") }
        let caseSensitive = keys["case_sensitive"].flatMap { reader.bool($0, "\(path).case_sensitive") } ?? false
        let tests = FieldTest.keys.compactMap { key in
            keys[key].flatMap { readTest(key, $0, caseSensitive: caseSensitive, at: "\(path).\(key)") }
        }
        if let node = keys["case_sensitive"], let test = keys.order.first(where: FieldTest.keys.contains),
            !FieldTest.textKeys.contains(test)
        {
            let textKeys = FieldTest.keys.filter(FieldTest.textKeys.contains).joined(separator: ", ")
            reader.report(
                "`case_sensitive` at \(path) applies to \(textKeys), not `\(test)`"
                    + (test == "matches" ? "; a pattern is case-sensitive unless it starts with (?i)" : ""),
                at: node)
        }
        if !keys.hadUnknownKeys {
            checkShape(of: keys, node: node, at: path)
        }
        guard diagnostics.count == problemsBefore else { return nil }

        if let list = lists.first {
            switch list.key {
            case "all": return .all(list.conditions)
            case "any": return .any(list.conditions)
            default: return .none(list.conditions)
            }
        }
        guard let field, let test = tests.first else {
            preconditionFailure("a condition without problems has a combinator or a field and a test")
        }
        return .field(field, test)
    }

    /// Reports a condition that is neither exactly one combinator nor `field` with
    /// exactly one test.
    private mutating func checkShape(of keys: YAMLReader.Members, node: Node, at path: String) {
        let present = keys.order
        if let combinator = present.first(where: Self.combinatorKeys.contains) {
            if present.count > 1 {
                let others = present.filter { $0 != combinator }.joined(separator: ", ")
                reader.report(
                    "`\(combinator)` cannot share a condition with \(others) at \(path); "
                        + "put each condition in its own list item",
                    at: node
                )
            }
            return
        }
        let testKeys = present.filter(FieldTest.keys.contains)
        if keys["field"] == nil {
            let message = testKeys.isEmpty
                ? "empty condition at \(path); write \(Self.conditionShape)"
                : "missing key `field` at \(path): say which field `\(testKeys[0])` applies to"
            reader.report(message, at: node)
        } else if testKeys.isEmpty {
            reader.report("missing test at \(path): add one of \(FieldTest.keys.joined(separator: ", "))", at: node)
        } else if testKeys.count > 1 {
            reader.report(
                "more than one test (\(testKeys.joined(separator: ", "))) at \(path); "
                    + "combine separate conditions with `all` or `any`",
                at: node
            )
        }
    }

    /// What a condition looks like, for messages.
    private static let conditionShape =
        "`field` with one test (" + FieldTest.keys.joined(separator: ", ") + "), or "
        + combinatorKeys.map { "`\($0)`" }.joined(separator: " / ") + " with a list of conditions"

    private mutating func readField(_ node: Node, at path: String) -> Field? {
        guard let name = reader.string(node, path) else { return nil }
        guard let field = Field(name: name) else {
            reader.report(
                "unknown field \"\(name)\" at \(path); allowed: \(Field.documentedNames.joined(separator: ", "))",
                at: node
            )
            return nil
        }
        return field
    }

    private mutating func readTest(_ key: String, _ node: Node, caseSensitive: Bool, at path: String) -> FieldTest? {
        func text(_ node: Node, _ path: String) -> TextComparison? {
            guard let value = reader.string(node, path) else { return nil }
            guard !value.isEmpty else {
                reader.report("empty text at \(path); to test for a missing value use `exists: false`", at: node)
                return nil
            }
            return TextComparison(value, caseSensitive: caseSensitive)
        }
        switch key {
        case "matches":
            return readPattern(node, at: path).map(FieldTest.matches)
        case "contains":
            return text(node, path).map(FieldTest.contains)
        case "equals":
            return text(node, path).map(FieldTest.equals)
        case "starts_with":
            return text(node, path).map(FieldTest.startsWith)
        case "ends_with":
            return text(node, path).map(FieldTest.endsWith)
        case "in":
            guard let items = reader.sequence(node, path, expecting: "a list of values") else { return nil }
            if items.isEmpty {
                reader.report("`in` at \(path) needs at least one value", at: node)
                return nil
            }
            let values = items.enumerated().compactMap { index, item in text(item, "\(path)[\(index)]") }
            return values.count == items.count ? .oneOf(values) : nil
        case "exists":
            return reader.bool(node, path).map(FieldTest.exists)
        case "greater_than":
            return reader.number(node, path).map(FieldTest.greaterThan)
        case "less_than":
            return reader.number(node, path).map(FieldTest.lessThan)
        default:
            preconditionFailure("FieldTest.keys lists \(key) but the parser does not read it")
        }
    }

    private mutating func readPattern(_ node: Node, at path: String) -> Pattern? {
        guard let source = reader.string(node, path) else { return nil }
        guard !source.isEmpty else {
            reader.report(
                "empty pattern at \(path) would match every ticket; write a pattern or remove the condition",
                at: node
            )
            return nil
        }
        do {
            let pattern = try Pattern(source, limits: limits)
            for risk in PatternRisks.find(in: source) {
                warnings.append(
                    Diagnostic(
                        location: reader.location(ofCharacter: risk.offset, in: node) ?? reader.location(of: node),
                        message: "\(risk.message) at \(path)", severity: .warning))
            }
            return pattern
        } catch {
            reader.report("invalid regular expression at \(path): \(error)", at: node, character: error.characterOffset)
            return nil
        }
    }
}
