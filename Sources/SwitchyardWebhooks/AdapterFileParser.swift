import Foundation
import HTTPTypes
import SwitchyardYAML
import Yams

/// Reads one adapter file into an ``AdapterDefinition``.
///
/// It walks the YAML tree with a ``YAMLReader`` rather than `Decodable`, so that every
/// problem is reported with its line and column, and it keeps going after a problem so that
/// one run lists them all.
struct AdapterFileParser {
    struct Parsed {
        var definition: AdapterDefinition
        /// Where the `name` value is, for "defined twice" errors.
        var nameLocation: SourceLocation
    }

    private var reader: YAMLReader

    var diagnostics: [Diagnostic] { reader.diagnostics }

    init(file: String, text: String) {
        reader = YAMLReader(file: file, text: text)
    }

    static let topLevelKeys = ["name", "description", "signature", "idempotency", "accept", "mapping", "write_back"]

    mutating func parse() -> Parsed? {
        let root: Node
        switch reader.compose() {
        case .node(let node): root = node
        case .invalid: return nil
        case .empty:
            reader.report(
                "the file is empty; an adapter file needs name, signature, idempotency and mapping",
                at: SourceLocation(file: reader.file, line: 1, column: 1))
            return nil
        }
        guard let top = reader.members(of: root, "the adapter file", allowed: Self.topLevelKeys) else { return nil }

        let nameNode = reader.required("name", in: top)
        var name: String?
        if let nameNode { name = adapterName(nameNode) }
        var description = ""
        if let node = top["description"] { description = reader.string(node, "description") ?? "" }
        var signature: SignatureScheme?
        if let node = reader.required("signature", in: top) { signature = signatureScheme(node) }
        var idempotency: [IdempotencySource]?
        if let node = reader.required("idempotency", in: top) { idempotency = idempotencySources(node) }
        var accept: EventFilter?
        if let node = top["accept"] { accept = eventFilter(node) }
        var mapping: FieldMapping?
        if let node = reader.required("mapping", in: top) { mapping = fieldMapping(node) }
        var writeBack: WriteBackTemplate?
        if let node = top["write_back"] { writeBack = writeBackTemplate(node) }

        guard diagnostics.isEmpty, let nameNode, let name, let signature, let idempotency, let mapping else {
            return nil
        }
        let definition = AdapterDefinition(
            name: name, description: description, signature: signature, idempotency: idempotency,
            accept: accept, mapping: mapping, writeBack: writeBack)
        return Parsed(definition: definition, nameLocation: reader.location(of: nameNode))
    }

    // MARK: Sections

    private mutating func adapterName(_ node: Node) -> String? {
        guard let name = reader.string(node, "name") else { return nil }
        let isValid =
            name.first.map { $0.isASCII && ($0.isLowercase || $0.isNumber) } == true
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
        guard isValid else {
            reader.report(
                "adapter name \"\(name)\" must be lower-case letters, digits, \"-\" and \"_\", starting with a letter or digit "
                    + "(it appears in webhook URLs)", at: node)
            return nil
        }
        return name
    }

    private enum SchemeName: String, CaseIterable {
        case hmac, none
    }

    private mutating func signatureScheme(_ node: Node) -> SignatureScheme? {
        let allowed = ["scheme", "algorithm", "header", "timestamp_header", "payload", "encoding", "prefix"]
        guard let members = reader.members(of: node, "signature", allowed: allowed),
            let schemeNode = reader.required("scheme", in: members),
            let scheme = reader.choice(schemeNode, "signature scheme", SchemeName.self)
        else { return nil }

        switch scheme {
        case .none:
            for (key, keyNode) in members.keys where key != "scheme" {
                reader.report("\"\(key)\" applies only to scheme hmac; remove it or use scheme: hmac", at: keyNode)
            }
            return SignatureScheme.none
        case .hmac:
            var algorithm: HMACSignature.Algorithm?
            if let node = reader.required("algorithm", in: members) {
                algorithm = reader.choice(node, "signature algorithm", HMACSignature.Algorithm.self)
            }
            var header: HTTPField.Name?
            if let node = reader.required("header", in: members) { header = headerName(node, "signature header") }
            var timestampHeader: HTTPField.Name?
            if let node = members["timestamp_header"] { timestampHeader = headerName(node, "timestamp_header") }
            var encoding: HMACSignature.Encoding?
            if let node = reader.required("encoding", in: members) {
                encoding = reader.choice(node, "signature encoding", HMACSignature.Encoding.self)
            }
            var prefix = ""
            if let node = members["prefix"] { prefix = reader.string(node, "prefix", allowingEmpty: true) ?? "" }
            var payload: StringTemplate<HMACSignature.PayloadPart>?
            if let node = reader.required("payload", in: members) {
                payload = template(
                    node, "signature payload", vocabulary: HMACSignature.PayloadPart.allCases.map(\.rawValue)
                ) {
                    HMACSignature.PayloadPart(rawValue: $0)
                }
                if let payload {
                    if !payload.placeholders.contains(.body) {
                        reader.report("the signature payload must include {body}", at: node)
                    }
                    if payload.placeholders.contains(.timestamp), members["timestamp_header"] == nil {
                        reader.report("the signature payload signs {timestamp}, so timestamp_header is required", at: node)
                    }
                    if let keyNode = members.keys["timestamp_header"], !payload.placeholders.contains(.timestamp) {
                        reader.report(
                            "timestamp_header is set but the payload does not sign {timestamp}; add {timestamp} to payload or remove timestamp_header",
                            at: keyNode)
                    }
                }
            }
            guard let algorithm, let header, let encoding, let payload,
                members["timestamp_header"] == nil || timestampHeader != nil
            else { return nil }
            return .hmac(
                HMACSignature(
                    algorithm: algorithm, header: header, timestampHeader: timestampHeader, payload: payload,
                    encoding: encoding, prefix: prefix))
        }
    }

    private mutating func idempotencySources(_ node: Node) -> [IdempotencySource]? {
        guard case .sequence(let items) = node, !items.isEmpty else {
            reader.report("idempotency must be a list of sources, such as \"- header: Idempotency-Key\"", at: node)
            return nil
        }
        var sources: [IdempotencySource] = []
        let problemsBefore = diagnostics.count
        for item in items {
            let problemsBeforeItem = diagnostics.count
            guard let members = reader.members(of: item, "an idempotency source", allowed: ["header", "path", "template"])
            else { continue }
            guard members.values.count == 1, let (key, value) = members.values.first else {
                if diagnostics.count == problemsBeforeItem {
                    reader.report("an idempotency source has exactly one of header, path or template", at: item)
                }
                continue
            }
            switch key {
            case "header":
                if let name = headerName(value, "idempotency header") { sources.append(.header(name)) }
            case "path":
                if let path = path(value, "idempotency path") { sources.append(.path(path)) }
            default:
                let vocabulary = IdempotencySource.TemplatePart.allCases.map(\.rawValue)
                if let template = template(
                    value, "idempotency template", vocabulary: vocabulary,
                    placeholder: {
                        IdempotencySource.TemplatePart(rawValue: $0)
                    })
                {
                    sources.append(.template(template))
                }
            }
        }
        return diagnostics.count == problemsBefore ? sources : nil
    }

    private mutating func eventFilter(_ node: Node) -> EventFilter? {
        guard let members = reader.members(of: node, "accept", allowed: ["path", "values"]) else { return nil }
        let problemsBefore = diagnostics.count
        var path: JSONPath?
        if let node = reader.required("path", in: members) { path = self.path(node, "accept path") }
        var values: [String] = []
        if let node = reader.required("values", in: members) {
            if case .sequence(let items) = node, !items.isEmpty {
                for item in items {
                    if let value = reader.string(item, "an accepted event type") { values.append(value) }
                }
            } else {
                reader.report("accept values must be a list of event types, such as [zen:event-type:ticket.created]", at: node)
            }
        }
        guard diagnostics.count == problemsBefore, let path else { return nil }
        return EventFilter(path: path, values: values)
    }

    private mutating func fieldMapping(_ node: Node) -> FieldMapping? {
        let allowed = [
            "external_id", "subject", "body", "tags", "requester_name", "requester_email", "channel", "language",
            "priority", "status", "custom_fields", "fields",
        ]
        guard let members = reader.members(of: node, "mapping", allowed: allowed) else { return nil }
        let problemsBefore = diagnostics.count
        var externalID: [JSONPath]?
        if let node = reader.required("external_id", in: members) { externalID = paths(node, "external_id") }
        var optional: [String: [JSONPath]] = [:]
        for key in allowed where key != "external_id" && key != "fields" {
            if let node = members[key] { optional[key] = paths(node, key) }
        }
        var fields: [String: [JSONPath]] = [:]
        if let node = members["fields"], let fieldMembers = reader.members(of: node, "fields", allowed: nil) {
            for (name, valueNode) in fieldMembers.values {
                if let paths = paths(valueNode, "field \"\(name)\"") { fields[name] = paths }
            }
        }
        guard diagnostics.count == problemsBefore, let externalID else { return nil }
        return FieldMapping(
            externalID: externalID,
            subject: optional["subject"] ?? [],
            body: optional["body"] ?? [],
            tags: optional["tags"] ?? [],
            requesterName: optional["requester_name"] ?? [],
            requesterEmail: optional["requester_email"] ?? [],
            channel: optional["channel"] ?? [],
            language: optional["language"] ?? [],
            priority: optional["priority"] ?? [],
            status: optional["status"] ?? [],
            customFields: optional["custom_fields"] ?? [],
            fields: fields
        )
    }

    private mutating func writeBackTemplate(_ node: Node) -> WriteBackTemplate? {
        let allowed = ["method", "url", "headers", "normalize_tags", "body"]
        guard let members = reader.members(of: node, "write_back", allowed: allowed) else { return nil }
        let problemsBefore = diagnostics.count

        var method: String?
        if let node = reader.required("method", in: members), let text = reader.string(node, "method") {
            if WriteBackTemplate.methods.contains(text) {
                method = text
            } else {
                reader.report(
                    "unknown method \"\(text)\"; expected one of: \(WriteBackTemplate.methods.joined(separator: ", "))",
                    at: node)
            }
        }
        var url: StringTemplate<TemplateReference>?
        if let node = reader.required("url", in: members) {
            url = template(node, "write-back url", vocabulary: [TemplateReference.vocabulary]) {
                TemplateReference(name: $0)
            }
            for reference in url?.placeholders ?? [] where !reference.isAllowedInURL {
                reader.report(
                    "{\(reference)} cannot be used in a URL (it may be absent or a list); use target, settings.NAME, "
                        + "ticket.external_id, ticket.source, decision.department or decision.stage", at: node)
            }
        }
        var headers: [String: String] = [:]
        if let node = members["headers"], let headerMembers = reader.members(of: node, "headers", allowed: nil) {
            for (name, valueNode) in headerMembers.values {
                if headerName(headerMembers.keys[name] ?? valueNode, "header name", text: name) != nil,
                    let value = reader.string(valueNode, "header \(name)")
                {
                    headers[name] = value
                }
            }
        }
        var normalizesTags = false
        if let node = members["normalize_tags"] { normalizesTags = reader.bool(node, "normalize_tags") ?? false }
        var body: BodyTemplate?
        if let node = members["body"] { body = bodyTemplate(node) }

        guard diagnostics.count == problemsBefore, let method, let url else { return nil }
        return WriteBackTemplate(method: method, url: url, headers: headers, normalizesTags: normalizesTags, body: body)
    }

    private mutating func bodyTemplate(_ node: Node) -> BodyTemplate? {
        switch node {
        case .mapping(let mapping):
            var members: [String: BodyTemplate] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string else {
                    reader.report("keys in the write-back body must be plain names", at: key)
                    continue
                }
                if let template = bodyTemplate(value) { members[name] = template }
            }
            return .object(members)
        case .sequence(let sequence):
            var elements: [BodyTemplate] = []
            for element in sequence {
                if let template = bodyTemplate(element) { elements.append(template) }
            }
            return .array(elements)
        case .scalar(let scalar):
            if scalar.style == .plain {
                if node.null != nil { return .literal(.null) }
                if let bool = node.bool { return .literal(.bool(bool)) }
                if let integer = node.int { return .literal(.number(Double(integer))) }
                if let number = node.float, number.isFinite { return .literal(.number(number)) }
            }
            let text = scalar.string
            if text.hasPrefix("$$") { return .literal(.string(String(text.dropFirst()))) }
            guard text.hasPrefix("$") else { return .literal(.string(text)) }
            var name = text.dropFirst()
            let optional = name.hasSuffix("?")
            if optional { name = name.dropLast() }
            guard let reference = TemplateReference(name: String(name)) else {
                reader.report(
                    "unknown reference \"\(text)\" in the write-back body; expected \"$\" and one of: \(TemplateReference.vocabulary) "
                        + "(\"?\" after it leaves the member out when the value is absent; \"$$\" writes a literal \"$\")",
                    at: node)
                return nil
            }
            return .reference(reference, omittedWhenAbsent: optional)
        case .alias:
            reader.report("YAML aliases are not supported in adapter files", at: node)
            return nil
        }
    }

    // MARK: Values

    private mutating func headerName(_ node: Node, _ what: String, text: String? = nil) -> HTTPField.Name? {
        guard let text = text ?? reader.string(node, what) else { return nil }
        guard let name = HTTPField.Name(text) else {
            reader.report("\(what) \"\(text)\" is not a valid HTTP header name", at: node)
            return nil
        }
        return name
    }

    private mutating func path(_ node: Node, _ what: String) -> JSONPath? {
        guard let text = reader.string(node, what) else { return nil }
        do {
            return try JSONPath(parsing: text)
        } catch {
            reader.report("\(what) \"\(text)\": \(error.message)", at: node, character: error.offset)
            return nil
        }
    }

    /// One JSON path, or a list of them (the first present wins).
    private mutating func paths(_ node: Node, _ what: String) -> [JSONPath]? {
        switch node {
        case .scalar:
            return path(node, what).map { [$0] }
        case .sequence(let items) where !items.isEmpty:
            var paths: [JSONPath] = []
            for item in items {
                guard let path = path(item, what) else { return nil }
                paths.append(path)
            }
            return paths
        default:
            reader.report("\(what) must be a JSON path such as $.subject, or a list of them", at: node)
            return nil
        }
    }

    private mutating func template<Placeholder>(
        _ node: Node, _ what: String, vocabulary: [String], placeholder: (String) -> Placeholder?
    ) -> StringTemplate<Placeholder>? {
        guard let text = reader.string(node, what) else { return nil }
        do {
            return try StringTemplate(parsing: text, placeholder: placeholder)
        } catch {
            let hint =
                error.message.hasPrefix("unknown placeholder")
                ? "; expected one of: " + vocabulary.map { "{\($0)}" }.joined(separator: ", ") : ""
            reader.report("\(what): \(error.message)\(hint)", at: node, character: error.offset)
            return nil
        }
    }
}
