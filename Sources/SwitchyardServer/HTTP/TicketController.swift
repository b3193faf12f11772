import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardStore
import SwitchyardWebhooks

/// The read and feedback API: `/v1/tickets/…`, `/v1/classify`, `/v1/write-backs`.
struct TicketController: Sendable {
    let store: any TicketStore
    let triage: Triage
    /// Answers `/v1/classify`.
    let classifier: SynchronousClassifier
    let maxBodyBytes: Int
    let timeSource: any TimeSource

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/tickets/:id") { _, context in
            try await ticket(context: context)
        }
        router.post("/v1/tickets/:id/feedback") { request, context in
            try await feedback(request, context: context)
        }
        router.post("/v1/classify") { request, _ in
            try await classify(request)
        }
        router.get("/v1/write-backs") { request, _ in
            try await writeBacks(request)
        }
    }

    private func ticket(context: BasicRequestContext) async throws -> JSONResponse<TicketResponse> {
        let id = TicketID(try context.parameters.require("id"))
        guard let record = try await store.ticket(id) else {
            throw APIError(.notFound, code: "ticket_not_found", message: "no ticket with id \"\(id)\"")
        }
        return JSONResponse(TicketResponse(record))
    }

    struct FeedbackRequest: Decodable {
        var verdict: String
        var department: String?
        var agent: String?
    }

    struct FeedbackRecorded: Encodable {
        var ticketID: TicketID
        var feedback: Feedback
        enum CodingKeys: String, CodingKey {
            case ticketID = "ticket_id"
            case feedback
        }
    }

    private func feedback(_ request: Request, context: BasicRequestContext) async throws -> JSONResponse<FeedbackRecorded> {
        let id = TicketID(try context.parameters.require("id"))
        let body = try await collect(request)
        let input: FeedbackRequest
        do {
            input = try JSONDecoder().decode(FeedbackRequest.self, from: Data(body))
        } catch {
            throw APIError(decodingError: error)
        }
        guard let verdict = Verdict(rawValue: input.verdict) else {
            throw APIError(
                .badRequest, code: "invalid_payload", message: "verdict must be \"up\" or \"down\", found \"\(input.verdict)\"",
                path: "$.verdict")
        }
        let department = input.department.map(DepartmentID.init(rawValue:))
        if let department, !triage.departments.contains(department) {
            throw APIError(
                .badRequest, code: "unknown_department",
                message: "\"\(department)\" is not a configured department (\(triage.departments.ids.map(\.rawValue).joined(separator: ", ")))",
                path: "$.department")
        }
        let feedback = Feedback(verdict: verdict, department: department, agent: input.agent, createdAt: timeSource.now())
        do {
            try await store.addFeedback(feedback, to: id)
        } catch StoreError.ticketNotFound {
            throw APIError(.notFound, code: "ticket_not_found", message: "no ticket with id \"\(id)\"")
        }
        return JSONResponse(FeedbackRecorded(ticketID: id, feedback: feedback), status: .created)
    }

    struct ClassifyResponse: Encodable {
        var decision: Decision
    }

    private func classify(_ request: Request) async throws -> JSONResponse<ClassifyResponse> {
        let body = try await collect(request)
        do {
            return JSONResponse(ClassifyResponse(decision: try await classifier.classify(body)))
        } catch .genericAdapterMissing {
            throw APIError(.serviceUnavailable, code: "generic_adapter_missing", message: "\(SynchronousClassificationError.genericAdapterMissing)")
        } catch .invalidTicket(let error) {
            throw APIError(webhookError: error)
        }
    }

    struct WriteBackList: Encodable {
        var writeBacks: [WriteBackResponse]
        enum CodingKeys: String, CodingKey {
            case writeBacks = "write_backs"
        }
    }

    private func writeBacks(_ request: Request) async throws -> JSONResponse<WriteBackList> {
        let query = request.uri.queryParameters
        var status: OutboxStatus?
        if let text = query["status"].map(String.init) {
            guard let parsed = OutboxStatus(rawValue: text) else {
                throw APIError(
                    .badRequest, code: "invalid_query",
                    message: "status must be one of \(OutboxStatus.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(text)\"")
            }
            status = parsed
        }
        let limit = query["limit"].flatMap { Int(String($0)) } ?? 100
        guard (1...1000).contains(limit) else {
            throw APIError(.badRequest, code: "invalid_query", message: "limit must be between 1 and 1000")
        }
        let entries = try await store.writeBacks(status: status, limit: limit)
        return JSONResponse(WriteBackList(writeBacks: entries.map(WriteBackResponse.init)))
    }

    private func collect(_ request: Request) async throws(APIError) -> [UInt8] {
        do {
            return Array(try await request.body.collect(upTo: maxBodyBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "body_too_large",
                message: "the body is larger than the configured limit of \(maxBodyBytes) bytes (server.max_body_bytes)")
        } catch {
            throw APIError(.badRequest, code: "body_unreadable", message: "could not read the request body: \(error)")
        }
    }
}

extension APIError {
    /// A JSON body that did not decode, with the path where it went wrong.
    init(decodingError error: any Error) {
        guard let error = error as? DecodingError else {
            self.init(.badRequest, code: "malformed_json", message: "the body is not valid JSON: \(error)")
            return
        }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("$") { partial, key in
                if let index = key.intValue { return partial + "[\(index)]" }
                return partial + "." + key.stringValue
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath + [key])
            self.init(.badRequest, code: "invalid_payload", message: "\(at): missing required field", path: at)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let at = path(context.codingPath)
            self.init(.badRequest, code: "invalid_payload", message: "\(at): expected \(type)", path: at)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(.badRequest, code: "malformed_json", message: "the body is not valid JSON: \(context.debugDescription)")
            } else {
                let at = path(context.codingPath)
                self.init(.badRequest, code: "invalid_payload", message: "\(at): \(context.debugDescription)", path: at)
            }
        @unknown default:
            self.init(.badRequest, code: "malformed_json", message: "the body is not valid JSON")
        }
    }
}
