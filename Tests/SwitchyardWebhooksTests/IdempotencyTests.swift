import HTTPTypes
import SwitchyardWebhooks
import Testing

@Suite("Idempotency keys")
struct IdempotencyTests {
    static let body = Array(
        #"{"type":"zen:event-type:ticket.created","id":"01HQ7Z3K8V","detail":{"id":"35436","subject":"Card not received"}}"#
            .utf8)
    // hashlib.sha256(body).hexdigest(), computed independently.
    static let bodySHA256 = "87b071f292a1c37c72c30efc7b2ffc18ab58490ce204be80186655c5f681b06c"

    @Test("Generic: the Idempotency-Key header wins when present")
    func genericHeader() throws {
        let generic = try Fixtures.adapter("generic")
        let inbound = try generic.decode(
            body: Array(#"{"id":"T-1"}"#.utf8), headers: Fixtures.headers(["Idempotency-Key": " order-42-retry "]))
        #expect(inbound.idempotencyKey == "order-42-retry")
    }

    @Test("Generic, signed: an Idempotency-Key the signature does not cover is not trusted, so one captured body sent with fresh keys stays one delivery")
    func unsignedHeaderAfterVerification() throws {
        let generic = try Fixtures.adapter("generic")
        let body = Array(#"{"id":"T-1","subject":"Card not received"}"#.utf8)
        let keys = try ["k1", "k2", "k3", "k4"].map { key in
            try generic.decode(body: body, headers: Fixtures.headers(["Idempotency-Key": key]), verified: true).idempotencyKey
        }
        #expect(Set(keys).count == 1)
        #expect(keys[0].hasPrefix("T-1:"), "keyed on the signed body instead")
    }

    @Test("Generic: without the header, the key is id + SHA-256 of the raw body")
    func genericFallback() throws {
        let generic = try Fixtures.adapter("generic")
        let body = Array(#"{"id":"35436","subject":"Card not received"}"#.utf8)
        let first = try generic.decode(body: body, headers: HTTPFields()).idempotencyKey
        let retry = try generic.decode(body: body, headers: Fixtures.headers(["Idempotency-Key": ""])).idempotencyKey
        let edited = try generic.decode(
            body: Array(#"{"id":"35436","subject":"Card not received!"}"#.utf8), headers: HTTPFields()
        ).idempotencyKey
        #expect(first.hasPrefix("35436:"))
        #expect(retry == first)
        #expect(edited != first)
    }

    @Test("The body hash is the lower-case hex SHA-256 of the exact bytes received")
    func bodyHash() throws {
        let generic = try Fixtures.adapter("generic")
        #expect(
            try generic.decode(body: Self.body, headers: HTTPFields()).idempotencyKey == "01HQ7Z3K8V:" + Self.bodySHA256
        )
    }

    @Test("Zendesk: an event's id wins over the body hash")
    func zendeskEventID() throws {
        let zendesk = try Fixtures.adapter("zendesk")
        #expect(try zendesk.decode(body: Self.body, headers: HTTPFields()).idempotencyKey == "01HQ7Z3K8V")
    }
}
