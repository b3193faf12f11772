/// Who holds a claim on a ticket or a write-back: one instance, and a token unique to that claim.
///
/// The token makes a claim that was taken over harmless: whoever held it before cannot record
/// over the new holder. The instance lets the store hand every claim of a dead instance back
/// at once.
public struct Claim: Sendable, Hashable, CustomStringConvertible {
    /// `StoreInstance.id` of the process that claims.
    public var instance: String
    /// Unique to this claim, for example `instance/42`.
    public var token: String

    public init(instance: String, token: String) {
        self.instance = instance
        self.token = token
    }

    public var description: String { token }
}
