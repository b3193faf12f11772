public import SwitchyardCore

extension JSONValue {
    /// Parses a JSON document (RFC 8259, strictly: see ``JSONValue/parse(_:)``).
    ///
    /// - Throws: ``WebhookError/malformedJSON(_:)`` saying where the document is wrong.
    public init(parsing bytes: [UInt8]) throws(WebhookError) {
        do {
            self = try JSONValue.parse(bytes)
        } catch {
            throw .malformedJSON(error.description)
        }
    }
}
