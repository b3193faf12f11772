import SwitchyardCore

/// The body of `POST {baseURL}/chat/completions` asking for a structured classification.
struct ChatCompletionRequest: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var role: String
        var content: String
    }

    struct ResponseFormat: Encodable, Sendable {
        let type = "json_schema"
        var jsonSchema: NamedSchema

        enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }
    }

    struct NamedSchema: Encodable, Sendable {
        let name = "ticket_classification"
        let strict = true
        var schema: ClassificationSchema
    }

    var model: String
    var messages: [Message]
    var temperature: Double
    var responseFormat: ResponseFormat

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature
        case responseFormat = "response_format"
    }
}

/// The JSON Schema of the answer: an object with exactly `department` (one of the configured
/// ids), `confidence` (0…1), `priority` and `tags`. Written for OpenAI's strict structured
/// outputs: every property required, no additional properties.
struct ClassificationSchema: Encodable, Sendable {
    struct StringChoice: Encodable, Sendable {
        let type = "string"
        var description: String
        var `enum`: [String]
    }

    struct Probability: Encodable, Sendable {
        let type = "number"
        let description = "Probability from 0 to 1 that the department is right."
        let minimum = 0.0
        let maximum = 1.0
    }

    struct StringList: Encodable, Sendable {
        struct Item: Encodable, Sendable { let type = "string" }
        let type = "array"
        let description = "Short lower-case keywords describing the request."
        let items = Item()
    }

    struct Properties: Encodable, Sendable {
        var department: StringChoice
        var confidence = Probability()
        var priority = StringChoice(
            description: "How soon the customer needs help.",
            enum: Priority.allCases.map(\.rawValue)
        )
        var tags = StringList()
    }

    let type = "object"
    var properties: Properties
    let required = ["department", "confidence", "priority", "tags"]
    let additionalProperties = false

    init(departmentIDs: [String]) {
        properties = Properties(
            department: StringChoice(description: "Id of the department that should handle the ticket.", enum: departmentIDs)
        )
    }
}
