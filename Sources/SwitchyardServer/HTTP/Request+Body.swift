import Hummingbird
import NIOCore

extension Request {
    /// The whole body as bytes, at most `limit` of them (`server.max_body_bytes`).
    ///
    /// A body announced larger by its `Content-Length` is refused before it is read; one that
    /// turns out larger while it is read is refused at the limit.
    func collectBody(upTo limit: Int) async throws(APIError) -> [UInt8] {
        if let length = headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw .bodyTooLarge(limit: limit)
        }
        do {
            return Array(try await body.collect(upTo: limit).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw .bodyTooLarge(limit: limit)
        } catch {
            throw APIError(.badRequest, code: "body_unreadable", message: "could not read the request body: \(error)")
        }
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
