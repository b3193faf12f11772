import SwitchyardCore
import SwitchyardYAML
import Yams

/// Reads one rule file into rules, collecting every problem instead of stopping at the
/// first one.
///
/// The file is read with a ``YAMLReader``, so that every diagnostic points at its line and
/// column. Keys are checked against the keys each mapping allows, so a typo such as
/// `matchs` is reported rather than ignored.
struct RuleFileParser {
    /// A rule and where its id is written, for duplicate-id diagnostics across files.
    struct ParsedRule {
        var rule: Rule
        var idLocation: SourceLocation
    }

    static let ruleKeys = ["id", "description", "fallback", "decide", "when", "then"]
    static let actionKeys = ["department", "priority", "tags"]
    /// Keys that combine a list of conditions.
    static let combinatorKeys = ["all", "any", "none"]
    static let conditionKeys = combinatorKeys + ["field", "case_sensitive"] + FieldTest.keys

    let departments: DepartmentCatalog
    let limits: MatchLimits
    var reader: YAMLReader

    var diagnostics: [Diagnostic] { reader.diagnostics }

    init(file: String, text: String, departments: DepartmentCatalog, limits: MatchLimits) {
        self.departments = departments
        self.limits = limits
        self.reader = YAMLReader(file: file, text: text)
    }

    /// The file's rules in order. Rules with problems are left out and their problems
    /// recorded in ``diagnostics``.
    mutating func parse() -> [ParsedRule] {
        // An empty file (or one holding only comments) has no rules.
        guard case .node(let root) = reader.compose(),
            let top = reader.members(of: root, "the file", expecting: "a mapping with a `rules` list", allowed: ["rules"]),
            let rulesNode = reader.required("rules", in: top),
            let items = reader.sequence(rulesNode, "rules", expecting: "a list of rules")
        else { return [] }
        return items.enumerated().compactMap { index, item in
            parseRule(item, at: "rules[\(index)]")
        }
    }

    private mutating func parseRule(_ node: Node, at path: String) -> ParsedRule? {
        let problemsBefore = diagnostics.count
        guard
            let keys = reader.members(
                of: node, path, expecting: "a rule (a mapping with id, when and then)", allowed: Self.ruleKeys)
        else { return nil }
        let idNode = reader.required("id", in: keys)
        let id = idNode.flatMap { readRuleID($0, at: "\(path).id") }
        let description = keys["description"].flatMap { reader.string($0, "\(path).description") }
        let isFallback = keys["fallback"].flatMap { reader.bool($0, "\(path).fallback") } ?? false
        let decides = keys["decide"].flatMap { reader.bool($0, "\(path).decide") } ?? true
        if !decides, isFallback, let node = keys["decide"] {
            reader.report(
                "a fallback rule decides when the model could not; `decide: false` and `fallback: true` "
                    + "cannot go together at \(path)", at: node)
        }
        let condition = reader.required("when", in: keys).flatMap {
            parseCondition($0, at: "\(path).when")
        }
        let action = reader.required("then", in: keys).flatMap {
            parseAction($0, at: "\(path).then", decides: decides)
        }
        guard let idNode, let id, let condition, let action, diagnostics.count == problemsBefore else { return nil }
        return ParsedRule(
            rule: Rule(
                id: id, description: description, isFallback: isFallback, decides: decides,
                condition: condition, action: action, location: reader.location(of: node)
            ),
            idLocation: reader.location(of: idNode)
        )
    }

    private mutating func readRuleID(_ node: Node, at path: String) -> String? {
        guard let id = reader.string(node, path) else { return nil }
        guard Self.isValidRuleID(id) else {
            reader.report(
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

    /// A deciding or fallback rule's action names its department; an annotating rule's
    /// (`decide: false`) names none and adds tags, a priority or both.
    private mutating func parseAction(_ node: Node, at path: String, decides: Bool) -> RuleAction? {
        let problemsBefore = diagnostics.count
        guard
            let keys = reader.members(
                of: node, path, expecting: "a mapping with department, priority and tags", allowed: Self.actionKeys)
        else { return nil }
        var department: DepartmentID?
        if decides {
            department = reader.required("department", in: keys).flatMap {
                readDepartment($0, at: "\(path).department")
            }
        } else if let node = keys["department"] {
            reader.report(
                "an annotating rule (decide: false) leaves the department to the next stages; remove "
                    + "\(path).department, or remove `decide: false` to make the rule decide", at: node)
        } else if keys["priority"] == nil && keys["tags"] == nil && !keys.hadUnknownKeys {
            reader.report("an annotating rule (decide: false) needs priority or tags at \(path)", at: node)
        }
        let priority = keys["priority"].flatMap { readPriority($0, at: "\(path).priority") }
        let tags = keys["tags"].flatMap { readTags($0, at: "\(path).tags") } ?? []
        guard diagnostics.count == problemsBefore, department != nil || !decides else { return nil }
        return RuleAction(department: department, priority: priority, tags: tags)
    }

    private mutating func readDepartment(_ node: Node, at path: String) -> DepartmentID? {
        guard let name = reader.string(node, path) else { return nil }
        let id = DepartmentID(name)
        guard departments.contains(id) else {
            let configured = departments.ids.isEmpty
                ? "no departments are configured"
                : "configured departments: " + departments.ids.map(\.rawValue).joined(separator: ", ")
            reader.report("unknown department \"\(name)\" at \(path); \(configured)", at: node)
            return nil
        }
        return id
    }

    private mutating func readPriority(_ node: Node, at path: String) -> Priority? {
        guard let name = reader.string(node, path) else { return nil }
        guard let priority = Priority(rawValue: name) else {
            let allowed = Priority.allCases.map(\.rawValue).joined(separator: ", ")
            reader.report("unknown priority \"\(name)\" at \(path); allowed: \(allowed)", at: node)
            return nil
        }
        return priority
    }

    private mutating func readTags(_ node: Node, at path: String) -> [String]? {
        guard let items = reader.sequence(node, path, expecting: "a list of tags") else { return nil }
        return items.enumerated().compactMap { index, item in
            guard let tag = reader.string(item, "\(path)[\(index)]") else { return nil }
            guard !tag.isEmpty else {
                reader.report("empty tag at \(path)[\(index)]; remove it or write the tag", at: item)
                return nil
            }
            return tag
        }
    }
}
