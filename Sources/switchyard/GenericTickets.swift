import ArgumentParser
import Foundation
import SwitchyardServer
import SwitchyardWebhooks

/// The generic adapter, which defines the ticket shape the command-line tools read (ticket
/// files for `rules explain`, JSON Lines for `rules test` and `rules replay`), loaded from the
/// configuration's webhooks folder like the server loads it.
enum GenericTickets {
    static func adapter(_ configuration: Configuration) throws -> Adapter {
        let adapters = try Self.adapters(configuration)
        guard let generic = adapters["generic"] else {
            throw ValidationError(
                "the generic adapter (generic.yaml) is missing from \(configuration.webhooks.directory); it defines the ticket shape")
        }
        return generic
    }

    /// The configuration's adapter files, or exit status 1 with every problem in them on
    /// standard error: the commands' one way to load them.
    static func adapters(_ configuration: Configuration) throws -> AdapterRegistry {
        do {
            return try configuration.loadAdapters()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
