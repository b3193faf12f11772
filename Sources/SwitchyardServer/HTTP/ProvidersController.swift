import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardModels
import SwitchyardStore
import SwitchyardTriage

/// `GET /v1/providers`: each model provider this process built, in chain order, with its
/// circuit breaker's state and its concurrency limit's load as this process sees them (each
/// replica has its own). Support leads and operators read it to learn why tickets fall back;
/// the `lead` role may call it. No keys, no ticket text.
struct ProvidersController: Sendable {
    let models: ModelCatalog
    let settings: Configuration.ModelSettings
    let store: any TicketStore
    let timeSource: any TimeSource
    let access: AccessControl

    func addRoutes(to routes: RouteTable) {
        routes.get("/v1/providers") { request, _ in
            _ = try access.authorize(request, as: .lead)
            var providers = ProviderStatus.all(models, settings: settings)
            let day = StoreSpendingLedger.day(timeSource.now())
            for index in providers.indices {
                guard case .llm(let llm)? = settings.providers[providers[index].name], let cap = llm.dailyBudget else { continue }
                let spending = try await store.spending(provider: providers[index].name, day: day)
                providers[index].budget = ProviderStatus.Budget(
                    day: day, dailyUSD: cap, spentUSD: Double(spending.spentMicros) / 1_000_000,
                    reservedUSD: Double(spending.reservedMicros) / 1_000_000)
            }
            return JSONResponse(Document(chain: settings.chain, providers: providers))
        }
    }

    struct Document: Encodable {
        var chain: [String]
        var providers: [ProviderStatus]
    }
}

/// One provider as `GET /v1/providers` and the `switchyard_provider_*` gauges report it.
struct ProviderStatus: Encodable, Sendable {
    var name: String
    /// `local`, `openai`, `anthropic` or `gemini`.
    var type: String
    /// The classifier's name in decisions, `<name>/<model>`.
    var classifier: String
    /// Without user information, query or fragment; nil for the local model.
    var baseURL: String?
    var inChain: Bool
    /// nil: the provider has no breaker (`circuit_breaker: off`, or the local model).
    var circuit: Circuit?
    /// nil: no limit.
    var concurrency: Concurrency?
    /// nil: no `daily_budget`. Filled in by `GET /v1/providers` from the store (every replica's spending).
    var budget: Budget?
    /// The prompt template in force; nil for the local model.
    var prompt: Prompt?
    /// nil: the prompt shows no examples of confirmed tickets.
    var examples: Examples?
    /// nil: low-priority tickets do not use the provider's batch API (`batch`).
    var batch: Batch?

    struct Batch: Encodable, Sendable {
        var maxRequests: Int
        var maxWaitSeconds: Double
        var priceRatio: Double
        /// Requests gathered for the next batch.
        var waiting: Int
        /// Batches sent and not ended yet.
        var inProgress: Int

        enum CodingKeys: String, CodingKey {
            case maxRequests = "max_requests"
            case maxWaitSeconds = "max_wait_seconds"
            case priceRatio = "price_ratio"
            case waiting
            case inProgress = "in_progress"
        }
    }

    struct Examples: Encodable, Sendable {
        /// The most shown per ticket (`examples`).
        var perTicket: Int
        /// Confirmed tickets held to choose from (`model.examples.pool` at most), as last read.
        var pool: Int

        enum CodingKeys: String, CodingKey {
            case perTicket = "per_ticket"
            case pool
        }
    }

    struct Prompt: Encodable, Sendable {
        /// What decisions record as `prompt_version`.
        var version: String
        /// The `prompt_template` file; nil for the built-in template.
        var file: String?
        /// The file's last reload (or the start), as `GET /v1/rules` reports the rules'.
        var lastReload: RulesController.ReloadEntry

        enum CodingKeys: String, CodingKey {
            case version, file
            case lastReload = "last_reload"
        }
    }

    struct Budget: Encodable, Sendable {
        /// The UTC day counted, `2026-12-03`.
        var day: String
        var dailyUSD: Double
        /// What settled calls cost today.
        var spentUSD: Double
        /// Held by calls under way.
        var reservedUSD: Double

        enum CodingKeys: String, CodingKey {
            case day
            case dailyUSD = "daily_usd"
            case spentUSD = "spent_usd"
            case reservedUSD = "reserved_usd"
        }
    }

    struct Circuit: Encodable, Sendable {
        var state: CircuitBreaker.State
        var callsInWindow: Int
        var failuresInWindow: Int
        /// Times it opened since this process started.
        var opened: Int
        /// While open: seconds until the first probe.
        var probesInSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case state
            case callsInWindow = "calls_in_window"
            case failuresInWindow = "failures_in_window"
            case opened
            case probesInSeconds = "probes_in_seconds"
        }
    }

    struct Concurrency: Encodable, Sendable {
        var limit: Int
        var inFlight: Int
        var waiting: Int

        enum CodingKeys: String, CodingKey {
            case limit
            case inFlight = "in_flight"
            case waiting
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, type, classifier
        case baseURL = "base_url"
        case inChain = "in_chain"
        case circuit, concurrency, budget, prompt, examples, batch
    }

    /// The providers `models` holds, those in the chain first and in its order, then the rest by name.
    static func all(_ models: ModelCatalog, settings: Configuration.ModelSettings, now: ContinuousClock.Instant = .now) -> [ProviderStatus] {
        let order = Dictionary(settings.chain.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let names = models.classifiers.keys.sorted { (order[$0] ?? .max, $0) < (order[$1] ?? .max, $1) }
        return names.compactMap { name in
            guard let classifier = models.classifiers[name], let provider = settings.providers[name] else { return nil }
            var status = ProviderStatus(
                name: name, type: provider.kind, classifier: classifier.name, baseURL: nil, inChain: order[name] != nil)
            if case .llm(let llm) = provider {
                status.baseURL = Self.displayed(llm.baseURL)
                if let batch = llm.batch, let queue = models.batchQueues.first(where: { $0.name == name }) {
                    let load = queue.load
                    status.batch = Batch(
                        maxRequests: batch.queue.maxRequests, maxWaitSeconds: batch.queue.maxWait.timeInterval,
                        priceRatio: batch.priceRatio, waiting: load.waiting, inProgress: load.batches)
                }
            }
            if let guarded = classifier as? GuardedClassifier {
                if let breaker = guarded.breaker {
                    let snapshot = breaker.snapshot(now: now)
                    status.circuit = Circuit(
                        state: snapshot.state, callsInWindow: snapshot.callsInWindow, failuresInWindow: snapshot.failuresInWindow,
                        opened: snapshot.opened, probesInSeconds: snapshot.reopensAt.map { max(0, ($0 - now).timeInterval) })
                }
                if let limiter = guarded.limiter {
                    let load = limiter.load
                    status.concurrency = Concurrency(limit: limiter.limit, inFlight: load.inFlight, waiting: load.waiting)
                }
                if let llm = guarded.inner as? LLMClassifier {
                    let reload = llm.prompts.lastReload
                    var problems: [String] = []
                    if case .refused(let problem) = reload.outcome { problems = [problem] }
                    status.prompt = Prompt(
                        version: llm.prompts.current.version, file: llm.prompts.path,
                        lastReload: .init(at: reload.at, trigger: reload.trigger, result: reload.outcome.name, problems: problems))
                    if llm.configuration.examples > 0, let similar = llm.similarTickets {
                        status.examples = Examples(perTicket: llm.configuration.examples, pool: similar.count)
                    }
                }
            }
            return status
        }
    }

    /// `url` without what could carry a credential (user information, query, fragment).
    static func displayed(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? ""
    }
}
