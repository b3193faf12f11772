import Foundation
import SwitchyardCore
import SwitchyardYAML
import Yams

/// Walks the configuration's YAML tree with the checks every file people edit shares
/// (``YAMLReader``), adding what only the configuration has: `${ENV}` references in values,
/// and values typed after the reference is replaced (`port: ${PORT:-8080}` is a number).
///
/// Like rule and adapter files, the whole file is read before anything is refused: each
/// reader reports its problem and returns `nil`, the default stays, and the caller goes on, so
/// an operator sees every mistake in one run.
struct ConfigurationReader {
    var yaml: YAMLReader
    let interpolation: EnvironmentInterpolation
    /// Relative paths in the file resolve against its folder.
    let baseDirectory: URL

    /// A value in the file with the key path that names it in messages.
    struct Setting {
        let node: Node
        /// `storage.url`, `access.tokens[0].role`: list positions follow their key.
        let path: String
    }

    /// A mapping's allowed entries, read by key.
    struct Section {
        let members: YAMLReader.Members
        /// Empty for the file itself.
        let path: String

        var node: Node { members.node }

        /// The value of `key`; an empty value (`key:`, `~`) counts as not given, so the
        /// default applies.
        subscript(key: String) -> Setting? {
            guard let node = members[key], node.null == nil else { return nil }
            return Setting(node: node, path: path(of: key))
        }

        /// Every entry in file order, empty ones included (for mappings of names such as
        /// `adapters` or `model.providers`).
        var entries: [(key: String, setting: Setting)] {
            members.order.compactMap { key in members[key].map { (key, Setting(node: $0, path: path(of: key))) } }
        }

        func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    }

    // MARK: Structure

    /// The file's top-level mapping.
    mutating func root(_ node: Node, allowed: [String]) -> Section? {
        yaml.members(of: node, "the configuration", allowed: allowed).map { Section(members: $0, path: "") }
    }

    /// A mapping value; `allowed: nil` accepts any plain name as a key.
    mutating func section(_ setting: Setting, allowed: [String]?) -> Section? {
        yaml.members(of: setting.node, setting.path, allowed: allowed).map { Section(members: $0, path: setting.path) }
    }

    /// The value of a key that must be given, or `nil` after reporting it missing.
    mutating func required(_ key: String, in section: Section) -> Setting? {
        if let setting = section[key] { return setting }
        if let empty = section.members[key] {
            report("\(section.path(of: key)) needs a value", at: empty)
            return nil
        }
        _ = yaml.required(key, in: section.members)
        return nil
    }

    mutating func list(_ setting: Setting, expecting expected: String) -> [Setting]? {
        yaml.sequence(setting.node, setting.path, expecting: expected)?.enumerated().map {
            Setting(node: $0.element, path: "\(setting.path)[\($0.offset)]")
        }
    }

    // MARK: Values

    /// A scalar's text with `${NAME}` references replaced from the environment.
    mutating func text(_ setting: Setting) -> String? {
        guard let written = yaml.string(setting.node, setting.path, allowingEmpty: true) else { return nil }
        do {
            return try interpolation.interpolate(written)
        } catch {
            switch error {
            case .unset(let name):
                report(
                    "\(setting.path): environment variable \(name) is not set (write ${\(name):-default} to give a default)",
                    at: setting.node)
            case .syntax(let problem):
                report("\(setting.path): \(problem.message)", at: setting.node, character: problem.offset)
            }
            return nil
        }
    }

    /// One value or a list of them.
    mutating func texts(_ setting: Setting) -> [String]? {
        if case .scalar = setting.node { return text(setting).map { [$0] } }
        guard let items = list(setting, expecting: "a list of values") else { return nil }
        let texts = items.compactMap { text($0) }
        return texts.count == items.count ? texts : nil
    }

    mutating func int(_ setting: Setting, in range: ClosedRange<Int> = Int.min...Int.max) -> Int? {
        number(setting, in: range, kind: "a whole number") { Int($0.replacingOccurrences(of: "_", with: "")) }
    }

    mutating func double(_ setting: Setting, in range: ClosedRange<Double>) -> Double? {
        number(setting, in: range, kind: "a number") { Double($0).flatMap { $0.isFinite ? $0 : nil } }
    }

    /// A number read from the value's text by `read`, within `range`.
    private mutating func number<Value: Comparable>(
        _ setting: Setting, in range: ClosedRange<Value>, kind: String, read: (String) -> Value?
    ) -> Value? {
        guard let text = text(setting) else { return nil }
        guard let value = read(text) else {
            report("\(setting.path) must be \(kind), found \"\(text)\"", at: setting.node)
            return nil
        }
        guard range.contains(value) else {
            report("\(setting.path) must be between \(range.lowerBound) and \(range.upperBound), found \(text)", at: setting.node)
            return nil
        }
        return value
    }

    mutating func bool(_ setting: Setting) -> Bool? {
        guard let text = text(setting) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report("\(setting.path) must be true or false, found \"\(text)\"", at: setting.node)
            return nil
        }
    }

    /// `250ms`, `10s`, `5m`, `1h`, `90d`; a bare number is seconds. Longer than zero.
    mutating func duration(_ setting: Setting) -> Duration? {
        guard let text = text(setting)?.trimmingWhitespace() else { return nil }
        guard let duration = Duration(text: text) else {
            report("\(setting.path) must be a duration such as 250ms, 10s, 5m, 1h or 90d, found \"\(text)\"", at: setting.node)
            return nil
        }
        guard duration > .zero else {
            report("\(setting.path) must be longer than zero", at: setting.node)
            return nil
        }
        return duration
    }

    /// An absolute http(s) URL.
    mutating func httpURL(_ setting: Setting) -> String? {
        guard let text = text(setting) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else {
            report("\(setting.path) must be an absolute http:// or https:// URL, found \"\(text)\"", at: setting.node)
            return nil
        }
        return text
    }

    /// One of a fixed set of names.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ setting: Setting, _ type: Choice.Type, naming what: String
    ) -> Choice? where Choice.RawValue == String {
        guard let text = text(setting) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let known = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            report("\(setting.path): unknown \(what) \"\(text)\"; use one of: \(known)", at: setting.node)
            return nil
        }
        return value
    }

    /// A path in the file, made absolute against the file's folder.
    mutating func path(_ setting: Setting) -> String? { text(setting).map(resolve) }

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return baseDirectory.appendingPathComponent(path).standardizedFileURL.path
    }

    // MARK: Reporting

    mutating func report(_ message: String, at node: Node) { yaml.report(message, at: node) }

    mutating func report(_ message: String, at node: Node, character offset: Int) {
        yaml.report(message, at: node, character: offset)
    }

    mutating func report(_ message: String, at setting: Setting) { yaml.report(message, at: setting.node) }

    var hasProblems: Bool { !yaml.diagnostics.isEmpty }
}
