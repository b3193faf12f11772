import Hummingbird
import NIOCore

/// How much of a request body an endpoint reads, and for how long.
struct BodyLimits: Sendable {
    /// `server.max_body_bytes`.
    var maxBytes: Int
    /// `server.body_timeout`.
    var timeout: Duration
}

extension Request {
    /// The whole JSON body as bytes, within `limits`.
    ///
    /// Only JSON is taken (`application/json`, or any `application/…+json`): a form a browser
    /// posts is `415` before anything is read. A body announced larger than the limit by its
    /// `Content-Length` is `413` before it is read, one that turns out larger is `413` at the
    /// limit, and one that has not arrived whole within the timeout is `408` (a client that
    /// trickles its body holds a connection no longer than that).
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
        let body = self.body
        let outcome: Result<ByteBuffer, any Error>? = await withTaskGroup(of: Result<ByteBuffer, any Error>?.self) { group in
            group.addTask {
                do {
                    return .success(try await body.collect(upTo: limits.maxBytes))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: limits.timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success(let buffer)?:
            return Array(buffer.readableBytesView)
        case .failure(is NIOTooManyBytesError)?:
            throw .bodyTooLarge(limit: limits.maxBytes)
        case .failure(let error)?:
            throw APIError(.badRequest, code: "body_unreadable", message: "could not read the request body: \(error)")
        case nil:
            var error = APIError(
                .requestTimeout, code: "body_timeout",
                message: "the request body did not arrive whole within \(limits.timeout.formatted) (server.body_timeout)")
            error.headers[.connection] = "close"
            throw error
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
