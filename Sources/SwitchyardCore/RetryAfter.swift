public import Foundation

/// A server's `Retry-After` answer (RFC 9110 §10.2.3): how long to wait before trying again.
/// The one reader of the header, for write-backs and model providers alike.
public enum RetryAfter {
    /// The wait `value` asks for, read at `now`: whole seconds (`120`), or an HTTP date
    /// (`Wed, 21 Oct 2026 07:28:00 GMT`, also the obsolete RFC 850 and asctime forms). A date in
    /// the past is no wait; `nil` for anything else, or for a wait beyond a day (a misconfigured
    /// server should not park work for longer).
    public static func wait(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingWhitespace()
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let seconds = Int(text), seconds <= maximumSeconds else { return nil }
            return .seconds(seconds)
        }
        for format in dateFormats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            guard let date = formatter.date(from: text) else { continue }
            let seconds = date.timeIntervalSince(now)
            guard seconds <= Double(maximumSeconds) else { return nil }
            return .milliseconds(Int64(max(0, seconds) * 1000))
        }
        return nil
    }

    /// The wait a rate-limit reset time asks for: `X-RateLimit-Reset` as Unix seconds (GitHub,
    /// Intercom), read at `now`. A time in the past is no wait; `nil` for anything else, or for
    /// a wait beyond a day.
    public static func wait(untilReset value: String, now: Date) -> Duration? {
        let text = value.trimmingWhitespace()
        guard !text.isEmpty, text.utf8.count <= 12, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let reset = Double(text)
        else { return nil }
        let seconds = reset - now.timeIntervalSince1970
        guard seconds <= Double(maximumSeconds) else { return nil }
        return .milliseconds(Int64(max(0, seconds) * 1000))
    }

    /// One day.
    static let maximumSeconds = 86_400

    /// IMF-fixdate, RFC 850 and asctime, the three forms RFC 9110 says a recipient accepts.
    private static let dateFormats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]
}
