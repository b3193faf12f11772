public import Foundation

extension Duration {
    /// Reads `250ms`, `10s`, `5m`, `1h`, `90d`; a bare number is seconds. nil for anything
    /// else, negative or not finite. The one way the configuration and the command line read
    /// durations.
    public init?(text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var seconds: Double?
        for unit in units where text.hasSuffix(unit.suffix) {
            if let value = Double(text.dropLast(unit.suffix.count)) {
                seconds = value * unit.seconds
                break
            }
        }
        guard let seconds = seconds ?? Double(text), seconds.isFinite, seconds >= 0 else { return nil }
        self = .milliseconds(Int64((seconds * 1000).rounded()))
    }

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
