import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer
import SwitchyardStore
import SwitchyardTriage

struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finds per-department confidence thresholds that make automatic routing right at a target precision.",
        discussion: """
            From labelled tickets (--tickets: the configuration's pipeline decides each, without its abstention, \
            on a throw-away store) or from agents' verdicts on the configured store's decisions (--from-feedback). \
            Prints each department's threshold with the coverage and precision it gives, and the `abstention:` \
            section to put in the configuration. Use tickets the local model was not trained on.
            """)

    @OptionGroup var options: CommonOptions

    @Option(help: "Labelled tickets (CSV or JSON Lines) to calibrate on.")
    var tickets: String?

    @Flag(help: "Calibrate on agents' verdicts on the store's decisions instead.")
    var fromFeedback = false

    @Option(help: "With --from-feedback: decisions made within this long (12h, 30d).")
    var since: String = "30d"

    @Option(help: "With --tickets: train the local model on this labelled file instead of its training_data.")
    var train: String?

    @Option(help: "The precision automatic routing must reach, 0.5–1.")
    var target: Double = 0.95

    @Option(help: "The human-triage department the printed section names.")
    var department: String?

    @Option(help: "Decisions a department needs for a threshold of its own; fewer take the overall one.")
    var minDecisions: Int = 30

    @OptionGroup var columns: LabelColumns

    @Option(help: "Tickets decided at once through the pipeline.")
    var concurrency: Int = 8

    @Flag(help: "Print one JSON object instead of the table and section.")
    var json = false

    func validate() throws {
        guard (tickets != nil) != fromFeedback else { throw ValidationError("give --tickets FILE or --from-feedback (one of them)") }
        guard (0.5...1).contains(target) else { throw ValidationError("--target must be between 0.5 and 1, found \(target)") }
        guard minDecisions >= 1, concurrency >= 1 else { throw ValidationError("--min-decisions and --concurrency must be at least 1") }
        guard Duration(text: since) != nil else { throw ValidationError("--since expects a duration such as 12h or 30d, found \"\(since)\"") }
    }

    func run() async throws {
        var configuration = try options.loadConfiguration()
        let humanTriage = DepartmentID(department ?? configuration.abstention?.department.rawValue ?? "human_triage")
        let cases: [Evaluation.Case]
        let source: String
        if let tickets {
            let labelled: [(ticket: Ticket, label: DepartmentID)]
            let training: [LabeledText]?
            do {
                labelled = try LabelledTickets.load(tickets, configuration: configuration, textColumn: columns.textColumn, labelColumn: columns.labelColumn)
                training = try train.map {
                    try LabelledTickets.load($0, configuration: configuration, textColumn: columns.textColumn, labelColumn: columns.labelColumn)
                        .map { LabeledText(text: $0.ticket.text, label: $0.label) }
                }
            } catch {
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            // Calibrate what the model says, not what the thresholds being replaced let through.
            configuration.abstention = nil
            cases = try await PipelineRun.run(labelled, configuration: configuration, training: training, concurrency: concurrency).cases
            source = "\(labelled.count) labelled tickets in \(tickets)"
        } else {
            let window = Duration(text: since)!  // checked in validate()
            let judged = try await judgedDecisions(since: Date().addingTimeInterval(-window.timeInterval), configuration: configuration)
            cases = judged.map { judged in
                // A thumbs down that named no department says only that the decision was wrong.
                let truth = judged.verdict == .up ? judged.department : judged.correctDepartment ?? DepartmentID("(wrong)")
                return Evaluation.Case(truth: truth, decided: judged.department, confidence: judged.confidence, stage: judged.stage.rawValue)
            }
            source = "\(judged.count) decisions agents judged in the last \(since)"
        }
        let calibration = Abstention.calibrated(from: cases, targetPrecision: target, minimumDecisions: minDecisions)
        let modelDecisions = calibration.departments.reduce(0) { $0 + $1.decisions }
        guard modelDecisions > 0 else {
            FileHandle.standardError.write(Data("Error: \(source) include no decision by a model to calibrate on\n".utf8))
            throw ExitCode(1)
        }
        if json {
            print(Self.json(calibration, department: humanTriage, source: source))
        } else {
            print(Self.text(calibration, department: humanTriage, source: source, modelDecisions: modelDecisions))
        }
    }

    private func judgedDecisions(since from: Date, configuration: Configuration) async throws -> [JudgedDecision] {
        let logger = options.bootstrapLogging(defaultLevel: .warning)
        do {
            return try await configuration.storage.withStore(readOnly: true, logger: logger) { store in
                try await store.judgedDecisions(decidedSince: from, limit: 1_000_000)
            }
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("Error: store \(configuration.storage.location): \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func text(_ calibration: Calibration, department: DepartmentID, source: String, modelDecisions: Int) -> String {
        var lines = [
            "Calibrated on \(source): \(modelDecisions) decided by a model; target precision "
                + "\(EvalReport.percent(calibration.targetPrecision))",
            "",
        ]
        lines += EvalReport.table(
            ["department", "decisions", "threshold", "coverage", "precision", ""],
            calibration.departments.map {
                [
                    $0.department.rawValue, "\($0.decisions)", EvalReport.fixed($0.threshold, 3), EvalReport.percent($0.coverage),
                    EvalReport.percent($0.precision), $0.ownThreshold ? "" : "(too few: the overall threshold)",
                ]
            })
        lines += ["", "Put this in the configuration (\(department) must be one of its departments):", ""]
        lines += section(calibration, department: department)
        return lines.joined(separator: "\n")
    }

    /// The `abstention:` section, thresholds in department order.
    static func section(_ calibration: Calibration, department: DepartmentID) -> [String] {
        var lines = [
            "abstention:", "  department: \(department)", "  default_threshold: \(EvalReport.fixed(calibration.defaultThreshold, 3))",
        ]
        let own = calibration.departments.filter(\.ownThreshold)
        if !own.isEmpty {
            lines.append("  thresholds:")
            lines += own.map { "    \($0.department): \(EvalReport.fixed($0.threshold, 3))" }
        }
        return lines
    }

    static func json(_ calibration: Calibration, department: DepartmentID, source: String) -> String {
        struct Row: Encodable {
            var department: String
            var decisions: Int
            var threshold: Double
            var ownThreshold: Bool
            var coverage: Double
            var precision: Double?
        }
        struct Report: Encodable {
            var source: String
            var targetPrecision: Double
            var department: String
            var defaultThreshold: Double
            var departments: [Row]
        }
        let report = Report(
            source: source, targetPrecision: calibration.targetPrecision, department: department.rawValue,
            defaultThreshold: calibration.defaultThreshold,
            departments: calibration.departments.map {
                Row(
                    department: $0.department.rawValue, decisions: $0.decisions, threshold: $0.threshold, ownThreshold: $0.ownThreshold,
                    coverage: $0.coverage, precision: $0.precision)
            })
        return EvalReport.jsonLine(report)
    }
}
