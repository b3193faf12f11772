import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardRules
import SwitchyardServer
import SwitchyardStore
import SwitchyardTriage

extension Rules {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Runs a candidate rule set over past tickets and reports, before it goes live, which decisions would change and whether they would be right more often.",
            discussion: """
                Without --tickets, replays the decided tickets the configured store received in the last --since (read \
                beside a running server) against what was decided, judging both by agents' feedback. With --tickets, \
                replays a labelled CSV or JSONL file against the rules in force (--rules), judging both by the labels. \
                No paid model is called: where no rule decides, the recorded model answer is reused, or the local model \
                stands in (--no-model: such tickets go to the model undecided).
                """)

        @OptionGroup var options: CommonOptions

        @Option(help: "The candidate rule folder.")
        var candidate: String

        @Option(help: "The rules in force to compare with for --tickets (default: the configuration's rules.directory).")
        var rules: String?

        @Option(help: "How far back to replay stored tickets (250ms, 10s, 5m, 1h, 7d).")
        var since: String = "7d"

        @Option(help: "A labelled CSV (text,department) or JSONL file to replay instead of stored tickets.")
        var tickets: String?

        @Option(help: "At most this many stored tickets, the oldest first.")
        var limit: Int = 10_000

        @Option(help: "Examples printed for each kind of change.")
        var examples: Int = 3

        @Flag(help: "Do not let the local model stand in for the model stage.")
        var noModel = false

        @Flag(help: "Print the report as JSON.")
        var json = false

        func run() async throws {
            let configuration = try options.loadConfiguration()
            let candidateRules = try Rules.load(candidate, configuration: configuration)
            let baselineRules = try Rules.load(rules, configuration: configuration)
            let items: [RuleReplay.Item]
            let scope: String
            if let tickets {
                do {
                    items = try LabelledTickets.load(tickets, configuration: configuration).enumerated().map { index, labelled in
                        RuleReplay.Item(name: "#\(index + 1)", ticket: labelled.ticket, truth: .department(labelled.label))
                    }
                } catch {
                    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                    throw ExitCode(1)
                }
                scope = "\(tickets): \(items.count) tickets"
            } else {
                guard let window = Duration(text: since) else {
                    throw ValidationError("--since expects a duration such as 12h or 7d, found \"\(since)\"")
                }
                let from = Date().addingTimeInterval(-window.timeInterval)
                items = try await Self.storedItems(since: from, limit: limit, configuration: configuration, options: options)
                scope = "\(items.count) decided tickets received since \(from.formatted(.iso8601)) (\(since))"
            }
            let standIn: (@Sendable (Ticket) -> DepartmentID?)?
            if noModel {
                standIn = nil
            } else if let model = try LabelledTickets.localModel(configuration) {
                standIn = { ticket in model.probabilities(for: ticket.text).first?.label }
            } else {
                standIn = nil
            }
            let replay = RuleReplay(baseline: baselineRules, candidate: candidateRules, modelStandIn: standIn)
            let report = replay.run(items)
            if json {
                print(try Self.json(report, items: items, examples: examples, scope: scope))
            } else {
                print(Self.text(report, items: items, examples: examples, scope: scope, stored: tickets == nil))
            }
        }

        /// The decided tickets received since `from`, each with its current decision and what
        /// agents' latest feedback says about it.
        static func storedItems(
            since from: Date, limit: Int, configuration: Configuration, options: CommonOptions
        ) async throws -> [RuleReplay.Item] {
            let logger = options.bootstrapLogging(defaultLevel: .warning)
            let storage = configuration.storage
            do {
                return try await storage.withStore(readOnly: true, logger: logger) { store in
                    var items: [RuleReplay.Item] = []
                    for id in try await store.decidedTicketIDs(receivedSince: from, limit: limit) {
                        guard let record = try await store.ticket(id), let decision = record.decision else { continue }
                        items.append(.init(name: id.rawValue, ticket: record.ticket, recorded: decision, truth: truth(of: record)))
                    }
                    return items
                }
            } catch let error as StoreError {
                FileHandle.standardError.write(Data("Error: store \(storage.location): \(error.message)\n".utf8))
                throw ExitCode(1)
            }
        }

        /// What the latest feedback says: a thumbs up confirms the department it judged, a thumbs
        /// down names the right one or only rules the judged one out.
        static func truth(of record: TicketRecord) -> RuleReplay.Truth? {
            guard let feedback = record.feedback.last,
                let judged = record.decisions.first(where: { $0.id == feedback.decisionID })?.decision
            else { return nil }
            switch feedback.feedback.verdict {
            case .up: return .department(judged.department)
            case .down: return feedback.feedback.department.map(RuleReplay.Truth.department) ?? .notDepartment(judged.department)
            }
        }

        static func snippet(_ ticket: Ticket) -> String {
            let text = ticket.text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return text.count > 90 ? text.prefix(87) + "…" : text
        }

        static func percent(_ part: Int, of whole: Int) -> String {
            whole == 0 ? "—" : String(format: "%.1f %%", Double(part) * 100 / Double(whole))
        }

        static func text(_ report: RuleReplay.Report, items: [RuleReplay.Item], examples: Int, scope: String, stored: Bool) -> String {
            var lines = [
                "replay: \(scope)",
                "rules: \(stored ? "as decided" : "ruleset \(report.baselineVersion)") → candidate \(report.candidateVersion)",
                "",
                "decisions that would change department: \(report.changes.count) of \(report.tickets) (\(percent(report.changes.count, of: report.tickets)))",
            ]
            if report.priorityChanges > 0 { lines.append("priority alone would change on \(report.priorityChanges)") }
            for transition in report.transitions {
                lines.append("  \(transition.from) → \(transition.to): \(transition.changes.count)")
                for change in transition.changes.prefix(examples) {
                    let item = items[change.item]
                    lines.append("      \(item.name) [\(change.before.decidedBy) → \(change.after.decidedBy)] \"\(snippet(item.ticket))\"")
                }
            }
            lines.append("")
            let source = stored ? "agents' feedback" : "labels"
            if report.judged == 0 {
                lines.append("no ticket has \(source), so no side can be judged right")
            } else {
                let difference = report.rightAfter - report.rightBefore
                lines.append(
                    "\(source): \(report.judged) tickets can be judged; "
                        + "\(stored ? "what was decided was" : "the rules in force were") right on \(report.rightBefore) (\(percent(report.rightBefore, of: report.judged))), "
                        + "the candidate would be on \(report.rightAfter) (\(percent(report.rightAfter, of: report.judged))): "
                        + (difference == 0 ? "no better, no worse" : difference > 0 ? "\(difference) more right" : "\(-difference) fewer right"))
                lines.append(
                    "of the changed decisions: \(report.fixed) would be fixed, \(report.broken) broken, \(report.unknownChanges) cannot be told")
            }
            return lines.joined(separator: "\n")
        }

        struct Output: Encodable {
            struct Example: Encodable {
                var ticket: String
                var text: String
                var before: String
                var after: String
            }
            struct Transition: Encodable {
                var from: String
                var to: String
                var count: Int
                var examples: [Example]
            }
            struct Judgement: Encodable {
                var judged: Int
                var rightBefore: Int
                var rightAfter: Int
                var fixed: Int
                var broken: Int
                var unknown: Int

                enum CodingKeys: String, CodingKey {
                    case judged
                    case rightBefore = "right_before"
                    case rightAfter = "right_after"
                    case fixed, broken, unknown
                }
            }
            var scope: String
            var tickets: Int
            var baselineVersion: String
            var candidateVersion: String
            var changed: Int
            var priorityChanged: Int
            var changes: [Transition]
            var judgement: Judgement

            enum CodingKeys: String, CodingKey {
                case scope, tickets
                case baselineVersion = "baseline_version"
                case candidateVersion = "candidate_version"
                case changed
                case priorityChanged = "priority_changed"
                case changes, judgement
            }
        }

        static func json(_ report: RuleReplay.Report, items: [RuleReplay.Item], examples: Int, scope: String) throws -> String {
            let output = Output(
                scope: scope, tickets: report.tickets, baselineVersion: report.baselineVersion,
                candidateVersion: report.candidateVersion, changed: report.changes.count, priorityChanged: report.priorityChanges,
                changes: report.transitions.map { transition in
                    Output.Transition(
                        from: transition.from, to: transition.to, count: transition.changes.count,
                        examples: transition.changes.prefix(examples).map { change in
                            Output.Example(
                                ticket: items[change.item].name, text: snippet(items[change.item].ticket),
                                before: change.before.decidedBy, after: change.after.decidedBy)
                        })
                },
                judgement: .init(
                    judged: report.judged, rightBefore: report.rightBefore, rightAfter: report.rightAfter, fixed: report.fixed,
                    broken: report.broken, unknown: report.unknownChanges))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(output), as: UTF8.self)
        }
    }
}
