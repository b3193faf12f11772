import Foundation
import HTTPTypes
import SwitchyardCore
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

    static let topLevelKeys = ["name", "description", "signature", "idempotency", "events", "mapping", "fetch", "write_back"]

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
        var events: EventSelection?
        if let node = top["events"] { events = eventSelection(node) }
        var mapping: FieldMapping?
        if let node = reader.required("mapping", in: top) { mapping = fieldMapping(node) }
        var fetch: FetchTemplate?
        if let node = top["fetch"] { fetch = fetchTemplate(node) }
        var writeBacks: [WriteBackTemplate] = []
        if let node = top["write_back"] {
            // One request, or a list of them, each its own outbox entry.
            if case .sequence(let items) = node {
                if items.isEmpty { reader.report("write_back must list at least one request", at: node) }
                writeBacks = items.compactMap { writeBackTemplate($0) }
            } else if let template = writeBackTemplate(node) {
                writeBacks = [template]
            }
        }

        guard diagnostics.isEmpty, let nameNode, let name, let signature, let idempotency, let mapping else {
            return nil
        }
        let definition = AdapterDefinition(
            name: name, description: description, signature: signature, idempotency: idempotency,
            events: events, mapping: mapping, fetch: fetch, writeBacks: writeBacks)
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
        case hmac, token, basic, none
    }

    private enum SecretFormat: String, CaseIterable {
        case text, base64
    }

    private static let hmacKeys = [
        "algorithm", "header", "signed", "encoding", "prefix", "separator", "secret", "secret_prefix", "timestamp",
    ]

    private mutating func signatureScheme(_ node: Node) -> SignatureScheme? {
        guard let members = reader.members(of: node, "signature", allowed: ["scheme"] + Self.hmacKeys),
            let schemeNode = reader.required("scheme", in: members),
            let scheme = reader.choice(schemeNode, "signature scheme", SchemeName.self)
        else { return nil }
        let allowedHere: [String] =
            switch scheme {
            case .hmac: Self.hmacKeys
            case .token: ["header", "prefix"]
            case .basic, .none: []
            }
        let problemsBefore = diagnostics.count
        for key in members.order where key != "scheme" && !allowedHere.contains(key) {
            reader.report(
                "\"\(key)\" does not apply to scheme \(scheme.rawValue)"
                    + (allowedHere.isEmpty ? "; remove it" : "; keys for \(scheme.rawValue): \(allowedHere.joined(separator: ", "))"),
                at: members.keys[key] ?? node)
        }
        switch scheme {
        case .none:
            return diagnostics.count == problemsBefore ? SignatureScheme.none : nil
        case .basic:
            return diagnostics.count == problemsBefore ? .basic : nil
        case .token:
            let header = reader.required("header", in: members).flatMap { headerName($0, "token header") }
            let prefix = members["prefix"].flatMap { reader.string($0, "prefix", allowingEmpty: true) } ?? ""
            guard diagnostics.count == problemsBefore, let header else { return nil }
            return .token(SharedToken(header: header, prefix: prefix))
        case .hmac:
            return hmacSignature(members)
        }
    }

    private mutating func hmacSignature(_ members: YAMLReader.Members) -> SignatureScheme? {
        let problemsBefore = diagnostics.count
        let algorithm = reader.required("algorithm", in: members).flatMap {
            reader.choice($0, "signature algorithm", HMACSignature.Algorithm.self)
        }
        let header = reader.required("header", in: members).flatMap { headerName($0, "signature header") }
        let encoding = reader.required("encoding", in: members).flatMap {
            reader.choice($0, "signature encoding", HMACSignature.Encoding.self)
        }
        let prefix = members["prefix"].flatMap { reader.string($0, "prefix", allowingEmpty: true) } ?? ""
        var separator: String?
        if let node = members["separator"], let text = reader.string(node, "separator", allowingEmpty: true) {
            if text.isEmpty {
                reader.report("separator must not be empty; write \" \" for a space-separated list", at: node)
            } else {
                separator = text
            }
        }
        var secretKey = HMACSignature.SecretKey.text
        let secretPrefix = members["secret_prefix"].flatMap { reader.string($0, "secret_prefix") }
        switch members["secret"].flatMap({ reader.choice($0, "secret format", SecretFormat.self) }) ?? .text {
        case .text:
            if let node = members.keys["secret_prefix"] {
                reader.report("secret_prefix applies to secret: base64 (a key shown as prefix + base64)", at: node)
            }
        case .base64:
            secretKey = .base64(prefix: secretPrefix ?? "")
        }
        var timestamp: HMACSignature.Timestamp?
        if let node = members["timestamp"] { timestamp = signedTimestamp(node) }
        var signed: StringTemplate<HMACSignature.SignedPart>?
        if let node = reader.required("signed", in: members) {
            signed = template(node, "signature signed", vocabulary: HMACSignature.SignedPart.vocabulary) {
                HMACSignature.SignedPart(name: $0)
            }
            if let signed {
                if !signed.placeholders.contains(.body) {
                    reader.report("what is signed must include ${body}", at: node)
                }
                if signed.placeholders.contains(.timestamp), members["timestamp"] == nil {
                    reader.report("signed includes ${timestamp}, so the signature needs timestamp: {header: …}", at: node)
                }
                if let keyNode = members.keys["timestamp"], !signed.placeholders.contains(.timestamp) {
                    reader.report(
                        "timestamp is set but signed does not include ${timestamp}: an unsigned time proves nothing; "
                            + "add ${timestamp} to signed or remove timestamp", at: keyNode)
                }
            }
        }
        guard diagnostics.count == problemsBefore, let algorithm, let header, let encoding, let signed else { return nil }
        return .hmac(
            HMACSignature(
                algorithm: algorithm, header: header, signed: signed, encoding: encoding, prefix: prefix,
                separator: separator, secretKey: secretKey, timestamp: timestamp))
    }

    private mutating func signedTimestamp(_ node: Node) -> HMACSignature.Timestamp? {
        guard let members = reader.members(of: node, "signature timestamp", allowed: ["header", "format", "window"]) else {
            return nil
        }
        let header = reader.required("header", in: members).flatMap { headerName($0, "timestamp header") }
        let unit = members["format"].map { reader.choice($0, "timestamp format", HMACSignature.Timestamp.Unit.self) }
        var window = HMACSignature.Timestamp.defaultWindow
        if let node = members["window"], let text = reader.string(node, "window") {
            if let duration = Duration(text: text), duration > .zero {
                window = duration
            } else {
                reader.report("window must be a duration such as 5m or 300s, found \"\(text)\"", at: node)
            }
        }
        guard let header, let unit = unit ?? .seconds else { return nil }
        return HMACSignature.Timestamp(header: header, unit: unit, window: window)
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
                let vocabulary = IdempotencySource.TemplatePart.allCases.map { "${\($0.rawValue)}" }.joined(separator: ", ")
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

    private mutating func eventSelection(_ node: Node) -> EventSelection? {
        guard
            let members = reader.members(
                of: node, "events", allowed: ["each", "type", "type_header", "new", "update", "retriage", "challenge_header"])
        else {
            return nil
        }
        let problemsBefore = diagnostics.count
        let each = members["each"].flatMap { path($0, "events each") }
        let type = members["type"].flatMap { path($0, "events type") }
        let typeHeader = members["type_header"].flatMap { headerName($0, "events type_header") }
        if let key = members.keys["type_header"], members["type"] != nil {
            reader.report("give either type (a JSON path) or type_header, not both", at: key)
        }
        let new = members["new"].map { eventTypes($0, "events new") } ?? []
        let update = members["update"].map { eventTypes($0, "events update") } ?? []
        let retriage = members["retriage"].map { eventTypes($0, "events retriage") } ?? []
        let challengeHeader = members["challenge_header"].flatMap { headerName($0, "events challenge_header") }
        if members["type"] == nil, members["type_header"] == nil, let key = members.keys["new"] ?? members.keys["update"] {
            reader.report("events new and update name values of the event type: give type (its JSON path) or type_header too", at: key)
        }
        if members["type"] != nil || members["type_header"] != nil, members["new"] == nil {
            reader.report("events type is given but no event type is new: list them under new", at: members.node)
        }
        for value in Set(update).intersection(retriage).sorted() {
            reader.report(
                "event type \"\(value)\" is listed under both update and retriage (retriage types are updates already)",
                at: members.keys["retriage"] ?? node)
        }
        guard diagnostics.count == problemsBefore else { return nil }
        return EventSelection(
            each: each, type: type, typeHeader: typeHeader, new: new, update: update, retriage: retriage,
            challengeHeader: challengeHeader)
    }

    private mutating func eventTypes(_ node: Node, _ what: String) -> [String] {
        guard case .sequence(let items) = node, !items.isEmpty else {
            reader.report("\(what) must be a list of event types, such as [zen:event-type:ticket.created]", at: node)
            return []
        }
        return items.compactMap { reader.string($0, "an event type") }
    }

    /// The webhook's `mapping`, or (`readsWebhook` false: `fetch.mapping`) where a fetched
    /// answer has the ticket's fields, which names no `external_id`: the ticket has it already.
    private mutating func fieldMapping(_ node: Node, readsWebhook: Bool = true) -> FieldMapping? {
        let what = readsWebhook ? "mapping" : "fetch.mapping"
        let allowed =
            (readsWebhook ? ["external_id"] : []) + [
                "subject", "body", "tags", "requester_name", "requester_email", "channel", "language",
                "priority", "status", "custom_fields", "fields", "clean_body",
            ]
        guard let members = reader.members(of: node, what, allowed: allowed) else { return nil }
        let problemsBefore = diagnostics.count
        var externalID: [JSONPath]? = readsWebhook ? nil : []
        if readsWebhook, let node = reader.required("external_id", in: members) { externalID = paths(node, "external_id") }
        var optional: [String: [JSONPath]] = [:]
        var cleansBody = true
        if let node = members["clean_body"] { cleansBody = reader.bool(node, "clean_body") ?? true }
        for key in allowed where key != "external_id" && key != "fields" && key != "clean_body" {
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
            fields: fields,
            cleansBody: cleansBody
        )
    }

    private mutating func fetchTemplate(_ node: Node) -> FetchTemplate? {
        guard let members = reader.members(of: node, "fetch", allowed: ["url", "headers", "mapping"]) else { return nil }
        let problemsBefore = diagnostics.count
        var url: StringTemplate<TemplateReference>?
        if let node = reader.required("url", in: members) {
            url = template(node, "fetch url", vocabulary: TemplateReference.vocabulary) { TemplateReference(name: $0) }
            for reference in url?.placeholders ?? [] where !FetchTemplate.isAllowed(reference) {
                reader.report(
                    "${\(reference)} cannot be used in a fetch URL (nothing is decided yet); use ${settings.NAME}, "
                        + "${ticket.external_id} or ${ticket.source}", at: node)
            }
        }
        var headers: [String: String] = [:]
        if let node = members["headers"] { headers = headerValues(node) }
        var mapping: FieldMapping?
        if let node = reader.required("mapping", in: members) { mapping = fieldMapping(node, readsWebhook: false) }
        guard diagnostics.count == problemsBefore, let url, let mapping else { return nil }
        return FetchTemplate(url: url, headers: headers, mapping: mapping)
    }

    /// Fixed request headers: a mapping of header names to text.
    private mutating func headerValues(_ node: Node) -> [String: String] {
        var headers: [String: String] = [:]
        guard let headerMembers = reader.members(of: node, "headers", allowed: nil) else { return headers }
        for (name, valueNode) in headerMembers.values {
            if headerName(headerMembers.keys[name] ?? valueNode, "header name", text: name) != nil,
                let value = reader.string(valueNode, "header \(name)")
            {
                headers[name] = value
            }
        }
        return headers
    }

    private mutating func writeBackTemplate(_ node: Node) -> WriteBackTemplate? {
        let allowed = ["method", "url", "headers", "normalize_tags", "priorities", "if_present", "body"]
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
            url = template(node, "write-back url", vocabulary: TemplateReference.vocabulary) {
                TemplateReference(name: $0)
            }
            for reference in url?.placeholders ?? [] where !reference.isAllowedInURL {
                reader.report(
                    "${\(reference)} cannot be used in a URL (it may be absent or a list); use ${target}, ${settings.NAME}, "
                        + "${ticket.external_id}, ${ticket.source}, ${decision.department} or ${decision.stage}", at: node)
            }
        }
        var headers: [String: String] = [:]
        if let node = members["headers"] { headers = headerValues(node) }
        var normalizesTags = false
        if let node = members["normalize_tags"] { normalizesTags = reader.bool(node, "normalize_tags") ?? false }
        var priorities: [Priority: JSONValue] = [:]
        if let node = members["priorities"] { priorities = priorityScale(node) }
        var ifPresent: TemplateReference?
        if let node = members["if_present"] {
            switch bodyTemplate(node) {
            case .reference(let reference, _)?: ifPresent = reference
            case nil: break
            default: reader.report("if_present must be one reference, such as \"${platform.priority}\"", at: node)
            }
        }
        var body: BodyTemplate?
        if let node = members["body"] { body = bodyTemplate(node) }
        let priorityReferences = ((body?.references ?? []) + (ifPresent.map { [$0] } ?? [])).filter(\.readsPlatformPriority)
        if priorities.isEmpty, let first = priorityReferences.first {
            reader.report(
                "the body uses ${\(first)}, so write_back needs priorities: {low: …, normal: …, high: …, urgent: …}",
                at: members["body"] ?? node)
        }
        for case .platformPriorityMember(let name) in Set(priorityReferences) {
            for (priority, value) in priorities.sorted(by: { $0.key < $1.key }) {
                guard case .object(let scaleMembers) = value, scaleMembers[name] != nil else {
                    reader.report(
                        "the body uses ${platform.priority.\(name)}, so priorities.\(priority.rawValue) must be an object "
                            + "with \(name) (such as {\(name): \"2\"})", at: members["priorities"] ?? node)
                    break
                }
            }
        }

        guard diagnostics.count == problemsBefore, let method, let url else { return nil }
        return WriteBackTemplate(
            method: method, url: url, headers: headers, normalizesTags: normalizesTags, priorities: priorities,
            ifPresent: ifPresent, body: body)
    }

    /// `{low: 1, normal: 2, high: 3, urgent: 4}`: each of the four priorities on the platform's scale.
    private mutating func priorityScale(_ node: Node) -> [Priority: JSONValue] {
        guard let members = reader.members(of: node, "priorities", allowed: Priority.allCases.map(\.rawValue)) else { return [:] }
        var scale: [Priority: JSONValue] = [:]
        for priority in Priority.allCases {
            guard let value = reader.required(priority.rawValue, in: members) else { continue }
            guard let template = bodyTemplate(value) else { continue }
            if let literal = template.literalValue, literal != .null {
                scale[priority] = literal
            } else {
                reader.report(
                    "priorities.\(priority.rawValue) must be the platform's value: a number, a string or an object such as "
                        + "{name: High}, without references", at: value)
            }
        }
        return scale
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
            return bodyText(scalar.string, at: node)
        case .alias:
            reader.report("YAML aliases are not supported in adapter files", at: node)
            return nil
        }
    }

    /// A string in the write-back body: one `${reference}` alone (its typed value; with `?`
    /// left out when absent), text with references in it, or plain text.
    private mutating func bodyText(_ text: String, at node: Node) -> BodyTemplate? {
        let hint = "expected one of: \(TemplateReference.vocabulary) (\"?\" before the closing brace leaves the member out "
            + "when the value is absent; \"$$\" writes a literal \"$\")"
        let interpolated: InterpolatedText
        do {
            interpolated = try InterpolatedText(parsing: text)
        } catch {
            reader.report("write-back body: \(error.message)", at: node, character: error.offset)
            return nil
        }
        if interpolated.segments.count == 1, case .reference(let reference) = interpolated.segments[0] {
            var name = reference.name
            let optional = name.hasSuffix("?")
            if optional { name.removeLast() }
            guard reference.fallback == nil, let value = TemplateReference(name: name) else {
                reader.report("unknown reference ${\(reference.name)} in the write-back body; \(hint)", at: node, character: reference.offset)
                return nil
            }
            return .reference(value, omittedWhenAbsent: optional)
        }
        if interpolated.isLiteral {
            // The earlier `$decision.priority` form is text now: say so rather than send it.
            if text.hasPrefix("$"), TemplateReference(name: String(text.dropFirst().prefix { $0 != "?" })) != nil {
                reader.report("write ${\(text.dropFirst())} for a reference; \"\(text)\" would be sent as text", at: node)
                return nil
            }
            let literal = interpolated.segments.map { segment in
                if case .literal(let part) = segment { part } else { "" }
            }.joined()
            return .literal(.string(literal))
        }
        guard let template = template(node, "write-back body text", vocabulary: TemplateReference.vocabulary, placeholder: {
            TemplateReference(name: $0)
        }) else { return nil }
        return .text(template)
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
        _ node: Node, _ what: String, vocabulary: String, placeholder: (String) -> Placeholder?
    ) -> StringTemplate<Placeholder>? {
        guard let text = reader.string(node, what) else { return nil }
        do {
            return try StringTemplate(parsing: text, placeholder: placeholder)
        } catch {
            let hint = error.message.hasPrefix("unknown placeholder") ? "; expected one of: " + vocabulary : ""
            reader.report("\(what): \(error.message)\(hint)", at: node, character: error.offset)
            return nil
        }
    }
}
