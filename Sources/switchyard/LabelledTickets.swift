import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer

/// Labelled tickets for `rules test --tickets`, `rules replay --tickets` and `eval`: a CSV with
/// `text` and `department` columns (the training data's format), or JSON Lines, one ticket per
/// line in the generic shape (read by the generic adapter, as a webhook would be; `id`
/// optional) plus its `department` and, optionally, the `source` adapter a rule may test.
/// Other column (key) names can be given: a JSONL ticket's text column stands for its body.
enum LabelledTickets {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func load(
        _ path: String, configuration: Configuration, textColumn: String = "text", labelColumn: String = "department"
    ) throws -> [(ticket: Ticket, label: DepartmentID)] {
        let url = URL(fileURLWithPath: path)
        if path.hasSuffix(".csv") {
            return try TrainingSet.loadCSV(url, textColumn: textColumn, labelColumn: labelColumn).map {
                (Ticket(externalID: "labelled", source: "labelled", body: $0.text), $0.label)
            }
        }
        guard let data = try? Data(contentsOf: url) else { throw Problem(description: "\(path): cannot read the file") }
        let generic = try GenericTickets.adapter(configuration)
        var result: [(ticket: Ticket, label: DepartmentID)] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
            let place = "\(path):\(number + 1)"
            guard case .object(var members)? = try? JSONValue.parse(Array(line)) else {
                throw Problem(description: "\(place): not a JSON object (one ticket per line)")
            }
            guard case .string(let department)? = members.removeValue(forKey: labelColumn) else {
                throw Problem(description: "\(place): not a ticket with a department: missing `$.\(labelColumn)` (a string)")
            }
            if textColumn != "text" || members["body"] == nil, let text = members.removeValue(forKey: textColumn) {
                members["body"] = text
            }
            if members["id"] == nil { members["id"] = .string("#\(number + 1)") }
            // `source` names the adapter a rule may test; the generic shape has no such key.
            var source = "labelled"
            if case .string(let named)? = members.removeValue(forKey: "source") { source = named }
            do {
                var ticket = try generic.decode(body: JSONValue.object(members).serialized).ticket
                ticket.source = source
                result.append((ticket, DepartmentID(department)))
            } catch {
                throw Problem(description: "\(place): not a ticket in the generic shape: \(error)")
            }
        }
        return result
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
