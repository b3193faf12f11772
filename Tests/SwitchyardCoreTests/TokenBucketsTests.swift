import SwitchyardCore
import Testing

@Suite("Token buckets")
struct TokenBucketsTests {
    @Test("a new key starts full; an empty bucket says how long until the next token; it refills at the rate, up to the burst")
    func refill() {
        let buckets = TokenBuckets(RateLimit(perSecond: 2, burst: 3))
        let start = ContinuousClock.now
        for _ in 0..<3 { #expect(buckets.take("a", now: start) == nil) }
        #expect(buckets.take("a", now: start) == .milliseconds(500))
        #expect(buckets.take("a", now: start + .milliseconds(200)) == .milliseconds(300))
        #expect(buckets.take("b", now: start) == nil, "each key has its own bucket")
        #expect(buckets.take("a", now: start + .milliseconds(500)) == nil, "one token after 1/rate")
        #expect(buckets.take("a", now: start + .milliseconds(500)) != nil)
        // A long quiet spell fills the bucket to the burst, not beyond.
        let later = start + .seconds(60)
        for _ in 0..<3 { #expect(buckets.take("a", now: later) == nil) }
        #expect(buckets.take("a", now: later) != nil)
    }

    @Test("fractional rates: one every ten seconds")
    func slowRate() {
        let buckets = TokenBuckets(RateLimit(perSecond: 0.1, burst: 1))
        let start = ContinuousClock.now
        #expect(buckets.take("a", now: start) == nil)
        #expect(buckets.take("a", now: start) == .seconds(10))
        #expect(buckets.take("a", now: start + .seconds(9)) == .seconds(1))
        #expect(buckets.take("a", now: start + .seconds(10)) == nil)
    }
}
