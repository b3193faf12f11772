import SwitchyardCore

/// The JSON object the model writes into `choices[0].message.content`.
struct ClassificationAnswer: Sendable {
    var department: String
    var confidence: Double
    var priority: Priority
    var tags: [String]

    /// What is wrong with an answer and where, as a path under `answer`:
    /// `` `answer.confidence` is not a number ``.
    struct Mismatch: Error, Sendable {
        var explanation: String
    }

    /// Reads the model's JSON text with the project's own parser (a model call's hot path:
    /// `JSONDecoder` cost several times as much).
    init(json text: String) throws(Mismatch) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(Array(text.utf8))
        } catch {
            throw Mismatch(explanation: "`answer` is not valid JSON at \(error)")
        }
        guard case .object(let fields) = value else {
            throw Mismatch(explanation: "`answer` is not an object but \(value.kindDescription)")
        }
        func field(_ key: String) throws(Mismatch) -> JSONValue {
            switch fields[key] {
            case nil: throw Mismatch(explanation: "missing `answer.\(key)`")
            case .null?: throw Mismatch(explanation: "`answer.\(key)` is null")
            case let value?: return value
            }
        }
        guard case .string(let department) = try field("department") else {
            throw Mismatch(explanation: "`answer.department` is not a string")
        }
        guard case .number(let confidence) = try field("confidence") else {
            throw Mismatch(explanation: "`answer.confidence` is not a number")
        }
        guard case .string(let priorityText) = try field("priority") else {
            throw Mismatch(explanation: "`answer.priority` is not a string")
        }
        guard let priority = Priority(rawValue: priorityText) else {
            throw Mismatch(
                explanation: "`answer.priority` is \"\(priorityText.prefix(40))\", not one of "
                    + Priority.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard case .array(let tagValues) = try field("tags") else {
            throw Mismatch(explanation: "`answer.tags` is not an array")
        }
        var tags: [String] = []
        for (index, tag) in tagValues.enumerated() {
            guard case .string(let text) = tag else { throw Mismatch(explanation: "`answer.tags[\(index)]` is not a string") }
            tags.append(text)
        }
        self.init(department: department, confidence: confidence, priority: priority, tags: tags)
    }

    init(department: String, confidence: Double, priority: Priority, tags: [String]) {
        self.department = department
        self.confidence = confidence
        self.priority = priority
        self.tags = tags
    }
}
