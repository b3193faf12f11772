import Yams

/// Reading YAML nodes with their positions, reporting wrong types and unknown keys.
extension RuleFileParser {
    /// The string keys of one mapping that are allowed there, in file order.
    struct MappingEntries {
        var values: [String: Node] = [:]
        var order: [String] = []
        /// Whether the mapping had a key outside the allowed ones (already reported).
        var hadUnknownKeys = false
    }

    mutating func entries(of mapping: Node.Mapping, at path: String, allowed: [String]) -> MappingEntries {
        var entries = MappingEntries()
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode, allowed.contains(key.string) else {
                let name = keyNode.scalar.map { "\"\($0.string)\"" } ?? kind(of: keyNode)
                report("unknown key \(name) at \(path); allowed keys: \(allowed.joined(separator: ", "))", at: keyNode)
                entries.hadUnknownKeys = true
                continue
            }
            // Yams rejects repeated keys while composing, so each key appears once here.
            entries.values[key.string] = value
            entries.order.append(key.string)
        }
        return entries
    }

    /// The value of a required key, or `nil` after reporting it missing. A mapping with
    /// unknown keys is not reported as missing one, because the unknown key is most likely
    /// the missing one misspelt.
    mutating func required(
        _ key: String, in entries: MappingEntries, of mapping: Node.Mapping, at path: String
    ) -> Node? {
        if let value = entries.values[key] { return value }
        if !entries.hadUnknownKeys {
            report("missing required key `\(key)` at \(path)", at: mapping.mark)
        }
        return nil
    }

    mutating func mapping(_ node: Node, at path: String, expecting expected: String) -> Node.Mapping? {
        guard case .mapping(let mapping) = node else {
            report("\(path) must be \(expected), found \(kind(of: node))", at: node)
            return nil
        }
        return mapping
    }

    mutating func sequence(_ node: Node, at path: String, expecting expected: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report("\(path) must be \(expected), found \(kind(of: node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// Any scalar except null, as written (`123` is the string `"123"`).
    mutating func string(_ node: Node, at path: String) -> String? {
        guard case .scalar(let scalar) = node, node.null == nil else {
            report("\(path) must be a string, found \(kind(of: node))", at: node)
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node, at path: String) -> Bool? {
        guard let value = node.bool else {
            report("\(path) must be true or false, found \(kind(of: node))", at: node)
            return nil
        }
        return value
    }

    /// How a node looks, for "found …" in messages.
    func kind(of node: Node) -> String {
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

    func location(of node: Node) -> SourceLocation {
        location(of: node.mark)
    }

    func location(of mark: Mark?) -> SourceLocation {
        guard let mark else { return .file(file) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    mutating func report(_ message: String, at node: Node) {
        report(message, at: node.mark)
    }

    mutating func report(_ message: String, at mark: Mark?) {
        diagnostics.append(RuleDiagnostic(location: location(of: mark), message: message))
    }
}
