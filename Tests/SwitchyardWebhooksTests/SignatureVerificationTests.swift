import HTTPTypes
import SwitchyardWebhooks
import Testing

@Suite("Signature verification")
struct SignatureVerificationTests {
    // Computed independently:
    // python3 -c 'import hmac,hashlib,base64; print(base64.b64encode(hmac.new(b"zd-signing-secret-4f1c9a",
    //   b"2025-03-14T09:21:43Z" + BODY, hashlib.sha256).digest()).decode())'
    static let zendeskSecret = "zd-signing-secret-4f1c9a"
    static let zendeskTimestamp = "2025-03-14T09:21:43Z"
    static let zendeskBody = Array(
        #"{"type":"zen:event-type:ticket.created","id":"01HQ7Z3K8V","detail":{"id":"35436","subject":"Card not received"}}"#
            .utf8)
    static let zendeskSignature = "quNRn+cYI5yelL+HAgZa/VJAzwJY1aJHIcS0whxo37U="

    static var zendeskHeaders: HTTPFields {
        Fixtures.headers([
            "X-Zendesk-Webhook-Signature": zendeskSignature,
            "X-Zendesk-Webhook-Signature-Timestamp": zendeskTimestamp,
        ])
    }

    @Test("Zendesk: base64 HMAC-SHA256 of timestamp + body verifies with the signing secret")
    func zendeskKnownVector() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        try zendesk.verify(body: Self.zendeskBody, headers: Self.zendeskHeaders, secret: Self.zendeskSecret)
    }

    @Test("Zendesk: header names match whatever their case")
    func zendeskHeaderCase() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let headers = Fixtures.headers([
            "x-zendesk-webhook-signature": Self.zendeskSignature,
            "X-ZENDESK-WEBHOOK-SIGNATURE-TIMESTAMP": Self.zendeskTimestamp,
        ])
        try zendesk.verify(body: Self.zendeskBody, headers: headers, secret: Self.zendeskSecret)
    }

    @Test("Zendesk: a wrong secret is a mismatch")
    func zendeskWrongSecret() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        #expect(throws: WebhookError.signatureMismatch) {
            try zendesk.verify(body: Self.zendeskBody, headers: Self.zendeskHeaders, secret: "zd-signing-secret-4f1c9b")
        }
    }

    @Test("Zendesk: a tampered body is a mismatch")
    func zendeskTamperedBody() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        var body = Self.zendeskBody
        body[body.count - 4] = UInt8(ascii: "D")  // "…Card not receiveD"
        #expect(throws: WebhookError.signatureMismatch) {
            try zendesk.verify(body: body, headers: Self.zendeskHeaders, secret: Self.zendeskSecret)
        }
    }

    @Test("Zendesk: a different timestamp is a mismatch (the timestamp is signed)")
    func zendeskTamperedTimestamp() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let headers = Fixtures.headers([
            "X-Zendesk-Webhook-Signature": Self.zendeskSignature,
            "X-Zendesk-Webhook-Signature-Timestamp": "2025-03-14T09:21:44Z",
        ])
        #expect(throws: WebhookError.signatureMismatch) {
            try zendesk.verify(body: Self.zendeskBody, headers: headers, secret: Self.zendeskSecret)
        }
    }

    @Test("Zendesk: the timestamp header must be present")
    func zendeskMissingTimestamp() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let headers = Fixtures.headers(["X-Zendesk-Webhook-Signature": Self.zendeskSignature])
        #expect(throws: WebhookError.missingSignature(header: "X-Zendesk-Webhook-Signature-Timestamp")) {
            try zendesk.verify(body: Self.zendeskBody, headers: headers, secret: Self.zendeskSecret)
        }
    }

    @Test("Zendesk: the signature header must be present")
    func zendeskMissingSignature() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let headers = Fixtures.headers(["X-Zendesk-Webhook-Signature-Timestamp": Self.zendeskTimestamp])
        #expect(throws: WebhookError.missingSignature(header: "X-Zendesk-Webhook-Signature")) {
            try zendesk.verify(body: Self.zendeskBody, headers: headers, secret: Self.zendeskSecret)
        }
    }

    @Test(
        "Zendesk: unreadable signatures are malformed, not mismatches",
        arguments: [
            ("not base64!", "X-Zendesk-Webhook-Signature is not valid base64"),
            ("c2hvcnQ=", "X-Zendesk-Webhook-Signature holds 5 bytes; an HMAC-SHA256 signature has 32"),
        ])
    func zendeskMalformedSignature(signature: String, message: String) throws {
        let zendesk = try Fixtures.adapter("zendesk")
        let headers = Fixtures.headers([
            "X-Zendesk-Webhook-Signature": signature,
            "X-Zendesk-Webhook-Signature-Timestamp": Self.zendeskTimestamp,
        ])
        #expect(throws: WebhookError.malformedSignature(message)) {
            try zendesk.verify(body: Self.zendeskBody, headers: headers, secret: Self.zendeskSecret)
        }
    }

    @Test("Without a configured secret nothing is checked, not even the headers' presence")
    func noSecretSkipsVerification() throws {
        for name in ["zendesk", "generic"] {
            let adapter = try Fixtures.adapter(name)
            try adapter.verify(body: Self.zendeskBody, headers: HTTPFields(), secret: nil)
        }
    }

    // GitHub's documented example, the same scheme as the generic adapter's; re-computed with
    // Python's hmac.new(secret, b"Hello, World!", hashlib.sha256).hexdigest().
    static let genericSecret = "It's a Secret to Everybody"
    static let genericBody = Array("Hello, World!".utf8)
    static let genericSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test("Generic with a secret: sha256=<hex HMAC-SHA256(secret, body)> verifies, also in upper case")
    func genericWithSecret() throws {
        let generic = try Fixtures.adapter("generic")
        try generic.verify(
            body: Self.genericBody, headers: Fixtures.headers(["X-Switchyard-Signature": Self.genericSignature]),
            secret: Self.genericSecret)
        try generic.verify(
            body: Self.genericBody,
            headers: Fixtures.headers(["X-Switchyard-Signature": Self.genericSignature.uppercased()]),
            secret: Self.genericSecret)
    }

    @Test("Generic with a secret: a missing, unprefixed or wrong signature is refused")
    func genericWithSecretRefusals() throws {
        let generic = try Fixtures.adapter("generic")
        let secret = Self.genericSecret
        #expect(throws: WebhookError.missingSignature(header: "X-Switchyard-Signature")) {
            try generic.verify(body: Self.genericBody, headers: HTTPFields(), secret: secret)
        }
        #expect(throws: WebhookError.malformedSignature("X-Switchyard-Signature must start with \"sha256=\"")) {
            try generic.verify(
                body: Self.genericBody,
                headers: Fixtures.headers(["X-Switchyard-Signature": String(Self.genericSignature.dropFirst(7))]),
                secret: secret)
        }
        #expect(throws: WebhookError.malformedSignature("X-Switchyard-Signature is not valid hex")) {
            try generic.verify(
                body: Self.genericBody, headers: Fixtures.headers(["X-Switchyard-Signature": "sha256=xyz"]),
                secret: secret)
        }
        #expect(throws: WebhookError.signatureMismatch) {
            try generic.verify(
                body: Array("Hello, World?".utf8),
                headers: Fixtures.headers(["X-Switchyard-Signature": Self.genericSignature]), secret: secret)
        }
    }

    @Test("Generic without a secret: unsigned and even wrongly signed deliveries pass")
    func genericWithoutSecret() throws {
        let generic = try Fixtures.adapter("generic")
        try generic.verify(body: Self.genericBody, headers: HTTPFields(), secret: nil)
        try generic.verify(
            body: Self.genericBody, headers: Fixtures.headers(["X-Switchyard-Signature": "sha256=00"]), secret: nil)
    }

    @Test("A repeated signature header is malformed")
    func repeatedSignatureHeader() throws {
        let generic = try Fixtures.adapter("generic")
        var headers = Fixtures.headers(["X-Switchyard-Signature": Self.genericSignature])
        headers.append(contentsOf: Fixtures.headers(["x-switchyard-signature": Self.genericSignature]))
        #expect(throws: WebhookError.malformedSignature("X-Switchyard-Signature appears 2 times; send exactly one")) {
            try generic.verify(body: Self.genericBody, headers: headers, secret: Self.genericSecret)
        }
    }
}
