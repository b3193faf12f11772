import HTTPTypes
import SwitchyardCore
import SwitchyardWebhooks
import Testing

@Suite("Generic payloads")
struct GenericDecodingTests {
    @Test("The card sample maps every field, custom fields flattened to text")
    func cardSample() throws {
        let generic = try Fixtures.adapter("generic")
        let ticket = try generic.decode(
            body: try Fixtures.sample("generic/card-not-arrived.json"), headers: HTTPFields()
        )
        .ticket
        #expect(
            ticket
                == Ticket(
                    externalID: "T-1001",
                    source: "generic",
                    subject: "Card hasn't arrived",
                    body: "I was told my new card would arrive within 5 working days. It's been two weeks and nothing "
                        + "has come. Can you check where it is?",
                    requester: Requester(name: "Priya Natarajan", email: "priya.natarajan@example.com"),
                    tags: ["mobile_app"],
                    channel: "chat",
                    language: "en",
                    customFields: ["plan": "premium", "customer_since": "2019", "vip": "false"]
                ))
    }

    @Test("The fraud and transfer samples decode; absent fields stay empty")
    func otherSamples() throws {
        let generic = try Fixtures.adapter("generic")
        let fraud = try generic.decode(
            body: try Fixtures.sample("generic/unrecognised-payment.json"), headers: HTTPFields()
        )
        .ticket
        #expect(fraud.externalID == "T-1002")
        #expect(fraud.body.contains("£249.99"))
        #expect(fraud.tags.isEmpty)
        #expect(fraud.customFields == ["plan": "standard", "disputed_amount": "249.99"])

        let transfer = try generic.decode(
            body: try Fixtures.sample("generic/transfer-pending.json"), headers: HTTPFields()
        )
        .ticket
        #expect(transfer.externalID == "T-1003")
        #expect(transfer.requester == Requester(name: "Lucía Romero", email: nil))
        #expect(transfer.tags.isEmpty)
        #expect(transfer.customFields.isEmpty)
    }

    @Test("Only id is required")
    func minimalTicket() throws {
        let generic = try Fixtures.adapter("generic")
        let ticket = try generic.decode(body: Array(#"{"id": 77}"#.utf8), headers: HTTPFields()).ticket
        #expect(ticket == Ticket(externalID: "77", source: "generic"))
    }

    @Test("Errors name the JSON path at fault")
    func errorsWithPaths() throws {
        let generic = try Fixtures.adapter("generic")
        let cases: [(String, WebhookError)] = [
            (#"{"subject": "hi"}"#, .missingField(path: "$.id")),
            (#"[1, 2]"#, .wrongType(path: "$", expected: "an object", found: "an array")),
            (#"{"id": true}"#, .wrongType(path: "$.id", expected: "a string or an integer", found: "a boolean")),
            (
                #"{"id": "1", "body": null, "subject": ["a"]}"#,
                .wrongType(path: "$.subject", expected: "a string", found: "an array")
            ),
            (
                #"{"id": "1", "tags": {"a": 1}}"#,
                .wrongType(
                    path: "$.tags", expected: "a list of strings or a space-separated string", found: "an object")
            ),
            (
                #"{"id": "1", "requester": {"email": 5}}"#,
                .wrongType(path: "$.requester.email", expected: "a string", found: "a number")
            ),
            // A requester that is not an object is refused like any other wrong type, not dropped.
            (
                #"{"id": "1", "requester": "Ana Souza <ana@example.com>"}"#,
                .wrongType(path: "$.requester", expected: "an object", found: "a string")
            ),
            (
                #"{"id": "1", "requester": [{"email": "ana@example.com"}]}"#,
                .wrongType(path: "$.requester", expected: "an object", found: "an array")
            ),
            (
                #"{"id": "1", "language": false}"#,
                .wrongType(path: "$.language", expected: "a string", found: "a boolean")
            ),
            (
                #"{"id": "1", "custom_fields": ["a"]}"#,
                .wrongType(
                    path: "$.custom_fields", expected: "an object of strings, numbers or booleans", found: "an array")
            ),
            (
                #"{"id": "1", "custom_fields": {"order id": {"n": 1}}}"#,
                .wrongType(
                    path: #"$.custom_fields["order id"]"#, expected: "a string, number or boolean", found: "an object")
            ),
        ]
        for (body, error) in cases {
            #expect(throws: error, "\(body)") {
                try generic.decode(body: Array(body.utf8), headers: HTTPFields())
            }
        }
    }

    @Test("Malformed JSON is reported with line, column and byte offset")
    func malformedJSON() throws {
        let generic = try Fixtures.adapter("generic")
        let body = Array("{\n  \"id\": \"T-9\",\n  \"subject\": \"Café\",,\n}".utf8)
        #expect(
            throws: WebhookError.malformedJSON(
                #"line 3, column 21 (byte 38): unexpected ","; expected a member name in double quotes"#)
        ) {
            try generic.decode(body: body, headers: HTTPFields())
        }
        #expect(
            throws: WebhookError.malformedJSON("line 1, column 1 (byte 0): the body is empty; expected a JSON value")
        ) {
            try generic.decode(body: [], headers: HTTPFields())
        }
    }
}
