public import Foundation

/// A stored model artifact and the fingerprint of the data it was built from, so that a
/// restart can tell whether it must be rebuilt.
public struct StoredArtifact: Sendable, Hashable {
    public var fingerprint: String
    public var data: Data

    public init(fingerprint: String, data: Data) {
        self.fingerprint = fingerprint
        self.data = data
    }
}
