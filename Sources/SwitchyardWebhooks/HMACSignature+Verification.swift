import Crypto
import Foundation
import HTTPTypes
import SwitchyardCore

extension HMACSignature {
    /// Checks the delivery's signature against each of `secrets` (two during a rotation); any
    /// one may match.
    ///
    /// The signed timestamp, when there is one, must be present, readable and within the
    /// window of `now`. Every candidate signature is compared with every key in constant time
    /// (`HMAC.isValidAuthenticationCode`); only lengths, which are public, are checked before.
    func verify(_ delivery: WebhookDelivery, secrets: [String], now: Date) throws(WebhookError) {
        let candidates = try signatures(in: delivery.headers)
        var timestampValue = ""
        if let timestamp {
            timestampValue = try timestamp.check(delivery.headers, now: now)
        }
        let message = try signedMessage(delivery, timestamp: timestampValue)
        var matched = false
        for secret in secrets {
            guard let key = key(from: secret) else { continue }
            for candidate in candidates {
                let isValid =
                    switch algorithm {
                    case .sha256: HMAC<SHA256>.isValidAuthenticationCode(candidate, authenticating: message, using: key)
                    case .sha1: HMAC<Insecure.SHA1>.isValidAuthenticationCode(candidate, authenticating: message, using: key)
                    }
                matched = matched || isValid
            }
        }
        guard matched else { throw .signatureMismatch }
    }

    /// The bytes the platform signs for `delivery`, `timestamp` being the signed timestamp
    /// header's value.
    func signedMessage(_ delivery: WebhookDelivery, timestamp: String) throws(WebhookError) -> [UInt8] {
        var message: [UInt8] = []
        for part in signed.parts {
            switch part {
            case .literal(let literal): message.append(contentsOf: literal.utf8)
            case .placeholder(.body): message.append(contentsOf: delivery.body)
            case .placeholder(.timestamp): message.append(contentsOf: timestamp.utf8)
            case .placeholder(.method): message.append(contentsOf: delivery.method.utf8)
            case .placeholder(.url): message.append(contentsOf: delivery.url.utf8)
            case .placeholder(.header(let name)):
                guard let value = delivery.headers[name] else { throw .missingSignature(header: name.rawName) }
                message.append(contentsOf: value.utf8)
            }
        }
        return message
    }

    /// The signature header's value the platform would send for `message`.
    func signatureValue(of message: [UInt8], key: SymmetricKey) -> String {
        let mac: [UInt8] =
            switch algorithm {
            case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
            case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
            }
        let encoded =
            switch encoding {
            case .base64: Data(mac).base64EncodedString()
            case .hex: Hex.encode(mac)
            }
        return prefix + encoded
    }

    /// The HMAC key a configured secret stands for, or `nil` when the secret cannot be one
    /// (not base64 after its prefix, or empty). Checked when the configuration is loaded.
    func key(from secret: String) -> SymmetricKey? {
        switch secretKey {
        case .text:
            return secret.isEmpty ? nil : SymmetricKey(data: Array(secret.utf8))
        case .base64(let prefix):
            let encoded = secret.hasPrefix(prefix) ? String(secret.dropFirst(prefix.count)) : secret
            guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { return nil }
            return SymmetricKey(data: bytes)
        }
    }

    /// Why a configured secret cannot be this signature's key, for the configuration check.
    public func problem(withSecret secret: String) -> String? {
        guard key(from: secret) == nil else { return nil }
        switch secretKey {
        case .text: return "the secret is empty"
        case .base64(let prefix):
            return prefix.isEmpty
                ? "the secret must be base64 (as the platform shows it)"
                : "the secret must be \(prefix) followed by base64 (as the platform shows it)"
        }
    }

    /// The signatures the header carries, decoded: one, or with a separator several, of which
    /// those without the prefix (another version of the scheme) are skipped.
    private func signatures(in headers: HTTPFields) throws(WebhookError) -> [[UInt8]] {
        let name = header.rawName
        let values = headers[values: header]
        guard let value = values.first else { throw .missingSignature(header: name) }
        guard values.count == 1 else {
            throw .malformedSignature("\(name) appears \(values.count) times; send exactly one")
        }
        let items: [String] =
            if let separator {
                value.components(separatedBy: separator).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            } else {
                [value.trimmingWhitespace()]
            }
        let prefixed = items.filter { $0.lowercased().hasPrefix(prefix.lowercased()) }
        guard !prefixed.isEmpty else {
            throw .malformedSignature("\(name) must start with \"\(prefix)\"")
        }
        var decoded: [[UInt8]] = []
        var problem = ""
        for item in prefixed {
            let encoded = String(item.dropFirst(prefix.count))
            let bytes: [UInt8]? =
                switch encoding {
                case .base64: Data(base64Encoded: encoded).map(Array.init)
                case .hex: Hex.decode(encoded)
                }
            guard let bytes else {
                problem = "\(name) is not valid \(encoding.rawValue)"
                continue
            }
            guard bytes.count == algorithm.digestByteCount else {
                problem =
                    "\(name) holds \(bytes.count) bytes; an HMAC-\(algorithm.rawValue.uppercased()) signature has \(algorithm.digestByteCount)"
                continue
            }
            decoded.append(bytes)
        }
        guard !decoded.isEmpty else { throw .malformedSignature(problem) }
        return decoded
    }
}

extension HMACSignature.Timestamp {
    /// `now` written the way the platform writes its signed timestamp.
    func text(for now: Date) -> String {
        switch unit {
        case .seconds: String(Int64(now.timeIntervalSince1970))
        case .milliseconds: String(Int64(now.timeIntervalSince1970 * 1000))
        case .iso8601: now.formatted(.iso8601)
        }
    }

    /// The header's value, after checking it is a time within the window of `now`.
    func check(_ headers: HTTPFields, now: Date) throws(WebhookError) -> String {
        let name = header.rawName
        guard let value = headers[header]?.trimmingWhitespace(), !value.isEmpty else {
            throw .missingSignature(header: name)
        }
        guard let time = date(from: value) else {
            throw .invalidTimestamp(header: name, reason: "\"\(value.prefix(40))\" is not \(unitDescription)")
        }
        let age = now.timeIntervalSince(time)
        let window = self.window.timeInterval
        guard abs(age) <= window else {
            let when = age > 0 ? "\(Int(age)) s old" : "\(Int(-age)) s in the future"
            throw .invalidTimestamp(
                header: name,
                reason: "the delivery was signed \(when), outside the replay window of \(Int(window)) s (check the server's clock)")
        }
        return value
    }

    func date(from value: String) -> Date? {
        switch unit {
        case .seconds, .milliseconds:
            guard value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), value.utf8.count <= 16,
                let number = Double(value)
            else { return nil }
            return Date(timeIntervalSince1970: unit == .seconds ? number : number / 1000)
        case .iso8601:
            // Value types, shared by every delivery: Zendesk writes whole seconds, some
            // senders fractions.
            return (try? Self.wholeSeconds.parse(value)) ?? (try? Self.fractionalSeconds.parse(value))
        }
    }

    private static let wholeSeconds = Date.ISO8601FormatStyle()
    private static let fractionalSeconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private var unitDescription: String {
        switch unit {
        case .seconds: "a Unix time in seconds"
        case .milliseconds: "a Unix time in milliseconds"
        case .iso8601: "an ISO 8601 time such as 2025-03-14T09:21:43Z"
        }
    }
}
