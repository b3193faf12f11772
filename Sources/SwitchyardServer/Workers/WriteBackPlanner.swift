import SwitchyardCore
import SwitchyardWebhooks

/// Builds the write-back requests for a decision from the adapter that received the ticket
/// and that adapter's configured settings.
struct WriteBackPlanner: Sendable {
    let adapters: AdapterRegistry
    let configurations: [String: AdapterConfiguration]

    /// Why a decision cannot be written back.
    enum Unplanned: Error, CustomStringConvertible {
        /// The ticket's adapter is not enabled (any more): removed or renamed in the configuration.
        case adapterNotEnabled(String)
        case webhook(WebhookError)

        var description: String {
            switch self {
            case .adapterNotEnabled(let name):
                "the \(name) adapter that received the ticket is not enabled in this configuration (removed or renamed?)"
            case .webhook(let error): "\(error)"
            }
        }
    }

    /// The requests to queue in the outbox; none when the adapter writes nothing back.
    func requests(for decision: Decision, ticket: Ticket) throws(Unplanned) -> [WriteBackRequest] {
        guard let adapter = adapters[ticket.source], let configuration = configurations[ticket.source] else {
            throw .adapterNotEnabled(ticket.source)
        }
        do {
            return try adapter.writeBacks(for: decision, ticket: ticket, settings: configuration.adapterSettings)
        } catch {
            throw .webhook(error)
        }
    }
}

extension AdapterConfiguration {
    var adapterSettings: AdapterSettings {
        AdapterSettings(values: settings, targets: targets)
    }
}
