import Crypto
import Foundation
import SwitchyardCore

/// One API token from the configuration: who holds it, their role, and the SHA-256 digest of
/// the secret. The secret itself is not kept once the configuration is read.
public struct APIToken: Sendable, Hashable {
    /// Who holds it: recorded as the agent on feedback given with it, and in logs.
    public var name: String
    public var role: Role
    /// SHA-256 of the token's UTF-8 bytes.
    public var digest: [UInt8]

    public init(name: String, role: Role, digest: [UInt8]) {
        self.name = name
        self.role = role
        self.digest = digest
    }

    /// A token whose secret is `secret`, hashed here.
    public init(name: String, role: Role, secret: String) {
        self.init(name: name, role: role, digest: Self.digest(of: secret))
    }

    /// SHA-256 of `secret`'s UTF-8 bytes.
    public static func digest(of secret: some StringProtocol) -> [UInt8] {
        Array(SHA256.hash(data: Data(secret.utf8)))
    }
}
