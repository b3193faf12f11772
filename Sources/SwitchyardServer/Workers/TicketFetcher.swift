import SwitchyardCore
import SwitchyardWebhooks

/// Reads a ticket's content from its platform before it is decided, for adapters whose
/// webhooks carry no text (the adapter file's `fetch`: HubSpot's events name the ticket only).
struct TicketFetcher: Sendable {
    let adapters: AdapterRegistry
    let configurations: [String: AdapterConfiguration]
    let client: PlatformClient

    /// The largest answer read.
    static let bodyLimit = 1 << 20

    struct Failure: Error, CustomStringConvertible {
        var reason: String
        /// Worth trying again later (a timeout, 429, 5xx); otherwise no later try would differ.
        var retryable: Bool
        var description: String { reason }
    }

    /// Whether tickets from `source` are fetched before they are decided.
    func fetches(_ source: String) -> Bool {
        adapters[source]?.definition.fetch != nil && configurations[source] != nil
    }

    /// `ticket` completed with what its platform's API says about it.
    func complete(_ ticket: Ticket) async throws(Failure) -> Ticket {
        guard let adapter = adapters[ticket.source], let configuration = configurations[ticket.source] else {
            throw Failure(reason: "the \(ticket.source) adapter is not enabled in this configuration", retryable: false)
        }
        let request: WriteBackRequest
        do {
            guard let built = try adapter.fetchRequest(for: ticket, settings: configuration.adapterSettings) else { return ticket }
            request = built
        } catch {
            throw Failure(reason: "\(error)", retryable: false)
        }
        switch await client.send(request, answerLimit: Self.bodyLimit) {
        case .succeeded(_, let body):
            do {
                return try adapter.completing(ticket, withFetched: body.map { Array($0.readableBytesView) } ?? [])
            } catch {
                throw Failure(reason: "the platform's answer to GET \(request.url) does not fit the fetch mapping: \(error)", retryable: false)
            }
        case .failed(let reason, _, let retryable, _):
            throw Failure(reason: "GET \(request.url): \(reason)", retryable: retryable)
        }
    }
}
