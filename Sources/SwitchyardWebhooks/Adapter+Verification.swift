import Crypto
public import Foundation
import HTTPTypes
import SwitchyardCore

extension Adapter {
    /// Verifies that the delivery comes from the platform.
    ///
    /// `secrets` empty means the adapter is unsigned in this deployment and verification is
    /// skipped; so does an adapter whose scheme is `none`. Otherwise every secret given (two
    /// while one is rotated) is tried and any may match: the HMAC signature (and its signed
    /// timestamp, within its window of `now`), the shared token, or the basic credentials,
    /// compared in constant time.
    ///
    /// - Throws: ``WebhookError/missingSignature(header:)``,
    ///   ``WebhookError/malformedSignature(_:)``, ``WebhookError/invalidTimestamp(header:reason:)``
    ///   or ``WebhookError/signatureMismatch``.
    public func verify(_ delivery: WebhookDelivery, secrets: [String], now: Date) throws(WebhookError) {
        guard !secrets.isEmpty else { return }
        switch definition.signature {
        case .none:
            return
        case .hmac(let signature):
            try signature.verify(delivery, secrets: secrets, now: now)
        case .token(let token):
            guard let value = delivery.headers[token.header]?.trimmingWhitespace(), !value.isEmpty else {
                throw .missingSignature(header: token.header.rawName)
            }
            guard value.lowercased().hasPrefix(token.prefix.lowercased()) else {
                throw .malformedSignature("\(token.header.rawName) must start with \"\(token.prefix)\"")
            }
            try Self.requireMatch(String(value.dropFirst(token.prefix.count)), secrets: secrets)
        case .basic:
            guard let value = delivery.headers[.authorization]?.trimmingWhitespace(), !value.isEmpty else {
                throw .missingSignature(header: "Authorization")
            }
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic",
                let decoded = Data(base64Encoded: String(parts[1]).trimmingWhitespace()),
                let credentials = String(data: decoded, encoding: .utf8)
            else {
                throw .malformedSignature("Authorization must be \"Basic\" and base64 of user:password")
            }
            try Self.requireMatch(credentials, secrets: secrets)
        }
    }

    /// Why these configured secrets cannot verify this adapter's deliveries, or `nil` when
    /// they can: checked at start, so a secret the scheme cannot use fails then, not on the
    /// first webhook.
    public func problem(withSecrets secrets: [String]) -> String? {
        guard !secrets.isEmpty else { return nil }
        switch definition.signature {
        case .none:
            return "the \(name) adapter's platform does not sign deliveries (signature scheme none), so a secret would "
                + "protect nothing; remove it and set allow_unsigned: true, or use an adapter file whose platform signs"
        case .hmac(let signature):
            return secrets.lazy.compactMap { signature.problem(withSecret: $0) }.first
        case .token:
            return nil
        case .basic:
            return secrets.allSatisfy { $0.contains(":") }
                ? nil : "the \(name) adapter checks basic authentication: give the secret as user:password"
        }
    }

    /// Whether the signature covers the request URL, which then has to be worked out for
    /// every delivery (HubSpot v3); other adapters skip that.
    public var signsURL: Bool {
        guard case .hmac(let signature) = definition.signature else { return false }
        return signature.signed.placeholders.contains(.url)
    }

    /// Whether the adapter looks at the delivery at all when a secret is configured: `false`
    /// for scheme `none`, whose secret would protect nothing (refused at start).
    public var verifiesDeliveries: Bool {
        if case .none = definition.signature { false } else { true }
    }

    /// Whether a value from this header can be trusted not to have been changed by someone who
    /// captured a signed delivery: the signature covers it, or nothing is signed.
    func trusts(header: HTTPField.Name, verified: Bool) -> Bool {
        guard verified else { return true }
        switch definition.signature {
        case .hmac(let signature): return signature.signs(header: header)
        case .none: return true
        // A shared token or basic credentials cover no part of the delivery.
        case .token, .basic: return false
        }
    }

    /// Compares digests of the presented secret and of each configured one, every one in full,
    /// so neither the time taken nor an early exit says which (or how much of one) matched.
    private static func requireMatch(_ presented: String, secrets: [String]) throws(WebhookError) {
        let digest = Array(SHA256.hash(data: Array(presented.utf8)))
        var matched = false
        for secret in secrets {
            let isEqual = ConstantTime.equal(Array(SHA256.hash(data: Array(secret.utf8))), digest)
            matched = matched || isEqual
        }
        guard matched else { throw .signatureMismatch }
    }
}
