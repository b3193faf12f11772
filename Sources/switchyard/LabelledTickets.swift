import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer

/// Labelled tickets for `rules test --tickets`: a CSV with `text` and `department` columns
/// (the training data's format), or JSON Lines, one ticket per line with the generic shape's
/// keys (`id` optional, `custom_fields` values as strings) plus its `department`.
enum LabelledTickets {
    struct Line: Decodable {
        struct Requester: Decodable {
            var name: String?
            var email: String?
        }
        var department: String
        var subject: String?
        var body: String?
        var tags: [String]?
        var channel: String?
        var language: String?
        var priority: String?
        var status: String?
        var source: String?
        var requester: Requester?
        var customFields: [String: String]?

        enum CodingKeys: String, CodingKey {
            case department, subject, body, tags, channel, language, priority, status, source, requester
            case customFields = "custom_fields"
        }
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func load(_ path: String) throws -> [(ticket: Ticket, label: DepartmentID)] {
        let url = URL(fileURLWithPath: path)
        if path.hasSuffix(".csv") {
            return try TrainingSet.loadCSV(url).map { (ticket(body: $0.text), $0.label) }
        }
        guard let data = try? Data(contentsOf: url) else { throw Problem(description: "\(path): cannot read the file") }
        var result: [(ticket: Ticket, label: DepartmentID)] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
            let decoded: Line
            do {
                decoded = try JSONDecoder().decode(Line.self, from: Data(line))
            } catch let error as DecodingError {
                throw Problem(description: "\(path):\(number + 1): not a ticket with a department: \(error.explanation(root: "$"))")
            }
                var ticket = ticket(subject: decoded.subject ?? "", body: decoded.body ?? "")
            ticket.tags = decoded.tags ?? []
            ticket.channel = decoded.channel
            ticket.language = decoded.language
            ticket.priority = decoded.priority
            ticket.status = decoded.status
            ticket.source = decoded.source ?? ticket.source
            ticket.requester = decoded.requester.map { Requester(name: $0.name, email: $0.email) }
            ticket.customFields = decoded.customFields ?? [:]
            result.append((ticket, DepartmentID(decoded.department)))
        }
        return result
    }

    private static func ticket(subject: String = "", body: String) -> Ticket {
        Ticket(externalID: "labelled", source: "labelled", subject: subject, body: body)
    }

    /// The configuration's local model, trained from its training data as the server trains
    /// it; nil when no local provider is configured.
    static func localModel(_ configuration: Configuration) throws -> LinearTextClassifier? {
        let local = configuration.model.providers.sorted { $0.key < $1.key }.lazy.compactMap { entry -> LocalProviderSettings? in
            if case .local(let settings) = entry.value { settings } else { nil }
        }.first
        guard let local else { return nil }
        return LinearTextClassifier.train(try local.trainingExamples(), options: TrainingOptions())
    }
}
