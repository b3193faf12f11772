import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// Sends requests to the platforms' APIs (write-backs, and the fetches that read a ticket's
/// content) with each adapter's credentials, and says plainly how each one went.
///
/// 2xx succeeds. 408, 409, 425, 429, 5xx, connection errors and a 403 that says the rate limit
/// is spent (GitHub) are retryable (after the platform's `Retry-After`, seconds or an HTTP date,
/// or its `X-RateLimit-Reset`); any other status is permanent, and so
/// is a redirect, which is never followed (it would carry the credentials elsewhere). An OAuth
/// token the platform refuses (401) is replaced by a fresh one and the request sent once more,
/// so a token revoked or expired early costs no attempt.
struct PlatformClient: Sendable {
    let httpClient: HTTPClient
    let adapters: [String: AdapterConfiguration]
    let credentials: WriteBackCredentials
    /// Per request.
    let timeout: Duration
    let timeSource: any TimeSource

    enum Outcome {
        /// `body`: the start of the platform's answer, up to the limit asked for.
        case succeeded(status: Int, body: ByteBuffer?)
        /// `status` is the platform's answer, nil when none came (a connection failure).
        case failed(reason: String, status: Int?, retryable: Bool, retryAfter: Duration?)
    }

    /// Sends `request` with its adapter's credentials. With `answerLimit` (a fetch), a
    /// successful answer's body is read up to that many bytes, and one that is longer fails
    /// (retryable: false); without it (a write-back), the answer's body does not matter: a
    /// platform that answers 2xx with the whole updated ticket has taken the write-back.
    func send(_ request: WriteBackRequest, answerLimit: Int? = nil) async -> Outcome {
        let auth = adapters[request.adapter]?.auth
        let (outcome, credential) = await send(request, auth: auth, answerLimit: answerLimit)
        if case .failed(_, 401?, _, _) = outcome, let auth, let credential,
            await credentials.refused(credential, for: request.adapter, auth)
        {
            return await send(request, auth: auth, answerLimit: answerLimit).outcome
        }
        return outcome
    }

    /// The outcome, and the credential header that went with the request.
    private func send(
        _ outbound: WriteBackRequest, auth: WriteBackAuthentication?, answerLimit: Int?
    ) async -> (outcome: Outcome, credential: (name: String, value: String)?) {
        var credential: (name: String, value: String)?
        var request = HTTPClientRequest(url: outbound.url)
        request.method = HTTPMethod(rawValue: outbound.method.uppercased())
        for (name, value) in outbound.headers.sorted(by: { $0.key < $1.key }) {
            request.headers.add(name: name, value: value)
        }
        if let auth {
            do {
                let header = try await credentials.header(for: outbound.adapter, auth)
                request.headers.replaceOrAdd(name: header.name, value: header.value)
                credential = header
            } catch {
                return (.failed(reason: error.reason, status: nil, retryable: error.retryable, retryAfter: error.retryAfter), nil)
            }
        }
        request.headers.replaceOrAdd(name: "User-Agent", value: "Switchyard")
        if !(outbound.body.isEmpty && request.method == .GET) { request.body = .bytes(ByteBuffer(bytes: outbound.body)) }
        do {
            let response = try await httpClient.execute(request, timeout: .nanoseconds(Int64(timeout.milliseconds * 1_000_000)))
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                return (failure(response, status: status, body: try? await response.body.collect(upTo: 4096)), credential)
            }
            guard let answerLimit else {
                _ = try? await response.body.collect(upTo: 4096)
                return (.succeeded(status: status, body: nil), credential)
            }
            do {
                return (.succeeded(status: status, body: try await response.body.collect(upTo: answerLimit)), credential)
            } catch is NIOTooManyBytesError {
                let reason = "HTTP \(status): the answer is longer than \(answerLimit) bytes"
                return (.failed(reason: reason, status: status, retryable: false, retryAfter: nil), credential)
            }
        } catch {
            return (.failed(reason: TransportFailure.describe(error), status: nil, retryable: true, retryAfter: nil), credential)
        }
    }

    /// What a status outside 2xx means: a redirect (never followed), or the platform's error
    /// with whether and when to try again.
    private func failure(_ response: HTTPClientResponse, status: Int, body: ByteBuffer?) -> Outcome {
        if (300..<400).contains(status) {
            let target = response.headers.first(name: "Location").flatMap { URL(string: $0)?.host } ?? "elsewhere"
            return .failed(
                reason: "HTTP \(status): the platform redirects to \(target); redirects are not followed (they would "
                    + "carry the credentials there): set the adapter's base URL to the address that answers",
                status: status, retryable: false, retryAfter: nil)
        }
        let excerpt = body.map { String(buffer: $0).prefix(300) } ?? ""
        let now = timeSource.now()
        // A platform out of its rate limit says until when: Retry-After (Help Scout's
        // X-RateLimit-Retry-After), or GitHub's and Intercom's X-RateLimit-Reset once
        // X-RateLimit-Remaining is 0. GitHub answers 403 when it is out of its limit: with
        // either, that 403 is worth trying again.
        let exhausted = response.headers.first(name: "X-RateLimit-Remaining") == "0"
        let retryAfter =
            (response.headers.first(name: "Retry-After") ?? response.headers.first(name: "X-RateLimit-Retry-After"))
            .flatMap { RetryAfter.wait($0, now: now) }
            ?? (exhausted ? response.headers.first(name: "X-RateLimit-Reset").flatMap { RetryAfter.wait(untilReset: $0, now: now) } : nil)
        let rateLimited = status == 403 && (response.headers.first(name: "Retry-After") != nil || exhausted)
        let retryable = [408, 409, 425, 429].contains(status) || status >= 500 || rateLimited
        return .failed(reason: "HTTP \(status): \(excerpt)", status: status, retryable: retryable, retryAfter: retryAfter)
    }
}
