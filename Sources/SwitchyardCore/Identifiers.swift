import Foundation

/// Switchyard's own identifier for a stored ticket, for example `tkt_01JD3W2Z8Q7YV5M4K2H9XN6B1C`.
public struct TicketID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: TicketID, rhs: TicketID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Makes identifiers. Injected so that tests can predict them.
public protocol IdentifierGenerator: Sendable {
    /// A new unique identifier with the given prefix, for example `tkt`.
    func next(prefix: String) -> String
}

/// ULID-style identifiers: 48 bits of milliseconds then 80 random bits, Crockford base32,
/// so that they sort by creation time.
public struct RandomIdentifierGenerator: IdentifierGenerator {
    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private let timeSource: any TimeSource

    public init(timeSource: any TimeSource = SystemTimeSource()) {
        self.timeSource = timeSource
    }

    public func next(prefix: String) -> String {
        let milliseconds = UInt64(max(0, timeSource.now().timeIntervalSince1970 * 1000))
        // 80 random bits from two draws (one system call each), five bits per character.
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return String(unsafeUninitializedCapacity: prefix.utf8.count + 27) { buffer in
            var index = 0
            for byte in prefix.utf8 {
                buffer[index] = byte
                index += 1
            }
            buffer[index] = UInt8(ascii: "_")
            index += 1
            for shift in stride(from: 45, through: 0, by: -5) {
                buffer[index] = Self.alphabet[Int((milliseconds >> UInt64(shift)) & 31)]
                index += 1
            }
            for character in 0..<16 {
                let bits = character < 8 ? high >> UInt64(5 * character) : low >> UInt64(5 * (character - 8))
                buffer[index] = Self.alphabet[Int(bits & 31)]
                index += 1
            }
            return index
        }
    }
}
