/// A path into a JSON document: `$.detail.via.channel`, `$.tags[0]`, `$["custom field"]`.
///
/// `$` is the document; `.name` selects an object member (any characters but `.`, `[`, `]`
/// and whitespace), `[n]` an array element, `[*]` every element (the rest of the path is read
/// in each, giving a list: `$.issue.labels[*].name`), and `["name"]` or `['name']` a member
/// whose name needs quoting.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
        /// `[*]`: every element of an array.
        case each
    }

    public let components: [Component]

    public init(components: [Component]) {
        self.components = components
    }

    /// Parses `text`; `nil` when it is not a valid path.
    public init?(_ text: String) {
        guard let path = try? JSONPath(parsing: text) else { return nil }
        self = path
    }

    /// The path of the document itself, `$`.
    public static let root = JSONPath(components: [])

    /// This path followed by one more member or element.
    public func appending(_ component: Component) -> JSONPath {
        JSONPath(components: components + [component])
    }

    /// The canonical spelling, as used in error messages: `$.detail.tags[2]`.
    public var description: String {
        var text = "$"
        for component in components {
            switch component {
            case .key(let key):
                if !key.isEmpty, key.unicodeScalars.allSatisfy(Self.isPlainNameScalar) {
                    text += "." + key
                } else {
                    text += "[\"" + key + "\"]"
                }
            case .index(let index):
                text += "[\(index)]"
            case .each:
                text += "[*]"
            }
        }
        return text
    }

    private static func isPlainNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": true
        default: false
        }
    }
}

/// Why a JSON path could not be read, and at which character of it.
struct JSONPathSyntaxError: Error {
    /// Zero-based character offset into the path text.
    var offset: Int
    var message: String
}

extension JSONPath {
    init(parsing text: String) throws(JSONPathSyntaxError) {
        let characters = Array(text)
        guard characters.first == "$" else {
            throw JSONPathSyntaxError(offset: 0, message: "a JSON path starts with \"$\", as in $.detail.id")
        }
        var components: [Component] = []
        var position = 1
        while position < characters.count {
            switch characters[position] {
            case ".":
                let start = position + 1
                var end = start
                while end < characters.count, !"[].".contains(characters[end]), !characters[end].isWhitespace {
                    end += 1
                }
                guard end > start else {
                    throw JSONPathSyntaxError(offset: start, message: "expected a member name after \".\"")
                }
                components.append(.key(String(characters[start..<end])))
                position = end
            case "[":
                let start = position + 1
                guard start < characters.count else {
                    throw JSONPathSyntaxError(offset: start, message: "expected an index or a quoted name after \"[\"")
                }
                let quote = characters[start]
                if quote == "*", start + 1 < characters.count, characters[start + 1] == "]" {
                    components.append(.each)
                    position = start + 2
                } else if quote == "\"" || quote == "'" {
                    guard let close = characters[(start + 1)...].firstIndex(of: quote) else {
                        throw JSONPathSyntaxError(offset: start, message: "unterminated quoted name")
                    }
                    guard close + 1 < characters.count, characters[close + 1] == "]" else {
                        throw JSONPathSyntaxError(offset: close + 1, message: "expected \"]\" after the quoted name")
                    }
                    components.append(.key(String(characters[(start + 1)..<close])))
                    position = close + 2
                } else {
                    var end = start
                    while end < characters.count, characters[end].isASCII, characters[end].isNumber { end += 1 }
                    guard end > start, end < characters.count, characters[end] == "]",
                        let index = Int(String(characters[start..<end]))
                    else {
                        throw JSONPathSyntaxError(
                            offset: start, message: "expected an array index like [0], [*] for every element, or a quoted name like [\"name\"]")
                    }
                    components.append(.index(index))
                    position = end + 1
                }
            default:
                throw JSONPathSyntaxError(
                    offset: position, message: "unexpected \"\(characters[position])\": expected \".name\" or \"[…]\"")
            }
        }
        self.init(components: components)
    }
}
