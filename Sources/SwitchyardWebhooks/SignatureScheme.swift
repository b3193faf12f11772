public import HTTPTypes

/// How a platform proves that a delivery is its own.
public enum SignatureScheme: Sendable, Hashable {
    /// The platform does not sign; authenticate it some other way (network, a proxy).
    case none
    /// An HMAC of the delivery (the body, and possibly a timestamp, a delivery id, the method
    /// and the URL) in a header.
    case hmac(HMACSignature)
    /// The configured secret itself, sent in a header as the platform's admin set it up
    /// (Freshdesk's custom headers, ServiceNow's REST messages); compared in constant time.
    case token(SharedToken)
    /// HTTP basic authentication; the configured secret is `user:password`.
    case basic
}

/// A shared secret sent in a header.
public struct SharedToken: Sendable, Hashable {
    public let header: HTTPField.Name
    /// Text before the secret, such as `Bearer `; matched without regard to case.
    public let prefix: String

    init(header: HTTPField.Name, prefix: String = "") {
        self.header = header
        self.prefix = prefix
    }
}

/// An HMAC signature in a header: what is signed, with which hash and key, and how it is
/// written.
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

    /// The parts a signed message is built from.
    public enum SignedPart: Sendable, Hashable, CustomStringConvertible {
        /// The raw body bytes.
        case body
        /// The signed timestamp header's value, as sent.
        case timestamp
        /// A header's value, such as a delivery id (`webhook-id`).
        case header(HTTPField.Name)
        /// The request method (`POST`).
        case method
        /// The full request URL as the platform saw it (`https://host/webhooks/hubspot?x=1`).
        case url

        init?(name: String) {
            switch name {
            case "body": self = .body
            case "timestamp": self = .timestamp
            case "method": self = .method
            case "url": self = .url
            default:
                guard name.hasPrefix("header."), let header = HTTPField.Name(String(name.dropFirst(7))) else { return nil }
                self = .header(header)
            }
        }

        public var description: String {
            switch self {
            case .body: "body"
            case .timestamp: "timestamp"
            case .header(let name): "header.\(name.rawName)"
            case .method: "method"
            case .url: "url"
            }
        }

        static let vocabulary = "${body}, ${timestamp}, ${header.NAME}, ${method}, ${url}"
    }

    /// How the configured secret becomes the HMAC key.
    public enum SecretKey: Sendable, Hashable {
        /// The secret's UTF-8 bytes (most platforms).
        case text
        /// Base64 after an optional prefix (Standard Webhooks: `whsec_` + base64).
        case base64(prefix: String)
    }

    /// The signed timestamp and how old a delivery may be.
    public struct Timestamp: Sendable, Hashable {
        public enum Unit: String, Sendable, Hashable, CaseIterable {
            /// Unix time in whole seconds (`1710408103`).
            case seconds
            /// Unix time in milliseconds (HubSpot).
            case milliseconds
            /// `2025-03-14T09:21:43Z` (Zendesk).
            case iso8601 = "iso8601"
        }

        public let header: HTTPField.Name
        public let unit: Unit
        /// A delivery signed further from now than this, in the past or the future, is
        /// refused (a captured delivery cannot be replayed later).
        public let window: Duration

        /// The window when the platform documents none.
        public static let defaultWindow: Duration = .seconds(300)

        init(header: HTTPField.Name, unit: Unit = .seconds, window: Duration = defaultWindow) {
            self.header = header
            self.unit = unit
            self.window = window
        }
    }

    public let algorithm: Algorithm
    /// The header that carries the signature.
    public let header: HTTPField.Name
    /// What is signed, for example `${timestamp}${body}` (Zendesk) or `${body}` (GitHub).
    public let signed: StringTemplate<SignedPart>
    public let encoding: Encoding
    /// Text before each encoded signature, such as `sha256=` or `v1,`; matched without regard
    /// to case.
    public let prefix: String
    /// When set, the header holds several signatures split by this text (Standard Webhooks: a
    /// space), and any one that carries the prefix may match.
    public let separator: String?
    public let secretKey: SecretKey
    /// The signed timestamp, when the platform signs one; it must then be on every delivery.
    public let timestamp: Timestamp?

    init(
        algorithm: Algorithm,
        header: HTTPField.Name,
        signed: StringTemplate<SignedPart>,
        encoding: Encoding,
        prefix: String = "",
        separator: String? = nil,
        secretKey: SecretKey = .text,
        timestamp: Timestamp? = nil
    ) {
        self.algorithm = algorithm
        self.header = header
        self.signed = signed
        self.encoding = encoding
        self.prefix = prefix
        self.separator = separator
        self.secretKey = secretKey
        self.timestamp = timestamp
    }

    /// Whether the signature covers a header's value, so that a value taken from it (an
    /// idempotency key) cannot be changed without breaking the signature.
    func signs(header name: HTTPField.Name) -> Bool {
        signed.placeholders.contains { part in
            switch part {
            case .header(let signedName): signedName == name
            case .timestamp: timestamp?.header == name
            default: false
            }
        }
    }
}
