import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer
import SwitchyardTriage

struct Batch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classifies a file of tickets through the configured pipeline, resumably.",
        discussion: """
            Reads tickets from --input (CSV with a text column and optional id and subject columns, or JSON Lines in the \
            generic shape), decides each with the configured pipeline (rules, model chain, fallbacks, abstention), up to \
            --concurrency at once, and appends one JSON line per ticket to --output as it is decided. Run again with the \
            same files after an interruption and only the tickets not yet in --output are decided. Nothing is stored and \
            nothing is written back to a platform.
            """)

    @OptionGroup var options: CommonOptions

    @Option(help: "The tickets: CSV, or JSON Lines in the generic shape.")
    var input: String

    @Option(help: "Where decisions are appended, one JSON line per ticket.")
    var output: String

    @Option(help: "The CSV column (JSONL key) holding the ticket text.")
    var textColumn: String = "text"

    @Option(help: "The CSV column holding each ticket's id (rows without the column are #LINE).")
    var idColumn: String = "id"

    @Option(help: "The CSV column holding each ticket's subject, if any.")
    var subjectColumn: String = "subject"

    @Option(help: "Tickets decided at once.")
    var concurrency: Int = 8

    @Flag(help: "Start over: empty --output first instead of resuming.")
    var fresh = false

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard URL(fileURLWithPath: input).standardized != URL(fileURLWithPath: output).standardized else {
            throw ValidationError("--output must not be --input")
        }
    }

    /// One ticket of the input: its id, where it is, and the ticket or why it cannot be read.
    struct Entry {
        var id: String
        var place: String
        var read: () throws -> Ticket
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let logger = options.bootstrapLogging(defaultLevel: .warning)
        let entries: [Entry]
        do {
            entries = try loadEntries(configuration)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var firstPlace: [String: String] = [:]
        for entry in entries {
            if let earlier = firstPlace.updateValue(entry.place, forKey: entry.id) {
                FileHandle.standardError.write(
                    Data("Error: ticket id \"\(entry.id)\" is at \(earlier) and \(entry.place); ids must be unique to resume\n".utf8))
                throw ExitCode(1)
            }
        }
        let writer: BatchOutput
        do {
            writer = try BatchOutput(path: output, fresh: fresh)
        } catch {
            FileHandle.standardError.write(Data("Error: \(output): \(error)\n".utf8))
            throw ExitCode(1)
        }
        let pending = entries.filter { !writer.done.contains($0.id) }
        let clock = ContinuousClock()
        let start = clock.now
        var tally = Tally()
        let httpClient = Switchyard.makeHTTPClient()
        do {
            tally = try await Switchyard.withPrepared(configuration: configuration, httpClient: httpClient, logger: logger) {
                switchyard in
                try await decide(pending, triage: switchyard.triage, writer: writer)
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        let seconds = (clock.now - start).timeInterval
        print(summary(tally, skipped: entries.count - pending.count, seconds: seconds))
        if tally.failed > 0 { throw ExitCode(1) }
    }

    private func loadEntries(_ configuration: Configuration) throws -> [Entry] {
        if input.hasSuffix(".csv") {
            let table = try CSVTable.load(URL(fileURLWithPath: input))
            let file = URL(fileURLWithPath: input).lastPathComponent
            let text = try table.requiredColumn(textColumn, file: file)
            let id = table.column(idColumn)
            let subject = table.column(subjectColumn)
            return table.rows.map { row in
                let ticketID = id.map { row.fields[$0].trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
                    ?? "#\(row.line)"
                let place = "\(input):\(row.line)"
                return Entry(id: ticketID, place: place) {
                    guard !row.fields[text].allSatisfy(\.isWhitespace) else {
                        throw LabelledTickets.Problem(description: "\(place): the \(textColumn) column is empty")
                    }
                    return Ticket(
                        externalID: ticketID, source: "batch", subject: subject.map { row.fields[$0] } ?? "", body: row.fields[text])
                }
            }
        }
        return try LabelledTickets.jsonLines(input, configuration: configuration, textColumn: textColumn).map { line in
            Entry(id: line.id, place: line.place) { try line.read().ticket }
        }
    }

    struct Tally {
        var decided = 0
        var failed = 0
        var byDepartment: [DepartmentID: Int] = [:]
        var byStage: [String: Int] = [:]
    }

    /// Decides `entries`, at most `concurrency` at once, appending each answer as it comes.
    private func decide(_ entries: [Entry], triage: Triage, writer: BatchOutput) async throws -> Tally {
        let progress = ProgressBar("Classifying", total: entries.count)
        defer { progress.finish() }
        var tally = Tally()
        try await withThrowingTaskGroup(of: (Int, Result<Decision, any Error>).self) { group in
            var next = 0
            func add() {
                let index = next
                next += 1
                let ticket = Result { try entries[index].read() }
                group.addTask {
                    switch ticket {
                    case .success(let ticket): (index, .success(await triage.decide(ticket)))
                    case .failure(let error): (index, .failure(error))
                    }
                }
            }
            while next < min(concurrency, entries.count) { add() }
            while let (index, result) = try await group.next() {
                let entry = entries[index]
                switch result {
                case .success(let decision):
                    try writer.append(id: entry.id, decision: decision)
                    tally.decided += 1
                    tally.byDepartment[decision.department, default: 0] += 1
                    tally.byStage[decision.provenance.stage.rawValue, default: 0] += 1
                case .failure(let error):
                    try writer.append(id: entry.id, error: "\(error)")
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    tally.failed += 1
                }
                progress.advance()
                if next < entries.count { add() }
            }
        }
        return tally
    }

    private func summary(_ tally: Tally, skipped: Int, seconds: Double) -> String {
        var lines = [
            "Decided \(tally.decided) tickets in \(EvalReport.fixed(seconds, 2)) s"
                + (skipped > 0 ? "; \(skipped) already in \(output), skipped" : "")
                + (tally.failed > 0 ? "; \(tally.failed) could not be read (listed above and in \(output))" : ""),
        ]
        if tally.decided > 0 {
            lines.append("")
            lines += EvalReport.table(
                ["department", "tickets", "share"],
                tally.byDepartment.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
                    [$0.key.rawValue, "\($0.value)", EvalReport.percent(Double($0.value) / Double(tally.decided))]
                })
            lines.append("")
            lines += EvalReport.table(
                ["stage", "tickets", "share"],
                tally.byStage.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
                    [$0.key, "\($0.value)", EvalReport.percent(Double($0.value) / Double(tally.decided))]
                })
        }
        return lines.joined(separator: "\n")
    }
}

/// `switchyard batch`'s output file: JSON Lines appended one whole line at a time, and the ids
/// it already holds a decision for (what a resumed run skips).
final class BatchOutput {
    let done: Set<String>
    private let handle: FileHandle
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// Opens `path` for appending (creating it), first cutting off a last line left half
    /// written by an interrupted run; `fresh` empties it.
    init(path: String, fresh: Bool) throws {
        let url = URL(fileURLWithPath: path)
        if fresh || !FileManager.default.fileExists(atPath: path) {
            try Data().write(to: url)
        }
        var existing = try Data(contentsOf: url)
        if let lastNewline = existing.lastIndex(of: UInt8(ascii: "\n")) {
            existing = existing[...lastNewline]
        } else {
            existing = Data()
        }
        var done: Set<String> = []
        for line in existing.split(separator: UInt8(ascii: "\n")) {
            // Lines with an error are tried again; only decisions count as done.
            guard case .object(let members)? = try? JSONValue.parse(Array(line)), members["decision"] != nil,
                case .string(let id)? = members["id"]
            else { continue }
            done.insert(id)
        }
        self.done = done
        handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(existing.count))
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    func append(id: String, decision: Decision) throws {
        struct Line: Encodable {
            var id: String
            var decision: Decision
            var explanation: String
        }
        try write(encoder.encode(Line(id: id, decision: decision, explanation: decision.explanation)))
    }

    func append(id: String, error: String) throws {
        struct Line: Encodable {
            var id: String
            var error: String
        }
        try write(encoder.encode(Line(id: id, error: error)))
    }

    private func write(_ line: Data) throws {
        try handle.write(contentsOf: line + Data("\n".utf8))
    }
}
