import Foundation
public import SwitchyardCore
public import SwitchyardModels
public import SwitchyardPostgres
public import SwitchyardRules
public import SwitchyardTriage

/// Everything `switchyard serve` needs, decoded from one YAML file.
///
/// Every option has a default (see `Docs/configuration.md`), so a file may name only the
/// departments. Relative paths are resolved against the folder the file is in.
public struct Configuration: Sendable {
    public var server: ServerSettings
    public var access: AccessSettings
    public var storage: StorageSettings
    public var rules: RulesSettings
    public var webhooks: WebhooksSettings
    public var departments: DepartmentCatalog
    public var defaultDepartment: DepartmentID
    public var triage: TriageSettings
    public var model: ModelSettings
    public var fallback: FallbackSettings
    public var classify: ClassifySettings
    public var writeBack: WriteBackSettings
    /// Enabled adapters by name; a webhook for any other name is answered `404`.
    public var adapters: [String: AdapterConfiguration]
    public var quality = QualitySettings()
    /// `abstention`: calibrated thresholds under which a model's answer goes to a
    /// human-triage department; nil: every confident answer routes the ticket.
    public var abstention: Abstention? = nil

    public struct ServerSettings: Sendable, Hashable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// Larger webhook bodies are refused with `413`.
        public var maxBodyBytes: Int = 1 << 20
        /// A connection that sends no request (or no complete header) for this long is closed.
        public var idleTimeout: Duration = .seconds(15)
        /// A request body not received whole within this time is answered `408`.
        public var bodyTimeout: Duration = .seconds(10)
        /// Larger request headers (all fields together) close the connection with `431`.
        public var maxHeaderBytes: Int = 16 << 10
        /// Connections open at once; more wait in the listen backlog until one closes.
        public var maxConnections: Int = 1024
        /// Tickets one caller (an adapter's webhooks, an API token's classify calls) may send;
        /// more are answered `429` with `Retry-After`. nil: no limit.
        public var rateLimit: RateLimit? = RateLimit(perSecond: 100, burst: 1000)
    }

    public struct AccessSettings: Sendable, Hashable {
        /// API tokens; none: the API is open, which is allowed on loopback only (or with `allowAnonymous`).
        public var tokens: [APIToken] = []
        /// The role `/metrics` needs; nil: open, like `/healthz`.
        public var metricsRole: Role?
        /// Serve the API without tokens on a non-loopback address (behind a proxy that authenticates).
        public var allowAnonymous: Bool = false
    }

    public struct StorageSettings: Sendable, Hashable {
        public enum Engine: String, Sendable, Hashable, CaseIterable {
            /// One SQLite file, one process: the embedded default.
            case sqlite
            /// One PostgreSQL database shared by any number of replicas.
            case postgres
        }

        public var engine: Engine = .sqlite
        /// SQLite database file; folders are created as needed.
        public var path: String = ".switchyard/switchyard.sqlite"
        /// Where PostgreSQL is, for `engine: postgres`.
        public var postgres: PostgresSettings?
        /// Ticket text and requester fields are removed this long after a ticket arrived
        /// (decided tickets only); nil keeps them.
        public var retention: Duration?
        /// How often each process proves it is alive.
        public var heartbeatInterval: Duration = .seconds(2)
        /// A process silent this long is declared dead and its claims are handed over.
        public var instanceTimeout: Duration = .seconds(10)
    }

    public struct RulesSettings: Sendable, Hashable {
        public var directory: String = "Rules"
        /// PCRE2 match limit per pattern and ticket field: hostile patterns stop here.
        public var matchLimit: UInt32 = 100_000
        /// PCRE2 depth limit per match.
        public var depthLimit: UInt32 = 10_000
        /// How often the folder is checked for changed files, which are then reloaded; nil
        /// (`off`): only `SIGHUP` and `POST /v1/rules/reload` reload.
        public var watchInterval: Duration? = .seconds(2)
    }

    public struct WebhooksSettings: Sendable, Hashable {
        /// Folder of adapter files (`zendesk.yaml`, `generic.yaml`, …).
        public var directory: String = "Webhooks"
    }

    public struct TriageSettings: Sendable, Hashable {
        /// Tickets triaged at the same time.
        public var workers: Int = 4
        /// How long a claimed ticket stays with a worker before another may take it over.
        public var lease: Duration = .seconds(60)
        /// How often idle workers look for tickets whose lease expired.
        public var pollInterval: Duration = .seconds(1)
    }

    public struct ModelSettings: Sendable, Hashable {
        /// Provider names, tried in order until one answers with enough confidence.
        public var chain: [String] = ["local"]
        /// Answers under this confidence count as a model failure and go to the fallbacks.
        public var confidenceThreshold: Double = 0.5
        /// Overall time the model stage may take for one ticket.
        public var deadline: Duration = .seconds(10)
        public var providers: [String: ProviderConfiguration] = [:]
        /// What a ticket that tries to instruct the model gets: the chain as usual, or not.
        public var onInjection: InjectionPolicy = .annotate
        /// `redaction.patterns`: kinds of personal data redacted besides the built-in ones,
        /// before them, for every provider with `redact`.
        public var redactionPatterns: [RedactionPatternSettings] = []
        /// `examples`: where providers with `examples` find confirmed past tickets.
        public var examples = ExampleSettings()
    }

    /// `model.examples`: the confirmed tickets providers with `examples` choose from.
    public struct ExampleSettings: Sendable, Hashable {
        /// `pool`: the most recently confirmed tickets kept in memory to choose from.
        public var pool: Int = 2000
        /// `refresh_interval`: how often the pool is read again from the store (agents'
        /// feedback on any replica reaches it within this time).
        public var refreshInterval: Duration = .seconds(60)
    }

    /// One of `model.redaction.patterns`: values that match `pattern` become `<LABEL_n>`.
    public struct RedactionPatternSettings: Sendable, Hashable {
        public var label: String
        /// A PCRE2 pattern, as in rule files; checked when the configuration loads.
        public var pattern: String

        public init(label: String, pattern: String) {
            self.label = label
            self.pattern = pattern
        }
    }

    public struct FallbackSettings: Sendable, Hashable {
        /// Whether the embedded local model may decide when the model stage failed.
        public var useLocalModel: Bool = true
        /// The local model decides in the fallback stage only at or above this confidence.
        public var localModelThreshold: Double = 0.6
    }

    /// `quality`: how drift in agents' verdicts and in the decisions' mix is watched.
    public struct QualitySettings: Sendable, Hashable {
        /// `window`: the rolling window of whole days that accuracy and the mix are read over.
        public var windowDays = 7
        /// `reference_window`: the whole days before the window that its mix is compared with.
        public var referenceDays = 28
        /// `accuracy_threshold`: rolling accuracy under it is an alert.
        public var accuracyThreshold = 0.9
        /// `min_judged`: verdicts in the window before its accuracy is judged.
        public var minimumJudged = 20
        /// `mix_threshold`: the total variation distance (0–1) between the window's and the
        /// reference's department or stage mix over which the mix has shifted.
        public var mixThreshold = 0.25
        /// `min_decided`: decisions in each of the two windows before their mix is compared.
        public var minimumDecided = 100
        /// `check_interval`: how often one replica checks.
        public var checkInterval: Duration = .seconds(300)
        /// `alert_webhook`: where alerts and recoveries are posted as Slack-compatible JSON
        /// (`{"text": …}`); nil: the log and `/metrics` only.
        public var alertWebhook: String?

        public init() {}
    }

    public struct ClassifySettings: Sendable, Hashable {
        /// `POST /v1/classify` answers within this time, falling back when the model is late.
        public var deadline: Duration = .seconds(5)
    }

    public struct WriteBackSettings: Sendable, Hashable {
        /// Attempts before a write-back becomes a dead letter.
        public var maxAttempts: Int = 8
        /// First retry delay; doubled after each failure up to `max_backoff`.
        public var initialBackoff: Duration = .seconds(2)
        public var maxBackoff: Duration = .seconds(600)
        /// Per-request timeout.
        public var timeout: Duration = .seconds(10)
        /// Write-backs sent at the same time.
        public var concurrency: Int = 4
    }
}

/// One model provider of the chain.
public enum ProviderConfiguration: Sendable, Hashable {
    /// The embedded linear classifier trained from labelled CSV files.
    case local(LocalProviderSettings)
    /// A large language model behind an HTTP API: OpenAI-compatible, Anthropic or Gemini.
    case llm(LLMProviderSettings)

    /// The configured `type`.
    public var kind: String {
        switch self {
        case .local: "local"
        case .llm(let settings): settings.api.kind
        }
    }
}

public struct LocalProviderSettings: Sendable, Hashable {
    /// CSV files with a text and a label column.
    public var trainingData: [String]
    /// The column holding each example's text (`text_column`, default `text`).
    public var textColumn: String
    /// The column holding each example's label (`label_column`, default `department`): a
    /// department's id, one of its `labels`, or a label that normalises to its id.
    public var labelColumn: String

    public init(trainingData: [String], textColumn: String = "text", labelColumn: String = "department") {
        self.trainingData = trainingData
        self.textColumn = textColumn
        self.labelColumn = labelColumn
    }
}

/// A provider of `type: openai`, `anthropic` or `gemini`.
public struct LLMProviderSettings: Sendable, Hashable {
    /// The provider's API and what only it has.
    public enum API: Sendable, Hashable {
        /// OpenAI's chat completions, in a structured-output `dialect`.
        case chatCompletions(ChatCompletionsSettings)
        /// Anthropic's Messages API; `version` is the `anthropic-version` header.
        case anthropic(version: String)
        /// Google's Gemini API.
        case gemini

        public var kind: String {
            switch self {
            case .chatCompletions: "openai"
            case .anthropic: "anthropic"
            case .gemini: "gemini"
            }
        }
    }

    public struct ChatCompletionsSettings: Sendable, Hashable {
        /// How the server is asked for the schema (`dialect`).
        public var dialect: StructuredOutputDialect = .openai
        /// `system_message`; nil: the dialect's default.
        public var systemMessage: Bool? = nil
        /// Azure's `api-version`.
        public var apiVersion: String = ChatCompletionsWireFormat.defaultAPIVersion
    }

    public var api: API
    public var baseURL: String
    public var model: String
    public var apiKey: String?
    /// `max_tokens`, always sent.
    public var maxTokens: Int = LLMClassifier.Configuration.defaultMaxTokens
    public var temperature: Double = 0
    /// `redact`: personal data replaced before the ticket is sent; by default for every
    /// server that is not on this machine.
    public var redactsPersonalData: Bool = true
    /// `max_input_tokens`: the most of a ticket's body sent.
    public var maxInputTokens: Int = LLMClassifier.Configuration.defaultMaxInputTokens
    /// A Mustache template file replacing the built-in prompt.
    public var promptTemplate: String?
    /// `connect_timeout`: establishing the connection (TCP and TLS).
    public var connectTimeout: Duration = .seconds(5)
    /// `first_token_timeout`, `idle_timeout`, `timeout`.
    public var timeouts = ProviderTimeouts()
    /// `max_retries`, `retry_backoff`, `max_backoff`.
    public var retry = RetryPolicy()
    /// `stream`: answers as server-sent events.
    public var streaming: Bool = false
    /// `logprobs`: confidence from the answer's token log-probabilities.
    public var logprobs: Bool = false
    /// `concurrency`: calls in flight at once; nil: unlimited.
    public var concurrency: Int? = nil
    /// `circuit_breaker`; nil: `off`.
    public var circuitBreaker: CircuitBreaker.Settings? = CircuitBreaker.Settings()
    /// US dollars per million tokens; nil: calls are not priced.
    public var prices: TokenPrices?
    /// The most the provider may cost per day (UTC), in US dollars, across every replica; nil: no cap.
    public var dailyBudget: Double?
    /// How long an answer is kept in the exact cache (in the store); nil: no cache.
    public var cacheTTL: Duration?
    /// `examples`: how many confirmed past tickets like the one asked about the prompt shows; 0: none.
    public var examples: Int = 0
    /// `batch`: low-priority sources' tickets go through the provider's batch API (OpenAI,
    /// Anthropic); nil: `off`, they are decided when the pipeline is idle.
    public var batch: BatchSettings? = nil

    /// `batch`: how tickets are gathered into batches and what a batch costs.
    public struct BatchSettings: Sendable, Hashable {
        /// `max_requests`, `max_wait`, `poll_interval`.
        public var queue = BatchQueue.Settings()
        /// `price_ratio`: a batch call's price as a share of `price`.
        public var priceRatio = BatchClassifier.defaultPriceRatio
    }
}

/// One enabled adapter: its secret, where decisions are written back, and with what.
public struct AdapterConfiguration: Sendable, Hashable {
    /// The webhook signing secrets: one, or two while the platform's secret is rotated (either
    /// may sign). Empty only with `allowUnsigned`.
    public var secrets: [String]
    /// Accept webhooks without checking a signature (local testing only; refused beside a
    /// secret, which it would silently ignore).
    public var allowUnsigned: Bool
    /// The URL the platform posts to, as it sees it (`https://switchyard.example.com/webhooks/hubspot`),
    /// for signatures that sign the URL; nil: built from the request's `Host` header.
    public var publicURL: String?
    /// Values the adapter's write-back template reads as `${settings.NAME}`.
    public var settings: [String: String]
    /// Department → the platform's target: a number (Zendesk group id) or a string (a group
    /// name), as the write-back templates use it for `${target}`.
    public var targets: [DepartmentID: JSONValue]
    /// How write-back requests authenticate.
    public var auth: WriteBackAuthentication?
    /// Write-backs to this platform in flight at once; nil: `write_back.concurrency`.
    public var concurrency: Int? = nil
    /// How fast this adapter's tickets may go to the model chain (per replica); over it, the
    /// fallbacks decide. nil: no limit.
    public var modelRateLimit: RateLimit? = nil
    /// `priority: low`: how long at most this adapter's tickets wait behind the others (they
    /// are decided when the pipeline is idle, or once this time has passed); nil: `normal`,
    /// they wait behind no one.
    public var lowPriorityDelay: Duration? = nil

    /// `max_delay` when none is given with `priority: low`.
    public static let defaultLowPriorityDelay: Duration = .seconds(15 * 60)
}

/// Credentials attached to write-back requests when they are sent (never stored).
public enum WriteBackAuthentication: Sendable, Hashable {
    case basic(username: String, password: String)
    case bearer(token: String)
    case header(name: String, value: String)
    /// A bearer token obtained from the platform's token endpoint with the OAuth 2.0
    /// client-credentials grant (ServiceNow, Help Scout), cached until shortly before it
    /// expires and fetched again when the platform answers 401.
    case oauth2(OAuthClientCredentials)
}

/// What an OAuth 2.0 client-credentials token request (RFC 6749 §4.4) sends.
public struct OAuthClientCredentials: Sendable, Hashable {
    /// How the client proves who it is at the token endpoint (RFC 6749 §2.3.1).
    public enum ClientAuthentication: String, Sendable, Hashable, CaseIterable {
        /// `client_id` and `client_secret` in the form body (ServiceNow, Help Scout).
        case body
        /// HTTP basic authentication with the client id and secret.
        case basic
    }

    /// The token endpoint (`https://example.service-now.com/oauth_token.do`).
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    /// Space-separated scopes to ask for; nil: the client's default.
    public var scope: String?
    public var clientAuthentication: ClientAuthentication
}

extension Configuration {
    /// Reads the rule folder (`directory`, or `rules.directory`) with the configuration's
    /// departments and match limits: what the server does at start and on every reload, and
    /// what the `rules` commands do.
    public func loadRules(from directory: String? = nil) throws(RuleLoadError) -> RuleSet {
        try RuleSet.load(
            directory: URL(fileURLWithPath: directory ?? rules.directory), departments: departments,
            limits: MatchLimits(matchLimit: rules.matchLimit, depthLimit: rules.depthLimit))
    }
}
