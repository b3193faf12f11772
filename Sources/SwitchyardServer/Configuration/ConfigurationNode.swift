import Foundation
import Yams

/// A YAML node with the key path that leads to it, for reading configuration with errors
/// that say exactly where.
struct ConfigurationNode {
    let node: Node
    let keyPath: [String]
    let file: String
    let interpolation: EnvironmentInterpolation

    /// `storage.url`, `access.tokens[0].role`: list positions follow their key without a dot.
    var path: String {
        keyPath.reduce(into: "") { path, component in
            if !path.isEmpty && !component.hasPrefix("[") { path += "." }
            path += component
        }
    }

    func error(_ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: node.mark?.line, column: node.mark?.column, keyPath: path, message: message)
    }

    private func child(_ node: Node, _ key: String) -> ConfigurationNode {
        ConfigurationNode(node: node, keyPath: keyPath + [key], file: file, interpolation: interpolation)
    }

    // MARK: Mappings

    /// The mapping's entries in file order; fails unless this node is a mapping.
    func entries() throws(ConfigurationError) -> [(key: String, value: ConfigurationNode)] {
        guard let mapping = node.mapping else { throw error("expected a mapping (key: value lines), found \(kind)") }
        var result: [(String, ConfigurationNode)] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw ConfigurationNode(node: key, keyPath: keyPath, file: file, interpolation: interpolation)
                    .error("keys must be strings")
            }
            result.append((name, child(value, name)))
        }
        return result
    }

    /// Fails on keys this mapping does not know, naming the allowed ones (catches typos).
    func allowing(_ allowed: Set<String>) throws(ConfigurationError) -> ConfigurationNode {
        guard let mapping = node.mapping else { throw error("expected a mapping (key: value lines), found \(kind)") }
        for key in mapping.keys {
            let name = key.string ?? ""
            if !allowed.contains(name) {
                throw ConfigurationNode(node: key, keyPath: keyPath + [name], file: file, interpolation: interpolation)
                    .error("unknown key; allowed here: \(allowed.sorted().joined(separator: ", "))")
            }
        }
        return self
    }

    subscript(key: String) -> ConfigurationNode? {
        guard let value = node.mapping?[key] else { return nil }
        if case .scalar(let scalar) = value, scalar.style == .plain,
            scalar.string == "~" || scalar.string == "null" || scalar.string.isEmpty
        {
            return nil
        }
        return child(value, key)
    }

    func required(_ key: String) throws(ConfigurationError) -> ConfigurationNode {
        guard let value = self[key] else { throw error("missing required key \"\(key)\"") }
        return value
    }

    // MARK: Sequences

    func elements() throws(ConfigurationError) -> [ConfigurationNode] {
        guard let sequence = node.sequence else { throw error("expected a list, found \(kind)") }
        return sequence.enumerated().map { child($0.element, "[\($0.offset)]") }
    }

    // MARK: Scalars

    /// The scalar's text with `${ENV}` references replaced.
    func string() throws(ConfigurationError) -> String {
        guard let scalar = node.scalar else { throw error("expected a single value, found \(kind)") }
        do {
            return try interpolation.interpolate(scalar.string)
        } catch {
            switch error {
            case .unset(let name):
                throw self.error("environment variable \(name) is not set (write ${\(name):-default} to give a default)")
            case .syntax(let problem):
                throw self.error("\(problem) of the value")
            }
        }
    }

    func int(in range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigurationError) -> Int {
        let text = try string()
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected a whole number, found \"\(text)\"")
        }
        guard range.contains(value) else { throw error("must be between \(range.lowerBound) and \(range.upperBound), found \(value)") }
        return value
    }

    func double(in range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        let text = try string()
        guard let value = Double(text), value.isFinite else { throw error("expected a number, found \"\(text)\"") }
        guard range.contains(value) else { throw error("must be between \(range.lowerBound) and \(range.upperBound), found \(text)") }
        return value
    }

    func bool() throws(ConfigurationError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw error("expected true or false, found \"\(other)\"")
        }
    }

    /// `250ms`, `10s`, `5m`, `1h`; a bare number is seconds.
    func duration() throws(ConfigurationError) -> Duration {
        let text = try string().trimmingCharacters(in: .whitespaces)
        if let duration = Duration(text: text) { return duration }
        throw error("expected a duration such as 250ms, 10s, 5m, 1h or 90d, found \"\(text)\"")
    }

    /// An absolute http(s) URL.
    func httpURL() throws(ConfigurationError) -> String {
        let text = try string()
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else {
            throw error("expected an absolute http:// or https:// URL, found \"\(text)\"")
        }
        return text
    }

    func strings() throws(ConfigurationError) -> [String] {
        if node.scalar != nil { return [try string()] }
        var result: [String] = []
        for element in try elements() { result.append(try element.string()) }
        return result
    }

    private var kind: String {
        switch node {
        case .scalar: "a single value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
