import SwitchyardCore
import SwitchyardWebhooks

/// Builds the write-back requests for a decision from the adapter that received the ticket
/// and that adapter's configured settings.
struct WriteBackPlanner: Sendable {
    let adapters: AdapterRegistry
    let configurations: [String: AdapterConfiguration]

    /// The requests to queue in the outbox; none when the adapter writes nothing back.
    func requests(for decision: Decision, ticket: Ticket) throws(WebhookError) -> [WriteBackRequest] {
        guard let adapter = adapters[ticket.source], let configuration = configurations[ticket.source] else {
            return []
        }
        return try adapter.writeBacks(for: decision, ticket: ticket, settings: configuration.adapterSettings)
    }
}

extension AdapterConfiguration {
    var adapterSettings: AdapterSettings {
        AdapterSettings(values: settings, targets: targets)
    }
}
