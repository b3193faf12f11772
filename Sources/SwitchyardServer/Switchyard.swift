public import SwitchyardTriage
public import AsyncHTTPClient
import Foundation
public import Hummingbird
import HummingbirdCore
public import Logging
import Prometheus
import ServiceLifecycle
public import SwitchyardCore
import SwitchyardModels
import SwitchyardRules
public import SwitchyardStore
import SwitchyardWebhooks

/// The assembled server: store, rules, adapters, models, workers and HTTP routes, built
/// from one `Configuration`.
///
/// `withPrepared` does everything that can fail at start (opening and migrating the store,
/// registering this process in it, loading rules and adapters, training or loading the local
/// model, checking write-back targets), so that a broken setup stops with a precise message
/// before the port opens.
public struct Switchyard: Sendable {
    public let configuration: Configuration
    public let store: any TicketStore
    /// This process as the store knows it.
    public let instance: StoreInstance
    public let triage: Triage
    let adapters: AdapterRegistry
    /// The model providers, for `GET /v1/providers` and their metrics.
    let models: ModelCatalog
    let httpClient: HTTPClient
    let registry: PrometheusCollectorRegistry
    let metrics: TriageMetrics
    let timeSource: any TimeSource
    let logger: Logger
    let work = WorkSignal()
    let writeBackSignal = WorkSignal()
    let health = StoreHealth()
    /// `server.rate_limit`, per caller, for webhooks and `/v1/classify` alike.
    let rateLimiter: RateLimiter
    let openAPIDocument: [UInt8]

    /// Opens the store and loads everything the configuration names, runs `body` with the
    /// prepared server, and closes the store after `body` returns or throws.
    ///
    /// - Parameter httpClient: the process's HTTP client for write-backs and fetches (each model
    ///   provider has its own); the caller shuts it down after the server stopped.
    public static func withPrepared<Result: Sendable>(
        configuration: Configuration,
        httpClient: HTTPClient,
        timeSource: any TimeSource = SystemTimeSource(),
        identifiers: any IdentifierGenerator = RandomIdentifierGenerator(),
        logger: Logger,
        _ body: (Switchyard) async throws -> Result
    ) async throws -> Result {
        try await configuration.storage.withStore(identifiers: identifiers, logger: logger) { store in
            let instance = StoreInstance(
                id: identifiers.next(prefix: "inst"), host: ProcessInfo.processInfo.hostName,
                processID: ProcessInfo.processInfo.processIdentifier, startedAt: timeSource.now())
            let now = timeSource.now()
            let handOver = try await store.register(
                instance, now: now, staleBefore: now.addingTimeInterval(-configuration.storage.instanceTimeout.timeInterval))
            handOver.log(to: logger)
            let registry = PrometheusCollectorRegistry()
            let metrics = TriageMetrics(factory: PrometheusMetricsFactory(registry: registry))
            let components = try await Components.load(
                configuration: configuration, store: store, instance: instance, timeSource: timeSource, metrics: metrics,
                logger: logger)
            let switchyard = Switchyard(
                configuration: configuration,
                store: store,
                instance: instance,
                triage: components.triage,
                adapters: components.adapters,
                models: components.models,
                httpClient: httpClient,
                registry: registry,
                metrics: metrics,
                timeSource: timeSource,
                logger: logger,
                rateLimiter: RateLimiter(configuration.server.rateLimit),
                openAPIDocument: try OpenAPIDocument.load()
            )
            do {
                let result = try await body(switchyard)
                await components.models.shutdown()
                return result
            } catch {
                await components.models.shutdown()
                throw error
            }
        }
    }

    /// How many low-priority tickets may wait for batch answers at once: four batches of
    /// the largest, so that batches fill while earlier ones are in progress.
    static func batchCapacity(_ queues: [BatchQueue]) -> Int {
        4 * (queues.map(\.settings.maxRequests).max() ?? 0)
    }

    /// The HTTP application with the triage and write-back workers as its services.
    ///
    /// - Parameter onServerRunning: called with the bound address once the port is open.
    public func application(
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let routes = RouteTable()
        let access = AccessControl(tokens: configuration.access.tokens)
        let bodyLimits = BodyLimits(maxBytes: configuration.server.maxBodyBytes)
        WebhookController(
            adapters: adapters, configurations: configuration.adapters, store: store, work: work, health: health,
            rateLimiter: rateLimiter, bodyLimits: bodyLimits, timeSource: timeSource, metrics: metrics
        ).addRoutes(to: routes)
        TicketController(
            store: store, triage: triage, classifier: synchronousClassifier,
            bodyLimits: bodyLimits, timeSource: timeSource, access: access, rateLimiter: rateLimiter,
            writeBackSignal: writeBackSignal
        ).addRoutes(to: routes)
        RulesController(
            rules: triage.rules, reloader: ruleReloader, store: store, access: access, directory: configuration.rules.directory
        ).addRoutes(to: routes)
        HealthController(
            store: store, health: health, metricsRole: configuration.access.metricsRole, access: access,
            openAPIDocument: openAPIDocument, registry: registry,
            metrics: metrics, models: models, modelSettings: configuration.model
        ).addRoutes(to: routes)
        ProvidersController(models: models, settings: configuration.model, store: store, timeSource: timeSource, access: access).addRoutes(to: routes)
        QualityController(store: store, timeSource: timeSource, access: access, logger: logger).addRoutes(to: routes)

        let planner = WriteBackPlanner(adapters: adapters, configurations: configuration.adapters)
        let platforms = PlatformClient(
            httpClient: httpClient, adapters: configuration.adapters,
            credentials: WriteBackCredentials(httpClient: httpClient, timeout: configuration.writeBack.timeout, timeSource: timeSource),
            timeout: configuration.writeBack.timeout, timeSource: timeSource)
        let triageService = TriageService(
            store: store, triage: triage, planner: planner,
            fetcher: TicketFetcher(adapters: adapters, configurations: configuration.adapters, client: platforms),
            settings: configuration.triage, work: work,
            writeBacks: writeBackSignal, instance: instance, timeSource: timeSource, metrics: metrics, logger: logger,
            lowPriorityDelays: configuration.adapters.compactMapValues(\.lowPriorityDelay),
            batchCapacity: Self.batchCapacity(models.batchQueues))
        let writeBackService = WriteBackService(
            store: store, client: platforms, adapters: configuration.adapters,
            settings: configuration.writeBack,
            signal: writeBackSignal, instance: instance, timeSource: timeSource, metrics: metrics, logger: logger)
        let instanceService = InstanceService(
            store: store, instance: instance, settings: configuration.storage, work: work, writeBacks: writeBackSignal,
            health: health, timeSource: timeSource, logger: logger)
        let server = configuration.server
        // Stopped in reverse order: the workers finish before the instance retires.
        var services: [any Service] = [
            instanceService, TicketWatchService(store: store, work: work),
            RuleWatchService(
                reloader: ruleReloader, prompts: promptReloader, directory: configuration.rules.directory,
                interval: configuration.rules.watchInterval),
        ]
        if let similarTickets = models.similarTickets {
            services.append(
                ExampleRefreshService(similarTickets: similarTickets, store: store, settings: configuration.model.examples, logger: logger))
        }
        services.append(
            QualityMonitorService(
                store: store, settings: configuration.quality, httpClient: httpClient, instance: instance, timeSource: timeSource,
                metrics: metrics, logger: logger))
        // Batches stop after the triage workers, which give back the tickets waiting for them.
        if !models.batchQueues.isEmpty { services.append(BatchService(queues: models.batchQueues)) }
        services += [triageService, writeBackService]
        return Application(
            router: routes.makeRouter(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [BodyDeadlineHandler(timeout: server.bodyTimeout)],
                    idleTimeout: .milliseconds(Int64(server.idleTimeout.milliseconds)),
                    httpDecoderConfiguration: .init(
                        maxHeaderFieldSize: server.maxHeaderBytes, maxHeaderListSize: server.maxHeaderBytes))),
            configuration: .init(
                address: .hostname(server.host, port: server.port),
                serverName: "Switchyard",
                availableConnectionsDelegate: MaximumAvailableConnections(server.maxConnections, logger: logger)
            ),
            services: services,
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? configuration.server.port)
            },
            logger: logger
        )
    }
}

extension Switchyard {
    /// The version `switchyard version` prints and the server reports.
    public static let version = "0.1.0"

    /// Decides a ticket given in the generic JSON shape, without storing it (the
    /// `classify` command and `POST /v1/classify`).
    public func classify(ticketJSON body: [UInt8]) async throws(SynchronousClassificationError) -> Decision {
        try await synchronousClassifier.classify(body)
    }

    /// Reloads the rules for the folder watch, `SIGHUP` and `POST /v1/rules/reload`.
    var ruleReloader: RuleReloader {
        RuleReloader(rules: triage.rules, metrics: metrics, timeSource: timeSource, logger: logger)
    }

    /// Reloads the providers' prompt files for the same watch and `SIGHUP`.
    var promptReloader: PromptReloader {
        PromptReloader(books: models.prompts, metrics: metrics, timeSource: timeSource, logger: logger)
    }

    var synchronousClassifier: SynchronousClassifier {
        SynchronousClassifier(genericAdapter: adapters["generic"], triage: triage, deadline: configuration.classify.deadline)
    }
}
