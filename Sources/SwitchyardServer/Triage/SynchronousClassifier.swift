import SwitchyardTriage
import SwitchyardCore
public import SwitchyardWebhooks

/// Decides a ticket given as a generic-shape JSON body, without storing it: what
/// `POST /v1/classify` and `switchyard classify` both do.
struct SynchronousClassifier: Sendable {
    /// Reads the body; nil when `Webhooks/generic.yaml` is missing.
    let genericAdapter: Adapter?
    let triage: Triage
    /// The whole answer, fallbacks included, comes within this time.
    let deadline: Duration

    func classify(_ body: [UInt8]) async throws(SynchronousClassificationError) -> Decision {
        guard let genericAdapter else { throw .genericAdapterMissing }
        let inbound: InboundTicket
        do {
            inbound = try genericAdapter.decode(body: body)
        } catch {
            throw .invalidTicket(error)
        }
        return await triage.decide(inbound.ticket, deadline: .now + deadline)
    }
}

/// Why a ticket given for synchronous classification was not decided.
public enum SynchronousClassificationError: Error, Sendable, CustomStringConvertible {
    /// The webhooks directory has no `generic.yaml`, which defines the generic ticket shape.
    case genericAdapterMissing
    /// The body is not a ticket in the generic shape; the error says where.
    case invalidTicket(WebhookError)

    public var description: String {
        switch self {
        case .genericAdapterMissing:
            "the generic adapter file (generic.yaml) is missing from the webhooks directory; it defines the ticket shape"
        case .invalidTicket(let error):
            error.description
        }
    }
}
