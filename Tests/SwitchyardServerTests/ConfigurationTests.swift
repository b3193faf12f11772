import Foundation
import SwitchyardCore
import SwitchyardServer
import SwitchyardTestSupport
import Testing

@Suite struct ConfigurationTests {
    static let minimal = """
        departments:
          - id: cards
          - id: other
        default_department: other
        """

    func parse(_ text: String, environment: [String: String] = [:]) throws(ConfigurationError) -> Configuration {
        try Configuration.parse(text, file: "switchyard.yaml", baseDirectory: URL(fileURLWithPath: "/srv/switchyard"), environment: environment)
    }

    func failure(_ text: String, environment: [String: String] = [:]) -> ConfigurationError? {
        do {
            _ = try parse(text, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test("the sample configuration loads with the local model chain and both adapters")
    func sampleConfiguration() throws {
        let configuration = try Configuration.load(
            path: packageRoot.appendingPathComponent("Samples/switchyard.yaml").path, environment: [:])
        #expect(configuration.departments.ids.count == 8)
        #expect(configuration.model.chain == ["local"])
        #expect(configuration.adapters.keys.sorted() == ["generic", "zendesk"])
        #expect(configuration.adapters["zendesk"]?.secret == "sample-zendesk-secret")
        #expect(configuration.storage.path.hasSuffix("/.switchyard/switchyard.sqlite"))
        #expect(!configuration.storage.path.contains(".."))
    }

    @Test("defaults apply and relative paths resolve against the file's folder")
    func defaults() throws {
        let configuration = try parse(Self.minimal)
        #expect(configuration.server.port == 8080)
        #expect(configuration.server.maxBodyBytes == 1 << 20)
        #expect(configuration.rules.directory == "/srv/switchyard/Rules")
        #expect(configuration.storage.path == "/srv/switchyard/.switchyard/switchyard.sqlite")
        #expect(configuration.model.deadline == .seconds(10))
        #expect(configuration.defaultDepartment == "other")
    }

    @Test("the configuration is read like rule files: an alias bomb is refused at its place, a file over 1 MiB too")
    func hostileConfiguration() throws {
        var bomb = #"x-a: &a ["x","x","x","x","x","x","x","x","x"]"# + "\n"
        for (level, previous) in zip("bcdefghi", "abcdefgh") {
            bomb += "x-\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        let error = try #require(failure(bomb + Self.minimal))
        #expect(error.line == 1)
        #expect(error.message.contains("aliases (*name) expand this file"), "\(error)")
        let big = try #require(failure(Self.minimal + String(repeating: "# padding\n", count: 110_000)))
        #expect(big.message.contains("a file people edit may have at most 1048576 (1 MiB)"), "\(big)")
    }

    @Test("${NAME} and ${NAME:-default} are replaced; an unset ${NAME} is an error naming it")
    func environmentInterpolation() throws {
        let text = Self.minimal + """

            adapters:
              zendesk:
                secret: ${ZENDESK_SECRET}
                settings:
                  base_url: ${ZENDESK_URL:-https://acme.zendesk.com}
            """
        let configuration = try parse(text, environment: ["ZENDESK_SECRET": "s3cret"])
        #expect(configuration.adapters["zendesk"]?.secret == "s3cret")
        #expect(configuration.adapters["zendesk"]?.settings["base_url"] == "https://acme.zendesk.com")

        let error = try #require(failure(text))
        #expect(error.keyPath == "adapters.zendesk.secret")
        #expect(error.message.contains("ZENDESK_SECRET"))
        #expect(error.line == 7)
    }

    @Test("errors give file, line, key path and reason", arguments: [
        ("server:\n  port: 99999\n", "server.port", "between 0 and 65535"),
        ("server:\n  max_body_byte: 10\n", "server.max_body_byte", "unknown key"),
        ("model:\n  chain: [openai]\n", "model.chain", "not defined"),
        ("model:\n  deadline: soon\n", "model.deadline", "duration"),
        ("model:\n  confidence_threshold: 1.5\n", "model.confidence_threshold", "between"),
        ("adapters:\n  zendesk:\n    settings: {}\n", "adapters.zendesk", "secret"),
        ("model:\n  providers:\n    x:\n      type: gpt\n", "model.providers.x.type", "unknown provider type"),
    ])
    func preciseErrors(snippet: String, keyPath: String, message: String) throws {
        let error = try #require(failure(Self.minimal + "\n" + snippet))
        #expect(error.keyPath == keyPath)
        #expect(error.message.contains(message), "\(error)")
        #expect(error.line != nil)
        #expect(error.description.hasPrefix("switchyard.yaml:"))
    }

    @Test("triage.lease must outlast the longest decision: model.deadline plus the local fallback's second")
    func leaseOutlastsDecision() throws {
        let short = try #require(failure(Self.minimal + "\ntriage:\n  lease: 5s\nmodel:\n  deadline: 4s\n"))
        #expect(short.keyPath == "triage.lease")
        #expect(short.line == 6)
        #expect(short.message.contains("triage.lease (5s) must be longer"), "\(short)")
        #expect(short.message.contains("model.deadline (4s) plus 1s"), "\(short)")
        #expect(short.message.contains("above 5s"), "\(short)")

        // With the default lease (60s), the model deadline is the setting to blame.
        let longDeadline = try #require(failure(Self.minimal + "\nmodel:\n  deadline: 59500ms\n"))
        #expect(longDeadline.keyPath == "model.deadline")
        #expect(longDeadline.message.contains("triage.lease (60s)"), "\(longDeadline)")
        #expect(longDeadline.message.contains("model.deadline (59500ms)"), "\(longDeadline)")

        let fits = try parse(Self.minimal + "\ntriage:\n  lease: 5001ms\nmodel:\n  deadline: 4s\n")
        #expect(fits.triage.lease == .milliseconds(5001))
    }

    @Test("the default department must be a configured one")
    func unknownDefaultDepartment() throws {
        let error = try #require(failure("departments:\n  - id: cards\ndefault_department: billing\n"))
        #expect(error.keyPath == "default_department")
        #expect(error.line == 3)
        #expect(error.message.contains("cards"))
    }

    @Test("YAML syntax errors point at the line")
    func syntaxError() throws {
        let error = try #require(failure("departments:\n  - id: [cards\n"))
        #expect(error.line != nil)
        #expect(error.message.contains("YAML syntax error"))
    }

    @Test("storage for PostgreSQL: the URL from the environment, pool, timeouts and TLS; SQLite stays the default")
    func postgresStorage() throws {
        #expect(try parse(Self.minimal).storage.engine == .sqlite)
        let configuration = try parse(
            Self.minimal + """

                storage:
                  engine: postgres
                  url: ${DATABASE_URL}
                  pool_size: 4
                  statement_timeout: 2s
                  tls: require
                  retention: 90d
                  heartbeat_interval: 1s
                  instance_timeout: 5s
                """, environment: ["DATABASE_URL": "postgres://sw:pw@db:5433/tickets"])
        let storage = configuration.storage
        #expect(storage.engine == .postgres)
        #expect(storage.postgres?.host == "db" && storage.postgres?.port == 5433 && storage.postgres?.database == "tickets")
        #expect(storage.postgres?.poolSize == 4)
        #expect(storage.postgres?.statementTimeout == .seconds(2))
        #expect(storage.postgres?.tls == .require)
        #expect(storage.retention == .seconds(90 * 86400))
        #expect(storage.heartbeatInterval == .seconds(1) && storage.instanceTimeout == .seconds(5))
        #expect(storage.location == "postgres://sw@db:5433/tickets")
    }

    @Test("storage mistakes are refused at their key", arguments: [
        ("storage:\n  url: postgres://u@h/d\n", "storage.url", "set `engine: postgres`"),
        ("storage:\n  engine: postgres\n", "storage", "missing"),
        ("storage:\n  engine: postgres\n  url: postgres://u@h/d\n  path: x.sqlite\n", "storage.path", "set url instead"),
        ("storage:\n  engine: postgres\n  url: mysql://u@h/d\n", "storage.url", "expected postgres://"),
        ("storage:\n  engine: postgres\n  url: postgres://u@h/d\n  tls: allow\n", "storage.tls", "unknown tls mode"),
        ("storage:\n  engine: postgres\n  url: postgres://u@h/d\n  ca_file: ca.pem\n", "storage.ca_file", "verify-full"),
        ("storage:\n  engine: mongodb\n", "storage.engine", "use sqlite or postgres"),
        ("storage:\n  retention: 30m\n", "storage.retention", "at least 1h"),
        ("storage:\n  heartbeat_interval: 6s\n", "storage.heartbeat_interval", "at least twice"),
    ])
    func storageMistakes(snippet: String, keyPath: String, message: String) throws {
        let error = try #require(failure(Self.minimal + "\n" + snippet))
        #expect(error.keyPath == keyPath, "\(error)")
        #expect(error.description.contains(message), "\(error)")
        #expect(error.line != nil)
    }

    @Test("server.rate_limit: on by default, a mapping with burst defaulting to ten seconds' worth, or off")
    func rateLimit() throws {
        #expect(try parse(Self.minimal).server.rateLimit == RateLimit(perSecond: 100, burst: 1000))
        let given = try parse(Self.minimal + "\nserver:\n  rate_limit: { per_second: 2.5 }\n")
        #expect(given.server.rateLimit == RateLimit(perSecond: 2.5, burst: 25))
        #expect(try parse(Self.minimal + "\nserver:\n  rate_limit: off\n").server.rateLimit == nil)
    }

    @Test("rate_limit mistakes are refused at their key", arguments: [
        ("server:\n  rate_limit: 100\n", "server.rate_limit", "off or a mapping"),
        ("server:\n  rate_limit: { burst: 5 }\n", "server.rate_limit", "per_second"),
        ("server:\n  rate_limit: { per_second: 0 }\n", "server.rate_limit.per_second", "must be between 0.001 and"),
        ("server:\n  rate_limit: { per_second: 5, burst: 0 }\n", "server.rate_limit.burst", "must be between 1 and"),
        ("server:\n  rate_limit: { per_second: 5, per_minute: 5 }\n", "server.rate_limit.per_minute", "unknown key"),
    ])
    func rateLimitMistakes(snippet: String, keyPath: String, message: String) throws {
        let error = try #require(failure(Self.minimal + "\n" + snippet))
        #expect(error.keyPath == keyPath, "\(error)")
        #expect(error.description.contains(message), "\(error)")
    }

    @Test("API tokens are kept only as SHA-256 digests, given as the token or as its digest")
    func apiTokens() throws {
        let configuration = try parse(
            Self.minimal + """

                access:
                  tokens:
                    - { name: maria, role: agent, token: "${MARIA_TOKEN}" }
                    - { name: ops, role: admin, sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08 }
                  metrics: admin
                """, environment: ["MARIA_TOKEN": "maria-secret-0123456789"])
        let tokens = configuration.access.tokens
        #expect(tokens.map(\.name) == ["maria", "ops"])
        #expect(tokens.map(\.role) == [.agent, .admin])
        #expect(tokens[0].digest == APIToken.digest(of: "maria-secret-0123456789"))
        #expect(tokens[1].digest == APIToken.digest(of: "test"), "the digest of \"test\", in either case")
        #expect(configuration.access.metricsRole == .admin)
        #expect(!"\(configuration.access)".contains("maria-secret"), "the secret itself is not kept")
    }

    @Test("an API reachable from the network needs tokens, or an explicit allow_anonymous")
    func exposedAPINeedsTokens() throws {
        let exposed = Self.minimal + "\nserver:\n  host: 0.0.0.0\n"
        let error = try #require(failure(exposed))
        #expect(error.keyPath == "server.host")
        #expect(error.description.contains("access.tokens is empty"), "\(error)")
        #expect(try parse(exposed + "access:\n  allow_anonymous: true\n").access.allowAnonymous)
        #expect(try parse(exposed + "access:\n  tokens:\n    - { name: a, role: admin, token: 0123456789abcdef0123 }\n").access.tokens.count == 1)
        for loopback in ["127.0.0.1", "127.8.9.10", "::1", "localhost"] {
            #expect(throws: Never.self) { try parse(Self.minimal + "\nserver:\n  host: \"\(loopback)\"\n") }
        }
    }

    @Test("token mistakes are refused at their key", arguments: [
        ("- { name: a, role: agent, token: short }", "access.tokens[0].token", "at least 16 characters"),
        ("- { name: a, role: boss, token: 0123456789abcdef0 }", "access.tokens[0].role", "unknown role"),
        ("- { name: a, role: agent, sha256: abc }", "access.tokens[0].sha256", "64 hex digits"),
        ("- { name: a, role: agent }", "access.tokens[0]", "give the token"),
        ("- { name: 'a b', role: agent, token: 0123456789abcdef0 }", "access.tokens[0].name", "token names use"),
        ("- { name: a, role: agent, token: 0123456789abcdef0 }\n    - { name: a, role: lead, token: 0123456789abcdef1 }", "access.tokens[1].name", "listed twice"),
        ("- { name: a, role: agent, token: 0123456789abcdef0 }\n    - { name: b, role: lead, token: 0123456789abcdef0 }", "access.tokens[1]", "same secret"),
    ])
    func tokenMistakes(snippet: String, keyPath: String, message: String) throws {
        let error = try #require(failure(Self.minimal + "\naccess:\n  tokens:\n    " + snippet + "\n"))
        #expect(error.keyPath == keyPath, "\(error)")
        #expect(error.description.contains(message), "\(error)")
    }
}
