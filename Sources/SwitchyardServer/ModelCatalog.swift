import AsyncHTTPClient
import Foundation
import Logging
import SwitchyardCore
import SwitchyardModels
import SwitchyardStore

/// The configured classifiers by provider name, and the embedded local model used as fallback.
struct ModelCatalog {
    var classifiers: [String: any Classifier]
    var localModel: (any Classifier)?

    static let artifactName = "local-model"

    static func load(
        configuration: Configuration, store: any TicketStore, httpClient: HTTPClient, logger: Logger
    ) async throws -> ModelCatalog {
        var classifiers: [String: any Classifier] = [:]
        var localModel: (any Classifier)?
        // Providers outside the chain are not built (an unused OpenAI entry needs no key).
        let needed = Set(configuration.model.chain).union(
            configuration.fallback.useLocalModel ? configuration.model.providers.filter { $0.value.kind == "local" }.map(\.key) : [])
        for (name, provider) in configuration.model.providers.sorted(by: { $0.key < $1.key }) where needed.contains(name) {
            switch provider {
            case .local(let settings):
                let model = try await loadLocalModel(settings, store: store, logger: logger)
                let classifier = LocalModelClassifier(model: model)
                classifiers[name] = classifier
                if localModel == nil { localModel = classifier }
            case .openAI(let settings):
                var template = PromptTemplate.default
                if let path = settings.promptTemplate {
                    do {
                        template = try String(contentsOfFile: path, encoding: .utf8)
                    } catch {
                        throw StartupError("model.providers.\(name).prompt_template: cannot read \(path): \(error.localizedDescription)")
                    }
                }
                do {
                    classifiers[name] = try OpenAICompatibleClassifier(
                        configuration: .init(
                            baseURL: settings.baseURL, model: settings.model, apiKey: settings.apiKey, timeout: settings.timeout,
                            promptTemplate: template, maxRetries: settings.maxRetries),
                        httpClient: httpClient, logger: logger)
                } catch {
                    throw StartupError(
                        "model.providers.\(name).prompt_template: \(settings.promptTemplate ?? "built-in template"):\(error.line):\(error.column): \(error.reason)")
                }
            }
        }
        return ModelCatalog(classifiers: classifiers, localModel: localModel)
    }

    /// Reuses the stored model when the training data is unchanged; trains and stores it otherwise.
    static func loadLocalModel(
        _ settings: LocalProviderSettings, store: any TicketStore, logger: Logger
    ) async throws -> LinearTextClassifier {
        var examples: [LabeledText] = []
        for file in settings.trainingData {
            do {
                examples += try TrainingSet.loadCSV(URL(fileURLWithPath: file))
            } catch {
                throw StartupError("local model training data: \(error)")
            }
        }
        guard !examples.isEmpty else { throw StartupError("local model training data is empty: \(settings.trainingData)") }
        let options = TrainingOptions()
        let fingerprint = LinearTextClassifier.fingerprint(of: examples, options: options)
        if let stored = try await store.artifact(named: artifactName), stored.fingerprint == fingerprint,
            let model = try? LinearTextClassifier(serialized: stored.data)
        {
            logger.info("Loaded the local model from the store", metadata: ["examples": "\(examples.count)"])
            return model
        }
        let clock = ContinuousClock()
        let start = clock.now
        let model = LinearTextClassifier.train(examples, options: options)
        try await store.saveArtifact(StoredArtifact(fingerprint: fingerprint, data: model.serialized()), named: artifactName)
        logger.info(
            "Trained the local model",
            metadata: ["examples": "\(examples.count)", "duration": "\((clock.now - start).formatted)"])
        return model
    }
}
