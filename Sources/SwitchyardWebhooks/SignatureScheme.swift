public import HTTPTypes

/// How a platform signs its deliveries.
public enum SignatureScheme: Sendable, Hashable {
    /// The platform does not sign; authenticate it some other way (network, basic auth).
    case none
    /// An HMAC of the body (and possibly a timestamp) in a header.
    case hmac(HMACSignature)
}

/// An HMAC signature in a header: what is signed, with which hash, and how it is written.
public struct HMACSignature: Sendable, Hashable {
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case sha256, sha1

        var digestByteCount: Int {
            switch self {
            case .sha256: 32
            case .sha1: 20
            }
        }
    }

    public enum Encoding: String, Sendable, Hashable, CaseIterable {
        case base64, hex
    }

    /// The parts of the signed message: the timestamp header's value and the raw body.
    public enum PayloadPart: String, Sendable, Hashable, CaseIterable {
        case timestamp, body
    }

    public let algorithm: Algorithm
    /// The header that carries the signature.
    public let header: HTTPField.Name
    /// The header that carries the signed timestamp, when the platform signs one. It must be
    /// present on every delivery.
    public let timestampHeader: HTTPField.Name?
    /// What is signed, for example `{timestamp}{body}` (Zendesk) or `{body}` (GitHub).
    public let payload: StringTemplate<PayloadPart>
    public let encoding: Encoding
    /// Text before the encoded signature in the header, such as `sha256=`; matched without
    /// regard to case.
    public let prefix: String

    init(
        algorithm: Algorithm,
        header: HTTPField.Name,
        timestampHeader: HTTPField.Name? = nil,
        payload: StringTemplate<PayloadPart>,
        encoding: Encoding,
        prefix: String = ""
    ) {
        self.algorithm = algorithm
        self.header = header
        self.timestampHeader = timestampHeader
        self.payload = payload
        self.encoding = encoding
        self.prefix = prefix
    }
}
