import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer
import SwitchyardTestSupport
import SwitchyardYAML
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

    /// The one problem a file with one mistake has.
    func problem(_ text: String, environment: [String: String] = [:]) throws -> Diagnostic {
        let error = try #require(failure(text, environment: environment))
        #expect(error.problems.count == 1, "\(error)")
        return error.problems[0]
    }

    @Test("providers: text is redacted by default for remote servers, not for one on this machine; dialect and bounds are read")
    func providerDefaults() throws {
        let configuration = try parse(Self.minimal + """

            model:
              chain: [openai, gemma, azure]
              providers:
                openai: { type: openai, model: gpt-4o-mini }
                gemma: { type: openai, model: gemma-3-270m, base_url: "http://127.0.0.1:8000/v1", dialect: llama-cpp-python, max_tokens: 64 }
                azure: { type: openai, model: m, base_url: "https://r.openai.azure.com/openai/deployments/d", dialect: azure, redact: false, system_message: true }
            """)
        guard case .llm(let openAI)? = configuration.model.providers["openai"], case .llm(let gemma)? = configuration.model.providers["gemma"],
            case .llm(let azure)? = configuration.model.providers["azure"], case .chatCompletions(let openAIChat) = openAI.api,
            case .chatCompletions(let gemmaChat) = gemma.api, case .chatCompletions(let azureChat) = azure.api
        else {
            Issue.record("providers not read: \(configuration.model.providers)")
            return
        }
        #expect(openAI.redactsPersonalData && openAIChat.dialect == .openai && openAI.maxTokens == 200)
        #expect(!gemma.redactsPersonalData, "a local server may read the text as it is")
        #expect(gemmaChat.dialect == .llamaCppPython && gemma.maxTokens == 64 && gemmaChat.systemMessage == nil)
        #expect(!azure.redactsPersonalData && azureChat.dialect == .azure && azureChat.systemMessage == true)
        #expect(azureChat.apiVersion == "2024-10-21")
        #expect(openAI.streaming == false && openAI.retry.maxRetries == 1 && openAI.circuitBreaker == CircuitBreaker.Settings())
    }

    @Test("gateway keys: Anthropic and Gemini providers, timeouts, retries, streaming, concurrency and the circuit breaker")
    func gatewaySettings() throws {
        let configuration = try parse(Self.minimal + """

            model:
              chain: [claude, gemini, openai]
              providers:
                claude: { type: anthropic, model: claude-haiku-4-5, api_key: sk-ant, stream: true, circuit_breaker: off, price: { input: 1, output: 5 }, daily_budget: 2.5 }
                gemini:
                  type: gemini
                  model: gemini-2.5-flash
                  logprobs: true
                  concurrency: 8
                  circuit_breaker: { window: 2m, minimum_calls: 20, failure_ratio: 0.25, open_for: 10s, half_open_probes: 2 }
                openai:
                  type: openai
                  model: gpt-4o-mini
                  connect_timeout: 2s
                  first_token_timeout: 3s
                  idle_timeout: 1s
                  timeout: 8s
                  max_retries: 3
                  retry_backoff: 100ms
                  max_backoff: 2s
            """)
        guard case .llm(let claude)? = configuration.model.providers["claude"], case .llm(let gemini)? = configuration.model.providers["gemini"],
            case .llm(let openAI)? = configuration.model.providers["openai"]
        else {
            Issue.record("providers not read: \(configuration.model.providers)")
            return
        }
        #expect(claude.api == .anthropic(version: "2023-06-01") && claude.baseURL == "https://api.anthropic.com/v1")
        #expect(claude.streaming && claude.circuitBreaker == nil && claude.apiKey == "sk-ant")
        #expect(claude.prices == TokenPrices(inputPerMillion: 1, outputPerMillion: 5) && gemini.prices == nil)
        #expect(claude.dailyBudget == 2.5 && gemini.dailyBudget == nil)
        #expect(gemini.api == .gemini && gemini.baseURL == "https://generativelanguage.googleapis.com/v1beta")
        #expect(gemini.logprobs && gemini.concurrency == 8)
        #expect(
            gemini.circuitBreaker
                == CircuitBreaker.Settings(window: .seconds(120), minimumCalls: 20, failureRatio: 0.25, openDuration: .seconds(10), halfOpenProbes: 2))
        #expect(openAI.connectTimeout == .seconds(2))
        #expect(openAI.timeouts == ProviderTimeouts(firstToken: .seconds(3), idle: .seconds(1), total: .seconds(8)))
        #expect(openAI.retry.maxRetries == 3 && openAI.retry.initialBackoff == .milliseconds(100) && openAI.retry.maximumBackoff == .seconds(2))
        #expect(openAI.concurrency == nil && openAI.circuitBreaker == CircuitBreaker.Settings(), "no limit, the breaker on by default")
    }

    @Test("model.redaction.patterns are read in order, with their labels")
    func redactionPatterns() throws {
        let configuration = try parse(
            Self.minimal + """

                model:
                  redaction:
                    patterns:
                      - { label: NINO, pattern: '(?i)\\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]\\b' }
                      - { label: POLICY_NO, pattern: 'POL-\\d{6}' }
                """)
        #expect(configuration.model.redactionPatterns.map(\.label) == ["NINO", "POLICY_NO"])
        #expect(configuration.model.redactionPatterns[1].pattern == #"POL-\d{6}"#)
        #expect(try parse(Self.minimal).model.redactionPatterns.isEmpty)
    }

    @Test("redaction pattern mistakes are refused at their key", arguments: [
        ("[{ label: ni, pattern: 'x' }]", "model.redaction.patterns[0].label", "upper-case letters"),
        ("[{ label: SSN, pattern: 'x' }]", "model.redaction.patterns[0].label", "is a built-in kind"),
        ("[{ label: A, pattern: 'x' }, { label: A, pattern: 'y' }]", "model.redaction.patterns[1].label", "used by an earlier pattern"),
        ("[{ label: A, pattern: '(unclosed' }]", "model.redaction.patterns[0].pattern", "invalid regular expression"),
        ("[{ label: A, pattern: '(\\d+)+X' }]", "model.redaction.patterns[0].pattern", "must not be able to backtrack"),
        ("[{ label: A, pattern: '\\d*' }]", "model.redaction.patterns[0].pattern", "matches empty text"),
        ("[{ label: A }]", "model.redaction.patterns[0]", "pattern"),
        ("{ label: A, pattern: x }", "model.redaction.patterns", "a list of patterns"),
    ])
    func redactionPatternMistakes(patterns: String, keyPath: String, message: String) throws {
        let error = try problem(Self.minimal + "\nmodel:\n  redaction:\n    patterns: " + patterns + "\n")
        #expect(error.message.contains(keyPath), "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    /// The YAML blocks of `Docs/<file>`; blocks inside a list item are indented, and their lines
    /// lose the item's indentation.
    static func documentedYAML(_ file: String) throws -> [String] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Docs/\(file)"), encoding: .utf8)
        return text.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
            .map { block in
                let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
                let indent = lines.first?.prefix { $0 == " " }.count ?? 0
                return lines.map { String($0.dropFirst(indent)) }.joined(separator: "\n")
            }
    }

    @Test("the `quality:` example in Docs/quality.md loads with its values")
    func documentedQualityExampleLoads() throws {
        let example = try #require(try Self.documentedYAML("quality.md").first { $0.hasPrefix("quality:") })
        let quality = try parse(Self.minimal + "\n" + example, environment: ["QUALITY_ALERT_WEBHOOK": "https://hooks.example.com/q"]).quality
        #expect(quality.windowDays == 7 && quality.referenceDays == 28 && quality.checkInterval == .seconds(300))
        #expect(quality.alertWebhook == "https://hooks.example.com/q")
    }

    @Test("every `model:` and `adapters:` example in Docs/models.md loads")
    func documentedModelExamplesLoad() throws {
        let examples = try Self.documentedYAML("models.md").filter { $0.hasPrefix("model:") || $0.hasPrefix("adapters:") }
        #expect(examples.count >= 4)
        #expect(examples.contains { $0.contains("priority: low") })
        for example in examples {
            let environment = ["OPENAI_API_KEY": "sk-x", "ANTHROPIC_API_KEY": "sk-ant-x", "GENERIC_WEBHOOK_SECRET": "s3cret"]
            #expect(throws: Never.self, "\(example)") { try parse(Self.minimal + "\n" + example, environment: environment) }
        }
    }

    @Test("gateway mistakes are refused at their key", arguments: [
        ("claude: { type: anthropic, model: m, logprobs: true }", "model.providers.claude.logprobs", "no log-probabilities"),
        ("claude: { type: anthropic, model: m, dialect: vllm }", "model.providers.claude", "unknown key \"dialect\""),
        ("g: { type: gemini, model: m, version: x }", "model.providers.g", "unknown key \"version\""),
        ("o: { type: openai, model: m, circuit_breaker: on }", "model.providers.o.circuit_breaker", "off or a mapping"),
        ("o: { type: openai, model: m, circuit_breaker: { failure_ratio: 0 } }", "model.providers.o.circuit_breaker.failure_ratio", "between"),
        ("o: { type: openai, model: m, circuit_breaker: { trip_after: 3 } }", "model.providers.o.circuit_breaker", "unknown key \"trip_after\""),
        ("o: { type: openai, model: m, max_retries: 11 }", "model.providers.o.max_retries", "between 0 and 10"),
        ("o: { type: openai, model: m, retry_backoff: 2s, max_backoff: 1s }", "model.providers.o.max_backoff", "shorter than retry_backoff"),
        ("o: { type: openai, model: m, concurrency: 0 }", "model.providers.o.concurrency", "between 1 and"),
        ("o: { type: openai, model: m, price: { input: 0.15 } }", "model.providers.o.price", "output"),
        ("o: { type: openai, model: m, daily_budget: 5 }", "model.providers.o.daily_budget", "needs the provider's price"),
        ("o: { type: openai, model: m, price: { input: -1, output: 1 } }", "model.providers.o.price.input", "between"),
        ("o: { type: openai, model: m, api_version: 2024-10-21 }", "model.providers.o.api_version", "dialect azure only"),
        ("o: { type: bedrock, model: m }", "model.providers.o.type", "use one of: local, openai, anthropic, gemini"),
        ("o: { type: openai, model: m, examples: 21 }", "model.providers.o.examples", "between 0 and 20"),
        ("o: { type: openai, model: m, batch: yes }", "model.providers.o.batch", "on, off or a mapping"),
        ("o: { type: openai, model: m, batch: { max_requests: 0 } }", "model.providers.o.batch.max_requests", "between 1 and 50000"),
        ("o: { type: openai, model: m, batch: { price_ratio: 2 } }", "model.providers.o.batch.price_ratio", "between 0"),
        ("o: { type: openai, model: m, batch: { window: 24h } }", "model.providers.o.batch", "unknown key \"window\""),
        ("o: { type: openai, model: m, dialect: vllm, batch: on }", "model.providers.o.batch", "dialect vllm has no batch API"),
        ("g: { type: gemini, model: m, batch: on }", "model.providers.g.batch", "only OpenAI's and Anthropic's"),
    ])
    func gatewayMistakes(snippet: String, keyPath: String, message: String) throws {
        let error = try problem(Self.minimal + "\nmodel:\n  chain: [local]\n  providers:\n    local: { type: local, training_data: [t.csv] }\n    " + snippet + "\n")
        #expect(error.message.contains(keyPath), "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.location.line > 5)
    }

    @Test("examples need a local model's features; model.examples is checked at its keys")
    func exampleMistakes() throws {
        let withoutLocal = try problem(
            Self.minimal + "\nmodel:\n  chain: [o]\n  providers:\n    o: { type: openai, model: m, examples: 3 }\n")
        #expect(withoutLocal.message.contains("model.providers.o.examples"), "\(withoutLocal)")
        #expect(withoutLocal.message.contains("define a provider of type local"), "\(withoutLocal)")
        let pool = try problem(
            Self.minimal + "\nmodel:\n  examples: { pool: 0 }\n  providers:\n    local: { type: local, training_data: [t.csv] }\n")
        #expect(pool.message.contains("model.examples.pool") && pool.message.contains("between 1 and"), "\(pool)")
        let key = try problem(
            Self.minimal + "\nmodel:\n  examples: { count: 3 }\n  providers:\n    local: { type: local, training_data: [t.csv] }\n")
        #expect(key.message.contains("model.examples") && key.message.contains("unknown key \"count\""), "\(key)")
        let configuration = try parse(
            Self.minimal + "\nmodel:\n  chain: [o]\n  examples: { pool: 500, refresh_interval: 30s }\n  providers:\n"
                + "    local: { type: local, training_data: [t.csv] }\n    o: { type: openai, model: m, examples: 3 }\n")
        #expect(configuration.model.examples.pool == 500 && configuration.model.examples.refreshInterval == .seconds(30))
        guard case .llm(let settings) = configuration.model.providers["o"] else { Issue.record("o is an LLM provider"); return }
        #expect(settings.examples == 3)
    }

    @Test("batch: on takes the defaults, a mapping sets each, off is no batch API")
    func batchSettings() throws {
        func batch(_ snippet: String) throws -> LLMProviderSettings.BatchSettings? {
            let configuration = try parse(
                Self.minimal + "\nmodel:\n  chain: [o]\n  providers:\n    o: { type: \(snippet) }\n")
            guard case .llm(let settings) = configuration.model.providers["o"] else {
                Issue.record("o is an LLM provider")
                return nil
            }
            return settings.batch
        }
        let defaults = try #require(try batch("openai, model: m, batch: on"))
        #expect(defaults.queue == BatchQueue.Settings() && defaults.priceRatio == 0.5)
        #expect(defaults.queue.maxRequests == 1000 && defaults.queue.maxWait == .seconds(60) && defaults.queue.pollInterval == .seconds(30))
        let set = try #require(
            try batch("anthropic, model: m, batch: { max_requests: 200, max_wait: 5m, poll_interval: 1m, price_ratio: 0.4 }"))
        #expect(set.queue == BatchQueue.Settings(maxRequests: 200, maxWait: .seconds(300), pollInterval: .seconds(60)))
        #expect(set.priceRatio == 0.4)
        #expect(try batch("openai, model: m, batch: off") == nil)
        #expect(try batch("openai, model: m") == nil)
    }

    @Test("quality: defaults, every key, and mistakes refused at their key")
    func qualitySettings() throws {
        let defaults = try parse(Self.minimal).quality
        #expect(defaults == Configuration.QualitySettings())
        #expect(defaults.windowDays == 7 && defaults.referenceDays == 28 && defaults.accuracyThreshold == 0.9)
        #expect(defaults.minimumJudged == 20 && defaults.checkInterval == .seconds(300) && defaults.alertWebhook == nil)
        let set = try parse(
            Self.minimal + """

                quality:
                  window: 14d
                  reference_window: 56d
                  accuracy_threshold: 0.85
                  min_judged: 50
                  mix_threshold: 0.3
                  min_decided: 500
                  check_interval: 1m
                  alert_webhook: https://hooks.slack.com/services/T000/B000/XXXX
                """
        ).quality
        #expect(set.windowDays == 14 && set.referenceDays == 56 && set.accuracyThreshold == 0.85 && set.minimumJudged == 50)
        #expect(set.mixThreshold == 0.3 && set.minimumDecided == 500 && set.checkInterval == .seconds(60))
        #expect(set.alertWebhook == "https://hooks.slack.com/services/T000/B000/XXXX")
        for (snippet, keyPath, message) in [
            ("window: 36h", "quality.window", "whole days"),
            ("reference_window: 400d", "quality.reference_window", "whole days from 1d to 365d"),
            ("accuracy_threshold: 1.5", "quality.accuracy_threshold", "between"),
            ("alert_webhook: hooks.slack.com/x", "quality.alert_webhook", "absolute http:// or https:// URL"),
            ("threshold: 0.9", "quality", "unknown key \"threshold\""),
        ] {
            let error = try problem(Self.minimal + "\nquality:\n  " + snippet + "\n")
            #expect(error.message.contains(keyPath), "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("priority: low defers an adapter's tickets up to max_delay (15m by default); mistakes are refused at their key")
    func lowPriorityAdapters() throws {
        let adapters = "\nadapters:\n  generic:\n    allow_unsigned: true\n"
        let low = try parse(Self.minimal + adapters + "    priority: low\n")
        #expect(low.adapters["generic"]?.lowPriorityDelay == .seconds(900))
        let bounded = try parse(Self.minimal + adapters + "    priority: low\n    max_delay: 2m\n")
        #expect(bounded.adapters["generic"]?.lowPriorityDelay == .seconds(120))
        #expect(try parse(Self.minimal + adapters + "    priority: normal\n").adapters["generic"]?.lowPriorityDelay == nil)
        for (snippet, message) in [
            ("    max_delay: 2m\n", "max_delay applies to priority: low only"),
            ("    priority: low\n    max_delay: 2d\n", "between 1s and 24h"),
            ("    priority: urgent\n", "priority"),
        ] {
            let error = try problem(Self.minimal + adapters + snippet)
            #expect(error.message.contains("adapters.generic"), "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("the sample configuration loads with the local model chain and both adapters")
    func sampleConfiguration() throws {
        let configuration = try Configuration.load(
            path: packageRoot.appendingPathComponent("Samples/switchyard.yaml").path, environment: [:])
        #expect(configuration.departments.ids.count == 8)
        #expect(configuration.model.chain == ["local"])
        #expect(configuration.adapters.keys.sorted() == ["generic", "zendesk"])
        #expect(configuration.adapters["zendesk"]?.secrets == ["sample-zendesk-secret"])
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
        let error = try problem(bomb + Self.minimal)
        #expect(error.location.line == 1)
        #expect(error.message.contains("aliases (*name) expand this file"), "\(error)")
        let big = try problem(Self.minimal + String(repeating: "# padding\n", count: 110_000))
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
        #expect(configuration.adapters["zendesk"]?.secrets == ["s3cret"])
        #expect(configuration.adapters["zendesk"]?.settings["base_url"] == "https://acme.zendesk.com")
        let rotating = try parse(
            Self.minimal + "\nadapters:\n  zendesk:\n    secret: [\"${NEW}\", \"${OLD}\"]\n", environment: ["NEW": "n3w", "OLD": "0ld"])
        #expect(rotating.adapters["zendesk"]?.secrets == ["n3w", "0ld"])

        let error = try problem(text)
        #expect(error.description == "switchyard.yaml:7:13: error: adapters.zendesk.secret: environment variable ZENDESK_SECRET is not set (write ${ZENDESK_SECRET:-default} to give a default)")
    }

    // The snippets start on line 5, after `minimal`.
    @Test("errors give file, line, column, key path and reason", arguments: [
        ("server:\n  port: 99999\n", "6:9: error: server.port must be between 0 and 65535, found 99999"),
        ("server:\n  port: ${PORT:-80x}\n", "6:9: error: server.port must be a whole number, found \"80x\""),
        ("server:\n  port: [1]\n", "6:9: error: server.port must be a string, found a list"),
        ("server:\n  max_body_byte: 10\n", "6:3: error: unknown key \"max_body_byte\" in server; allowed keys: host, port, "
            + "max_body_bytes, idle_timeout, body_timeout, max_header_bytes, max_connections, rate_limit"),
        ("server: 8080\n", "5:9: error: server must be a mapping of keys to values, found \"8080\""),
        ("model:\n  chain: [openai]\n", "6:10: error: model.chain: provider \"openai\" is not defined under model.providers (defined: local)"),
        ("model:\n  deadline: soon\n", "6:13: error: model.deadline must be a duration such as 250ms, 10s, 5m, 1h or 90d, found \"soon\""),
        ("model:\n  deadline: 0s\n", "6:13: error: model.deadline must be longer than zero"),
        ("model:\n  confidence_threshold: 1.5\n", "6:25: error: model.confidence_threshold must be between 0.0 and 1.0, found 1.5"),
        ("adapters:\n  zendesk:\n    settings: {}\n", "7:5: error: adapters.zendesk: set `secret` (the webhook signing secret, "
            + "e.g. secret: ${ZENDESK_WEBHOOK_SECRET}) or `allow_unsigned: true` for local testing"),
        ("adapters:\n  zendesk:\n    secret: \"\"\n", "7:13: error: adapters.zendesk.secret is empty: give the webhook signing "
            + "secret, or set `allow_unsigned: true` for local testing"),
        ("adapters:\n  zendesk: { allow_unsigned: true, targets: { billing: 7 } }\n", "6:47: error: adapters.zendesk.targets.billing: "
            + "\"billing\" is not a configured department (cards, other)"),
        ("adapters:\n  zendesk: { secret: s3cret, allow_unsigned: true }\n", "6:22: error: adapters.zendesk: allow_unsigned: true "
            + "would ignore the secret and accept any signature; remove one of them"),
        ("adapters:\n  zendesk: { secret: s3cret, concurrency: 0 }\n", "6:43: error: adapters.zendesk.concurrency must be between 1 and 64, found 0"),
        ("adapters:\n  zendesk: { secret: [a, b, c] }\n", "6:22: error: adapters.zendesk.secret: give one secret, or two while "
            + "rotating it (the new and the old)"),
        ("model:\n  providers:\n    x:\n      type: gpt\n", "8:13: error: model.providers.x.type: unknown provider type \"gpt\"; use one of: local, openai"),
        ("model:\n  providers:\n    x: { type: openai }\n", "7:8: error: missing required key \"model\" in model.providers.x"),
        ("model:\n  providers:\n    x: { type: openai, model: m, base_url: ftp://h }\n", "7:44: error: model.providers.x.base_url must be "
            + "an absolute http:// or https:// URL, found \"ftp://h\""),
        ("model:\n  providers:\n    x: { type: openai, model: m, dialect: gpt }\n", "7:43: error: model.providers.x.dialect: unknown "
            + "dialect \"gpt\"; use one of: openai, azure, ollama, llama-server, llama-cpp-python, vllm, json"),
        ("model:\n  providers:\n    x: { type: openai, model: m, api_version: 2024-10-21 }\n", "7:47: error: model.providers.x.api_version "
            + "applies to dialect azure only; remove it"),
        ("model:\n  providers:\n    x: { type: openai, model: m, max_tokens: 5 }\n", "7:46: error: model.providers.x.max_tokens must be "
            + "between 16 and 4096, found 5"),
        ("rules:\n  directory: \"${RULES\"\n", "6:15: error: rules.directory: unterminated ${ (no closing })"),
        ("fallback:\n  local_model: maybe\n", "6:16: error: fallback.local_model must be true or false, found \"maybe\""),
    ])
    func preciseErrors(snippet: String, expected: String) throws {
        let error = try problem(Self.minimal + "\n" + snippet)
        #expect(error.description.hasPrefix("switchyard.yaml:" + expected), "\(error)")
    }

    @Test("every problem in the file is reported in one run, in file order")
    func everyProblemAtOnce() throws {
        let error = try #require(failure("""
            departments:
              - id: Cards
              - id: other
            default_department: billing
            server:
              port: http
              hots: 0.0.0.0
            triage:
              workers: 0
            """))
        #expect(error.description == """
            switchyard.yaml:2:9: error: departments[0].id: department ids use lower-case letters, digits, _ . and -, found "Cards"
            switchyard.yaml:4:21: error: default_department "billing" is not one of the departments: other
            switchyard.yaml:6:9: error: server.port must be a whole number, found "http"
            switchyard.yaml:7:3: error: unknown key "hots" in server; allowed keys: host, port, max_body_bytes, idle_timeout, body_timeout, max_header_bytes, max_connections, rate_limit
            switchyard.yaml:9:12: error: triage.workers must be between 1 and 256, found 0
            """)
    }

    @Test("triage.lease must outlast the longest decision: model.deadline plus the local fallback's second")
    func leaseOutlastsDecision() throws {
        let short = try problem(Self.minimal + "\ntriage:\n  lease: 5s\nmodel:\n  deadline: 4s\n")
        #expect(short.location.line == 6)
        #expect(short.message.contains("triage.lease (5s) must be longer"), "\(short)")
        #expect(short.message.contains("model.deadline (4s) plus 1s"), "\(short)")
        #expect(short.message.contains("above 5s"), "\(short)")

        // With the default lease (60s), the model deadline is the setting to blame.
        let longDeadline = try problem(Self.minimal + "\nmodel:\n  deadline: 59500ms\n")
        #expect(longDeadline.location.line == 6, "reported at model.deadline")
        #expect(longDeadline.message.contains("triage.lease (60s)"), "\(longDeadline)")
        #expect(longDeadline.message.contains("model.deadline (59500ms)"), "\(longDeadline)")

        let fits = try parse(Self.minimal + "\ntriage:\n  lease: 5001ms\nmodel:\n  deadline: 4s\n")
        #expect(fits.triage.lease == .milliseconds(5001))
    }

    @Test("the default department must be a configured one")
    func unknownDefaultDepartment() throws {
        let error = try problem("departments:\n  - id: cards\ndefault_department: billing\n")
        #expect(error.description == "switchyard.yaml:3:21: error: default_department \"billing\" is not one of the departments: cards")
        let none = try problem("departments: []\ndefault_department: other\n")
        #expect(none.description == "switchyard.yaml:1:14: error: departments: list at least one department")
        let missing = try problem("default_department: other\n")
        #expect(missing.description == "switchyard.yaml:1:1: error: missing required key \"departments\" in the configuration")
    }

    @Test("YAML syntax errors point at the line")
    func syntaxError() throws {
        let error = try problem("departments:\n  - id: [cards\n")
        #expect(error.location.line > 0)
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
        ("storage:\n  engine: mongodb\n", "storage.engine", "unknown storage engine \"mongodb\"; use one of: sqlite, postgres"),
        ("storage:\n  retention: 30m\n", "storage.retention", "at least 1h"),
        ("storage:\n  heartbeat_interval: 6s\n", "storage.heartbeat_interval", "at least twice"),
    ])
    func storageMistakes(snippet: String, keyPath: String, message: String) throws {
        let error = try problem(Self.minimal + "\n" + snippet)
        #expect(error.message.contains(keyPath), "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.location.line > 5)
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
        ("adapters:\n  generic:\n    allow_unsigned: true\n    model_rate_limit: 5\n", "adapters.generic.model_rate_limit", "off or a mapping"),
        ("server:\n  rate_limit: { burst: 5 }\n", "server.rate_limit", "per_second"),
        ("server:\n  rate_limit: { per_second: 0 }\n", "server.rate_limit.per_second", "must be between 0.001 and"),
        ("server:\n  rate_limit: { per_second: 5, burst: 0 }\n", "server.rate_limit.burst", "must be between 1 and"),
        ("server:\n  rate_limit: { per_second: 5, per_minute: 5 }\n", "server.rate_limit", "unknown key \"per_minute\""),
    ])
    func rateLimitMistakes(snippet: String, keyPath: String, message: String) throws {
        let error = try problem(Self.minimal + "\n" + snippet)
        #expect(error.message.contains(keyPath), "\(error)")
        #expect(error.message.contains(message), "\(error)")
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
        let error = try problem(exposed)
        #expect(error.location.line == 6, "reported at server.host")
        #expect(error.message.contains("server.host \"0.0.0.0\" is reachable from the network but access.tokens is empty"), "\(error)")
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
        let error = try problem(Self.minimal + "\naccess:\n  tokens:\n    " + snippet + "\n")
        #expect(error.message.contains(keyPath), "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test("departments may list the training labels that stand for them; the local model's columns can be named")
    func departmentLabels() throws {
        let configuration = try parse("""
            departments:
              - { id: cards, labels: [card_arrival, "Card linking"] }
              - id: refund_not_showing_up
              - id: other
            default_department: other
            model:
              chain: [local]
              providers:
                local: { type: local, training_data: [train.csv], text_column: utterance, label_column: intent }
            """)
        #expect(configuration.departments["cards"]?.labels == ["card_arrival", "Card linking"])
        #expect(configuration.departments.department(forLabel: "Card linking") == "cards")
        #expect(configuration.departments.department(forLabel: "Refund_not_showing_up") == "refund_not_showing_up")
        guard case .local(let local)? = configuration.model.providers["local"] else {
            Issue.record("no local provider: \(configuration.model.providers)")
            return
        }
        #expect(local.trainingData == ["/srv/switchyard/train.csv"] && local.textColumn == "utterance" && local.labelColumn == "intent")
        guard case .local(let defaults)? = try parse(Self.minimal).model.providers["local"] else { return }
        #expect(defaults.textColumn == "text" && defaults.labelColumn == "department")
    }

    @Test("label mistakes are refused at their key", arguments: [
        ("- { id: cards, labels: [a, b] }\n  - { id: other, labels: [b] }", "departments[1].labels", "already listed by department \"cards\""),
        ("- { id: cards, labels: [other] }\n  - { id: other }", "departments[0].labels", "is the id of another department"),
        ("- { id: cards, labels: [\"  \"] }\n  - { id: other }", "departments[0].labels", "a label is empty"),
        ("- { id: cards, labels: { a: b } }\n  - { id: other }", "departments[0].labels", "a list"),
    ])
    func labelMistakes(snippet: String, keyPath: String, message: String) throws {
        let error = try problem("departments:\n  " + snippet + "\ndefault_department: other\n")
        #expect(error.message.contains(keyPath), "\(error)")
        #expect(error.message.contains(message), "\(error)")
    }

    @Test("Docs/configuration.md's departments example loads: intents grouped, ids for labels that are not ids")
    func documentedDepartmentsExample() throws {
        let example = try #require(try Self.documentedYAML("configuration.md").first { $0.hasPrefix("departments:") && $0.contains("labels:") })
        let departments = try parse(example + "\ndefault_department: cards\n").departments
        #expect(departments.department(forLabel: "card_linking") == "cards")
        #expect(departments.department(forLabel: "Refund_not_showing_up") == "refund_not_showing_up")
        #expect(departments.department(forLabel: "reverted_card_payment?") == "reverted_card_payment")
    }

    @Test("abstention: a human-triage department, thresholds by department and a default; mistakes refused at their key")
    func abstention() throws {
        let base = "departments:\n  - id: cards\n  - id: other\n  - id: triage\ndefault_department: other\n"
        let abstention = try #require(try parse(base + """
            abstention:
              department: triage
              default_threshold: 0.7
              thresholds: { cards: 0.42 }
            """).abstention)
        #expect(abstention.department == "triage" && abstention.thresholds == ["cards": 0.42] && abstention.defaultThreshold == 0.7)
        #expect(abstention.threshold(for: "other") == 0.7)
        #expect(try parse(base).abstention == nil)
        #expect(try parse(base + "abstention: { department: triage }").abstention?.defaultThreshold == 0.5)
        let mistakes: [(String, String, String)] = [
            ("abstention: { department: humans }", "abstention.department", "\"humans\" is not a configured department"),
            ("abstention: { department: triage, thresholds: { billing: 0.5 } }", "abstention.thresholds.billing", "not a configured department"),
            ("abstention: { department: triage, thresholds: { cards: 1.5 } }", "abstention.thresholds.cards", "between 0.0 and 1.0"),
            ("abstention: { thresholds: { cards: 0.5 } }", "abstention", "department"),
            ("abstention: { department: triage, threshold: 0.5 }", "abstention", "unknown key \"threshold\""),
        ]
        for (snippet, keyPath, message) in mistakes {
            let error = try problem(base + snippet + "\n")
            #expect(error.message.contains(keyPath) && error.message.contains(message), "\(error.message)")
        }
    }

    @Test("Docs/configuration.md's abstention example loads")
    func documentedAbstentionExample() throws {
        let example = try #require(try Self.documentedYAML("configuration.md").first { $0.hasPrefix("abstention:") })
        let departments = "departments:\n  - id: cards\n  - id: fees_fx\n  - id: human_triage\ndefault_department: cards\n"
        let abstention = try #require(try parse(departments + example).abstention)
        #expect(abstention.department == "human_triage" && abstention.threshold(for: "cards") == 0.973)
        #expect(abstention.threshold(for: "human_triage") == 0.943)
    }

    @Test("the local model's text and label columns must differ")
    func sameColumns() throws {
        let error = try problem(Self.minimal + """

            model:
              providers:
                local: { type: local, training_data: [a.csv], text_column: x, label_column: x }
            """)
        #expect(error.message.contains("text_column and label_column are both \"x\""), "\(error)")
    }
}
