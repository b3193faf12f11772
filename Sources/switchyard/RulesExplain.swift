import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardRules
import SwitchyardServer
import SwitchyardStore
import SwitchyardWebhooks

extension Rules {
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shows how the rules meet one ticket: every rule in order, which tests held, the matched text, and why evaluation stopped.",
            discussion: """
                TICKET is a stored ticket's id (tkt_…), read from the configured store (beside a running server), or a \
                file holding a ticket in the generic JSON shape (- for standard input). The rules are those in --rules \
                (default: the configuration's rules.directory), so a changed rule can be tried on a ticket it got wrong.
                """)

        @OptionGroup var options: CommonOptions

        @Option(help: "The rule folder (default: the configuration's rules.directory).")
        var rules: String?

        @Flag(help: "Print the explanation as JSON (the traces of annotating, deciding and fallback rules).")
        var json = false

        @Argument(help: "A stored ticket's id, or a file with a ticket in the generic JSON shape (- for standard input).")
        var ticket: String

        func run() async throws {
            let configuration = try options.loadConfiguration()
            let ruleSet = try Rules.load(rules, configuration: configuration)
            let (ticket, record) = try await Self.ticket(ticket, configuration: configuration, options: options)
            let explanation = ruleSet.explain(ticket)
            if json {
                print(try Self.json(explanation, record: record))
                return
            }
            if let record {
                print("ticket \(record.id) (\(record.ticket.source) \(record.ticket.externalID)), received \(record.receivedAt.formatted(.iso8601))")
                if record.purgedAt != nil {
                    print("note: its text was removed by storage.retention; only tags and fields that need no text can match")
                }
                if let decision = record.decision {
                    let by = decision.provenance.decidedBy.map { " by \($0)" } ?? ""
                    print("decided: \(decision.department.rawValue) at stage \(decision.provenance.stage.rawValue)\(by), ruleset \(decision.provenance.rulesetVersion)")
                    if decision.provenance.rulesetVersion != ruleSet.version {
                        print("note: the rules below (ruleset \(ruleSet.version)) are not the ones that decided it")
                    }
                }
            }
            print(explanation.text(for: ticket))
        }

        /// The ticket named on the command line: a file (or standard input) in the generic
        /// shape, or a stored ticket's id.
        static func ticket(
            _ argument: String, configuration: Configuration, options: CommonOptions
        ) async throws -> (Ticket, TicketRecord?) {
            if argument == "-" || FileManager.default.fileExists(atPath: argument) {
                let data = argument == "-"
                    ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: argument)
                guard let data else { throw ValidationError("cannot read \(argument)") }
                return (try genericTicket(Array(data), named: argument, configuration: configuration), nil)
            }
            guard argument.hasPrefix("tkt_") else {
                throw ValidationError("\(argument) is neither a file nor a ticket id (tkt_…)")
            }
            let logger = options.bootstrapLogging(defaultLevel: .warning)
            let storage = configuration.storage
            let record: TicketRecord?
            do {
                record = try await storage.withStore(readOnly: true, logger: logger) { store in
                    try await store.ticket(TicketID(argument))
                }
            } catch let error as StoreError {
                FileHandle.standardError.write(Data("Error: store \(storage.location): \(error.message)\n".utf8))
                throw ExitCode(1)
            }
            guard let record else {
                FileHandle.standardError.write(Data("Error: no ticket \(argument) in the store \(storage.location)\n".utf8))
                throw ExitCode(1)
            }
            return (record.ticket, record)
        }

        /// A ticket in the generic JSON shape, read by the generic adapter as a webhook would be.
        static func genericTicket(_ body: [UInt8], named name: String, configuration: Configuration) throws -> Ticket {
            do {
                return try GenericTickets.adapter(configuration).decode(body: body).ticket
            } catch let error as WebhookError {
                throw ValidationError("\(name): \(error)")
            }
        }

        struct Output: Encodable {
            var ticketID: String?
            var rulesetVersion: String
            var annotating: RuleTrace
            var deciding: RuleTrace
            var decidedBy: String?
            var fallback: RuleTrace
            var fallbackDecidedBy: String?

            enum CodingKeys: String, CodingKey {
                case ticketID = "ticket_id"
                case rulesetVersion = "ruleset_version"
                case annotating, deciding
                case decidedBy = "decided_by"
                case fallback
                case fallbackDecidedBy = "fallback_decided_by"
            }
        }

        static func json(_ explanation: RuleExplanation, record: TicketRecord?) throws -> String {
            let output = Output(
                ticketID: record?.id.rawValue, rulesetVersion: explanation.ruleSetVersion,
                annotating: explanation.annotating.trace, deciding: explanation.deciding.trace,
                decidedBy: explanation.deciding.match?.ruleID, fallback: explanation.fallback.trace,
                fallbackDecidedBy: explanation.fallback.match?.ruleID)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(output), as: UTF8.self)
        }
    }
}
