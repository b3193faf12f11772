import SwitchyardTriage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardStore
import SwitchyardWebhooks

/// `POST /webhooks/{adapter}`: verify, map, persist, answer — nothing slow before the answer.
struct WebhookController: Sendable {
    let adapters: AdapterRegistry
    let configurations: [String: AdapterConfiguration]
    let store: any TicketStore
    let work: WorkSignal
    let health: StoreHealth
    let rateLimiter: RateLimiter
    let bodyLimits: BodyLimits
    let timeSource: any TimeSource
    let metrics: TriageMetrics

    /// The answer to a webhook: the stored ticket's id and `queued` or `duplicate`, or
    /// `ignored` with the reason for an event the adapter does not take (answered 2xx so
    /// the platform does not retry it).
    ///
    /// Written by hand rather than through `JSONEncoder`: it is sent for every webhook, and
    /// the encoder's generic machinery cost more than the rest of the answer.
    ///
    /// A delivery of several events (an adapter with `events.each`) is answered with each
    /// event's answer under `events`, in order, and `status` `accepted`: `202` when any event
    /// was queued, `200` otherwise.
    struct Accepted: ResponseGenerator {
        var ticketID: TicketID?
        var status: String
        var reason: String?
        var httpStatus: HTTPResponse.Status
        var events: [Accepted]?
        /// The value a platform's set-up request asked to have echoed: the answer is then only
        /// `{"challenge": …}`.
        var challenge: String?

        /// `{"events":…,"reason":…,"status":…,"ticket_id":…}`: keys sorted like every other answer.
        var json: [UInt8] {
            var writer = JSONTextWriter(capacity: 96)
            write(to: &writer)
            return writer.bytes
        }

        private func write(to writer: inout JSONTextWriter) {
            writer.beginObject()
            if let challenge {
                writer.member("challenge")
                writer.string(challenge)
                writer.endObject()
                return
            }
            if let events {
                writer.member("events")
                writer.beginArray()
                for event in events {
                    writer.element()
                    event.write(to: &writer)
                }
                writer.endArray()
            }
            if let reason {
                writer.member("reason")
                writer.string(reason)
            }
            writer.member("status")
            writer.string(status)
            if let ticketID {
                writer.member("ticket_id")
                writer.string(ticketID.rawValue)
            }
            writer.endObject()
        }

        func response(from request: Request, context: some RequestContext) -> Response {
            Response(
                status: httpStatus,
                headers: [.contentType: APIEncoding.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: json))
            )
        }
    }

    func addRoutes(to routes: RouteTable) {
        routes.post("/webhooks/:adapter") { request, context in
            try await receive(request, context: context)
        }
    }

    func receive(_ request: Request, context: BasicRequestContext) async throws -> Accepted {
        let name = try context.parameters.require("adapter")
        guard let adapter = adapters[name], let configuration = configurations[name] else {
            metrics.recordWebhook(adapter: "unknown", outcome: "unknown_adapter")
            throw APIError(
                .notFound, code: "unknown_adapter",
                message: "no adapter named \"\(name)\" is enabled; enabled: \(configurations.keys.sorted().joined(separator: ", "))")
        }
        do {
            let body = try await request.collectJSONBody(bodyLimits)
            let delivery = WebhookDelivery(
                method: request.method.rawValue,
                url: adapter.signsURL ? Self.url(of: request, publicURL: configuration.publicURL) : "",
                headers: request.headers, body: body)
            let secrets = configuration.allowUnsigned ? [] : configuration.secrets
            try adapter.verify(delivery, secrets: secrets, now: timeSource.now())
            let verified = adapter.verifiesDeliveries && !secrets.isEmpty
            // Counted once the sender is known to be the platform: forged deliveries spend nothing.
            try rateLimiter.check("webhook:\(name)")
            if let header = adapter.definition.events?.challengeHeader, let challenge = request.headers[header] {
                // The platform checking the URL while an admin saves the webhook (Front).
                metrics.recordWebhook(adapter: name, outcome: "challenge")
                return Accepted(status: "challenge", httpStatus: .ok, challenge: String(challenge.prefix(512)))
            }
            let events = try adapter.events(in: delivery, verified: verified)
            var answers: [Accepted] = []
            for event in events {
                answers.append(try await answer(event, adapter: name, logger: context.logger))
            }
            if adapter.definition.events?.each == nil, let only = answers.first, answers.count == 1 {
                return only
            }
            let queued = answers.contains { $0.status == "queued" }
            return Accepted(status: "accepted", httpStatus: queued ? .accepted : .ok, events: answers)
        } catch let error as APIError {
            metrics.recordWebhook(adapter: name, outcome: error.code)
            throw error
        } catch let error as WebhookError {
            let apiError = APIError(webhookError: error)
            metrics.recordWebhook(adapter: name, outcome: apiError.code)
            context.logger.notice("Webhook refused", metadata: ["adapter": "\(name)", "code": "\(apiError.code)"])
            throw apiError
        }
    }

    /// Stores a new ticket, or says why an event is acknowledged without one.
    private func answer(_ event: InboundEvent, adapter name: String, logger: Logger) async throws(APIError) -> Accepted {
        switch event {
        case .ignored(let path, let value):
            metrics.recordWebhook(adapter: name, outcome: "ignored")
            return Accepted(
                status: "ignored", reason: "\(path) is \"\(value)\", which the \(name) adapter does not take", httpStatus: .ok)
        case .update(let update):
            switch try await revise(update, logger: logger) {
            case .requeued(let id):
                work.notify()
                metrics.recordWebhook(adapter: name, outcome: "requeued")
                return Accepted(
                    ticketID: id, status: "queued",
                    reason: update.retriage
                        ? "\(update.type) asks for ticket \(update.externalID) to be decided again"
                        : "\(update.type) changed the text of ticket \(update.externalID); it is decided again",
                    httpStatus: .accepted)
            case .unchanged(let id):
                metrics.recordWebhook(adapter: name, outcome: "update")
                return Accepted(
                    ticketID: id, status: "ignored",
                    reason: "\(update.type) updates ticket \(update.externalID) without changing its text; not decided again",
                    httpStatus: .ok)
            case .unknown:
                if let key = update.idempotencyKey {
                    return try await answer(
                        .ticket(InboundTicket(ticket: update.ticket, idempotencyKey: key)), adapter: name, logger: logger)
                }
                metrics.recordWebhook(adapter: name, outcome: "update")
                return Accepted(
                    status: "ignored",
                    reason: "\(update.type) updates ticket \(update.externalID), which Switchyard has not received; nothing to decide",
                    httpStatus: .ok)
            }
        case .ticket(let inbound):
            switch try await persist(inbound, logger: logger) {
            case .accepted(let id):
                work.notify()
                metrics.recordWebhook(adapter: name, outcome: "accepted")
                return Accepted(ticketID: id, status: "queued", httpStatus: .accepted)
            case .duplicate(let id):
                metrics.recordWebhook(adapter: name, outcome: "duplicate")
                return Accepted(ticketID: id, status: "duplicate", httpStatus: .ok)
            }
        }
    }

    /// The URL the platform posted to, as it saw it, for signatures that sign it: the
    /// adapter's `public_url` when configured (the request's query string added), otherwise
    /// the forwarded or `Host` authority with the request's path and query, `https` unless a
    /// proxy's `X-Forwarded-Proto` says otherwise.
    static func url(of request: Request, publicURL: String?) -> String {
        let query = request.uri.query.map { "?" + $0 } ?? ""
        if let publicURL { return publicURL.contains("?") ? publicURL : publicURL + query }
        let scheme = request.headers[.forwardedProto].flatMap { $0.split(separator: ",").first }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? "https"
        let authority = request.headers[.forwardedHost] ?? request.head.authority ?? ""
        return "\(scheme)://\(authority)\(request.uri.path)\(query)"
    }

    private func persist(_ inbound: InboundTicket, logger: Logger) async throws(APIError) -> IntakeOutcome {
        do {
            let now = timeSource.now()
            let delay = configurations[inbound.ticket.source]?.lowPriorityDelay
            return try await store.accept(
                inbound.ticket, idempotencyKey: inbound.idempotencyKey, receivedAt: now,
                deferredUntil: delay.map { now.addingTimeInterval($0.timeInterval) })
        } catch {
            throw storeUnavailable(error, adapter: inbound.ticket.source, logger: logger)
        }
    }

    private func revise(_ update: InboundUpdate, logger: Logger) async throws(APIError) -> RevisionOutcome {
        do {
            return try await store.revise(update.ticket, retriage: update.retriage, receivedAt: timeSource.now())
        } catch {
            throw storeUnavailable(error, adapter: update.ticket.source, logger: logger)
        }
    }

    private func storeUnavailable(_ error: any Error, adapter: String, logger: Logger) -> APIError {
        health.recordFailure()
        logger.error(
            "Could not store a webhook's ticket; answered 503 so the platform retries",
            metadata: ["adapter": "\(adapter)", "error": "\(error)"])
        // Not stored: ask the platform to deliver again rather than pretend.
        var apiError = APIError(
            .serviceUnavailable, code: "store_unavailable", message: "the ticket could not be stored; retry later")
        apiError.headers[.retryAfter] = "5"
        return apiError
    }
}

extension HTTPField.Name {
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
}

extension APIError {
    init(webhookError error: WebhookError) {
        switch error {
        case .missingSignature, .malformedSignature, .signatureMismatch, .invalidTimestamp:
            self.init(.unauthorized, code: "invalid_signature", message: error.description)
        case .missingField(let path):
            self.init(.badRequest, code: "invalid_payload", message: error.description, path: path)
        case .wrongType(let path, _, _):
            self.init(.badRequest, code: "invalid_payload", message: error.description, path: path)
        case .malformedJSON:
            self.init(.badRequest, code: "malformed_json", message: error.description)
        default:
            self.init(.badRequest, code: "invalid_payload", message: error.description)
        }
    }
}
