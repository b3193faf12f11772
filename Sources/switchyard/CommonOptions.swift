import ArgumentParser
import Foundation
import Logging
import SwitchyardServer

/// Options every command that reads the configuration shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "Samples/switchyard.yaml"

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (default: info, or LOG_LEVEL).")
    var logLevel: String?

    /// The configuration, or exit status 64 with every problem in the file on standard error,
    /// one per line with its position, key and reason (without the usage text, which is for
    /// mistakes on the command line).
    func loadConfiguration() throws -> Configuration {
        try Self.loadConfiguration(config)
    }

    /// The configuration at `config`, as ``loadConfiguration()`` reads it.
    static func loadConfiguration(_ config: String) throws -> Configuration {
        do {
            return try Configuration.load(path: config)
        } catch {
            let count = error.problems.count
            let heading = "Error: the configuration \(config) has \(count) problem\(count == 1 ? "" : "s"):\n"
            FileHandle.standardError.write(Data((heading + "\(error)\n").utf8))
            throw ExitCode(64)
        }
    }

    /// Sets up logging for this process (the only place that touches the global bootstrap).
    func bootstrapLogging(defaultLevel: Logger.Level = .info) -> Logger {
        let level = (logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"]).flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "switchyard")
    }
}
