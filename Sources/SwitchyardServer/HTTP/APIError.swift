import Foundation
public import Hummingbird

/// An error answered to an HTTP client as
/// `{"error": {"code": "...", "message": "...", "path": "..."}}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// Stable, machine-readable reason, for example `signature_mismatch`.
    public var code: String
    /// What was wrong, for a person.
    public var message: String
    /// The JSON path in the request body the problem is at, when there is one.
    public var path: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, path: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.path = path
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var path: String?
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse(Body(error: .init(code: code, message: message, path: path)), status: status)
            .response(from: request, context: context)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The answer's JSON body, for the places that write it below the router (the body deadline).
    var body: [UInt8] {
        (try? Array(APIEncoding.encoder.encode(Body(error: .init(code: code, message: message, path: path))))) ?? []
    }
}
