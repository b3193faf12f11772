import SwitchyardTriage
import Foundation
import Logging
import SwitchyardCore
import SwitchyardModels
import SwitchyardRules
import SwitchyardStore
import SwitchyardWebhooks

/// Why the server could not start, beyond the configuration file itself.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Loads and checks the parts a configuration names.
struct Components {
    var triage: Triage
    var adapters: AdapterRegistry
    var models: ModelCatalog

    static func load(
        configuration: Configuration,
        store: any TicketStore,
        instance: StoreInstance,
        timeSource: any TimeSource,
        metrics: TriageMetrics,
        logger: Logger
    ) async throws -> Components {
        let loader: RuleBook.Loader = { () throws(RuleLoadError) -> RuleSet in try configuration.loadRules() }
        let ruleSet: RuleSet
        do {
            ruleSet = try loader()
        } catch {
            throw StartupError("rules in \(configuration.rules.directory) are invalid:\n\(error)")
        }
        for warning in ruleSet.warnings {
            logger.warning("Rule file warning", metadata: ["problem": "\(warning)"])
        }
        let adapters = try loadAdapters(configuration)
        let models = try await ModelCatalog.load(
            configuration: configuration, store: store, instance: instance, timeSource: timeSource, logger: logger)
        let triage = Triage(
            departments: configuration.departments,
            defaultDepartment: configuration.defaultDepartment,
            rules: RuleBook(ruleSet, loader: loader, loadedAt: timeSource.now()),
            chain: configuration.model.chain.compactMap { models.classifiers[$0] },
            batchChain: models.batchClassifiers.isEmpty
                ? [] : configuration.model.chain.compactMap { models.batchClassifiers[$0] ?? models.classifiers[$0] },
            fallbackModel: configuration.fallback.useLocalModel ? models.localModel : nil,
            confidenceThreshold: configuration.model.confidenceThreshold,
            fallbackModelThreshold: configuration.fallback.localModelThreshold,
            abstention: configuration.abstention,
            modelDeadline: configuration.model.deadline,
            injectionPolicy: configuration.model.onInjection,
            modelRateLimits: configuration.adapters.compactMapValues { $0.modelRateLimit.map(TokenBuckets.init) },
            timeSource: timeSource,
            metrics: metrics,
            logger: logger
        )
        logger.info(
            "Switchyard is ready",
            metadata: [
                "rules": "\(ruleSet.rules.count)", "ruleset_version": "\(ruleSet.version)",
                "chain": "\(triage.chain.map(\.name).joined(separator: ","))",
                "adapters": "\(configuration.adapters.keys.sorted().joined(separator: ","))",
            ])
        return Components(triage: triage, adapters: adapters, models: models)
    }

    /// Loads the adapter files and checks that every enabled adapter exists, can verify with
    /// its secret, and can write back a decision for every department (a missing group id fails
    /// here, not at 3 a.m.).
    private static func loadAdapters(_ configuration: Configuration) throws -> AdapterRegistry {
        let adapters: AdapterRegistry
        do {
            adapters = try configuration.loadAdapters()
        } catch {
            throw StartupError("adapter files in \(configuration.webhooks.directory) are invalid:\n\(error)")
        }
        if let problem = configuration.adapterProblems(adapters).first { throw StartupError(problem) }
        return adapters
    }
}
