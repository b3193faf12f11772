import Foundation
import SwitchyardCore

/// Typed reads of payload fields. Each takes the path the value was found at, so that a wrong
/// type is reported as `$.detail.tags[2] is a number, expected a string`.
extension JSONValue {
    /// An identifier: a non-empty string (trimmed) or an integer within ±2^53, as its decimal text.
    func identifier(at path: JSONPath) throws(WebhookError) -> String {
        switch self {
        case .string(let string):
            let trimmed = string.trimmingWhitespace()
            guard !trimmed.isEmpty else {
                throw .wrongType(
                    path: path.description, expected: "a non-empty string or an integer", found: "an empty string")
            }
            return trimmed
        case .number:
            guard let text = integerText else {
                throw .wrongType(
                    path: path.description,
                    expected: "a string or an integer below 2^53 (send larger ids as strings: as JSON numbers they cannot be told apart)",
                    found: "a number that is not such an integer")
            }
            return text
        default:
            throw .wrongType(path: path.description, expected: "a string or an integer", found: kindDescription)
        }
    }

    /// A string, exactly as sent.
    func text(at path: JSONPath) throws(WebhookError) -> String {
        guard case .string(let string) = self else {
            throw .wrongType(path: path.description, expected: "a string", found: kindDescription)
        }
        return string
    }

    /// A scalar flattened to text (`"42"`, `"true"`); `nil` for JSON `null`.
    func scalarText(at path: JSONPath) throws(WebhookError) -> String? {
        switch self {
        case .null: return nil
        case .bool(let bool): return bool ? "true" : "false"
        case .number(let number): return integerText ?? "\(number)"
        case .string(let string): return string
        case .array, .object:
            throw .wrongType(path: path.description, expected: "a string, number or boolean", found: kindDescription)
        }
    }

    /// Tags from a list of strings or from one string of tags separated by whitespace; empty
    /// tags and repeats are dropped.
    func tags(at path: JSONPath) throws(WebhookError) -> [String] {
        var tags: [String] = []
        switch self {
        case .string(let string):
            // Zendesk's {{ticket.tags}} separates with spaces, Freshdesk's with commas.
            tags = string.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                let tag = try element.text(at: path.appending(.index(index)))
                    .trimmingWhitespace()
                if !tag.isEmpty { tags.append(tag) }
            }
        default:
            throw .wrongType(
                path: path.description, expected: "a list of strings or a space-separated string",
                found: kindDescription)
        }
        return tags.removingDuplicates()
    }

    /// An object's scalar members flattened to text; `null` and blank members are left out.
    func flattenedFields(at path: JSONPath) throws(WebhookError) -> [String: String] {
        guard case .object(let members) = self else {
            throw .wrongType(
                path: path.description, expected: "an object of strings, numbers or booleans", found: kindDescription)
        }
        var fields: [String: String] = [:]
        for (name, value) in members {
            if let text = try value.scalarText(at: path.appending(.key(name))),
                !text.isBlank
            {
                fields[name] = text
            }
        }
        return fields
    }
}
