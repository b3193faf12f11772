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
        var result: [(ticket: Ticket, label: DepartmentID)] = []
        for line in try jsonLines(path, configuration: configuration, textColumn: textColumn, labelColumn: labelColumn) {
            let (ticket, label) = try line.read()
            guard let label else {
                throw Problem(description: "\(line.place): not a ticket with a department: missing `$.\(labelColumn)` (a string)")
            }
            result.append((ticket, DepartmentID(label)))
        }
        return result
    }

    /// One non-blank line of a JSON Lines ticket file, read when asked (`switchyard batch`
    /// keeps going past a bad line; `eval` stops at it).
    struct JSONLine {
        /// `FILE:LINE`.
        var place: String
        /// The line's `id`, or `#LINE` when it has none (or is not an object).
        var id: String
        /// The ticket in the generic shape and the label's value (nil when the key is absent),
        /// or the problem with the line.
        var read: () throws -> (ticket: Ticket, label: String?)
    }

    /// The lines of the JSON Lines file at `path`: each a ticket in the generic shape (read by
    /// the configuration's generic adapter), `textColumn` standing for its body, `labelColumn`
    /// taken out, and `source` naming the adapter a rule may test.
    static func jsonLines(
        _ path: String, configuration: Configuration, textColumn: String = "text", labelColumn: String? = nil
    ) throws -> [JSONLine] {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            throw Problem(description: "\(path): cannot read the file")
        }
        let generic = try GenericTickets.adapter(configuration)
        var lines: [JSONLine] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
            let place = "\(path):\(number + 1)"
            let parsed = try? JSONValue.parse(Array(line))
            var id = "#\(number + 1)"
            if case .object(let members)? = parsed {
                switch members["id"] {
                case .string(let given)?: id = given
                case .number(let given)?: id = given.formatted(digits: 0)
                default: break
                }
            }
            lines.append(
                JSONLine(place: place, id: id) { [id] in
                    guard case .object(var members)? = parsed else {
                        throw Problem(description: "\(place): not a JSON object (one ticket per line)")
                    }
                    var label: String?
                    if let labelColumn, let value = members.removeValue(forKey: labelColumn) {
                        guard case .string(let text) = value else {
                            throw Problem(description: "\(place): `$.\(labelColumn)` must be a string")
                        }
                        label = text
                    }
                    if textColumn != "text" || members["body"] == nil, let text = members.removeValue(forKey: textColumn) {
                        members["body"] = text
                    }
                    if members["id"] == nil { members["id"] = .string(id) }
                    // `source` names the adapter a rule may test; the generic shape has no such key.
                    var source = "labelled"
                    if case .string(let named)? = members.removeValue(forKey: "source") { source = named }
                    do {
                        var ticket = try generic.decode(body: JSONValue.object(members).serialized).ticket
                        ticket.source = source
                        return (ticket, label)
                    } catch {
                        throw Problem(description: "\(place): not a ticket in the generic shape: \(error)")
                    }
                })
        }
        return lines
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
