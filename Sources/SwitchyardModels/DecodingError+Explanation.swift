extension DecodingError {
    /// What was wrong and where, as a JSON path under `root`: `` `content.confidence` is not a number ``.
    func explanation(root: String) -> String {
        switch self {
        case .keyNotFound(let key, let context):
            "missing `\(Self.path(root, context.codingPath + [key]))`"
        case .valueNotFound(_, let context):
            "`\(Self.path(root, context.codingPath))` is null"
        case .typeMismatch(let type, let context):
            "`\(Self.path(root, context.codingPath))` is not \(Self.name(of: type))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            "`\(root)` is not valid JSON"
        case .dataCorrupted(let context):
            "`\(Self.path(root, context.codingPath))`: \(context.debugDescription)"
        @unknown default:
            "`\(root)` could not be read"
        }
    }

    private static func path(_ root: String, _ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(root) { path, key in
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
