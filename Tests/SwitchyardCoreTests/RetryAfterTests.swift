import Foundation
import SwitchyardCore
import Testing

@Suite struct RetryAfterTests {
    static let now = Date(timeIntervalSince1970: 1_792_000_000)  // 2026-10-14T…Z

    @Test("X-RateLimit-Reset as Unix seconds: the wait until then, none once past, nil for junk or beyond a day")
    func rateLimitReset() {
        #expect(RetryAfter.wait(untilReset: "1792000060", now: Self.now) == .seconds(60))
        #expect(RetryAfter.wait(untilReset: "1791999000", now: Self.now) == .zero)
        #expect(RetryAfter.wait(untilReset: "1792090000", now: Self.now) == nil, "more than a day away")
        for junk in ["", "soon", "-5", "1792000060.5", "99999999999999"] {
            #expect(RetryAfter.wait(untilReset: junk, now: Self.now) == nil, "\(junk)")
        }
    }

    @Test("Retry-After in seconds or as an HTTP date (all three RFC 9110 forms); junk, negatives and waits beyond a day are nil")
    func forms() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        func http(_ format: String, after seconds: TimeInterval) -> String {
            formatter.dateFormat = format
            return formatter.string(from: Self.now.addingTimeInterval(seconds))
        }
        #expect(RetryAfter.wait("120", now: Self.now) == .seconds(120))
        #expect(RetryAfter.wait(" 0 ", now: Self.now) == .zero)
        #expect(RetryAfter.wait(http("EEE, dd MMM yyyy HH:mm:ss 'GMT'", after: 90), now: Self.now) == .seconds(90))
        #expect(RetryAfter.wait(http("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", after: 30), now: Self.now) == .seconds(30))
        #expect(RetryAfter.wait(http("EEE MMM d HH:mm:ss yyyy", after: 45), now: Self.now) == .seconds(45))
        #expect(RetryAfter.wait(http("EEE, dd MMM yyyy HH:mm:ss 'GMT'", after: -600), now: Self.now) == .zero, "a past date: no wait")
        #expect(RetryAfter.wait(http("EEE, dd MMM yyyy HH:mm:ss 'GMT'", after: 200_000), now: Self.now) == nil)
        for junk in ["", "soon", "-5", "1.5", "86401"] {
            #expect(RetryAfter.wait(junk, now: Self.now) == nil, "\(junk)")
        }
    }
}

@Suite struct ConstantTimeTests {
    @Test("equal only for the same bytes and the same length")
    func equality() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]), "a prefix is not equal")
        #expect(!ConstantTime.equal([], [0]))
        #expect(ConstantTime.equal([], []))
    }
}
