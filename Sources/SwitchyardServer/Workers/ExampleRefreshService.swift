import Logging
import ServiceLifecycle
import SwitchyardModels
import SwitchyardStore

/// Reads the confirmed tickets the prompts show as examples again every
/// `model.examples.refresh_interval`, so feedback given on any replica reaches every
/// replica's prompts. A failed read keeps the examples held and is logged.
struct ExampleRefreshService: Service, CustomStringConvertible {
    let similarTickets: SimilarTickets
    let store: any TicketStore
    let settings: Configuration.ExampleSettings
    let logger: Logger

    var description: String { "ExampleRefreshService" }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.refreshInterval) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
            do {
                try await ModelCatalog.refresh(similarTickets, from: store, pool: settings.pool)
            } catch {
                logger.warning(
                    "Could not read the confirmed tickets for the prompts' examples; keeping the ones held",
                    metadata: ["error": "\(error)", "examples": "\(similarTickets.count)"])
            }
        }
    }
}
