import SwitchyardCore
import Yams

/// Reads one rule file into rules, collecting every problem instead of stopping at the
/// first one.
///
/// The file is composed into YAML nodes (not decoded), so that every value keeps its line
/// and column and every diagnostic can point at it. Keys are checked against the keys
/// each mapping allows, so a typo such as `matchs` is reported rather than ignored.
struct RuleFileParser {
    /// A rule and where its id is written, for duplicate-id diagnostics across files.
    struct ParsedRule {
        var rule: Rule
        var idLocation: SourceLocation
    }

    static let ruleKeys = ["id", "description", "fallback", "when", "then"]
    static let actionKeys = ["department", "priority", "tags"]
    /// Keys that combine a list of conditions. (`none` would join them.)
    static let combinatorKeys = ["all", "any"]
    static let conditionKeys = combinatorKeys + ["field"] + FieldTest.keys

    /// The file name used in diagnostics.
    let file: String
    let text: String
    let departments: DepartmentCatalog
    let limits: MatchLimits
    var diagnostics: [RuleDiagnostic] = []

    init(file: String, text: String, departments: DepartmentCatalog, limits: MatchLimits) {
        self.file = file
        self.text = text
        self.departments = departments
        self.limits = limits
    }

    /// The file's rules in order. Rules with problems are left out and their problems
    /// recorded in ``diagnostics``.
    mutating func parse() -> [ParsedRule] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            diagnostics.append(diagnostic(for: error))
            return []
        }
        // An empty file (or one holding only comments) has no rules.
        guard let root else { return [] }
        guard let top = mapping(root, at: "the file", expecting: "a mapping with a `rules` list") else { return [] }
        let keys = entries(of: top, at: "the file", allowed: ["rules"])
        guard let rulesNode = required("rules", in: keys, of: top, at: "the file"),
            let items = sequence(rulesNode, at: "rules", expecting: "a list of rules")
        else { return [] }
        return items.enumerated().compactMap { index, item in
            parseRule(item, at: "rules[\(index)]")
        }
    }

    private mutating func parseRule(_ node: Node, at path: String) -> ParsedRule? {
        guard let rule = mapping(node, at: path, expecting: "a rule (a mapping with id, when and then)") else {
            return nil
        }
        let problemsBefore = diagnostics.count
        let keys = entries(of: rule, at: path, allowed: Self.ruleKeys)
        let idNode = required("id", in: keys, of: rule, at: path)
        let id = idNode.flatMap { readRuleID($0, at: "\(path).id") }
        let description = keys.values["description"].flatMap { string($0, at: "\(path).description") }
        let isFallback = keys.values["fallback"].flatMap { bool($0, at: "\(path).fallback") } ?? false
        let condition = required("when", in: keys, of: rule, at: path).flatMap {
            parseCondition($0, at: "\(path).when")
        }
        let action = required("then", in: keys, of: rule, at: path).flatMap {
            parseAction($0, at: "\(path).then")
        }
        guard let idNode, let id, let condition, let action, diagnostics.count == problemsBefore else { return nil }
        return ParsedRule(
            rule: Rule(
                id: id, description: description, isFallback: isFallback,
                condition: condition, action: action, location: location(of: node)
            ),
            idLocation: location(of: idNode)
        )
    }

    private mutating func readRuleID(_ node: Node, at path: String) -> String? {
        guard let id = string(node, at: path) else { return nil }
        guard Self.isValidRuleID(id) else {
            report(
                "invalid rule id \"\(id)\" at \(path): use lowercase letters, digits, '_', '.' and '-', "
                    + "starting with a letter or digit",
                at: node
            )
            return nil
        }
        return id
    }

    /// `[a-z0-9][a-z0-9_.-]*`
    static func isValidRuleID(_ id: String) -> Bool {
        let alphanumerics = Set("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let punctuation = Set("_.-".utf8)
        guard let first = id.utf8.first, alphanumerics.contains(first) else { return false }
        return id.utf8.dropFirst().allSatisfy { alphanumerics.contains($0) || punctuation.contains($0) }
    }

    private mutating func parseAction(_ node: Node, at path: String) -> RuleAction? {
        guard let then = mapping(node, at: path, expecting: "a mapping with department, priority and tags") else {
            return nil
        }
        let problemsBefore = diagnostics.count
        let keys = entries(of: then, at: path, allowed: Self.actionKeys)
        let department = required("department", in: keys, of: then, at: path).flatMap {
            readDepartment($0, at: "\(path).department")
        }
        let priority = keys.values["priority"].flatMap { readPriority($0, at: "\(path).priority") }
        let tags = keys.values["tags"].flatMap { readTags($0, at: "\(path).tags") } ?? []
        guard let department, diagnostics.count == problemsBefore else { return nil }
        return RuleAction(department: department, priority: priority, tags: tags)
    }

    private mutating func readDepartment(_ node: Node, at path: String) -> DepartmentID? {
        guard let name = string(node, at: path) else { return nil }
        let id = DepartmentID(name)
        guard departments.contains(id) else {
            let configured = departments.ids.isEmpty
                ? "no departments are configured"
                : "configured departments: " + departments.ids.map(\.rawValue).joined(separator: ", ")
            report("unknown department \"\(name)\" at \(path); \(configured)", at: node)
            return nil
        }
        return id
    }

    private mutating func readPriority(_ node: Node, at path: String) -> Priority? {
        guard let name = string(node, at: path) else { return nil }
        guard let priority = Priority(rawValue: name) else {
            let allowed = Priority.allCases.map(\.rawValue).joined(separator: ", ")
            report("unknown priority \"\(name)\" at \(path); allowed: \(allowed)", at: node)
            return nil
        }
        return priority
    }

    private mutating func readTags(_ node: Node, at path: String) -> [String]? {
        guard let items = sequence(node, at: path, expecting: "a list of tags") else { return nil }
        return items.enumerated().compactMap { index, item in
            guard let tag = string(item, at: "\(path)[\(index)]") else { return nil }
            guard !tag.isEmpty else {
                report("empty tag at \(path)[\(index)]; remove it or write the tag", at: item)
                return nil
            }
            return tag
        }
    }
}
