public import Foundation

extension Duration {
    /// `1.5s`, `250ms`: short and stable for logs and stored reasons.
    public var formatted: String {
        let milliseconds = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        if milliseconds >= 1000 {
            return "\((milliseconds / 1000).formatted(digits: 3))s"
        }
        return "\(milliseconds.formatted(digits: 3))ms"
    }

    /// Milliseconds as a `Double`.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    /// Seconds as a `TimeInterval`, for `Date` arithmetic.
    public var timeInterval: TimeInterval {
        milliseconds / 1000
    }
}
