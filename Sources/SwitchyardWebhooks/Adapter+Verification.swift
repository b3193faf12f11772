public import HTTPTypes

extension Adapter {
    /// Verifies the delivery's signature.
    ///
    /// `secret` `nil` means the adapter is unsigned in this deployment and verification is
    /// skipped; so does an adapter whose scheme is `none`. Otherwise the signature header
    /// (and the timestamp header, when the scheme signs one) must be present, and the
    /// signature must match in a constant-time comparison. Reject empty secrets when loading
    /// the configuration: an empty HMAC key protects nothing.
    ///
    /// - Throws: ``WebhookError/missingSignature(header:)``,
    ///   ``WebhookError/malformedSignature(_:)`` or ``WebhookError/signatureMismatch``.
    public func verify(body: [UInt8], headers: HTTPFields, secret: String?) throws(WebhookError) {
        guard let secret else { return }
        switch definition.signature {
        case .none:
            return
        case .hmac(let signature):
            try signature.verify(body: body, headers: headers, secret: secret)
        }
    }
}
