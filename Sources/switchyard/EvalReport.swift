import Foundation
import SwitchyardCore
import SwitchyardTriage

/// What `switchyard eval` measured, as tables for a terminal, one JSON object, or a
/// self-contained HTML page with charts.
struct EvalReport {
    /// `local_model` or `pipeline`.
    var mode: String
    var train: String
    var test: String
    var trainingTickets: Int
    /// The model's labels (local model) or the configuration's departments (pipeline).
    var labels: Int
    var trainingSeconds: Double
    var scoringSeconds: Double
    var evaluation: Evaluation

    var ticketsPerSecond: Double { Double(evaluation.cases.count) / max(scoringSeconds, 1e-9) }

    /// The confusions worth reading first: the largest off-diagonal cells.
    func topConfusions(_ count: Int) -> [(truth: DepartmentID, decided: String, tickets: Int)] {
        var cells: [(truth: DepartmentID, decided: String, tickets: Int)] = []
        let departments = evaluation.departments
        for (row, counts) in evaluation.confusion.enumerated() {
            for (column, tickets) in counts.enumerated() where column != row && tickets > 0 {
                cells.append((departments[row], column < departments.count ? departments[column].rawValue : "(undecided)", tickets))
            }
        }
        return Array(cells.sorted { ($0.tickets, $1.truth.rawValue, $1.decided) > ($1.tickets, $0.truth.rawValue, $0.decided) }.prefix(count))
    }

    // MARK: Text

    func text() -> String {
        var lines: [String] = []
        let evaluation = evaluation
        lines.append(
            "\(mode == "pipeline" ? "Pipeline" : "Local model") trained on \(trainingTickets) tickets (\(train)) in "
                + "\(Self.fixed(trainingSeconds, 2)) s; \(evaluation.cases.count) tickets scored (\(test)) in "
                + "\(Self.fixed(scoringSeconds, 3)) s: \(Int(ticketsPerSecond.rounded())) tickets/s")
        lines.append("")
        lines.append(
            "accuracy \(Self.percent(evaluation.accuracy))   macro-F1 \(Self.percent(evaluation.macroF1))   "
                + "expected calibration error \(Self.percent(evaluation.calibrationError()))")
        if evaluation.abstentionRate > 0 {
            lines.append(
                "abstained (sent to people) \(Self.percent(evaluation.abstentionRate))   "
                    + "precision of what was routed automatically \(Self.percent(evaluation.automaticPrecision))")
        }
        lines.append("")
        lines.append("By department")
        lines += Self.table(
            ["department", "support", "decided", "precision", "recall", "F1"],
            evaluation.departmentFigures.map {
                [$0.department.rawValue, "\($0.support)", "\($0.decided)", Self.percent($0.precision), Self.percent($0.recall), Self.percent($0.f1)]
            })
        lines.append("")
        if evaluation.departments.count <= 12 {
            lines.append("Confusion (rows: label, columns: decided, in the order above; last column: undecided)")
            let header = ["label"] + evaluation.departments.indices.map { "\($0 + 1)" } + ["-"]
            lines += Self.table(
                header,
                evaluation.confusion.enumerated().map { row, counts in
                    ["\(row + 1) \(evaluation.departments[row])"] + counts.map { "\($0)" }
                })
        } else {
            lines.append("Most frequent confusions (label → decided)")
            lines += Self.table(["label", "decided", "tickets"], topConfusions(15).map { [$0.truth.rawValue, $0.decided, "\($0.tickets)"] })
        }
        lines.append("")
        lines.append("By stage")
        lines += Self.table(
            ["stage", "tickets", "coverage", "accuracy"],
            evaluation.stages.map { [$0.stage, "\($0.tickets)", Self.percent($0.coverage), Self.percent($0.accuracy)] })
        lines.append("")
        lines.append("Reliability (is a confidence of 0.8 right 80 % of the time?)")
        lines += Self.table(
            ["confidence", "tickets", "mean confidence", "accuracy"],
            evaluation.reliability().map {
                ["\(Self.fixed($0.lower, 1))–\(Self.fixed($0.upper, 1))", "\($0.tickets)", Self.percent($0.meanConfidence), Self.percent($0.accuracy)]
            })
        lines.append("")
        lines.append("Precision against coverage (keeping decisions at or above a confidence; rules always kept)")
        lines += Self.table(
            ["threshold", "coverage", "precision", "abstained"],
            evaluation.precisionCoverage().map {
                [Self.fixed($0.threshold, 2), Self.percent($0.coverage), Self.percent($0.precision), Self.percent(1 - $0.coverage)]
            })
        lines.append("")
        lines.append(
            "latency p50 \(Self.fixed(evaluation.latencyPercentile(50), 3)) ms, p90 \(Self.fixed(evaluation.latencyPercentile(90), 3)) ms, "
                + "p99 \(Self.fixed(evaluation.latencyPercentile(99), 3)) ms, max \(Self.fixed(evaluation.latencyPercentile(100), 3)) ms; "
                + "cost $\(Self.fixed(evaluation.costUSD, 6)) ($\(Self.fixed(evaluation.costUSD * 1000 / Double(max(evaluation.cases.count, 1)), 6)) per 1,000 tickets)")
        return lines.joined(separator: "\n")
    }

    static func percent(_ fraction: Double?) -> String {
        guard let fraction else { return "–" }
        return fixed(fraction * 100, 2) + " %"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    /// Columns padded to their widest cell: the first left-aligned, the others right-aligned.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            "  "
                + row.enumerated().map { column, cell in
                    let padding = String(repeating: " ", count: max(widths[column] - cell.count, 0))
                    return column == 0 ? cell + padding : padding + cell
                }.joined(separator: "  ")
        }
    }

    // MARK: JSON

    struct JSONReport: Encodable {
        struct Training: Encodable {
            var file: String
            var tickets: Int
            var labels: Int
            var seconds: Double
        }
        struct Scoring: Encodable {
            var file: String
            var tickets: Int
            var seconds: Double
            var ticketsPerSecond: Double
        }
        struct DepartmentRow: Encodable {
            var department: String
            var support: Int
            var decided: Int
            var precision: Double?
            var recall: Double?
            var f1: Double
        }
        struct Confusion: Encodable {
            var labels: [String]
            var matrix: [[Int]]
        }
        struct StageRow: Encodable {
            var stage: String
            var tickets: Int
            var coverage: Double
            var accuracy: Double?
        }
        struct ReliabilityRow: Encodable {
            var lower: Double
            var upper: Double
            var tickets: Int
            var meanConfidence: Double
            var accuracy: Double
        }
        struct CoverageRow: Encodable {
            var threshold: Double
            var coverage: Double
            var precision: Double?
        }
        struct Latency: Encodable {
            var p50: Double
            var p90: Double
            var p99: Double
            var max: Double
        }
        var mode: String
        var accuracy: Double
        var macroF1: Double
        var calibrationError: Double
        var abstentionRate: Double
        var automaticPrecision: Double?
        var training: Training
        var scoring: Scoring
        var departments: [DepartmentRow]
        var confusion: Confusion
        var stages: [StageRow]
        var reliability: [ReliabilityRow]
        var precisionCoverage: [CoverageRow]
        var latencyMs: Latency
        var costUsd: Double
    }

    var jsonReport: JSONReport {
        let evaluation = evaluation
        return JSONReport(
            mode: mode, accuracy: evaluation.accuracy, macroF1: evaluation.macroF1, calibrationError: evaluation.calibrationError(),
            abstentionRate: evaluation.abstentionRate, automaticPrecision: evaluation.automaticPrecision,
            training: .init(file: train, tickets: trainingTickets, labels: labels, seconds: trainingSeconds),
            scoring: .init(file: test, tickets: evaluation.cases.count, seconds: scoringSeconds, ticketsPerSecond: ticketsPerSecond),
            departments: evaluation.departmentFigures.map {
                .init(
                    department: $0.department.rawValue, support: $0.support, decided: $0.decided, precision: $0.precision,
                    recall: $0.recall, f1: $0.f1)
            },
            confusion: .init(labels: evaluation.departments.map(\.rawValue), matrix: evaluation.confusion),
            stages: evaluation.stages.map { .init(stage: $0.stage, tickets: $0.tickets, coverage: $0.coverage, accuracy: $0.accuracy) },
            reliability: evaluation.reliability().map {
                .init(lower: $0.lower, upper: $0.upper, tickets: $0.tickets, meanConfidence: $0.meanConfidence, accuracy: $0.accuracy)
            },
            precisionCoverage: evaluation.precisionCoverage().map {
                .init(threshold: $0.threshold, coverage: $0.coverage, precision: $0.precision)
            },
            latencyMs: .init(
                p50: evaluation.latencyPercentile(50), p90: evaluation.latencyPercentile(90), p99: evaluation.latencyPercentile(99),
                max: evaluation.latencyPercentile(100)),
            costUsd: evaluation.costUSD)
    }

    func json() -> String { Self.jsonLine(jsonReport) }

    /// A report as one line of JSON, snake_case keys in sorted order: `eval --json` and
    /// `calibrate --json`. Reports hold only finite figures (fractions of counts, seconds,
    /// dollars), which always encode.
    static func jsonLine(_ report: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(report)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
