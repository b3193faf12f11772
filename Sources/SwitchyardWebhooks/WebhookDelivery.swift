public import HTTPTypes

/// One webhook request as the platform sent it: what signatures can cover.
public struct WebhookDelivery: Sendable {
    /// `POST`, as sent.
    public var method: String
    /// The full URL the platform posted to, as it saw it (scheme, host, path and query):
    /// behind a proxy, the public URL rather than the one the server listens on. The server
    /// works it out only for adapters whose signature covers it (``Adapter/signsURL``).
    public var url: String
    public var headers: HTTPFields
    /// The raw body bytes.
    public var body: [UInt8]

    public init(method: String = "POST", url: String = "", headers: HTTPFields, body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
