import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// The credential header each adapter's write-backs carry.
///
/// Fixed credentials (basic, bearer, a named header) come straight from the configuration.
/// OAuth 2.0 client credentials (RFC 6749 §4.4) are exchanged at the platform's token endpoint
/// for an access token, which is kept in memory only, reused until a minute before it expires
/// (`expires_in`) and fetched again when the platform answers 401 to it. One token request per
/// adapter is in flight at a time: write-backs that need a token while it is being fetched
/// wait for the same answer rather than each asking for one.
actor WriteBackCredentials {
    /// Why no token could be had, in the write-back's own failure terms.
    struct Failure: Error {
        var reason: String
        var status: Int?
        var retryable: Bool
        var retryAfter: Duration?
    }

    private struct Token {
        var value: String
        /// When to stop using it: a minute (or a tenth of its lifetime, if shorter) before it
        /// expires; nil when the endpoint gave no lifetime (used until the platform refuses it).
        var refreshAfter: Date?
    }

    private let httpClient: HTTPClient
    private let timeout: Duration
    private let timeSource: any TimeSource
    private var tokens: [String: Token] = [:]
    private var pending: [String: Task<Token, any Error>] = [:]

    init(httpClient: HTTPClient, timeout: Duration, timeSource: any TimeSource) {
        self.httpClient = httpClient
        self.timeout = timeout
        self.timeSource = timeSource
    }

    /// The header that authenticates `adapter`'s write-backs with `auth`.
    func header(for adapter: String, _ auth: WriteBackAuthentication) async throws(Failure) -> (name: String, value: String) {
        switch auth {
        case .basic(let username, let password):
            return ("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        case .bearer(let token):
            return ("Authorization", "Bearer \(token)")
        case .header(let name, let value):
            return (name, value)
        case .oauth2(let credentials):
            return ("Authorization", "Bearer \(try await accessToken(for: adapter, credentials))")
        }
    }

    /// Forgets `adapter`'s access token after the platform refused it (401), unless a newer
    /// one has replaced it meanwhile. Returns whether asking again could help: only OAuth
    /// tokens are fetched anew.
    func refused(_ header: (name: String, value: String), for adapter: String, _ auth: WriteBackAuthentication) -> Bool {
        guard case .oauth2 = auth else { return false }
        if let token = tokens[adapter], "Bearer \(token.value)" == header.value { tokens[adapter] = nil }
        return true
    }

    private func accessToken(for adapter: String, _ credentials: OAuthClientCredentials) async throws(Failure) -> String {
        let now = timeSource.now()
        if let token = tokens[adapter], token.refreshAfter.map({ now < $0 }) ?? true { return token.value }
        let request: Task<Token, any Error>
        if let inFlight = pending[adapter] {
            request = inFlight
        } else {
            request = Task { try await self.requestToken(credentials) }
            pending[adapter] = request
        }
        do {
            let token = try await request.value
            if pending[adapter] == request {
                pending[adapter] = nil
                tokens[adapter] = token
            }
            return token.value
        } catch {
            if pending[adapter] == request { pending[adapter] = nil }
            throw error as? Failure
                ?? Failure(reason: "OAuth token request failed: \(error)", status: nil, retryable: true, retryAfter: nil)
        }
    }

    /// One client-credentials token request: `grant_type=client_credentials` (and the scope)
    /// as a form, the client authenticated in the body or with basic authentication.
    private func requestToken(_ credentials: OAuthClientCredentials) async throws(Failure) -> Token {
        var fields: [(name: String, value: String)] = [("grant_type", "client_credentials")]
        var request = HTTPClientRequest(url: credentials.tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Switchyard")
        switch credentials.clientAuthentication {
        case .body:
            fields += [("client_id", credentials.clientID), ("client_secret", credentials.clientSecret)]
        case .basic:
            // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined.
            let pair = PercentEncoding.escapingAllButUnreserved(credentials.clientID) + ":"
                + PercentEncoding.escapingAllButUnreserved(credentials.clientSecret)
            request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        }
        if let scope = credentials.scope { fields.append(("scope", scope)) }
        request.body = .bytes(ByteBuffer(string: PercentEncoding.formBody(fields)))
        let host = URL(string: credentials.tokenURL)?.host ?? credentials.tokenURL
        let status: Int
        let body: [UInt8]
        let retryAfter: Duration?
        do {
            let response = try await httpClient.execute(request, timeout: .nanoseconds(Int64(timeout.milliseconds * 1_000_000)))
            status = Int(response.status.code)
            body = Array(buffer: try await response.body.collect(upTo: 64 * 1024))
            retryAfter = response.headers.first(name: "Retry-After").flatMap { RetryAfter.wait($0, now: timeSource.now()) }
        } catch {
            throw Failure(
                reason: "OAuth token request to \(host): \(TransportFailure.describe(error))", status: nil, retryable: true,
                retryAfter: nil)
        }
        guard (200..<300).contains(status) else {
            throw Failure(
                reason: "OAuth token request to \(host) refused: HTTP \(status)\(Self.oauthError(in: body))", status: status,
                retryable: [408, 425, 429].contains(status) || status >= 500, retryAfter: retryAfter)
        }
        guard case .object(let members)? = try? JSONValue.parse(body),
            case .string(let accessToken)? = members["access_token"], !accessToken.isEmpty
        else {
            throw Failure(
                reason: "OAuth token endpoint \(host) answered HTTP \(status) without an access_token", status: status,
                retryable: false, retryAfter: nil)
        }
        if case .string(let type)? = members["token_type"], type.lowercased() != "bearer" {
            throw Failure(
                reason: "OAuth token endpoint \(host) issued a \"\(type)\" token; only bearer tokens are supported",
                status: status, retryable: false, retryAfter: nil)
        }
        var refreshAfter: Date?
        if let lifetime = Self.seconds(members["expires_in"]), lifetime > 0 {
            refreshAfter = timeSource.now().addingTimeInterval(lifetime - min(60, lifetime / 10))
        }
        return Token(value: accessToken, refreshAfter: refreshAfter)
    }

    /// `expires_in` as a number of seconds; some servers send it as a string.
    private static func seconds(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let number)?: number
        case .string(let text)?: Double(text)
        default: nil
        }
    }

    /// `: invalid_client (Client authentication failed)` from an RFC 6749 §5.2 error answer,
    /// or the start of whatever else the endpoint said.
    private static func oauthError(in body: [UInt8]) -> String {
        if case .object(let members)? = try? JSONValue.parse(body), case .string(let error)? = members["error"] {
            if case .string(let description)? = members["error_description"], !description.isEmpty {
                return ": \(error) (\(description.prefix(200)))"
            }
            return ": \(error)"
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingWhitespace()
        return text.isEmpty ? "" : ": \(text)"
    }
}
