import Foundation
import SwitchyardCore

/// One token bucket per caller, shared by everything that brings a ticket in: a webhook
/// draws from its adapter's bucket (`webhook:zendesk`), `POST /v1/classify` from its API
/// token's (`token:ops`), so the classify endpoint, which spends model money, is held to the
/// same limit as a platform's webhooks.
///
/// Callers are the configured adapters and tokens, so the set of buckets is bounded. Each
/// process counts on its own: behind a load balancer the limit is per replica.
final class RateLimiter: Sendable {
    /// nil: no limit.
    private let buckets: TokenBuckets?

    /// - Parameter limit: nil admits everything.
    init(_ limit: RateLimit?) {
        self.buckets = limit.map(TokenBuckets.init)
    }

    /// Admits one ticket from `caller`, or throws the `429` to answer, with `Retry-After` in
    /// whole seconds.
    func check(_ caller: String) throws(APIError) {
        guard let wait = buckets?.take(caller) else { return }
        let seconds = max(1, Int(wait.timeInterval.rounded(.up)))
        var error = APIError(
            .tooManyRequests, code: "rate_limited",
            message: "\(caller) is over server.rate_limit (\(Self.describe(buckets?.limit))); retry after \(seconds) s")
        error.headers[.retryAfter] = "\(seconds)"
        throw error
    }

    private static func describe(_ limit: RateLimit?) -> String {
        guard let limit else { return "none" }
        let rate = limit.perSecond == limit.perSecond.rounded() ? "\(Int(limit.perSecond))" : "\(limit.perSecond)"
        return "\(rate) per second, burst \(limit.burst)"
    }
}
