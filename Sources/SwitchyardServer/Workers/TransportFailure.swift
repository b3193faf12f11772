import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// Plain words for a request that got no answer, for an operator reading a dead letter:
/// "connection refused", not "connection reset (error set): Connection refused (errno: 111)".
enum TransportFailure {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "could not connect: no answer to the connection attempt in time"
            case .deadlineExceeded, .readTimeout: return "timed out waiting for the platform's answer"
            case .remoteConnectionClosed: return "the platform closed the connection before answering"
            case .tlsHandshakeTimeout: return "TLS handshake timed out"
            case .invalidURL, .emptyHost, .emptyScheme: return "the write-back URL is not valid"
            default: return "request failed: \(error)"
            }
        case let error as IOError:
            return describe(errno: error.errnoCode) ?? "network error: \(error.description)"
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            return error.dnsAError != nil || error.dnsAAAAError != nil
                ? "could not resolve the platform's host name \(error.host)" : "could not connect to \(error.host)"
        case let error as NIOSSLError:
            return "TLS failed: \(error)"
        case is ChannelError:
            return "connection failed: \(error)"
        default:
            let text = "\(error)"
            return text.lowercased().contains("refused") ? "connection refused" : "request failed: \(text)"
        }
    }

    private static func describe(errno code: CInt) -> String? {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset by the platform"
        case ETIMEDOUT: "connection timed out"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        case EPIPE: "the platform closed the connection while the request was sent"
        default: nil
        }
    }
}
