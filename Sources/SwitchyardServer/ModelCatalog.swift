import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SwitchyardCore
public import SwitchyardModels
import SwitchyardRules
import SwitchyardStore

#if os(Linux)
import CMalloc
#endif

/// The configured classifiers by provider name, and the embedded local model used as fallback.
struct ModelCatalog: Sendable {
    var classifiers: [String: any Classifier]
    /// The providers with `batch` as their batch API asks them, by provider name.
    var batchClassifiers: [String: any Classifier] = [:]
    /// Their queues, which ``BatchService`` runs.
    var batchQueues: [BatchQueue] = []
    var localModel: (any Classifier)?
    /// The prompt templates of the providers whose `prompt_template` is a file, by provider:
    /// what the watch reloads.
    var prompts: [String: PromptBook] = [:]
    /// The confirmed tickets the language models' prompts show as examples; nil when no
    /// provider shows any.
    var similarTickets: SimilarTickets?
    /// Each LLM provider's own HTTP client (its connect timeout, its connection pool), shut
    /// down with ``shutdown()`` once the server stopped.
    var httpClients: [HTTPClient] = []

    static let artifactName = "local-model"

    /// How long one replica may train before another takes the job over.
    static let trainingLease: Duration = .seconds(600)

    static func load(
        configuration: Configuration, store: any TicketStore, instance: StoreInstance, timeSource: any TimeSource,
        logger: Logger
    ) async throws -> ModelCatalog {
        var catalog = ModelCatalog(classifiers: [:])
        // Providers outside the chain are not built (an unused OpenAI entry needs no key).
        var needed = Set(configuration.model.chain).union(
            configuration.fallback.useLocalModel ? configuration.model.providers.filter { $0.value.kind == "local" }.map(\.key) : [])
        let showsExamples = configuration.model.providers.contains { name, provider in
            guard needed.contains(name), case .llm(let settings) = provider else { return false }
            return settings.examples > 0
        }
        // Examples are found with the features of the first local model (loading checked there is one).
        let featureModel = configuration.model.providers.keys.sorted().first { configuration.model.providers[$0]?.kind == "local" }
        if showsExamples, let featureModel { needed.insert(featureModel) }
        // Local models first: the language models' examples read their features.
        let providers = configuration.model.providers.sorted {
            ($0.value.kind == "local" ? 0 : 1, $0.key) < ($1.value.kind == "local" ? 0 : 1, $1.key)
        }
        do {
            let redactor = try redactor(configuration.model.redactionPatterns)
            for (name, provider) in providers where needed.contains(name) {
                switch provider {
                case .local(let settings):
                    let (model, version) = try await loadLocalModel(
                        settings, store: store, owner: instance.id, timeSource: timeSource, logger: logger)
                    let classifier = LocalModelClassifier(model: model, version: version)
                    let unmapped = model.labels.filter { configuration.departments.department(forLabel: $0.rawValue) == nil }
                    if !unmapped.isEmpty {
                        logger.warning(
                            "Training labels that stand for no department: when one wins, the next classifier decides",
                            metadata: [
                                "provider": "\(name)", "labels": "\(unmapped.map(\.rawValue).joined(separator: ", "))",
                                "hint": "add them to a department's labels (Docs/configuration.md#departments)",
                            ])
                    }
                    catalog.classifiers[name] = classifier
                    if catalog.localModel == nil { catalog.localModel = classifier }
                    if showsExamples, name == featureModel {
                        let similar = SimilarTickets(features: model)
                        catalog.similarTickets = similar
                        try await Self.refresh(similar, from: store, pool: configuration.model.examples.pool)
                        logger.info("Confirmed tickets read for the prompts' examples", metadata: ["examples": "\(similar.count)"])
                    }
                case .llm(let settings):
                    var http = Switchyard.httpClientConfiguration
                    http.timeout.connect = TimeAmount(settings.connectTimeout)
                    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
                    catalog.httpClients.append(client)
                    let ledger = StoreSpendingLedger(store: store, provider: name, timeSource: timeSource)
                    let answers = settings.cacheTTL.map { StoreAnswerStore(store: store, ttl: $0, timeSource: timeSource) }
                    let classifier = try llmClassifier(
                        name, settings, redactor: redactor, similarTickets: catalog.similarTickets, httpClient: client, ledger: ledger,
                        answers: answers, logger: logger)
                    catalog.classifiers[name] = classifier
                    if let llm = classifier.inner as? LLMClassifier, llm.prompts.path != nil { catalog.prompts[name] = llm.prompts }
                    if let batch = settings.batch, let llm = classifier.inner as? LLMClassifier,
                        let api = batchAPI(settings, httpClient: client)
                    {
                        let queue = BatchQueue(name: name, api: api, settings: batch.queue, logger: logger)
                        catalog.batchQueues.append(queue)
                        let batchClassifier = BatchClassifier(llm, queue: queue, priceRatio: batch.priceRatio)
                        // Its own budget reservation at the batch price; the same cache. No breaker or
                        // concurrency limit: a batch is one call for many tickets, and an unanswered one
                        // says nothing about the provider's health.
                        catalog.batchClassifiers[name] = GuardedClassifier(
                            batchClassifier, breaker: nil, limiter: nil,
                            budget: budget(settings, ledger: ledger, classifier: llm, calls: 1, priceRatio: batch.priceRatio),
                            cache: classifier.cache)
                    }
                }
            }
        } catch {
            await catalog.shutdown()
            throw error
        }
        return catalog
    }

    /// A provider's classifier behind its circuit breaker and concurrency limit.
    static func llmClassifier(
        _ name: String, _ settings: LLMProviderSettings, redactor: PersonalDataRedactor, similarTickets: SimilarTickets? = nil,
        httpClient: HTTPClient,
        ledger: any SpendingLedger,
        answers: (any AnswerStore)?, logger: Logger
    ) throws -> GuardedClassifier {
        let prompts: PromptBook
        do {
            if let path = settings.promptTemplate {
                prompts = PromptBook(try PromptBook.load(path), path: path)
            } else {
                prompts = PromptBook(try PromptTemplate(PromptTemplate.default))
            }
        } catch {
            throw StartupError("model.providers.\(name).prompt_template: \(error)")
        }
        let wire: any ProviderWireFormat =
            switch settings.api {
            case .chatCompletions(let chat):
                ChatCompletionsWireFormat(
                    baseURL: settings.baseURL, apiKey: settings.apiKey, dialect: chat.dialect, systemMessage: chat.systemMessage,
                    apiVersion: chat.apiVersion)
            case .anthropic(let version):
                AnthropicMessagesWireFormat(baseURL: settings.baseURL, apiKey: settings.apiKey, version: version)
            case .gemini:
                GeminiWireFormat(baseURL: settings.baseURL, apiKey: settings.apiKey)
            }
        let classifier = LLMClassifier(
            configuration: .init(
                name: name, model: settings.model, maxTokens: settings.maxTokens, temperature: settings.temperature,
                redactsPersonalData: settings.redactsPersonalData, redactor: redactor, maxInputTokens: settings.maxInputTokens,
                promptTemplate: prompts.current.source, timeouts: settings.timeouts, retry: settings.retry,
                streaming: settings.streaming, logprobs: settings.logprobs, prices: settings.prices, examples: settings.examples),
            prompts: prompts, wire: wire, similarTickets: similarTickets, httpClient: httpClient, logger: logger)
        return GuardedClassifier(
            classifier, breaker: settings.circuitBreaker.map(CircuitBreaker.init(settings:)),
            limiter: settings.concurrency.map(ConcurrencyLimiter.init(limit:)),
            budget: budget(settings, ledger: ledger, classifier: classifier, calls: 1 + settings.retry.maxRetries),
            cache: answers.map { AnswerCache(store: $0, key: classifier.cacheKey(for:departments:)) })
    }

    /// The provider's `daily_budget`, reserving for each ticket the most `calls` calls may cost
    /// at `priceRatio` of its prices; nil without a budget.
    static func budget(
        _ settings: LLMProviderSettings, ledger: any SpendingLedger, classifier: LLMClassifier, calls: Int, priceRatio: Double = 1
    ) -> DailyBudget? {
        guard let cap = settings.dailyBudget, let prices = settings.prices else { return nil }
        return DailyBudget(capUSD: cap, ledger: ledger) { ticket, departments in
            let usage = TokenUsage(
                promptTokens: classifier.estimatedPromptTokens(for: ticket, departments: departments), completionTokens: settings.maxTokens)
            return prices.cost(of: usage) * Double(calls) * priceRatio
        }
    }

    /// The provider's batch API; nil for Gemini, whose batch API is not used (loading refuses
    /// `batch` there).
    static func batchAPI(_ settings: LLMProviderSettings, httpClient: HTTPClient) -> (any ProviderBatchAPI)? {
        switch settings.api {
        case .anthropic(let version):
            AnthropicBatchAPI(baseURL: settings.baseURL, apiKey: settings.apiKey, version: version, httpClient: httpClient)
        case .chatCompletions:
            OpenAIBatchAPI(baseURL: settings.baseURL, apiKey: settings.apiKey, httpClient: httpClient)
        case .gemini:
            nil
        }
    }

    /// The redactor with `model.redaction.patterns`, compiled (loading checked them).
    static func redactor(_ patterns: [Configuration.RedactionPatternSettings]) throws -> PersonalDataRedactor {
        var compiled: [RedactionPattern] = []
        for pattern in patterns {
            do {
                compiled.append(RedactionPattern(label: pattern.label, pattern: try Pattern(pattern.pattern)))
            } catch {
                throw StartupError("model.redaction.patterns \(pattern.label): \(error)")
            }
        }
        return PersonalDataRedactor(patterns: compiled)
    }

    /// Reads the `pool` most recently confirmed tickets from `store` into `similar`.
    static func refresh(_ similar: SimilarTickets, from store: any TicketStore, pool: Int) async throws {
        let confirmed = try await store.confirmedExamples(limit: pool)
        similar.replace(
            with: confirmed.map {
                SimilarTickets.Example(
                    id: $0.ticketID.rawValue, subject: $0.subject, body: $0.body, requesterName: $0.requesterName,
                    department: $0.department)
            })
    }

    /// Shuts down the providers' HTTP clients.
    func shutdown() async {
        for client in httpClients { try? await client.shutdown() }
    }

    /// Reuses the stored model when the training data is unchanged; otherwise one process
    /// trains and stores it while the others sharing the store wait for it and load it.
    /// Returns the model and its version (the fingerprint of what it was trained on).
    static func loadLocalModel(
        _ settings: LocalProviderSettings, store: any TicketStore, owner: String, timeSource: any TimeSource, logger: Logger
    ) async throws -> (LinearTextClassifier, String) {
        let examples = try settings.trainingExamples()
        let options = TrainingOptions()
        let fingerprint = LinearTextClassifier.fingerprint(of: examples, options: options)
        let version = String(fingerprint.prefix(16))
        var waited = false
        let job = "train:\(artifactName)"
        func stored() async throws -> LinearTextClassifier? {
            guard let stored = try await store.artifact(named: artifactName), stored.fingerprint == fingerprint else { return nil }
            return try? LinearTextClassifier(serialized: stored.data)
        }
        func loaded(_ model: LinearTextClassifier) -> (LinearTextClassifier, String) {
            logger.info(
                waited ? "Loaded the local model another process trained" : "Loaded the local model from the store",
                metadata: ["examples": "\(examples.count)", "model_version": "\(version)"])
            return (model, version)
        }
        while true {
            if let model = try await stored() { return loaded(model) }
            if try await store.acquireJobLease(job, owner: owner, now: timeSource.now(), duration: trainingLease) {
                // Another process may have trained, saved and let go of the lease between the
                // look above and taking it: look again before training.
                if let model = try await stored() {
                    _ = try await store.acquireJobLease(job, owner: owner, now: timeSource.now(), duration: .zero)
                    waited = true
                    return loaded(model)
                }
                let clock = ContinuousClock()
                let start = clock.now
                let model = LinearTextClassifier.train(examples, options: options)
                #if os(Linux)
                // Training's vectors, gradients and L-BFGS history are freed by now; hand the
                // pages back (glibc keeps freed heap otherwise: 160 MiB instead of 80 MiB
                // resident after training on 77 labels).
                malloc_trim(0)
                #endif
                let data = model.serialized()
                try await store.saveArtifact(StoredArtifact(fingerprint: fingerprint, data: data), named: artifactName)
                // Expire the lease at once, so the next retraining need not wait for it.
                _ = try await store.acquireJobLease(job, owner: owner, now: timeSource.now(), duration: .zero)
                logger.info(
                    "Trained the local model",
                    metadata: [
                        "examples": "\(examples.count)", "duration": "\((clock.now - start).formatted)", "model_version": "\(version)",
                        "labels": "\(model.labels.count)", "features": "\(model.featureCount)", "bytes": "\(data.count)",
                    ])
                return (model, version)
            }
            if !waited {
                logger.info("Another process is training the local model; waiting for it", metadata: ["job": "\(job)"])
                waited = true
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}

extension LocalProviderSettings {
    /// The labelled examples of every `training_data` file, in order: what the local model is
    /// trained on (by the server, and by `switchyard rules test --tickets` to compare with).
    public func trainingExamples() throws -> [LabeledText] {
        var examples: [LabeledText] = []
        for file in trainingData {
            do {
                examples += try TrainingSet.loadCSV(URL(fileURLWithPath: file), textColumn: textColumn, labelColumn: labelColumn)
            } catch {
                throw StartupError("local model training data: \(error)")
            }
        }
        guard !examples.isEmpty else { throw StartupError("local model training data is empty: \(trainingData)") }
        return examples
    }
}

/// A provider's spending in the store, by UTC day: what every replica's calls reserve and settle.
struct StoreSpendingLedger: SpendingLedger {
    let store: any TicketStore
    let provider: String
    let timeSource: any TimeSource

    /// `2026-12-03` for `date`, in UTC.
    static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }

    func reserve(_ micros: Int64, cap: Int64) async throws -> BudgetReservation? {
        let day = Self.day(timeSource.now())
        return try await store.reserveSpending(micros, provider: provider, day: day, cap: cap)
            ? BudgetReservation(day: day, micros: micros) : nil
    }

    func settle(_ reservation: BudgetReservation, spentMicros: Int64) async throws {
        try await store.settleSpending(reserved: reservation.micros, spent: spentMicros, provider: provider, day: reservation.day)
    }

    func today() async throws -> Spending {
        try await store.spending(provider: provider, day: Self.day(timeSource.now()))
    }
}

/// The exact answer cache in the store, shared by every replica: answers kept for `ttl`.
struct StoreAnswerStore: AnswerStore {
    let store: any TicketStore
    let ttl: Duration
    let timeSource: any TimeSource

    func answer(forKey key: String) async throws -> String? {
        try await store.cachedAnswer(forKey: key, now: timeSource.now())
    }

    func keep(_ answer: String, forKey key: String) async throws {
        try await store.cacheAnswer(answer, forKey: key, expiresAt: timeSource.now().addingTimeInterval(ttl.timeInterval))
    }
}
