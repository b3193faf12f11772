import Hummingbird
import NIOCore

/// How much of a request body an endpoint reads (the time it may take is
/// `BodyDeadlineHandler`'s, for every request).
struct BodyLimits: Sendable {
    /// `server.max_body_bytes`.
    var maxBytes: Int
}

extension Request {
    /// The whole JSON body as bytes, within `limits`.
    ///
    /// Only JSON is taken (`application/json`, or any `application/…+json`): a form a browser
    /// posts is `415` before anything is read. A body announced larger than the limit by its
    /// `Content-Length` is `413` before it is read, one that turns out larger is `413` at the
    /// limit.
    func collectJSONBody(_ limits: BodyLimits) async throws(APIError) -> [UInt8] {
        guard Self.isJSON(headers[.contentType]) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the body as JSON with Content-Type: application/json"
                    + (headers[.contentType].map { ", not \($0)" } ?? " (the request has no Content-Type)"))
        }
        if let length = headers[.contentLength].flatMap({ Int($0) }), length > limits.maxBytes {
            throw .bodyTooLarge(limit: limits.maxBytes)
        }
        do {
            return Array(try await body.collect(upTo: limits.maxBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw .bodyTooLarge(limit: limits.maxBytes)
        } catch {
            throw APIError(.badRequest, code: "body_unreadable", message: "could not read the request body: \(error)")
        }
    }

    /// `application/json` and `application/…+json`, with or without parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}

extension APIError {
    /// `413`: the body is over `server.max_body_bytes`.
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            .contentTooLarge, code: "body_too_large",
            message: "the body is larger than the configured limit of \(limit) bytes (server.max_body_bytes)")
    }
}
