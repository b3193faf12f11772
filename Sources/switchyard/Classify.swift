import ArgumentParser
import AsyncHTTPClient
import Foundation
import SwitchyardCore
import SwitchyardServer

struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decides one ticket (generic JSON shape) and prints the decision as JSON.",
        discussion: "Reads the ticket from FILE, or from standard input when FILE is - or omitted. Nothing is stored."
    )

    @OptionGroup var options: CommonOptions

    @Argument(help: "A ticket in the generic JSON shape; - for standard input.")
    var file: String = "-"

    func run() async throws {
        let logger = options.bootstrapLogging(defaultLevel: .warning)
        let configuration = try options.loadConfiguration()
        let body: [UInt8]
        if file == "-" {
            body = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            body = Array(data)
        }
        let httpClient = Switchyard.makeHTTPClient()
        do {
            let decision = try await Switchyard.withPrepared(
                configuration: configuration, httpClient: httpClient, logger: logger
            ) { switchyard in
                try await switchyard.classify(ticketJSON: body)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(decision), as: UTF8.self))
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }
}
