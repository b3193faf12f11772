import Hummingbird
import Logging
import SwitchyardStore

/// Gives every error answer the API's JSON shape, the framework's own included (`404` for an
/// unknown path, `405` with `Allow` for a known path asked with another method), and turns an unexpected error into a logged `500` or, for the
/// store, a `503` — never an empty body or an engine's message.
struct ErrorShapeMiddleware<Context: RequestContext>: RouterMiddleware {
    let knownPaths: KnownPaths

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as any HTTPResponseError where error.status == .notFound {
            if let allow = knownPaths.allow(for: request.uri.path) {
                var answer = APIError(
                    .methodNotAllowed, code: "method_not_allowed",
                    message: "\(request.uri.path) does not take \(request.method.rawValue); it takes \(allow)")
                answer.headers[.allow] = allow
                throw answer
            }
            throw APIError(.notFound, code: "not_found", message: Self.message(for: .notFound, request))
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, code: Self.code(for: error.status), message: Self.message(for: error.status, request))
        } catch let error as StoreError {
            context.logger.error("The store failed while answering a request", metadata: ["error": "\(error)"])
            var answer = APIError(.serviceUnavailable, code: "store_unavailable", message: "the store is not answering; retry later")
            answer.headers[.retryAfter] = "5"
            throw answer
        } catch {
            context.logger.error("Unexpected error while answering a request", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, code: "internal_error", message: "the server failed to answer; see its log")
        }
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "body_too_large"
        case .badRequest: "bad_request"
        default: status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
        }
    }

    private static func message(for status: HTTPResponse.Status, _ request: Request) -> String {
        switch status {
        case .notFound: "no endpoint \(request.method.rawValue) \(request.uri.path); see Docs/api.md for the endpoints"
        default: status.reasonPhrase
        }
    }
}
