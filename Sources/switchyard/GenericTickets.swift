import ArgumentParser
import Foundation
import SwitchyardServer
import SwitchyardWebhooks

/// The generic adapter, which defines the ticket shape the command-line tools read (ticket
/// files for `rules explain`, JSON Lines for `rules test` and `rules replay`), loaded from the
/// configuration's webhooks folder like the server loads it.
enum GenericTickets {
    static func adapter(_ configuration: Configuration) throws -> Adapter {
        let adapters: AdapterRegistry
        do {
            adapters = try configuration.loadAdapters()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        guard let generic = adapters["generic"] else {
            throw ValidationError(
                "the generic adapter (generic.yaml) is missing from \(configuration.webhooks.directory); it defines the ticket shape")
        }
        return generic
    }
}
