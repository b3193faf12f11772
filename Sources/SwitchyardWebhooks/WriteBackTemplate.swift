public import SwitchyardCore

/// How an adapter tells its platform about a decision: one HTTP request built from templates.
public struct WriteBackTemplate: Sendable, Hashable {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    public let method: String
    /// The request URL. Values from the ticket or decision are percent-encoded as a path
    /// segment; settings are inserted as they are (they hold base URLs).
    public let url: StringTemplate<TemplateReference>
    /// Fixed, non-secret headers. `Content-Type: application/json` is added when there is a
    /// body. Credentials are attached by the outbox, never stored here.
    public let headers: [String: String]
    /// Whether the decision's tags are rewritten the way Zendesk stores tags: lower case,
    /// whitespace runs turned into `_`.
    public let normalizesTags: Bool
    /// Each priority on the platform's scale, for `${platform.priority}`.
    public let priorities: [Priority: JSONValue]
    /// The request is sent only when this reference has a value (`if_present:
    /// "${platform.priority}"`: a priority call is skipped when the decision has none, rather
    /// than clearing the platform's).
    public let ifPresent: TemplateReference?
    let body: BodyTemplate?

    init(
        method: String,
        url: StringTemplate<TemplateReference>,
        headers: [String: String] = [:],
        normalizesTags: Bool = false,
        priorities: [Priority: JSONValue] = [:],
        ifPresent: TemplateReference? = nil,
        body: BodyTemplate?
    ) {
        self.ifPresent = ifPresent
        self.priorities = priorities
        self.method = method
        self.url = url
        self.headers = headers
        self.normalizesTags = normalizesTags
        self.body = body
    }

    /// The methods a write-back may use.
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
}
