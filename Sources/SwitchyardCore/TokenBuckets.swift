import Synchronization

/// How fast one caller may go: `burst` at once after a quiet spell, `perSecond` sustained
/// (`server.rate_limit`).
public struct RateLimit: Sendable, Hashable {
    public var perSecond: Double
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// Token buckets by key: each holds `burst` tokens and refills at `perSecond`; taking one
/// either succeeds or says how long until one is there. Safe to use from many tasks at once.
///
/// Keys are never removed, so use a bounded set of them (configured callers, not addresses).
public final class TokenBuckets: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public let limit: RateLimit
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(_ limit: RateLimit) {
        precondition(limit.perSecond > 0 && limit.burst > 0, "a bucket needs a positive rate and size")
        self.limit = limit
    }

    /// Takes a token from `key`'s bucket: nil when there was one, otherwise how long until
    /// there is. A new key starts full.
    public func take(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let capacity = Double(limit.burst)
        let perSecond = limit.perSecond
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = max(0, (now - bucket.updated).timeInterval)
            bucket.tokens = min(capacity, bucket.tokens + elapsed * perSecond)
            bucket.updated = max(bucket.updated, now)
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else {
                return .milliseconds(Int64(((1 - bucket.tokens) / perSecond * 1000).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }
}
