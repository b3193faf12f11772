import SwitchyardCore

/// The body of `POST {baseURL}/chat/completions` asking for a structured classification, in
/// the provider's dialect.
struct ChatCompletionRequest: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var role: String
        var content: String
    }

    var model: String
    var messages: [Message]
    var temperature: Double
    /// Always set: the answer is a few dozen tokens, and a small model that loops must stop.
    var maxTokens: Int
    var dialect: StructuredOutputDialect
    var schema: ClassificationSchema
    /// Ask for server-sent events, with the usage in a last chunk.
    var stream: Bool = false
    /// Ask for the answer tokens' log-probabilities.
    var logprobs: Bool = false

    private struct StreamOptions: Encodable {
        let includeUsage = true

        enum CodingKeys: String, CodingKey {
            case includeUsage = "include_usage"
        }
    }

    private struct NamedSchema: Encodable {
        let name = "ticket_classification"
        var strict: Bool?
        var schema: ClassificationSchema
    }

    private struct JSONSchemaFormat: Encodable {
        let type = "json_schema"
        var jsonSchema: NamedSchema

        enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }
    }

    private struct JSONObjectFormat: Encodable {
        let type = "json_object"
        var schema: ClassificationSchema?
    }

    private struct StructuredOutputs: Encodable {
        var json: ClassificationSchema
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature
        case maxTokens = "max_tokens"
        case responseFormat = "response_format"
        case format
        case jsonSchema = "json_schema"
        case structuredOutputs = "structured_outputs"
        case stream
        case streamOptions = "stream_options"
        case logprobs
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(messages, forKey: .messages)
        try container.encode(temperature, forKey: .temperature)
        try container.encode(maxTokens, forKey: .maxTokens)
        if stream {
            try container.encode(true, forKey: .stream)
            try container.encode(StreamOptions(), forKey: .streamOptions)
        }
        if logprobs { try container.encode(true, forKey: .logprobs) }
        switch dialect {
        case .openai, .azure:
            try container.encode(JSONSchemaFormat(jsonSchema: NamedSchema(strict: true, schema: schema)), forKey: .responseFormat)
        case .ollama:
            try container.encode(schema, forKey: .format)
            try container.encode(JSONSchemaFormat(jsonSchema: NamedSchema(schema: schema)), forKey: .responseFormat)
        case .llamaServer:
            try container.encode(schema, forKey: .jsonSchema)
        case .llamaCppPython:
            try container.encode(JSONObjectFormat(schema: schema), forKey: .responseFormat)
        case .vllm:
            try container.encode(StructuredOutputs(json: schema), forKey: .structuredOutputs)
        case .json:
            try container.encode(JSONObjectFormat(), forKey: .responseFormat)
        }
    }
}

/// The JSON Schema of the answer: an object with exactly `department` (one of the configured
/// ids), `confidence` (0…1), `priority` and `tags`. Written for OpenAI's strict structured
/// outputs: every property required, no additional properties. Every list and string is
/// bounded (at most ``maximumTags`` tags, each a short keyword): a schema that lets a small
/// model write tags without end has it loop until its context is full.
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
        struct Item: Encodable, Sendable {
            let type = "string"
            let pattern = ClassificationSchema.tagPattern
        }
        let type = "array"
        let description = "Short lower-case keywords describing the request."
        let items = Item()
        let maxItems = ClassificationSchema.maximumTags
    }

    /// Tags one answer may carry.
    static let maximumTags = 5
    /// Characters one tag may have.
    static let maximumTagLength = 32
    /// A tag: a lower-case keyword of letters, digits and dashes, at most ``maximumTagLength`` long.
    static let tagPattern = "^[a-z0-9][a-z0-9-]{0,\(maximumTagLength - 1)}$"

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
