import SwitchyardCore

/// The JSON object the model writes into `choices[0].message.content`.
struct ClassificationAnswer: Decodable, Sendable {
    var department: String
    var confidence: Double
    var priority: Priority
    var tags: [String]
}
