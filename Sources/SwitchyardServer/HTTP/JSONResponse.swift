import Foundation
public import Hummingbird

/// A JSON body with snake_case keys (as the types' coding keys spell them), ISO 8601
/// dates and sorted keys, so answers are stable and diffable.
public struct JSONResponse<Value: Encodable>: ResponseGenerator {
    public var value: Value
    public var status: HTTPResponse.Status

    public init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIEncoding.encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: APIEncoding.contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// How every API answer is encoded.
enum APIEncoding {
    /// The media type of every JSON answer.
    static let contentType = "application/json; charset=utf-8"

    /// One encoder for every response: encoding with a configured encoder is thread-safe, and
    /// building one per response showed up in intake profiles.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
