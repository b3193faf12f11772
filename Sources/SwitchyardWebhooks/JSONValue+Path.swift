public import SwitchyardCore

extension JSONValue {
    /// The value at `path`, or `nil` when some component is absent (a missing key, an index out
    /// of range, or a step into something that is not an object or array). An explicit JSON
    /// `null` is returned as ``null``.
    public func value(at path: JSONPath) -> JSONValue? {
        var current = self
        for component in path.components {
            switch (component, current) {
            case (.key(let key), .object(let members)):
                guard let next = members[key] else { return nil }
                current = next
            case (.index(let index), .array(let elements)):
                guard elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }
}
