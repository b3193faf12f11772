extension DecodingError {
    /// What was wrong and where, as a JSON path under `root`: `` `content.confidence` is not a number ``.
    public func explanation(root: String) -> String {
        switch self {
        case .keyNotFound:
            "missing `\(jsonPath(root: root) ?? root)`"
        case .valueNotFound:
            "`\(jsonPath(root: root) ?? root)` is null"
        case .typeMismatch(let type, _):
            "`\(jsonPath(root: root) ?? root)` is not \(Self.name(of: type))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            "`\(root)` is not valid JSON"
        case .dataCorrupted(let context):
            "`\(jsonPath(root: root) ?? root)`: \(context.debugDescription)"
        @unknown default:
            "`\(root)` could not be read"
        }
    }

    /// The JSON path of the value at fault under `root` (`$.verdict`, `content.tags[2]`), or
    /// `nil` when the document as a whole is not valid JSON.
    public func jsonPath(root: String) -> String? {
        let codingPath: [any CodingKey]
        switch self {
        case .keyNotFound(let key, let context): codingPath = context.codingPath + [key]
        case .valueNotFound(_, let context), .typeMismatch(_, let context): codingPath = context.codingPath
        case .dataCorrupted(let context) where context.codingPath.isEmpty: return nil
        case .dataCorrupted(let context): codingPath = context.codingPath
        @unknown default: return nil
        }
        return codingPath.reduce(root) { path, key in
            key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Float.Type, is Int.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "the expected type (\(type))"
        }
    }
}
