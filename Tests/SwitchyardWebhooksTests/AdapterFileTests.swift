import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardWebhooks
import Testing

@Suite("Adapter files")
struct AdapterFileTests {
    @Test("The shipped Webhooks/ directory loads every adapter")
    func shippedAdapters() throws {
        let registry = try Fixtures.registry()
        #expect(registry.names == ["chatwoot", "freshdesk", "front", "generic", "github", "helpscout", "hubspot", "intercom", "jira", "servicenow", "standard-webhooks", "zammad", "zendesk"])
        #expect(registry["zendesk"]?.definition.description.isEmpty == false)
        #expect(registry["servicenow-legacy"] == nil)
    }

    /// Loads `yaml` as `test.yaml` and returns the diagnostics it produces.
    func diagnostics(_ yaml: String) -> [String] {
        do {
            _ = try Adapter(yaml: yaml, file: "test.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    static let minimal = """
        name: sample
        signature:
          scheme: none
        idempotency:
          - path: $.id
        mapping:
          external_id: $.id
        """

    @Test("The minimal file is valid")
    func minimal() {
        #expect(diagnostics(Self.minimal) == [])
    }

    @Test("An unknown key is reported at its line and column, with the keys that are allowed")
    func unknownKey() {
        let yaml = """
            name: sample
            signature:
              scheme: hmac
              algoritm: sha256
              algorithm: sha256
              header: X-Sig
              signed: "${body}"
              encoding: hex
            idempotency:
              - path: $.id
            mapping:
              external_id: $.id
            """
        #expect(
            diagnostics(yaml) == [
                #"test.yaml:4:3: error: unknown key "algoritm" in signature; allowed keys: scheme, algorithm, header, "#
                    + "signed, encoding, prefix, separator, secret, secret_prefix, timestamp"
            ])
    }

    @Test("Problems are listed in file order, whatever order they were found in")
    func problemsInFileOrder() {
        // The unknown key (line 4) is found before the missing sections (reported at line 1).
        let yaml = "name: sample\nsignature:\n  scheme: none\n  algoritm: x\n"
        #expect(
            diagnostics(yaml) == [
                #"test.yaml:1:1: error: missing required key "idempotency" in the adapter file"#,
                #"test.yaml:1:1: error: missing required key "mapping" in the adapter file"#,
                #"test.yaml:4:3: error: unknown key "algoritm" in signature; allowed keys: scheme, algorithm, header, "#
                    + "signed, encoding, prefix, separator, secret, secret_prefix, timestamp",
            ])
    }

    @Test("An unknown signature scheme is reported at its value")
    func badScheme() {
        let yaml = Self.minimal.replacingOccurrences(of: "scheme: none", with: "scheme: hmca")
        #expect(
            diagnostics(yaml) == [
                #"test.yaml:3:11: error: unknown signature scheme "hmca"; expected one of: hmac, token, basic, none"#
            ])
    }

    @Test("A missing name is reported at the mapping that lacks it")
    func missingName() {
        let yaml = Self.minimal.replacingOccurrences(of: "name: sample\n", with: "")
        #expect(diagnostics(yaml) == [#"test.yaml:1:1: error: missing required key "name" in the adapter file"#])
    }

    @Test("Problems inside values point at the character: JSON paths and templates")
    func positionsInsideValues() {
        let yaml = """
            name: sample
            signature:
              scheme: hmac
              algorithm: sha256
              header: X-Sig
              signed: "${timestamp}${body}"
              encoding: hex
            idempotency:
              - template: "${external_id}:${body_md5}"
            mapping:
              external_id: $.detail..id
            """
        #expect(
            diagnostics(yaml) == [
                "test.yaml:6:11: error: signed includes ${timestamp}, so the signature needs timestamp: {header: …}",
                "test.yaml:9:31: error: idempotency template: unknown placeholder ${body_md5}; expected one of: "
                    + "${external_id}, ${body_sha256}",
                #"test.yaml:11:25: error: external_id "$.detail..id": expected a member name after ".""#,
            ])
    }

    @Test("A fetch URL cannot use what is not decided yet, and its mapping names no external_id")
    func fetchProblems() {
        let yaml = """
            name: sample
            signature: { scheme: none }
            idempotency:
              - path: $.id
            mapping:
              external_id: $.id
            fetch:
              url: "${settings.base_url}/tickets/${decision.department}"
              mapping:
                external_id: $.id
                subject: $.title
            """
        #expect(
            diagnostics(yaml) == [
                "test.yaml:8:8: error: ${decision.department} cannot be used in a fetch URL (nothing is decided yet); "
                    + "use ${settings.NAME}, ${ticket.external_id} or ${ticket.source}",
                "test.yaml:10:5: error: unknown key \"external_id\" in fetch.mapping; allowed keys: subject, body, tags, "
                    + "requester_name, requester_email, channel, language, priority, status, custom_fields, fields, clean_body",
            ])
    }

    @Test("Every problem of a file is listed in one run")
    func manyProblems() {
        let yaml = """
            name: Sample Adapter
            signature:
              scheme: none
              header: X-Sig
            idempotency: $.id
            mapping:
              subject: $.subject
            write_back:
              method: SEND
              url: "${settings.base_url}/tickets/${decision.priority}"
              body:
                group: "${targett}"
            """
        #expect(
            diagnostics(yaml) == [
                #"test.yaml:1:7: error: adapter name "Sample Adapter" must be lower-case letters, digits, "-" and "_", "#
                    + "starting with a letter or digit (it appears in webhook URLs)",
                #"test.yaml:4:3: error: "header" does not apply to scheme none; remove it"#,
                #"test.yaml:5:14: error: idempotency must be a list of sources, such as "- header: Idempotency-Key""#,
                #"test.yaml:7:3: error: missing required key "external_id" in mapping"#,
                #"test.yaml:9:11: error: unknown method "SEND"; expected one of: GET, POST, PUT, PATCH, DELETE"#,
                "test.yaml:10:8: error: ${decision.priority} cannot be used in a URL (it may be absent or a list); use "
                    + "${target}, ${settings.NAME}, ${ticket.external_id}, ${ticket.source}, ${decision.department} or ${decision.stage}",
                #"test.yaml:12:13: error: unknown reference ${targett} in the write-back body; expected one of: "#
                    + "${target}, ${merged_tags}, ${decision.department}, ${decision.priority}, ${decision.tags}, ${decision.fields}, "
                    + "${decision.fields.NAME}, ${decision.confidence}, ${decision.stage}, ${decision.decided_by}, ${decision.decided_at}, ${decision.explanation}, "
                    + "${ticket.external_id}, ${ticket.source}, ${ticket.tags}, ${ticket.channel}, ${ticket.language}, ${settings.NAME}, ${platform.priority}, ${platform.priority.NAME} "
                    + #"("?" before the closing brace leaves the member out when the value is absent; "$$" writes a literal "$")"#,
            ])
    }

    @Test("YAML syntax errors and duplicate keys keep their position")
    func yamlErrors() {
        #expect(
            diagnostics("name: sample\nsignature: [scheme: none\n").first?.hasPrefix(
                "test.yaml:3:1: error: YAML syntax error: ")
                == true)
        #expect(
            diagnostics(Self.minimal + "\nname: other\n") == [
                #"test.yaml:1:1: error: key "name" appears more than once in one mapping; keep one"#
            ])
    }

    @Test("A directory: other files are ignored, two files with one name are an error, an empty one too")
    func directoryLoading() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchyard-webhooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        #expect(throws: AdapterLoadError.self) { try AdapterRegistry.load(directory: directory) }

        try Self.minimal.write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try "not an adapter".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        // Hidden files are skipped, as in the rule folder (an editor's backup of a.yaml).
        try "name: [".write(to: directory.appendingPathComponent(".a.yaml"), atomically: true, encoding: .utf8)
        #expect(try AdapterRegistry.load(directory: directory).names == ["sample"])

        try ("# copy\n" + Self.minimal).write(
            to: directory.appendingPathComponent("b.yml"), atomically: true, encoding: .utf8)
        do {
            _ = try AdapterRegistry.load(directory: directory)
            Issue.record("two adapters named sample were accepted")
        } catch {
            let path = directory.appendingPathComponent("b.yml").path
            let first = directory.appendingPathComponent("a.yaml").path
            #expect(
                error.diagnostics.map(\.description) == [
                    "\(path):2:7: error: adapter \"sample\" is already defined in \(first); give each adapter file its own name"
                ])
        }
    }

    @Test("A new platform is a new file: a GitHub-issues adapter written as data")
    func newPlatformAsData() throws {
        let yaml = """
            name: github
            signature:
              scheme: hmac
              algorithm: sha256
              header: X-Hub-Signature-256
              signed: "${body}"
              encoding: hex
              prefix: "sha256="
            idempotency:
              - header: X-GitHub-Delivery
            events:
              type: $.action
              new: [opened]
            mapping:
              external_id: $.issue.number
              subject: $.issue.title
              body: $.issue.body
              tags: $.issue.labels_text
            write_back:
              method: POST
              url: "${settings.api_url}/repos/${settings.repository}/issues/${ticket.external_id}/labels"
              headers:
                Accept: application/vnd.github+json
              body:
                labels: ["${decision.department}", "${settings.extra_label?}"]
            """
        let github = try Adapter(yaml: yaml, file: "github.yaml")
        let body = Array(#"{"action":"opened","issue":{"number":1347,"title":"Card blocked","body":"Help"}}"#.utf8)
        let headers = Fixtures.headers(["X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"])
        let inbound = try github.decode(body: body, headers: headers)
        #expect(inbound.ticket.externalID == "1347")
        #expect(inbound.idempotencyKey == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        #expect(throws: WebhookError.missingIdempotencyKey(tried: ["header X-GitHub-Delivery"])) {
            try github.decode(body: body, headers: HTTPFields())
        }

        let settings = AdapterSettings(values: ["api_url": "https://api.github.com", "repository": "acme/support"])
        let request = try #require(
            try github.writeBack(for: Fixtures.decision(), ticket: inbound.ticket, settings: settings))
        #expect(request.url == "https://api.github.com/repos/acme/support/issues/1347/labels")
        #expect(request.headers == ["Accept": "application/vnd.github+json", "Content-Type": "application/json"])
        #expect(try Fixtures.json(request.body) == ["labels": ["cards"]])
    }

    @Test("A body setting that is not configured is an error that names it")
    func missingBodySetting() throws {
        let yaml =
            Self.minimal + """

                write_back:
                  method: POST
                  url: "${settings.url}"
                  body:
                    queue: "${settings.queue}"
                """
        let adapter = try Adapter(yaml: yaml, file: "test.yaml")
        let ticket = Ticket(externalID: "1", source: "sample")
        #expect(throws: WebhookError.missingSetting("queue")) {
            try adapter.writeBack(
                for: Fixtures.decision(), ticket: ticket,
                settings: AdapterSettings(values: ["url": "https://x.example"]))
        }
    }
}
