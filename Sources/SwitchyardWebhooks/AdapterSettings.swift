public import SwitchyardCore

/// One deployment's configuration of an adapter, from the server's config file.
public struct AdapterSettings: Sendable, Hashable {
    /// Named values the write-back templates use as `${settings.NAME}`, such
    /// as `base_url` (`https://acme.zendesk.com`) or `callback_url`. Not for credentials: the
    /// outbox attaches those when it sends.
    public var values: [String: String]
    /// Each department's target on the platform, used as `${target}`: for Zendesk the group id
    /// (a number).
    public var targets: [DepartmentID: JSONValue]

    /// A configured setting; an empty value counts as not configured.
    func value(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public init(values: [String: String] = [:], targets: [DepartmentID: JSONValue] = [:]) {
        self.values = values
        self.targets = targets
    }
}
