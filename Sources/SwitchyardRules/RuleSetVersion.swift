import Crypto

/// Builds ``RuleSet/version``: a SHA-256 over each file's name and text, in load order.
///
/// Names and texts are length-prefixed so that no two different sets of files hash alike.
/// Only a file's last path component is hashed, so the version does not depend on where
/// the rule directory is.
struct RuleSetVersion {
    private var hasher = SHA256()

    mutating func add(file name: String, text: String) {
        let baseName = name.split(separator: "/").last.map(String.init) ?? name
        add(baseName)
        add(text)
    }

    private mutating func add(_ string: String) {
        let bytes = Array(string.utf8)
        withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(data: bytes)
    }

    /// The first 12 hex digits of the digest.
    func finalize() -> String {
        hasher.finalize().prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
