import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback port nothing listens on now: bound to port 0, read back, released. For servers
/// that must be told their port (another process); a race with another binder is possible.
public func freeLoopbackPort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw FreePortError(description: "no socket: errno \(errno)") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
    }
    guard bound == 0 else { throw FreePortError(description: "cannot bind: errno \(errno)") }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    guard named == 0 else { throw FreePortError(description: "getsockname: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The socket calls behind ``freeLoopbackPort()`` failed.
public struct FreePortError: Error, CustomStringConvertible {
    public var description: String
}
