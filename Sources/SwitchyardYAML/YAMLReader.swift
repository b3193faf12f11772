public import Yams

/// Reads one YAML file as a tree of nodes (not `Decodable`), so that every value keeps its
/// line and column, and collects every problem as a ``Diagnostic`` instead of stopping at
/// the first: a support lead fixes a whole file in one pass.
///
/// The rule and adapter parsers walk the tree with these checks; each check reports what is
/// wrong in the same words for every file kind (`rules[0].when must be a mapping, found a
/// list`, `unknown key "algoritm" in signature; allowed keys: …`) and returns `nil`, and the
/// caller goes on with the next value.
public struct YAMLReader: Sendable {
    /// The file as named in diagnostics, for example `Rules/10-security.yaml`.
    public let file: String
    public let text: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: String, text: String) {
        self.file = file
        self.text = text
    }

    /// What ``compose()`` found.
    public enum Document {
        case node(Node)
        /// Nothing but comments or blank lines.
        case empty
        /// Not valid YAML; the syntax error is in ``diagnostics``.
        case invalid
    }

    /// Parses the text into nodes. A syntax error is reported at the line and column libyaml
    /// gives, with what it was reading at the time.
    ///
    /// Files people edit are hostile input too: text over ``YAMLFolder/maximumFileBytes`` is
    /// refused, and so is a file whose aliases (`*name`) expand it past a bound proportional to
    /// its size (an alias bomb: 15 lines that expand to billions of values), reported at the
    /// first value used again through an alias.
    public mutating func compose() -> Document {
        let bytes = text.utf8.count
        guard bytes <= YAMLFolder.maximumFileBytes else {
            diagnostics.append(Diagnostic(location: .file(file), message: YAMLFolder.tooLarge(bytes)))
            return .invalid
        }
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else { return .empty }
            node = composed
        } catch {
            diagnostics.append(Self.diagnostic(for: error, file: file, text: text))
            return .invalid
        }
        if let repeated = Self.aliasExpansionExceeded(node, budget: Self.expansionBudget(bytes: bytes)) {
            report(
                "aliases (*name) expand this file to more than \(Self.expansionBudget(bytes: bytes)) values, far more than it "
                    + "holds; this value is used again through an alias: write the values out instead of repeating them with aliases",
                at: repeated)
            return .invalid
        }
        return .node(node)
    }

    /// How many values a file of `bytes` may expand to: without aliases a value needs at least
    /// one character, so a file holds fewer values than bytes; aliases may repeat some.
    static func expansionBudget(bytes: Int) -> Int { 10_000 + 4 * bytes }

    /// Counts the values of the composed tree (aliases make a value count once per use) and,
    /// past `budget`, stops and returns the first value met twice (a use through an alias).
    /// Bounded by `budget` however far the aliases would expand.
    static func aliasExpansionExceeded(_ root: Node, budget: Int) -> Node? {
        var visited = 0
        var firstRepeat: Node?
        var seen: Set<String> = []
        var stack = [root]
        while let node = stack.popLast() {
            visited += 1
            if firstRepeat == nil, let mark = node.mark {
                let key = "\(kindCode(node)):\(mark.line):\(mark.column)"
                if !seen.insert(key).inserted { firstRepeat = node }
            }
            if visited > budget { return firstRepeat ?? node }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping { stack.append(value); stack.append(key) }
            case .sequence(let sequence):
                stack.append(contentsOf: sequence.reversed())
            case .scalar, .alias:
                break
            }
        }
        return nil
    }

    private static func kindCode(_ node: Node) -> Character {
        switch node {
        case .mapping: "m"
        case .sequence: "s"
        default: "v"
        }
    }

    // MARK: Mappings

    /// A mapping's entries whose keys are allowed there, in file order.
    public struct Members {
        /// The mapping itself, where "missing key" problems are reported.
        public let node: Node
        /// What the mapping is, for messages: `signature`, `rules[0].when`, `the file`.
        public let what: String
        public private(set) var values: [String: Node] = [:]
        /// The key nodes, for problems that concern a key rather than its value.
        public private(set) var keys: [String: Node] = [:]
        public private(set) var order: [String] = []
        /// Whether the mapping had a key that is not allowed (already reported).
        public fileprivate(set) var hadUnknownKeys = false

        public subscript(key: String) -> Node? { values[key] }

        fileprivate mutating func add(_ key: String, keyNode: Node, value: Node) {
            values[key] = value
            keys[key] = keyNode
            order.append(key)
        }
    }

    /// The members of a mapping node, reporting keys that are not in `allowed` (`nil` allows
    /// any plain name). `nil` after reporting when `node` is not a mapping; `expected` says
    /// what the mapping should hold (`a rule (a mapping with id, when and then)`).
    public mutating func members(
        of node: Node, _ what: String, expecting expected: String = "a mapping of keys to values", allowed: [String]?
    ) -> Members? {
        guard case .mapping(let mapping) = node else {
            report("\(what) must be \(expected), found \(kind(of: node))", at: node)
            return nil
        }
        var members = Members(node: node, what: what)
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, keyNode.null == nil else {
                report("keys in \(what) must be plain names, found \(kind(of: keyNode))", at: keyNode)
                members.hadUnknownKeys = true
                continue
            }
            let key = scalar.string
            if let allowed, !allowed.contains(key) {
                report("unknown key \"\(key)\" in \(what); allowed keys: \(allowed.joined(separator: ", "))", at: keyNode)
                members.hadUnknownKeys = true
                continue
            }
            // Yams rejects repeated keys while composing, so each key appears once here.
            members.add(key, keyNode: keyNode, value: value)
        }
        return members
    }

    /// The value of a required key, or `nil` after reporting it missing. A mapping with
    /// unknown keys is not also reported as missing one: the unknown key is most likely the
    /// missing one misspelt.
    public mutating func required(_ key: String, in members: Members) -> Node? {
        if let value = members[key] { return value }
        if !members.hadUnknownKeys {
            report("missing required key \"\(key)\" in \(members.what)", at: members.node)
        }
        return nil
    }

    // MARK: Values

    /// The items of a list; `expected` says what the list holds (`a list of rules`).
    public mutating func sequence(_ node: Node, _ what: String, expecting expected: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report("\(what) must be \(expected), found \(kind(of: node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// Any scalar as written (`123` is the string `"123"`). An empty value is a problem
    /// unless `allowingEmpty`, when it reads as `""`.
    public mutating func string(_ node: Node, _ what: String, allowingEmpty: Bool = false) -> String? {
        guard case .scalar(let scalar) = node else {
            report("\(what) must be a string, found \(kind(of: node))", at: node)
            return nil
        }
        if node.null != nil {
            if allowingEmpty { return "" }
            report("\(what) must be a string, found \(kind(of: node))", at: node)
            return nil
        }
        return scalar.string
    }

    public mutating func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            report("\(what) must be true or false, found \(kind(of: node))", at: node)
            return nil
        }
        return value
    }

    /// A number written as a plain scalar (`100`, `2.5`, `-3`).
    public mutating func number(_ node: Node, _ what: String) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, node.null == nil,
            let value = Double(scalar.string), value.isFinite
        else {
            report("\(what) must be a number, found \(kind(of: node))", at: node)
            return nil
        }
        return value
    }

    /// One of a fixed set of names, such as a signature algorithm.
    public mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ node: Node, _ what: String, _ type: Choice.Type
    ) -> Choice? where Choice.RawValue == String {
        guard let text = string(node, what) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let expected = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            report("unknown \(what) \"\(text)\"; expected one of: \(expected)", at: node)
            return nil
        }
        return value
    }

    /// How a node looks, for "found …" in messages.
    public func kind(of node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let scalar):
            node.null != nil
                ? "an empty value"
                : "\"\(scalar.string.count > 60 ? scalar.string.prefix(59) + "…" : scalar.string)\""
        }
    }

    // MARK: Reporting

    public func location(of node: Node) -> SourceLocation {
        location(of: node.mark)
    }

    public func location(of mark: Mark?) -> SourceLocation {
        guard let mark else { return .file(file) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    public mutating func report(_ message: String, at node: Node) {
        report(message, at: location(of: node))
    }

    public mutating func report(_ message: String, at mark: Mark?) {
        report(message, at: location(of: mark))
    }

    public mutating func report(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(location: location, message: message))
    }

    /// Reports at the `offset`-th character of a scalar's value (a pattern, a path, a
    /// template), or at the scalar when that character's place cannot be traced.
    public mutating func report(_ message: String, at node: Node, character offset: Int) {
        report(message, at: location(ofCharacter: offset, in: node) ?? location(of: node))
    }
}
