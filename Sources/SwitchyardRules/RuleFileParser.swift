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

    static let ruleKeys = ["id", "description", "fallback", "decide", "priority", "when", "then", "examples"]
    static let actionKeys = ["department", "priority", "tags", "fields"]
    /// Keys that combine a list of conditions.
    static let combinatorKeys = ["all", "any", "none"]
    static let conditionKeys = combinatorKeys + ["field", "case_sensitive"] + FieldTest.keys

    let departments: DepartmentCatalog
    let limits: MatchLimits
    var reader: YAMLReader
    /// What works but is likely a mistake (patterns prone to backtracking), for `rules lint`.
    var warnings: [Diagnostic] = []

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
        var parsed: [ParsedRule] = []
        for (index, item) in items.enumerated() {
            if let rule = parseRule(item, at: "rules[\(index)]") { parsed.append(rule) }
        }
        return parsed
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
        let precedence = keys["priority"].flatMap { readPrecedence($0, at: "\(path).priority") } ?? 0
        let examples = keys["examples"].flatMap { parseExamples($0, at: "\(path).examples") } ?? RuleExamples()
        let condition = reader.required("when", in: keys).flatMap {
            parseCondition($0, at: "\(path).when")
        }
        let action = reader.required("then", in: keys).flatMap {
            parseAction($0, at: "\(path).then", decides: decides, groups: CaptureGroups(condition))
        }
        guard let idNode, let id, let condition, let action, diagnostics.count == problemsBefore else { return nil }
        let rule = Rule(
            id: id, description: description, kind: isFallback ? .fallback : decides ? .deciding : .annotating,
            condition: condition, action: action, precedence: precedence, examples: examples,
            location: reader.location(of: node)
        )
        return ParsedRule(rule: rule, idLocation: reader.location(of: idNode))
    }

    /// A rule's `priority: N`: a whole number from -1000 to 1000.
    private mutating func readPrecedence(_ node: Node, at path: String) -> Int? {
        guard let number = reader.number(node, path) else { return nil }
        guard number == number.rounded(), (-1000...1000).contains(number) else {
            reader.report(
                "\(path) must be a whole number from -1000 to 1000 (higher runs first), found \(reader.kind(of: node)); "
                    + "the ticket's priority goes under `then`", at: node)
            return nil
        }
        return Int(number)
    }

    static let exampleKeys = ["match", "no_match"]
    static let exampleTicketKeys = [
        "subject", "body", "tags", "channel", "language", "priority", "status", "source", "requester", "custom_fields",
    ]

    private mutating func parseExamples(_ node: Node, at path: String) -> RuleExamples? {
        guard let keys = reader.members(of: node, path, expecting: "a mapping with match and no_match lists", allowed: Self.exampleKeys)
        else { return nil }
        var examples = RuleExamples()
        for key in Self.exampleKeys {
            guard let listNode = keys[key] else { continue }
            let listPath = "\(path).\(key)"
            guard let items = reader.sequence(listNode, listPath, expecting: "a list of examples (texts or tickets)") else { continue }
            let parsed = items.enumerated().compactMap { index, item in parseExample(item, at: "\(listPath)[\(index)]") }
            if key == "match" { examples.match = parsed } else { examples.noMatch = parsed }
        }
        return examples
    }

    /// A text (the ticket's body) or a ticket with the generic shape's keys (`id` left out).
    private mutating func parseExample(_ node: Node, at path: String) -> RuleExamples.Example? {
        let location = reader.location(of: node)
        if case .scalar = node {
            guard let text = reader.string(node, path) else { return nil }
            return .init(ticket: Ticket(externalID: "example", source: "example", subject: "", body: text), location: location)
        }
        guard let keys = reader.members(of: node, path, expecting: "a text or a ticket", allowed: Self.exampleTicketKeys)
        else { return nil }
        func text(_ key: String) -> String? { keys[key].flatMap { reader.string($0, "\(path).\(key)", allowingEmpty: true) } }
        var requester: Requester?
        if let node = keys["requester"],
            let members = reader.members(of: node, "\(path).requester", allowed: ["name", "email"])
        {
            requester = Requester(
                name: members["name"].flatMap { reader.string($0, "\(path).requester.name") },
                email: members["email"].flatMap { reader.string($0, "\(path).requester.email") })
        }
        var custom: [String: String] = [:]
        if let node = keys["custom_fields"], let members = reader.members(of: node, "\(path).custom_fields", allowed: nil) {
            for key in members.order {
                if let value = members[key].flatMap({ reader.string($0, "\(path).custom_fields.\(key)", allowingEmpty: true) }) {
                    custom[key] = value
                }
            }
        }
        let tags = keys["tags"].flatMap { readTags($0, at: "\(path).tags")?.map(\.text) } ?? []
        let ticket = Ticket(
            externalID: "example", source: text("source") ?? "example", subject: text("subject") ?? "",
            body: text("body") ?? "", requester: requester, tags: tags, channel: text("channel"),
            language: text("language"), priority: text("priority"), status: text("status"), customFields: custom)
        return .init(ticket: ticket, location: location)
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
    private mutating func parseAction(_ node: Node, at path: String, decides: Bool, groups: CaptureGroups) -> RuleAction? {
        let problemsBefore = diagnostics.count
        guard
            let keys = reader.members(
                of: node, path, expecting: "a mapping with department, priority, tags and fields", allowed: Self.actionKeys)
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
        } else if keys["priority"] == nil && keys["tags"] == nil && keys["fields"] == nil && !keys.hadUnknownKeys {
            reader.report("an annotating rule (decide: false) needs priority, tags or fields at \(path)", at: node)
        }
        let priority = keys["priority"].flatMap { readPriority($0, at: "\(path).priority") }
        let tags = keys["tags"].flatMap { node in
            readTags(node, at: "\(path).tags")?.compactMap { readTemplate($0.text, $0.node, at: $0.path, groups: groups) }
        } ?? []
        var fields: [String: InterpolatedText] = [:]
        if let node = keys["fields"],
            let members = reader.members(of: node, "\(path).fields", expecting: "a mapping of field names to values", allowed: nil)
        {
            for name in members.order {
                guard let valueNode = members[name] else { continue }
                let fieldPath = "\(path).fields.\(name)"
                guard Self.isValidFieldName(name) else {
                    reader.report(
                        "invalid field name \"\(name)\" at \(path).fields: use letters, digits, '_' and '-'", at: valueNode)
                    continue
                }
                guard let text = reader.string(valueNode, fieldPath),
                    let template = readTemplate(text, valueNode, at: fieldPath, groups: groups)
                else { continue }
                fields[name] = template
            }
        }
        guard diagnostics.count == problemsBefore, department != nil || !decides else { return nil }
        return RuleAction(department: department, priority: priority, tags: tags, fields: fields)
    }

    /// `[A-Za-z0-9_-]+`: names a write-back can refer to (`decision.fields.NAME`).
    static func isValidFieldName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "_", "-": true
                default: false
                }
            }
    }

    /// A tag or field value, its `${…}` references checked against the groups the rule's
    /// patterns have.
    private mutating func readTemplate(_ text: String, _ node: Node, at path: String, groups: CaptureGroups) -> InterpolatedText? {
        let template: InterpolatedText
        do {
            template = try InterpolatedText(parsing: text)
        } catch {
            reader.report("\(error.message) at \(path)", at: node, character: error.offset)
            return nil
        }
        var valid = true
        for reference in template.references {
            guard let problem = groups.problem(with: reference.name) else { continue }
            reader.report("\(problem) at \(path)", at: node, character: reference.offset)
            valid = false
        }
        return valid ? template : nil
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

    private mutating func readTags(_ node: Node, at path: String) -> [(text: String, node: Node, path: String)]? {
        guard let items = reader.sequence(node, path, expecting: "a list of tags") else { return nil }
        return items.enumerated().compactMap { index, item in
            guard let tag = reader.string(item, "\(path)[\(index)]") else { return nil }
            guard !tag.isEmpty else {
                reader.report("empty tag at \(path)[\(index)]; remove it or write the tag", at: item)
                return nil
            }
            return (tag, item, "\(path)[\(index)]")
        }
    }
}

/// The capture groups a rule's action may use: those of the patterns in its condition (not
/// under `none`, whose tests must not match for the rule to hold).
struct CaptureGroups {
    /// The most groups any one pattern has: `${N}` refers to the first pattern that matched.
    var largestCount = 0
    var names: Set<String> = []

    init(_ condition: Condition?) {
        for pattern in condition?.patterns(outsideNone: true) ?? [] {
            largestCount = max(largestCount, pattern.captureCount)
            names.formUnion(pattern.groupNumbers.keys)
        }
    }

    /// Why `${name}` cannot be filled in, or nil when it can.
    func problem(with name: String) -> String? {
        if let number = Int(name), name.allSatisfy(\.isASCII) {
            guard number > largestCount else { return nil }
            return largestCount == 0
                ? "${\(name)} refers to a capture group, but the rule's patterns (`matches`, outside `none`) have none"
                : "${\(name)} refers to group \(number), but the rule's patterns have at most \(largestCount)"
        }
        guard !names.contains(name) else { return nil }
        let known = names.isEmpty ? "the rule's patterns name no groups" : "named groups: " + names.sorted().joined(separator: ", ")
        return "${\(name)} is not a named group of the rule's patterns (write (?<\(name)>…) in a pattern); \(known)"
    }
}
