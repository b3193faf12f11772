import Foundation
import Synchronization
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
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let limit: RateLimit?
    private let buckets = Mutex<[String: Bucket]>([:])

    /// - Parameter limit: nil admits everything.
    init(_ limit: RateLimit?) {
        self.limit = limit
    }

    /// Takes one ticket's worth from `caller`'s bucket: nil when admitted, otherwise how long
    /// until the caller may send again.
    func admit(_ caller: String, now: ContinuousClock.Instant = .now) -> Duration? {
        guard let limit else { return nil }
        let capacity = Double(limit.burst)
        return buckets.withLock { buckets in
            var bucket = buckets[caller] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = (now - bucket.updated).timeInterval
            bucket.tokens = min(capacity, bucket.tokens + max(0, elapsed) * limit.perSecond)
            bucket.updated = now
            defer { buckets[caller] = bucket }
            guard bucket.tokens >= 1 else {
                return .milliseconds(Int64(((1 - bucket.tokens) / limit.perSecond * 1000).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    /// `admit(caller)`, or the `429` to answer, with `Retry-After` in whole seconds.
    func check(_ caller: String) throws(APIError) {
        guard let wait = admit(caller) else { return }
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
