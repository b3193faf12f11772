import Crypto
import Foundation
import HTTPTypes
import SwitchyardCore

extension HMACSignature {
    /// Checks the delivery's signature against `secret` (its UTF-8 bytes are the HMAC key).
    ///
    /// The comparison is constant-time (`HMAC.isValidAuthenticationCode`); only the length,
    /// which is public, is checked before it.
    func verify(body: [UInt8], headers: HTTPFields, secret: String) throws(WebhookError) {
        let signatureValues = headers[values: header]
        guard let signatureValue = signatureValues.first else {
            throw .missingSignature(header: header.rawName)
        }
        guard signatureValues.count == 1 else {
            throw .malformedSignature("\(header.rawName) appears \(signatureValues.count) times; send exactly one")
        }
        var timestamp: String?
        if let timestampHeader {
            guard let value = headers[values: timestampHeader].first, !value.isEmpty else {
                throw .missingSignature(header: timestampHeader.rawName)
            }
            timestamp = value
        }

        let signature = try decodeSignature(signatureValue.trimmingCharacters(in: .whitespaces))
        var message: [UInt8] = []
        for part in payload.parts {
            switch part {
            case .literal(let literal): message.append(contentsOf: literal.utf8)
            case .placeholder(.timestamp): message.append(contentsOf: (timestamp ?? "").utf8)
            case .placeholder(.body): message.append(contentsOf: body)
            }
        }

        let key = SymmetricKey(data: Array(secret.utf8))
        let isValid =
            switch algorithm {
            case .sha256: HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: message, using: key)
            case .sha1: HMAC<Insecure.SHA1>.isValidAuthenticationCode(signature, authenticating: message, using: key)
            }
        guard isValid else { throw .signatureMismatch }
    }

    /// The signature bytes from the header value: prefix removed, then decoded.
    private func decodeSignature(_ value: String) throws(WebhookError) -> [UInt8] {
        let name = header.rawName
        guard value.lowercased().hasPrefix(prefix.lowercased()) else {
            throw .malformedSignature("\(name) must start with \"\(prefix)\"")
        }
        let encoded = String(value.dropFirst(prefix.count))
        let decoded: [UInt8]? =
            switch encoding {
            case .base64: Data(base64Encoded: encoded).map(Array.init)
            case .hex: Hex.decode(encoded)
            }
        guard let decoded else {
            throw .malformedSignature("\(name) is not valid \(encoding.rawValue)")
        }
        guard decoded.count == algorithm.digestByteCount else {
            throw .malformedSignature(
                "\(name) holds \(decoded.count) bytes; an HMAC-\(algorithm.rawValue.uppercased()) signature has \(algorithm.digestByteCount)"
            )
        }
        return decoded
    }
}
