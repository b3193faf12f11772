import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer
import SwitchyardTriage

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trains the local model on a labelled file and scores it, or a whole configuration, on another.",
        discussion: """
            Both files are CSV (a text and a label column) or JSON Lines (tickets in the generic shape plus a label \
            key). Without --config the local model alone decides each test ticket; with --config the configuration's \
            whole pipeline does (rules, model chain, fallbacks), its local model trained on --train, with a throw-away \
            store: nothing is written to the configured one. Labels count for the department they stand for (a \
            department's id or one of its labels). Prints accuracy, macro-F1, a per-department table, the confusion \
            matrix, coverage and accuracy by stage, a reliability table, the precision/coverage curve, latency \
            percentiles and cost.
            """)

    @Option(help: "The labelled file the local model is trained on.")
    var train: String

    @Option(help: "The labelled file that is scored.")
    var test: String

    @Option(help: "Run this configuration's whole pipeline instead of the local model alone.")
    var config: String?

    @OptionGroup var columns: LabelColumns

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Option(help: "Also write a self-contained HTML report with charts to this file.")
    var html: String?

    @Option(help: "Tickets decided at once through the pipeline (with --config).")
    var concurrency: Int = 8

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let configuration = try CommonOptions.loadConfiguration(config ?? "Samples/switchyard.yaml")
        let trainSet: [(ticket: Ticket, label: DepartmentID)]
        let testSet: [(ticket: Ticket, label: DepartmentID)]
        do {
            trainSet = try LabelledTickets.load(train, configuration: configuration, textColumn: columns.textColumn, labelColumn: columns.labelColumn)
            testSet = try LabelledTickets.load(test, configuration: configuration, textColumn: columns.textColumn, labelColumn: columns.labelColumn)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        guard !trainSet.isEmpty, !testSet.isEmpty else {
            FileHandle.standardError.write(Data("Error: \(trainSet.isEmpty ? train : test) has no labelled tickets\n".utf8))
            throw ExitCode(1)
        }
        let examples = trainSet.map { LabeledText(text: $0.ticket.text, label: $0.label) }
        let report: EvalReport
        if config != nil {
            report = try await pipeline(configuration, examples: examples, testSet: testSet)
        } else {
            report = localModel(examples: examples, testSet: testSet)
        }
        if json {
            print(report.json())
        } else {
            print(report.text())
        }
        if let html {
            do {
                try Data(report.html().utf8).write(to: URL(fileURLWithPath: html))
            } catch {
                FileHandle.standardError.write(Data("Error: cannot write \(html): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
            if !json { print("Report written to \(html)") }
        }
    }

    /// The local model alone, trained here: scored ticket by ticket on one core.
    private func localModel(examples: [LabeledText], testSet: [(ticket: Ticket, label: DepartmentID)]) -> EvalReport {
        let clock = ContinuousClock()
        ProgressBar.status("Training the local model on \(examples.count) tickets…")
        let trainingStart = clock.now
        let model = LinearTextClassifier.train(examples)
        let trainingTime = clock.now - trainingStart
        let progress = ProgressBar("Scoring", total: testSet.count)
        var cases: [Evaluation.Case] = []
        cases.reserveCapacity(testSet.count)
        for (ticket, label) in testSet {
            let start = clock.now
            let best = model.probabilities(for: ticket.text).first
            cases.append(
                Evaluation.Case(
                    truth: label, decided: best?.label, confidence: best?.probability, stage: Stage.model.rawValue,
                    latencyMilliseconds: (clock.now - start).milliseconds))
            progress.advance()
        }
        progress.finish()
        // The speed: whole passes over the test tickets, one after another on this thread,
        // for at least a second (one pass of a few thousand tickets is too short to time).
        var passes = 0
        let scoringStart = clock.now
        repeat {
            for (ticket, _) in testSet { _ = model.probabilities(for: ticket.text) }
            passes += 1
        } while clock.now - scoringStart < .seconds(1)
        let perPass = (clock.now - scoringStart) / passes
        return EvalReport(
            mode: "local_model", train: train, test: test, trainingTickets: examples.count, labels: model.labels.count,
            trainingSeconds: trainingTime.timeInterval, scoringSeconds: perPass.timeInterval, evaluation: Evaluation(cases))
    }

    /// The configuration's whole pipeline, its local models trained on `examples`.
    private func pipeline(
        _ configuration: Configuration, examples: [LabeledText], testSet: [(ticket: Ticket, label: DepartmentID)]
    ) async throws -> EvalReport {
        let run = try await PipelineRun.run(testSet, configuration: configuration, training: examples, concurrency: concurrency)
        return EvalReport(
            mode: "pipeline", train: train, test: test, trainingTickets: examples.count, labels: configuration.departments.ids.count,
            trainingSeconds: run.preparingSeconds, scoringSeconds: run.decidingSeconds, evaluation: Evaluation(run.cases))
    }
}
