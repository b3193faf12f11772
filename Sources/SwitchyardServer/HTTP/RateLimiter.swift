import Foundation
import SwitchyardCore

/// How fast one caller may send tickets in: `server.rate_limit`.
public struct RateLimit: Sendable, Hashable {
    /// Tickets per second a caller may send, sustained.
    public var perSecond: Double
    /// Tickets a caller may send at once after a quiet spell.
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// One token bucket per caller, shared by everything that brings a ticket in: a webhook
/// draws from its adapter's bucket (`webhook:zendesk`), `POST /v1/classify` from its API
/// token's (`token:ops`), so the classify endpoint, which spends model money, is held to the
/// same limit as a platform's webhooks.
///
/// Callers are the configured adapters and tokens, so the set of buckets is bounded. Each
/// process counts on its own: behind a load balancer the limit is per replica.
final class RateLimiter: Sendable {
    private let limit: RateLimit?
    private let buckets: TokenBuckets?

    /// - Parameter limit: nil admits everything.
    init(_ limit: RateLimit?) {
        self.limit = limit
        self.buckets = limit.map { TokenBuckets(perSecond: $0.perSecond, burst: $0.burst) }
    }

    /// Admits one ticket from `caller`, or throws the `429` to answer, with `Retry-After` in
    /// whole seconds.
    func check(_ caller: String) throws(APIError) {
        guard let wait = buckets?.take(caller) else { return }
        let seconds = max(1, Int(wait.timeInterval.rounded(.up)))
        var error = APIError(
            .tooManyRequests, code: "rate_limited",
            message: "\(caller) is over server.rate_limit (\(Self.describe(limit))); retry after \(seconds) s")
        error.headers[.retryAfter] = "\(seconds)"
        throw error
    }

    private static func describe(_ limit: RateLimit?) -> String {
        guard let limit else { return "none" }
        let rate = limit.perSecond == limit.perSecond.rounded() ? "\(Int(limit.perSecond))" : "\(limit.perSecond)"
        return "\(rate) per second, burst \(limit.burst)"
    }
}
