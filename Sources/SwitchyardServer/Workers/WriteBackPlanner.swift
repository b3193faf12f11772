import SwitchyardCore
import SwitchyardWebhooks

/// Builds the write-back request for a decision from the adapter that received the ticket
/// and that adapter's configured settings.
struct WriteBackPlanner: Sendable {
    let adapters: AdapterRegistry
    let configurations: [String: AdapterConfiguration]

    /// The request to queue in the outbox, or nil when the adapter writes nothing back.
    func request(for decision: Decision, ticket: Ticket) throws(WebhookError) -> WriteBackRequest? {
        guard let adapter = adapters[ticket.source], let configuration = configurations[ticket.source] else {
            return nil
        }
        return try adapter.writeBack(for: decision, ticket: ticket, settings: configuration.adapterSettings)
    }
}

extension AdapterConfiguration {
    var adapterSettings: AdapterSettings {
        AdapterSettings(values: settings, targets: targets)
    }
}
