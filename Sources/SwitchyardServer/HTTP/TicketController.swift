import SwitchyardTriage
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
    let bodyLimits: BodyLimits
    let timeSource: any TimeSource
    let access: AccessControl
    let rateLimiter: RateLimiter
    /// Wakes the outbox when a dead letter is sent again.
    let writeBackSignal: WorkSignal

    func addRoutes(to routes: RouteTable) {
        routes.get("/v1/tickets/:id") { request, context in
            _ = try access.authorize(request, as: .lead)
            return try await ticket(context: context)
        }
        routes.post("/v1/tickets/:id/feedback") { request, context in
            let caller = try access.authorize(request, as: .agent)
            return try await feedback(request, caller: caller, context: context)
        }
        routes.post("/v1/classify") { request, _ in
            let caller = try access.authorize(request, as: .admin)
            // It spends model money like a webhook's ticket: the same limit, per token.
            try rateLimiter.check(caller.name.map { "token:\($0)" } ?? "anonymous")
            return try await classify(request)
        }
        routes.get("/v1/write-backs") { request, _ in
            _ = try access.authorize(request, as: .admin)
            return try await writeBacks(request)
        }
        routes.post("/v1/write-backs/:id/retry") { request, context in
            _ = try access.authorize(request, as: .admin)
            return try await retryWriteBack(context: context)
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
        /// The decision judged; the current one when absent.
        var decisionID: DecisionID?
        enum CodingKeys: String, CodingKey {
            case verdict, department, agent
            case decisionID = "decision_id"
        }
    }

    struct FeedbackRecorded: Encodable {
        var ticketID: TicketID
        var feedback: FeedbackEntry
        enum CodingKeys: String, CodingKey {
            case ticketID = "ticket_id"
            case feedback
        }
    }

    private func feedback(
        _ request: Request, caller: AccessControl.Caller, context: BasicRequestContext
    ) async throws -> JSONResponse<FeedbackRecorded> {
        let id = TicketID(try context.parameters.require("id"))
        let body = try await request.collectJSONBody(bodyLimits)
        let input = try APIError.decodeBody(FeedbackRequest.self, from: body)
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
        let feedback = Feedback(verdict: verdict, department: department, agent: try agent(input.agent, caller: caller), createdAt: timeSource.now())
        let judged: DecisionID
        do {
            judged = try await store.addFeedback(feedback, to: id, decision: input.decisionID)
        } catch let error as StoreError where error.code == .ticketNotFound {
            throw APIError(.notFound, code: "ticket_not_found", message: "no ticket with id \"\(id)\"")
        } catch let error as StoreError where error.code == .decisionNotFound {
            throw APIError(.conflict, code: "decision_not_found", message: error.message, path: input.decisionID.map { _ in "$.decision_id" })
        }
        return JSONResponse(
            FeedbackRecorded(ticketID: id, feedback: FeedbackEntry(RecordedFeedback(decisionID: judged, feedback: feedback))),
            status: .created)
    }

    /// Who gave the feedback: the token's name. Only an admin token (an integration relaying
    /// the platform's thumbs) may name another agent; without tokens the body names them.
    private func agent(_ named: String?, caller: AccessControl.Caller) throws(APIError) -> String? {
        guard let tokenName = caller.name else { return named }
        guard let named, named != tokenName else { return tokenName }
        guard caller.role == .admin else {
            throw APIError(
                .forbidden, code: "forbidden",
                message: "feedback is recorded as given by the token's holder (\"\(tokenName)\"); only an admin token may name another agent",
                path: "$.agent")
        }
        return named
    }

    struct ClassifyResponse: Encodable {
        var decision: Decision
    }

    private func classify(_ request: Request) async throws -> JSONResponse<ClassifyResponse> {
        let body = try await request.collectJSONBody(bodyLimits)
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
        var limit = 100
        if let text = query["limit"].map(String.init) {
            guard let number = Int(text), (1...1000).contains(number) else {
                throw APIError(.badRequest, code: "invalid_query", message: "limit must be a whole number from 1 to 1000, found \"\(text)\"")
            }
            limit = number
        }
        let entries = try await store.writeBacks(status: status, limit: limit)
        return JSONResponse(WriteBackList(writeBacks: entries.map(WriteBackResponse.init)))
    }

    /// `POST /v1/write-backs/{id}/retry`: a dead letter queued again, due now.
    private func retryWriteBack(context: BasicRequestContext) async throws -> JSONResponse<WriteBackResponse> {
        let text = try context.parameters.require("id")
        guard let id = OutboxEntry.ID(text) else {
            throw APIError(.notFound, code: "write_back_not_found", message: "no write-back with id \"\(text)\"")
        }
        do {
            let entry = try await store.retryWriteBack(id, now: timeSource.now())
            writeBackSignal.notify()
            return JSONResponse(WriteBackResponse(entry))
        } catch let error as StoreError where error.code == .writeBackNotFound {
            throw APIError(.notFound, code: "write_back_not_found", message: "no write-back with id \(id)")
        } catch let error as StoreError where error.code == .writeBackNotDead {
            throw APIError(.conflict, code: "write_back_not_dead", message: error.description)
        }
    }
}

extension APIError {
    /// A JSON request body decoded as `T`, or the error that says where it is wrong: the strict
    /// parser's line and column for broken JSON, the JSON path for a missing or mistyped field.
    static func decodeBody<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(APIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            guard let path = error.jsonPath(root: "$") else {
                // Foundation only says "not valid JSON"; the strict parser says where.
                throw malformedJSON(body)
            }
            throw APIError(.badRequest, code: "invalid_payload", message: error.explanation(root: "$"), path: path)
        } catch {
            throw malformedJSON(body)
        }
    }

    /// `malformed_json`, with the line and column the strict parser stops at.
    private static func malformedJSON(_ body: [UInt8]) -> APIError {
        let reason: String
        do {
            _ = try JSONValue.parse(body)
            reason = "the body is not valid JSON"
        } catch {
            reason = "the body is not valid JSON: \(error)"
        }
        return APIError(.badRequest, code: "malformed_json", message: reason)
    }
}
