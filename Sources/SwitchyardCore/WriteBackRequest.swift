public import Foundation

/// An HTTP request that tells a platform about a decision, as built by an adapter and
/// kept in the outbox until it is delivered.
///
/// It never holds credentials: the outbox attaches the adapter's authentication when it
/// sends, so secrets stay out of the database.
public struct WriteBackRequest: Sendable, Hashable, Codable {
    /// The adapter whose credentials and destination apply, for example `zendesk`.
    public var adapter: String
    public var method: String
    public var url: String
    /// Non-secret headers such as `Content-Type`.
    public var headers: [String: String]
    public var body: Data

    public init(adapter: String, method: String, url: String, headers: [String: String] = [:], body: Data) {
        self.adapter = adapter
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
