public import SwitchyardCore

/// Why a delivery was refused or a write-back could not be built.
///
/// Messages name the header, JSON path or setting at fault and say what to change. They never
/// contain secrets or ticket text, so they can be logged and returned to the sender.
public enum WebhookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The signature header (or the timestamp header the scheme signs) is absent.
    case missingSignature(header: String)
    /// The signature header is present but cannot be read (wrong prefix, encoding or length).
    case malformedSignature(String)
    /// The signed timestamp is not a time, or is outside the replay window.
    case invalidTimestamp(header: String, reason: String)
    /// The signature is well formed but does not match the body and the configured secret.
    case signatureMismatch
    /// The body is not valid JSON; the message says where (line, column, byte offset).
    case malformedJSON(String)
    /// A required field is absent or `null`, at this JSON path (`$.detail.id`; several paths
    /// the adapter tries are joined with "or").
    case missingField(path: String)
    /// A field has the wrong JSON type, at this JSON path.
    case wrongType(path: String, expected: String, found: String)
    /// The delivery is an event type the adapter does not turn into tickets
    /// (for example a Zendesk `zen:event-type:user.created`). Acknowledge it and drop it.
    case unsupportedEvent(path: String, value: String)
    /// None of the adapter's idempotency sources is present in the delivery.
    case missingIdempotencyKey(tried: [String])
    /// The write-back template needs an adapter setting that is not configured.
    case missingSetting(String)
    /// The write-back template needs the platform target of a department that has none.
    case missingTarget(DepartmentID)
    /// The write-back URL built from this template and the settings is not an absolute http(s)
    /// URL. The built URL itself is not included: a setting may hold credentials.
    case invalidWriteBackURL(template: String)

    public var description: String {
        switch self {
        case .missingSignature(let header):
            "the request has no \(header) header: the adapter has a signing secret configured, so the "
                + "platform must sign its deliveries (or remove the secret to accept unsigned deliveries)"
        case .malformedSignature(let message):
            "malformed signature: \(message)"
        case .invalidTimestamp(let header, let reason):
            "\(header): \(reason)"
        case .signatureMismatch:
            "the signature does not match the body: check that the secret configured for this adapter "
                + "is the platform's signing secret for this webhook"
        case .malformedJSON(let message):
            "the body is not valid JSON: \(message)"
        case .missingField(let path):
            "required field \(path) is missing or null"
        case .wrongType(let path, let expected, let found):
            "\(path) is \(found), expected \(expected)"
        case .unsupportedEvent(let path, let value):
            "\(path) is \"\(value)\", an event this adapter does not turn into tickets: "
                + "acknowledge and ignore it, or subscribe the webhook to ticket events only"
        case .missingIdempotencyKey(let tried):
            "the delivery has no idempotency key: tried \(tried.joined(separator: ", "))"
        case .missingSetting(let name):
            "the adapter's requests need the setting \"\(name)\", which is not configured for this adapter: add it to the adapter's settings"
        case .missingTarget(let department):
            "no platform target is configured for department \"\(department)\": add one to the adapter's targets "
                + "(for Zendesk, the group id)"
        case .invalidWriteBackURL(let template):
            "the write-back URL built from \"\(template)\" is not an absolute http(s) URL: check the settings it uses"
        }
    }
}
