public import SwitchyardCore

/// Where validated answers are kept by key (the store, shared by every replica), each until
/// its expiry.
public protocol AnswerStore: Sendable {
    func answer(forKey key: String) async throws -> String?
    func keep(_ answer: String, forKey key: String) async throws
}

/// An exact cache in front of one provider: the same prompt to the same model (the redacted
/// ticket, the department set and the prompt template's version are all in the prompt)
/// gets the same answer without a call. Only answers that passed validation are kept, and a
/// kept answer is checked against the departments again when it is used.
public struct AnswerCache: Sendable {
    public let store: any AnswerStore
    /// The key for a ticket: a hash of the provider, its model and the exact prompt; nil for a
    /// ticket that is not sent (its answer is neither looked up nor kept).
    public let key: @Sendable (Ticket, DepartmentCatalog) -> String?

    public init(store: any AnswerStore, key: @escaping @Sendable (Ticket, DepartmentCatalog) -> String?) {
        self.store = store
        self.key = key
    }

    /// `classification` as kept: the answer and the versions it came from, not the usage
    /// (a hit costs nothing).
    static func encode(_ classification: Classification) -> String {
        var object: [String: JSONValue] = [
            "department": .string(classification.department.rawValue),
            "confidence": .number(classification.confidence),
            "tags": .array(classification.tags.map(JSONValue.string)),
        ]
        if let priority = classification.priority { object["priority"] = .string(priority.rawValue) }
        if let version = classification.promptVersion { object["prompt_version"] = .string(version) }
        if let version = classification.modelVersion { object["model_version"] = .string(version) }
        return String(decoding: JSONValue.object(object).serialized, as: UTF8.self)
    }

    /// A kept answer, or nil when it cannot be read or names a department no longer configured.
    static func decode(_ text: String, classifier: String, departments: DepartmentCatalog) -> Classification? {
        guard case .object(let object)? = try? JSONValue.parse(Array(text.utf8)),
            case .string(let department)? = object["department"], departments.contains(DepartmentID(department)),
            case .number(let confidence)? = object["confidence"], (0...1).contains(confidence)
        else { return nil }
        var tags: [String] = []
        if case .array(let values)? = object["tags"] {
            tags = values.compactMap { if case .string(let tag) = $0 { tag } else { nil } }
        }
        var priority: Priority?
        if case .string(let value)? = object["priority"] { priority = Priority(rawValue: value) }
        var promptVersion: String?
        if case .string(let value)? = object["prompt_version"] { promptVersion = value }
        var modelVersion: String?
        if case .string(let value)? = object["model_version"] { modelVersion = value }
        return Classification(
            department: DepartmentID(department), confidence: confidence, priority: priority, tags: tags, classifier: classifier,
            promptVersion: promptVersion, modelVersion: modelVersion)
    }
}
