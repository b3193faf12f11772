public import HTTPTypes

/// Where a delivery's idempotency key comes from. An adapter lists several; the first that is
/// present in a delivery wins.
public enum IdempotencySource: Sendable, Hashable, CustomStringConvertible {
    /// A header's value, such as `Idempotency-Key`.
    case header(HTTPField.Name)
    /// A string or integer in the payload, such as a Zendesk event's `$.id`.
    case path(JSONPath)
    /// A key built from the ticket's external id and the body's SHA-256, such as
    /// `${external_id}:${body_sha256}`: the same body gives the same key, so retried
    /// deliveries are recognised even when the platform sends no delivery id.
    case template(StringTemplate<TemplatePart>)

    public enum TemplatePart: String, Sendable, Hashable, CaseIterable {
        case externalID = "external_id"
        /// Lower-case hex SHA-256 of the raw body.
        case bodySHA256 = "body_sha256"
    }

    public var description: String {
        switch self {
        case .header(let name): "header \(name.rawName)"
        case .path(let path): "path \(path)"
        case .template(let template): "template \"\(template)\""
        }
    }
}
