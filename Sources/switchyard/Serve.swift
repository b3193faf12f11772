import ArgumentParser
import AsyncHTTPClient
import Logging
import SwitchyardServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs the HTTP server, the triage workers and the write-back outbox."
    )

    @OptionGroup var options: CommonOptions

    @Option(help: "Listen on this port instead of server.port from the configuration.")
    var port: Int?

    func run() async throws {
        let logger = options.bootstrapLogging()
        var configuration = try options.loadConfiguration()
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            configuration.server.port = port
        }
        let httpClient = Switchyard.makeHTTPClient()
        do {
            try await Switchyard.withPrepared(configuration: configuration, httpClient: httpClient, logger: logger) {
                switchyard in
                let host = configuration.server.host
                let application = switchyard.application { port in
                    logger.notice("Listening", metadata: ["address": "http://\(host):\(port)"])
                }
                try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            }
            logger.notice("Stopped")
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }
}
