import Foundation
import Logging
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer
import SwitchyardTriage

/// A configuration's whole pipeline over labelled tickets, on a throw-away SQLite store (the
/// configured store is not opened): what `eval --config` and `calibrate` run.
enum PipelineRun {
    struct Result {
        var cases: [Evaluation.Case]
        /// Start-up: opening the store and training the local model.
        var preparingSeconds: Double
        var decidingSeconds: Double
    }

    /// Decides every ticket of `labelled`, up to `concurrency` at once. With `training`, the
    /// configuration's local providers are trained on those examples instead of their
    /// `training_data`. Each label counts for the department it stands for.
    static func run(
        _ labelled: [(ticket: Ticket, label: DepartmentID)], configuration: Configuration, training: [LabeledText]?,
        concurrency: Int
    ) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var prepared = configuration
        prepared.storage.engine = .sqlite
        prepared.storage.postgres = nil
        prepared.storage.path = folder.appendingPathComponent("run.sqlite").path
        if let training {
            let trainingFile = folder.appendingPathComponent("train.csv")
            try TrainingSet.csv(training, textColumn: "text", labelColumn: "label").write(to: trainingFile)
            for (name, provider) in prepared.model.providers {
                if case .local = provider {
                    prepared.model.providers[name] = .local(
                        LocalProviderSettings(trainingData: [trainingFile.path], textColumn: "text", labelColumn: "label"))
                }
            }
        }
        var logger = Logger(label: "switchyard") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        ProgressBar.status("Preparing the pipeline (training the local model)…")
        let clock = ContinuousClock()
        let start = clock.now
        var decidingStart = start
        let httpClient = Switchyard.makeHTTPClient()
        let decisions: [Decision]
        do {
            decisions = try await Switchyard.withPrepared(configuration: prepared, httpClient: httpClient, logger: logger) {
                switchyard in
                decidingStart = clock.now
                let progress = ProgressBar("Deciding", total: labelled.count)
                defer { progress.finish() }
                return await decideAll(labelled.map(\.ticket), triage: switchyard.triage, concurrency: concurrency) {
                    progress.advance()
                }
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        let end = clock.now
        let departments = configuration.departments
        let cases = zip(labelled, decisions).map { labelled, decision in
            Evaluation.Case(
                truth: departments.department(forLabel: labelled.label.rawValue) ?? labelled.label,
                decided: decision.department, confidence: decision.provenance.stage == .rule ? nil : decision.confidence,
                stage: decision.provenance.stage.rawValue, latencyMilliseconds: decision.provenance.latencyMilliseconds,
                costUSD: decision.provenance.attempts.reduce(0) { $0 + ($1.costUSD ?? 0) })
        }
        return Result(
            cases: cases, preparingSeconds: (decidingStart - start).timeInterval, decidingSeconds: (end - decidingStart).timeInterval)
    }

    /// Every ticket's decision, in order, with at most `concurrency` in flight.
    private static func decideAll(
        _ tickets: [Ticket], triage: Triage, concurrency: Int, advanced: () -> Void
    ) async -> [Decision] {
        await withTaskGroup(of: (Int, Decision).self) { group in
            var decisions = [Decision?](repeating: nil, count: tickets.count)
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask { (index, await triage.decide(tickets[index])) }
            }
            while next < min(concurrency, tickets.count) { add() }
            for await (index, decision) in group {
                decisions[index] = decision
                advanced()
                if next < tickets.count { add() }
            }
            return decisions.map { $0! }  // every index was added once and answered
        }
    }
}
