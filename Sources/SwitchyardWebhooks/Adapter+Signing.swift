public import Foundation
public import HTTPTypes

extension Adapter {
    /// The authentication headers the platform would send with `delivery` at `now`, signed
    /// with `secret`: for admins testing by hand and for curl walk-throughs
    /// (`switchyard adapters sign`). Headers the signature covers that the delivery lacks (a
    /// delivery id such as `webhook-id`) are added with `deliveryID`. The result verifies
    /// with ``verify(_:secrets:now:)``.
    ///
    /// - Throws: ``WebhookError/malformedSignature(_:)`` when `secret` cannot be this scheme's
    ///   key; nothing is signed for scheme `none`.
    public func signingHeaders(
        for delivery: WebhookDelivery, secret: String, now: Date, deliveryID: String = UUID().uuidString.lowercased()
    ) throws(WebhookError) -> HTTPFields {
        var added = HTTPFields()
        switch definition.signature {
        case .none:
            break
        case .token(let token):
            added[token.header] = token.prefix + secret
        case .basic:
            added[.authorization] = "Basic " + Data(secret.utf8).base64EncodedString()
        case .hmac(let signature):
            guard let key = signature.key(from: secret) else {
                throw .malformedSignature(signature.problem(withSecret: secret) ?? "the secret cannot sign")
            }
            var delivery = delivery
            for case .header(let name) in signature.signed.placeholders where delivery.headers[name] == nil {
                delivery.headers[name] = deliveryID
                added[name] = deliveryID
            }
            var timestamp = ""
            if let signed = signature.timestamp {
                timestamp = signed.text(for: now)
                added[signed.header] = timestamp
            }
            let message = try signature.signedMessage(delivery, timestamp: timestamp)
            added[signature.header] = signature.signatureValue(of: message, key: key)
        }
        return added
    }
}
