public import SwitchyardCore

extension JSONValue {
    /// The value at `path`, or `nil` when some component is absent (a missing key, an index out
    /// of range, or a step into something that is not an object or array). An explicit JSON
    /// `null` is returned as ``null``.
    public func value(at path: JSONPath) -> JSONValue? {
        // The mapping's walk, with a step into a value of another kind read as absent.
        (try? mappedValue(at: path)) ?? nil
    }
}

extension JSONValue {
    /// The value at `path` for a mapped field: `nil` when a member or element is absent or a
    /// step meets `null` (a platform leaving a part out), but an error when a step meets a
    /// value of the wrong kind (`"requester": "Ana"` where `$.requester.name` is mapped), so a
    /// malformed field is refused like any other wrong type instead of silently dropped.
    func mappedValue(at path: JSONPath) throws(WebhookError) -> JSONValue? {
        var current = self
        // The path walked so far, for errors only (built when one is thrown).
        func walked(_ position: Int) -> JSONPath { JSONPath(components: Array(path.components[..<position])) }
        for (position, component) in path.components.enumerated() {
            switch (component, current) {
            case (_, .null):
                return nil
            case (.each, .array(let elements)):
                // The rest of the path in every element; elements where it is absent are left out.
                let rest = JSONPath(components: Array(path.components[(position + 1)...]))
                var values: [JSONValue] = []
                for (index, element) in elements.enumerated() {
                    do {
                        if let value = try element.mappedValue(at: rest), value != .null { values.append(value) }
                    } catch .wrongType(let at, let expected, let found) {
                        let prefix = walked(position).appending(.index(index)).description
                        throw .wrongType(path: prefix + at.dropFirst(), expected: expected, found: found)
                    }
                }
                return .array(values)
            case (.each, _):
                throw .wrongType(path: walked(position).description, expected: "an array", found: current.kindDescription)
            case (.key(let key), .object(let members)):
                guard let next = members[key] else { return nil }
                current = next
            case (.index(let index), .array(let elements)):
                guard elements.indices.contains(index) else { return nil }
                current = elements[index]
            case (.key, _):
                throw .wrongType(path: walked(position).description, expected: "an object", found: current.kindDescription)
            case (.index, _):
                throw .wrongType(path: walked(position).description, expected: "an array", found: current.kindDescription)
            }
        }
        return current
    }
}
