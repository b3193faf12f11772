public import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardPostgres
import SwitchyardRules
import SwitchyardTriage
import SwitchyardYAML
import Yams

extension Configuration {
    /// Reads, interpolates and validates a configuration file. Relative paths inside it are
    /// made absolute against the file's folder.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> Configuration {
        let url = URL(fileURLWithPath: path)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                problems: [Diagnostic(location: .file(path), message: "cannot read the file: \(error.localizedDescription)")])
        }
        return try parse(text, file: path, baseDirectory: url.deletingLastPathComponent(), environment: environment)
    }

    /// Parses configuration text. `file` names it in errors; relative paths resolve against
    /// `baseDirectory`. Every problem in the file is reported at once.
    public static func parse(
        _ text: String,
        file: String,
        baseDirectory: URL,
        environment: [String: String] = [:]
    ) throws(ConfigurationError) -> Configuration {
        // The one reader of files people edit: syntax errors with their place, the size cap,
        // aliases bounded, the same checks and words as rule and adapter files.
        var yaml = YAMLReader(file: file, text: text)
        let document: Node
        switch yaml.compose() {
        case .node(let node):
            document = node
        case .empty:
            throw ConfigurationError(
                problems: [Diagnostic(location: .file(file), message: "the file is empty; it needs at least `departments`")])
        case .invalid:
            throw ConfigurationError(problems: yaml.diagnostics)
        }
        var reader = ConfigurationReader(
            yaml: yaml, interpolation: EnvironmentInterpolation(environment: environment), baseDirectory: baseDirectory)
        let configuration = reader.configuration(document)
        guard let configuration, !reader.hasProblems else {
            throw ConfigurationError(problems: reader.yaml.diagnostics.sorted())
        }
        return configuration
    }
}

/// The sections of the file, each read into typed settings that keep their defaults where
/// a value is missing or wrong (the wrong value is reported).
extension ConfigurationReader {
    mutating func configuration(_ document: Node) -> Configuration? {
        guard
            let root = root(document, allowed: [
                "server", "access", "storage", "rules", "webhooks", "departments", "default_department", "triage", "model",
                "fallback", "classify", "write_back", "adapters", "quality", "abstention",
            ])
        else { return nil }
        let departments = required("departments", in: root).flatMap { departmentCatalog($0) }
        var defaultDepartment: DepartmentID?
        if let setting = required("default_department", in: root), let id = text(setting).map({ DepartmentID($0) }) {
            if let departments, !departments.contains(id) {
                report(
                    "default_department \"\(id)\" is not one of the departments: "
                        + departments.ids.map(\.rawValue).joined(separator: ", "), at: setting)
            }
            defaultDepartment = id
        }
        let catalog = departments ?? DepartmentCatalog([])
        let configuration = Configuration(
            server: root["server"].map { server($0) } ?? .init(),
            access: root["access"].map { access($0) } ?? .init(),
            storage: root["storage"].map { storage($0) } ?? .init(path: resolve(Configuration.StorageSettings().path)),
            rules: root["rules"].map { rules($0) } ?? .init(directory: resolve("Rules")),
            webhooks: root["webhooks"].map { webhooks($0) } ?? .init(directory: resolve("Webhooks")),
            departments: catalog,
            defaultDepartment: defaultDepartment ?? "other",
            triage: root["triage"].map { triage($0) } ?? .init(),
            model: root["model"].map { model($0) } ?? defaultModel(),
            fallback: root["fallback"].map { fallback($0) } ?? .init(),
            classify: root["classify"].map { classify($0) } ?? .init(),
            writeBack: root["write_back"].map { writeBack($0) } ?? .init(),
            adapters: root["adapters"].map { adapters($0, departments: catalog) } ?? [:],
            quality: root["quality"].map { quality($0) } ?? .init(),
            abstention: root["abstention"].flatMap { abstention($0, departments: catalog) }
        )
        // Checks across sections compare values that were each read without a problem.
        guard !hasProblems else { return nil }
        checkLease(configuration, root: root)
        checkExposure(configuration, root: root)
        return configuration
    }

    /// A decider must be able to finish before its lease runs out: otherwise a slow model
    /// lets another decider take the ticket over and it is decided twice. The longest a
    /// decision takes is the model deadline plus the local fallback's own deadline.
    private mutating func checkLease(_ configuration: Configuration, root: Section) {
        let lease = configuration.triage.lease
        let modelDeadline = configuration.model.deadline
        let longestDecision = modelDeadline + Triage.fallbackModelDeadline
        guard lease <= longestDecision else { return }
        let node = Self.node("triage", "lease", in: root) ?? Self.node("model", "deadline", in: root) ?? root.node
        report(
            "triage.lease (\(Self.describe(lease))) must be longer than the longest a decision can take: "
                + "model.deadline (\(Self.describe(modelDeadline))) plus \(Self.describe(Triage.fallbackModelDeadline)) "
                + "for the local fallback; raise triage.lease above \(Self.describe(longestDecision)) or lower model.deadline",
            at: node)
    }

    /// An API without tokens answers anyone who reaches the port: allowed on loopback, and
    /// elsewhere only when the file says so.
    private mutating func checkExposure(_ configuration: Configuration, root: Section) {
        let access = configuration.access
        guard access.tokens.isEmpty, !access.allowAnonymous, !Self.isLoopback(configuration.server.host) else { return }
        report(
            "server.host \"\(configuration.server.host)\" is reachable from the network but access.tokens is empty, so anyone "
                + "could read every ticket; add API tokens under access.tokens, listen on 127.0.0.1, or set "
                + "access.allow_anonymous: true when a proxy in front authenticates",
            at: Self.node("server", "host", in: root) ?? root.node)
    }

    /// The node at `section.key`, for checks across sections that point at a value.
    private static func node(_ section: String, _ key: String, in root: Section) -> Node? {
        guard case .mapping(let mapping)? = root[section]?.node else { return nil }
        return mapping[key]
    }

    /// `127.0.0.1` and the rest of 127.0.0.0/8, `::1`, `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `1500ms`, `90s`: durations as a configuration file writes them.
    private static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        return milliseconds.truncatingRemainder(dividingBy: 1000) == 0
            ? "\(Int64(milliseconds / 1000))s" : "\(Int64(milliseconds))ms"
    }

    // MARK: Sections

    private mutating func departmentCatalog(_ setting: Setting) -> DepartmentCatalog? {
        guard let items = list(setting, expecting: "a list of departments (each with an id)") else { return nil }
        guard !items.isEmpty else {
            report("departments: list at least one department", at: setting)
            return nil
        }
        var departments: [Department] = []
        var seen: Set<DepartmentID> = []
        var labelled: [String: (department: DepartmentID, setting: Setting)] = [:]
        for item in items {
            guard let entry = section(item, allowed: ["id", "name", "description", "labels"]),
                let idSetting = required("id", in: entry), let id = text(idSetting).map({ DepartmentID($0) })
            else { continue }
            guard id.isValid else {
                report("\(idSetting.path): department ids use lower-case letters, digits, _ . and -, found \"\(id)\"", at: idSetting)
                continue
            }
            guard seen.insert(id).inserted else {
                report("\(idSetting.path): department \"\(id)\" is listed twice", at: idSetting)
                continue
            }
            let name = entry["name"].flatMap { text($0) } ?? id.rawValue
            let description = entry["description"].flatMap { text($0) } ?? ""
            var labels: [String] = []
            if let labelsSetting = entry["labels"], let given = texts(labelsSetting) {
                for label in given {
                    if let earlier = labelled[label] {
                        report(
                            "\(labelsSetting.path): label \"\(label)\" is already listed by department \"\(earlier.department)\" "
                                + "(\(earlier.setting.path)); a label stands for one department", at: labelsSetting)
                    } else if label.trimmingCharacters(in: .whitespaces).isEmpty {
                        report("\(labelsSetting.path): a label is empty", at: labelsSetting)
                    } else {
                        labelled[label] = (id, labelsSetting)
                        labels.append(label)
                    }
                }
            }
            departments.append(Department(id: id, name: name, description: description, labels: labels))
        }
        // A label that is another department's id would take that department's examples.
        for department in departments {
            for label in department.labels where seen.contains(DepartmentID(label)) && DepartmentID(label) != department.id {
                if let setting = labelled[label]?.setting {
                    report("\(setting.path): label \"\(label)\" is the id of another department", at: setting)
                }
            }
        }
        return DepartmentCatalog(departments)
    }

    private mutating func server(_ setting: Setting) -> Configuration.ServerSettings {
        var settings = Configuration.ServerSettings()
        guard
            let server = section(setting, allowed: [
                "host", "port", "max_body_bytes", "idle_timeout", "body_timeout", "max_header_bytes", "max_connections",
                "rate_limit",
            ])
        else { return settings }
        if let value = server["host"].flatMap({ text($0) }) { settings.host = value }
        if let value = server["port"].flatMap({ int($0, in: 0...65535) }) { settings.port = value }
        if let value = server["max_body_bytes"].flatMap({ int($0, in: 1...(64 << 20)) }) { settings.maxBodyBytes = value }
        if let value = server["idle_timeout"].flatMap({ duration($0) }) { settings.idleTimeout = value }
        if let value = server["body_timeout"].flatMap({ duration($0) }) { settings.bodyTimeout = value }
        if let value = server["max_header_bytes"].flatMap({ int($0, in: 1024...(1 << 20)) }) { settings.maxHeaderBytes = value }
        if let value = server["max_connections"].flatMap({ int($0, in: 1...1_000_000) }) { settings.maxConnections = value }
        if let value = server["rate_limit"] { settings.rateLimit = rateLimit(value) ?? settings.rateLimit }
        return settings
    }

    /// `off`, or `{per_second: 100, burst: 1000}` (burst defaults to ten seconds' worth).
    /// `.some(nil)` is `off`.
    private mutating func rateLimit(_ setting: Setting) -> RateLimit?? {
        guard case .mapping = setting.node else {
            if text(setting) == "off" { return .some(nil) }
            report("\(setting.path) is off or a mapping with per_second and burst", at: setting)
            return nil
        }
        guard let limit = section(setting, allowed: ["per_second", "burst"]),
            let perSecond = required("per_second", in: limit).flatMap({ double($0, in: 0.001...1_000_000) })
        else { return nil }
        let burst: Int
        if let given = limit["burst"] {
            guard let value = int(given, in: 1...10_000_000) else { return nil }
            burst = value
        } else {
            burst = max(1, Int((perSecond * 10).rounded(.up)))
        }
        return RateLimit(perSecond: perSecond, burst: burst)
    }

    private mutating func access(_ setting: Setting) -> Configuration.AccessSettings {
        var settings = Configuration.AccessSettings()
        guard let access = section(setting, allowed: ["tokens", "metrics", "allow_anonymous"]) else { return settings }
        if let tokens = access["tokens"].flatMap({ list($0, expecting: "a list of API tokens (name, role, token)") }) {
            var names: Set<String> = []
            var digests: Set<[UInt8]> = []
            for item in tokens {
                guard let token = apiToken(item) else { continue }
                guard names.insert(token.name).inserted else {
                    report("\(item.path).name: token name \"\(token.name)\" is listed twice", at: nameNode(item))
                    continue
                }
                guard digests.insert(token.digest).inserted else {
                    report("\(item.path): token \"\(token.name)\" has the same secret as another token", at: item)
                    continue
                }
                settings.tokens.append(token)
            }
        }
        if let metrics = access["metrics"], let text = text(metrics), text != "open" {
            if let role = Role(rawValue: text) {
                settings.metricsRole = role
            } else {
                report("access.metrics is open or the role it needs (agent, lead, admin), found \"\(text)\"", at: metrics)
            }
        }
        if let value = access["allow_anonymous"].flatMap({ bool($0) }) { settings.allowAnonymous = value }
        return settings
    }

    private func nameNode(_ item: Setting) -> Node {
        guard case .mapping(let mapping) = item.node, let name = mapping["name"] else { return item.node }
        return name
    }

    private mutating func apiToken(_ item: Setting) -> APIToken? {
        guard let entry = section(item, allowed: ["name", "role", "token", "sha256"]) else { return nil }
        let nameSetting = required("name", in: entry)
        var name = nameSetting.flatMap { text($0) }
        if let given = name, let nameSetting, given.range(of: "^[A-Za-z0-9][A-Za-z0-9_.@+-]*$", options: .regularExpression) == nil {
            report("\(nameSetting.path): token names use letters, digits and _ . @ + -, found \"\(given)\"", at: nameSetting)
            name = nil
        }
        let role = required("role", in: entry).flatMap { self.role($0) }
        var digest: [UInt8]?
        switch (entry["token"], entry["sha256"]) {
        case (let secret?, nil):
            if let text = text(secret) {
                if text.count >= 16 {
                    digest = APIToken.digest(of: text)
                } else {
                    report("\(secret.path): a token must have at least 16 characters (use `openssl rand -hex 24`)", at: secret)
                }
            }
        case (nil, let hash?):
            if let text = text(hash) {
                if let bytes = Hex.decode(text.trimmingWhitespace()), bytes.count == 32 {
                    digest = bytes
                } else {
                    report(
                        "\(hash.path) must be 64 hex digits: the SHA-256 of the token (`printf %s \"$TOKEN\" | sha256sum`)",
                        at: hash)
                }
            }
        case (.some, .some):
            report("\(item.path): give either token or sha256, not both", at: item)
        case (nil, nil):
            if !entry.members.hadUnknownKeys {
                let variable = "SWITCHYARD_TOKEN_\((name ?? "NAME").uppercased())"
                report("\(item.path): give the token (token: ${\(variable)}) or its sha256", at: item)
            }
        }
        guard let name, let role, let digest else { return nil }
        return APIToken(name: name, role: role, digest: digest)
    }

    private mutating func role(_ setting: Setting) -> Role? {
        choice(setting, Role.self, naming: "role")
    }

    private mutating func storage(_ setting: Setting) -> Configuration.StorageSettings {
        var settings = Configuration.StorageSettings(path: resolve(Configuration.StorageSettings().path))
        guard
            let storage = section(setting, allowed: [
                "engine", "path", "url", "pool_size", "statement_timeout", "connect_timeout", "tls", "ca_file", "retention",
                "heartbeat_interval", "instance_timeout",
            ])
        else { return settings }
        if let engine = storage["engine"].flatMap({ choice($0, Configuration.StorageSettings.Engine.self, naming: "storage engine") }) {
            settings.engine = engine
        }
        if let path = storage["path"].flatMap({ path($0) }) { settings.path = path }
        switch settings.engine {
        case .sqlite:
            for key in ["url", "pool_size", "statement_timeout", "connect_timeout", "tls", "ca_file"] {
                if let misplaced = storage[key] {
                    report("\(misplaced.path) is a PostgreSQL setting; set `engine: postgres` to use it, or remove it", at: misplaced)
                }
            }
        case .postgres:
            if let path = storage["path"] {
                report("storage.path is the SQLite file; with engine: postgres, set url instead", at: path)
            }
            settings.postgres = postgres(storage)
        }
        if let value = storage["retention"], let retention = duration(value) {
            if retention >= .seconds(3600) {
                settings.retention = retention
            } else {
                report("storage.retention must be at least 1h", at: value)
            }
        }
        if let value = storage["heartbeat_interval"].flatMap({ duration($0) }) { settings.heartbeatInterval = value }
        if let value = storage["instance_timeout"].flatMap({ duration($0) }) { settings.instanceTimeout = value }
        if settings.instanceTimeout < settings.heartbeatInterval * 2 {
            report(
                "storage.instance_timeout (\(Self.describe(settings.instanceTimeout))) must be at least twice "
                    + "storage.heartbeat_interval (\(Self.describe(settings.heartbeatInterval))), or live processes are declared dead",
                at: (storage["instance_timeout"] ?? storage["heartbeat_interval"])?.node ?? storage.node)
        }
        return settings
    }

    private mutating func postgres(_ storage: Section) -> PostgresSettings? {
        guard let urlSetting = required("url", in: storage), let url = text(urlSetting) else { return nil }
        var postgres: PostgresSettings
        do {
            postgres = try PostgresSettings(url: url)
        } catch {
            report("storage.url: \(error.description)", at: urlSetting)
            return nil
        }
        if let value = storage["pool_size"].flatMap({ int($0, in: 1...500) }) { postgres.poolSize = value }
        if let value = storage["statement_timeout"].flatMap({ duration($0) }) { postgres.statementTimeout = value }
        if let value = storage["connect_timeout"].flatMap({ duration($0) }) { postgres.connectTimeout = value }
        if let value = storage["tls"].flatMap({ choice($0, PostgresSettings.TLSMode.self, naming: "tls mode") }) { postgres.tls = value }
        if let value = storage["ca_file"] {
            if postgres.tls == .verifyFull {
                postgres.caFile = path(value)
            } else {
                report("storage.ca_file is used only with tls: verify-full", at: value)
            }
        }
        return postgres
    }

    private mutating func rules(_ setting: Setting) -> Configuration.RulesSettings {
        var settings = Configuration.RulesSettings(directory: resolve("Rules"))
        guard let rules = section(setting, allowed: ["directory", "match_limit", "depth_limit", "watch_interval"]) else {
            return settings
        }
        if let value = rules["directory"].flatMap({ path($0) }) { settings.directory = value }
        if let value = rules["match_limit"].flatMap({ int($0, in: 1...100_000_000) }) { settings.matchLimit = UInt32(value) }
        if let value = rules["depth_limit"].flatMap({ int($0, in: 1...100_000_000) }) { settings.depthLimit = UInt32(value) }
        if let watch = rules["watch_interval"] {
            if text(watch) == "off" {
                settings.watchInterval = nil
            } else if let interval = duration(watch) {
                settings.watchInterval = interval
            }
        }
        return settings
    }

    private mutating func webhooks(_ setting: Setting) -> Configuration.WebhooksSettings {
        var settings = Configuration.WebhooksSettings(directory: resolve("Webhooks"))
        guard let webhooks = section(setting, allowed: ["directory"]) else { return settings }
        if let value = webhooks["directory"].flatMap({ path($0) }) { settings.directory = value }
        return settings
    }

    private mutating func triage(_ setting: Setting) -> Configuration.TriageSettings {
        var settings = Configuration.TriageSettings()
        guard let triage = section(setting, allowed: ["workers", "lease", "poll_interval"]) else { return settings }
        if let value = triage["workers"].flatMap({ int($0, in: 1...256) }) { settings.workers = value }
        if let value = triage["lease"].flatMap({ duration($0) }) { settings.lease = value }
        if let value = triage["poll_interval"].flatMap({ duration($0) }) { settings.pollInterval = value }
        return settings
    }

    private func defaultModel() -> Configuration.ModelSettings {
        Configuration.ModelSettings(providers: ["local": .local(.init(trainingData: [resolve("Samples/tickets.csv")]))])
    }

    private mutating func model(_ setting: Setting) -> Configuration.ModelSettings {
        var settings = defaultModel()
        guard
            let model = section(
                setting, allowed: ["chain", "confidence_threshold", "deadline", "providers", "on_injection", "redaction", "examples"])
        else {
            return settings
        }
        if let redaction = model["redaction"].flatMap({ section($0, allowed: ["patterns"]) }),
            let patterns = redaction["patterns"].flatMap({ list($0, expecting: "a list of patterns (each with a label and a pattern)") })
        {
            for item in patterns {
                if let pattern = redactionPattern(item, among: settings.redactionPatterns) { settings.redactionPatterns.append(pattern) }
            }
        }
        if let providers = model["providers"].flatMap({ section($0, allowed: nil) }) {
            settings.providers = [:]
            for (name, value) in providers.entries {
                if let provider = provider(value) { settings.providers[name] = provider }
            }
        }
        if let chain = model["chain"], let names = texts(chain) {
            if names.isEmpty {
                report("model.chain: name at least one provider", at: chain)
            } else {
                for name in names where settings.providers[name] == nil {
                    report(
                        "model.chain: provider \"\(name)\" is not defined under model.providers (defined: "
                            + "\(settings.providers.keys.sorted().joined(separator: ", ")))", at: chain)
                }
                settings.chain = names
            }
        }
        if let value = model["confidence_threshold"].flatMap({ double($0, in: 0...1) }) { settings.confidenceThreshold = value }
        if let value = model["deadline"].flatMap({ duration($0) }) { settings.deadline = value }
        if let value = model["on_injection"].flatMap({ choice($0, InjectionPolicy.self, naming: "on_injection policy") }) {
            settings.onInjection = value
        }
        if let examples = model["examples"].flatMap({ section($0, allowed: ["pool", "refresh_interval"]) }) {
            if let value = examples["pool"].flatMap({ int($0, in: 1...20_000) }) { settings.examples.pool = value }
            if let value = examples["refresh_interval"].flatMap({ duration($0) }) { settings.examples.refreshInterval = value }
        }
        // Examples are found by the local model's features.
        if !settings.providers.values.contains(where: { $0.kind == "local" }) {
            for (name, provider) in settings.providers.sorted(by: { $0.key < $1.key }) {
                guard case .llm(let llm) = provider, llm.examples > 0 else { continue }
                report(
                    "model.providers.\(name).examples: similar tickets are found with the local model's features; "
                        + "define a provider of type local (its training_data) or remove examples", at: setting)
            }
        }
        return settings
    }

    /// One of `model.redaction.patterns`. It must compile, have a label of its own, match no
    /// empty text (which would mark every position) and have none of the shapes that backtrack
    /// catastrophically: a pattern stopped at its match limit keeps the ticket from being sent.
    private mutating func redactionPattern(_ item: Setting, among earlier: [Configuration.RedactionPatternSettings])
        -> Configuration.RedactionPatternSettings?
    {
        guard let entry = section(item, allowed: ["label", "pattern"]),
            let labelSetting = required("label", in: entry), let label = text(labelSetting),
            let patternSetting = required("pattern", in: entry), let source = text(patternSetting)
        else { return nil }
        guard label.range(of: "^[A-Z][A-Z0-9_]{0,23}$", options: .regularExpression) != nil else {
            report(
                "\(labelSetting.path): a label is upper-case letters, digits and _ (up to 24, a letter first), as in <\(label)_1>; "
                    + "found \"\(label)\"", at: labelSetting)
            return nil
        }
        if PersonalDataRedactor.Kind(rawValue: label) != nil {
            report(
                "\(labelSetting.path): \(label) is a built-in kind (\(PersonalDataRedactor.Kind.allCases.map(\.rawValue).joined(separator: ", "))); "
                    + "choose another label", at: labelSetting)
            return nil
        }
        if earlier.contains(where: { $0.label == label }) {
            report("\(labelSetting.path): label \(label) is used by an earlier pattern", at: labelSetting)
            return nil
        }
        let pattern: Pattern
        do {
            pattern = try Pattern(source)
        } catch {
            report("\(patternSetting.path): invalid regular expression at character \(error.characterOffset + 1): \(error.message)", at: patternSetting)
            return nil
        }
        if let risk = PatternRisks.find(in: source).first {
            report(
                "\(patternSetting.path): \(risk.message) at character \(risk.offset + 1); a redaction pattern must not be able to "
                    + "backtrack catastrophically (use a bounded repeat such as {1,20}, a possessive one such as \\d++, or an atomic group)",
                at: patternSetting)
            return nil
        }
        if pattern.match("").isMatch {
            report("\(patternSetting.path): the pattern matches empty text; it must match the value itself", at: patternSetting)
            return nil
        }
        return .init(label: label, pattern: source)
    }

    private enum ProviderKind: String, CaseIterable {
        case local, openai, anthropic, gemini
    }

    /// Keys every `openai`, `anthropic` and `gemini` provider takes.
    private static let llmProviderKeys = [
        "type", "base_url", "model", "api_key", "prompt_template", "max_tokens", "temperature", "redact", "max_input_tokens",
        "connect_timeout", "first_token_timeout", "idle_timeout", "timeout", "max_retries", "retry_backoff", "max_backoff",
        "stream", "logprobs", "concurrency", "circuit_breaker", "price", "daily_budget", "cache_ttl", "examples", "batch",
    ]

    private mutating func provider(_ setting: Setting) -> ProviderConfiguration? {
        guard case .mapping(let mapping) = setting.node, let typeNode = mapping["type"] else {
            // Reports "must be a mapping" or the missing type.
            if let provider = section(setting, allowed: nil) { _ = required("type", in: provider) }
            return nil
        }
        switch choice(Setting(node: typeNode, path: "\(setting.path).type"), ProviderKind.self, naming: "provider type") {
        case .local:
            guard let provider = section(setting, allowed: ["type", "training_data", "text_column", "label_column"]),
                let files = required("training_data", in: provider).flatMap({ texts($0) })
            else { return nil }
            guard !files.isEmpty else {
                report("\(setting.path).training_data needs at least one CSV file", at: setting)
                return nil
            }
            var local = LocalProviderSettings(trainingData: files.map(resolve))
            if let column = provider["text_column"].flatMap({ text($0) }) { local.textColumn = column }
            if let column = provider["label_column"].flatMap({ text($0) }) { local.labelColumn = column }
            if local.textColumn == local.labelColumn {
                report("\(setting.path): text_column and label_column are both \"\(local.textColumn)\"", at: setting)
            }
            return .local(local)
        case .openai:
            guard let provider = section(setting, allowed: Self.llmProviderKeys + ["dialect", "system_message", "api_version"])
            else { return nil }
            var chat = LLMProviderSettings.ChatCompletionsSettings()
            if let dialect = provider["dialect"].flatMap({ choice($0, StructuredOutputDialect.self, naming: "dialect") }) {
                chat.dialect = dialect
            }
            chat.systemMessage = provider["system_message"].flatMap { bool($0) }
            if let node = provider["api_version"] {
                if chat.dialect != .azure {
                    report("\(setting.path).api_version applies to dialect azure only; remove it", at: node)
                } else if let version = text(node) {
                    chat.apiVersion = version
                }
            }
            return llmProvider(provider, at: setting, api: .chatCompletions(chat), defaultBaseURL: "https://api.openai.com/v1")
        case .anthropic:
            guard let provider = section(setting, allowed: Self.llmProviderKeys + ["version"]) else { return nil }
            let version = provider["version"].flatMap { text($0) } ?? AnthropicMessagesWireFormat.defaultVersion
            return llmProvider(
                provider, at: setting, api: .anthropic(version: version), defaultBaseURL: AnthropicMessagesWireFormat.defaultBaseURL)
        case .gemini:
            guard let provider = section(setting, allowed: Self.llmProviderKeys) else { return nil }
            return llmProvider(provider, at: setting, api: .gemini, defaultBaseURL: GeminiWireFormat.defaultBaseURL)
        case nil:
            return nil
        }
    }

    /// The keys every LLM provider shares. A wrong optional value is reported (the file is
    /// then refused); its default stands in meanwhile.
    private mutating func llmProvider(_ provider: Section, at setting: Setting, api: LLMProviderSettings.API, defaultBaseURL: String)
        -> ProviderConfiguration?
    {
        let model = required("model", in: provider).flatMap { text($0) }
        let baseURL = provider["base_url"].flatMap { httpURL($0) } ?? defaultBaseURL
        let apiKey = provider["api_key"].flatMap { text($0) }
        guard let model else { return nil }
        var settings = LLMProviderSettings(api: api, baseURL: baseURL, model: model, apiKey: apiKey?.isEmpty == true ? nil : apiKey)
        settings.promptTemplate = provider["prompt_template"].flatMap { path($0) }
        if let value = provider["max_tokens"].flatMap({ int($0, in: 16...4096) }) { settings.maxTokens = value }
        if let value = provider["temperature"].flatMap({ double($0, in: 0...2) }) { settings.temperature = value }
        if let value = provider["max_input_tokens"].flatMap({ int($0, in: 100...200_000) }) { settings.maxInputTokens = value }
        settings.redactsPersonalData =
            provider["redact"].flatMap { bool($0) } ?? !(URL(string: baseURL)?.host.map(Self.isLoopback) ?? false)
        if let value = provider["connect_timeout"].flatMap({ duration($0) }) { settings.connectTimeout = value }
        settings.timeouts = ProviderTimeouts(
            firstToken: provider["first_token_timeout"].flatMap { duration($0) }, idle: provider["idle_timeout"].flatMap { duration($0) },
            total: provider["timeout"].flatMap { duration($0) })
        if let value = provider["max_retries"].flatMap({ int($0, in: 0...10) }) { settings.retry.maxRetries = value }
        if let value = provider["retry_backoff"].flatMap({ duration($0) }) { settings.retry.initialBackoff = value }
        if let value = provider["max_backoff"].flatMap({ duration($0) }) { settings.retry.maximumBackoff = value }
        if settings.retry.maximumBackoff < settings.retry.initialBackoff, let node = provider["max_backoff"] {
            report("\(setting.path).max_backoff is shorter than retry_backoff (\(settings.retry.initialBackoff.formatted))", at: node)
        }
        if let value = provider["stream"].flatMap({ bool($0) }) { settings.streaming = value }
        if let node = provider["logprobs"], let value = bool(node) {
            if value, case .anthropic = api {
                report("\(setting.path).logprobs: Anthropic's API returns no log-probabilities; remove it", at: node)
            }
            settings.logprobs = value
        }
        settings.concurrency = provider["concurrency"].flatMap { int($0, in: 1...10_000) }
        if let node = provider["circuit_breaker"] { settings.circuitBreaker = circuitBreaker(node) ?? settings.circuitBreaker }
        settings.prices = provider["price"].flatMap { prices($0) }
        if let node = provider["daily_budget"], let budget = double(node, in: 0...1_000_000) {
            if provider["price"] == nil {
                report("\(setting.path).daily_budget needs the provider's price (price: {input: …, output: …} per million tokens)", at: node)
            }
            settings.dailyBudget = budget
        }
        if let node = provider["cache_ttl"], text(node) != "off" { settings.cacheTTL = duration(node) }
        if let value = provider["examples"].flatMap({ int($0, in: 0...20) }) { settings.examples = value }
        if let node = provider["batch"] { settings.batch = batch(node, api: api) ?? nil }
        return .llm(settings)
    }

    /// `on`, `off` or a mapping of `max_requests`, `max_wait`, `poll_interval`, `price_ratio`,
    /// for the providers that have a batch API. `.some(nil)` is `off`.
    private mutating func batch(_ setting: Setting, api: LLMProviderSettings.API) -> LLMProviderSettings.BatchSettings?? {
        var settings = LLMProviderSettings.BatchSettings()
        if case .mapping = setting.node {
            guard let batch = section(setting, allowed: ["max_requests", "max_wait", "poll_interval", "price_ratio"]) else { return nil }
            if let value = batch["max_requests"].flatMap({ int($0, in: 1...50_000) }) { settings.queue.maxRequests = value }
            if let value = batch["max_wait"].flatMap({ duration($0) }) { settings.queue.maxWait = value }
            if let value = batch["poll_interval"].flatMap({ duration($0) }) { settings.queue.pollInterval = value }
            if let value = batch["price_ratio"].flatMap({ double($0, in: 0...1) }) { settings.priceRatio = value }
        } else {
            switch text(setting) {
            case "on": break
            case "off": return .some(nil)
            default:
                report("\(setting.path) is on, off or a mapping (max_requests, max_wait, poll_interval, price_ratio)", at: setting)
                return nil
            }
        }
        switch api {
        case .anthropic:
            return settings
        case .chatCompletions(let chat) where chat.dialect == .openai:
            return settings
        case .chatCompletions(let chat):
            report(
                "\(setting.path): dialect \(chat.dialect.rawValue) has no batch API here; only OpenAI's (dialect openai) and "
                    + "Anthropic's are used", at: setting)
        case .gemini:
            report("\(setting.path): only OpenAI's and Anthropic's batch APIs are used; remove it", at: setting)
        }
        return nil
    }

    /// `{input: 0.15, output: 0.60}`: US dollars per million prompt and completion tokens.
    private mutating func prices(_ setting: Setting) -> TokenPrices? {
        guard let price = section(setting, allowed: ["input", "output"]) else { return nil }
        guard let input = required("input", in: price).flatMap({ double($0, in: 0...10_000) }),
            let output = required("output", in: price).flatMap({ double($0, in: 0...10_000) })
        else { return nil }
        return TokenPrices(inputPerMillion: input, outputPerMillion: output)
    }

    /// `off`, or a mapping of `window`, `minimum_calls`, `failure_ratio`, `open_for`,
    /// `half_open_probes`. `.some(nil)` is `off`.
    private mutating func circuitBreaker(_ setting: Setting) -> CircuitBreaker.Settings?? {
        guard case .mapping = setting.node else {
            if text(setting) == "off" { return .some(nil) }
            report("\(setting.path) is off or a mapping (window, minimum_calls, failure_ratio, open_for, half_open_probes)", at: setting)
            return nil
        }
        guard let breaker = section(setting, allowed: ["window", "minimum_calls", "failure_ratio", "open_for", "half_open_probes"])
        else { return nil }
        var settings = CircuitBreaker.Settings()
        if let value = breaker["window"].flatMap({ duration($0) }) { settings.window = value }
        if let value = breaker["minimum_calls"].flatMap({ int($0, in: 1...100_000) }) { settings.minimumCalls = value }
        if let value = breaker["failure_ratio"].flatMap({ double($0, in: 0.01...1) }) { settings.failureRatio = value }
        if let value = breaker["open_for"].flatMap({ duration($0) }) { settings.openDuration = value }
        if let value = breaker["half_open_probes"].flatMap({ int($0, in: 1...100) }) { settings.halfOpenProbes = value }
        return settings
    }

    private mutating func fallback(_ setting: Setting) -> Configuration.FallbackSettings {
        var settings = Configuration.FallbackSettings()
        guard let fallback = section(setting, allowed: ["local_model", "local_model_threshold"]) else { return settings }
        if let value = fallback["local_model"].flatMap({ bool($0) }) { settings.useLocalModel = value }
        if let value = fallback["local_model_threshold"].flatMap({ double($0, in: 0...1) }) { settings.localModelThreshold = value }
        return settings
    }

    private mutating func abstention(_ setting: Setting, departments: DepartmentCatalog) -> Abstention? {
        guard let abstention = section(setting, allowed: ["department", "thresholds", "default_threshold"]),
            let departmentSetting = required("department", in: abstention), let department = text(departmentSetting).map({ DepartmentID($0) })
        else { return nil }
        func known(_ id: DepartmentID, at place: Setting) -> Bool {
            guard departments.contains(id) else {
                report(
                    "\(place.path): \"\(id)\" is not a configured department (\(departments.ids.map(\.rawValue).joined(separator: ", ")))",
                    at: place)
                return false
            }
            return true
        }
        _ = known(department, at: departmentSetting)
        var thresholds: [DepartmentID: Double] = [:]
        if let given = abstention["thresholds"].flatMap({ section($0, allowed: nil) }) {
            for (key, value) in given.entries.sorted(by: { $0.key < $1.key }) {
                let id = DepartmentID(key)
                guard known(id, at: value), let threshold = double(value, in: 0...1) else { continue }
                thresholds[id] = threshold
            }
        }
        let defaultThreshold = abstention["default_threshold"].flatMap { double($0, in: 0...1) } ?? 0.5
        return Abstention(department: department, thresholds: thresholds, defaultThreshold: defaultThreshold)
    }

    private mutating func quality(_ setting: Setting) -> Configuration.QualitySettings {
        var settings = Configuration.QualitySettings()
        guard
            let quality = section(setting, allowed: [
                "window", "reference_window", "accuracy_threshold", "min_judged", "mix_threshold", "min_decided", "check_interval",
                "alert_webhook",
            ])
        else { return settings }
        if let value = quality["window"].flatMap({ days($0) }) { settings.windowDays = value }
        if let value = quality["reference_window"].flatMap({ days($0) }) { settings.referenceDays = value }
        if let value = quality["accuracy_threshold"].flatMap({ double($0, in: 0...1) }) { settings.accuracyThreshold = value }
        if let value = quality["min_judged"].flatMap({ int($0, in: 1...1_000_000) }) { settings.minimumJudged = value }
        if let value = quality["mix_threshold"].flatMap({ double($0, in: 0.01...1) }) { settings.mixThreshold = value }
        if let value = quality["min_decided"].flatMap({ int($0, in: 1...10_000_000) }) { settings.minimumDecided = value }
        if let value = quality["check_interval"].flatMap({ duration($0) }) { settings.checkInterval = value }
        if let node = quality["alert_webhook"] { settings.alertWebhook = httpURL(node) }
        return settings
    }

    /// A duration of whole days, 1–365 (`7d`).
    private mutating func days(_ setting: Setting) -> Int? {
        guard let duration = duration(setting) else { return nil }
        let seconds = duration.components.seconds
        guard duration.components.attoseconds == 0, seconds % 86_400 == 0, (1...365).contains(seconds / 86_400) else {
            report("\(setting.path) must be whole days from 1d to 365d, such as 7d", at: setting.node)
            return nil
        }
        return Int(seconds / 86_400)
    }

    private mutating func classify(_ setting: Setting) -> Configuration.ClassifySettings {
        var settings = Configuration.ClassifySettings()
        guard let classify = section(setting, allowed: ["deadline"]) else { return settings }
        if let value = classify["deadline"].flatMap({ duration($0) }) { settings.deadline = value }
        return settings
    }

    private mutating func writeBack(_ setting: Setting) -> Configuration.WriteBackSettings {
        var settings = Configuration.WriteBackSettings()
        guard
            let writeBack = section(setting, allowed: ["max_attempts", "initial_backoff", "max_backoff", "timeout", "concurrency"])
        else { return settings }
        if let value = writeBack["max_attempts"].flatMap({ int($0, in: 1...100) }) { settings.maxAttempts = value }
        if let value = writeBack["initial_backoff"].flatMap({ duration($0) }) { settings.initialBackoff = value }
        if let value = writeBack["max_backoff"].flatMap({ duration($0) }) { settings.maxBackoff = value }
        if let value = writeBack["timeout"].flatMap({ duration($0) }) { settings.timeout = value }
        if let value = writeBack["concurrency"].flatMap({ int($0, in: 1...64) }) { settings.concurrency = value }
        return settings
    }

    private mutating func adapters(_ setting: Setting, departments: DepartmentCatalog) -> [String: AdapterConfiguration] {
        var adapters: [String: AdapterConfiguration] = [:]
        guard let entries = section(setting, allowed: nil) else { return adapters }
        for (name, value) in entries.entries {
            if let adapter = adapter(value, name: name, departments: departments) { adapters[name] = adapter }
        }
        return adapters
    }

    private mutating func adapter(_ setting: Setting, name: String, departments: DepartmentCatalog) -> AdapterConfiguration? {
        guard
            let entry = section(
                setting, allowed: ["secret", "allow_unsigned", "public_url", "settings", "targets", "auth", "concurrency", "model_rate_limit",
                    "priority", "max_delay"])
        else { return nil }
        var secrets: [String] = []
        if let given = entry["secret"], let values = texts(given) {
            if values.count > 2 {
                report("\(given.path): give one secret, or two while rotating it (the new and the old)", at: given)
            } else if values.contains(where: \.isEmpty) {
                report("\(given.path) is empty: give the webhook signing secret, or set `allow_unsigned: true` for local testing", at: given)
            } else {
                secrets = values
            }
        }
        let allowUnsigned = entry["allow_unsigned"].flatMap { bool($0) } ?? false
        if allowUnsigned, let given = entry["secret"] {
            report(
                "\(setting.path): allow_unsigned: true would ignore the secret and accept any signature; remove one of them",
                at: given)
        } else if !allowUnsigned && entry["secret"] == nil {
            report(
                "\(setting.path): set `secret` (the webhook signing secret, e.g. secret: ${\(name.uppercased())_WEBHOOK_SECRET}) "
                    + "or `allow_unsigned: true` for local testing", at: setting)
        }
        let publicURL = entry["public_url"].flatMap { httpURL($0) }
        var settings: [String: String] = [:]
        if let values = entry["settings"].flatMap({ self.section($0, allowed: nil) }) {
            for (key, value) in values.entries {
                if let text = text(value) { settings[key] = text }
            }
        }
        var targets: [DepartmentID: JSONValue] = [:]
        if let values = entry["targets"].flatMap({ self.section($0, allowed: nil) }) {
            for (key, target) in values.entries {
                let id = DepartmentID(key)
                guard departments.contains(id) else {
                    report(
                        "\(target.path): \"\(key)\" is not a configured department (\(departments.ids.map(\.rawValue).joined(separator: ", ")))",
                        at: values.members.keys[key] ?? target.node)
                    continue
                }
                guard let text = text(target) else { continue }
                if case .scalar(let scalar) = target.node, scalar.style == .plain, let number = Double(text) {
                    targets[id] = .number(number)
                } else {
                    targets[id] = .string(text)
                }
            }
        }
        let auth = entry["auth"].flatMap { authentication($0) }
        let concurrency = entry["concurrency"].flatMap { int($0, in: 1...64) }
        var adapter = AdapterConfiguration(
            secrets: secrets, allowUnsigned: allowUnsigned, publicURL: publicURL, settings: settings, targets: targets, auth: auth,
            concurrency: concurrency)
        if let node = entry["model_rate_limit"] { adapter.modelRateLimit = rateLimit(node) ?? nil }
        let priority = entry["priority"].flatMap { choice($0, AdapterPriority.self, naming: "priority") }
        if priority == .low { adapter.lowPriorityDelay = AdapterConfiguration.defaultLowPriorityDelay }
        if let node = entry["max_delay"], let delay = duration(node) {
            if priority != .low {
                report("\(setting.path).max_delay applies to priority: low only; add it or remove max_delay", at: node)
            } else if delay < .seconds(1) || delay > .seconds(86_400) {
                report("\(setting.path).max_delay must be between 1s and 24h; found \(delay.formatted)", at: node)
            } else {
                adapter.lowPriorityDelay = delay
            }
        }
        return adapter
    }

    private enum AdapterPriority: String, CaseIterable {
        case normal, low
    }

    private enum AuthenticationKind: String, CaseIterable {
        case basic, bearer, header, oauth2
    }

    private mutating func authentication(_ setting: Setting) -> WriteBackAuthentication? {
        guard case .mapping(let mapping) = setting.node, let typeNode = mapping["type"] else {
            if let auth = section(setting, allowed: nil) { _ = required("type", in: auth) }
            return nil
        }
        switch choice(Setting(node: typeNode, path: "\(setting.path).type"), AuthenticationKind.self, naming: "auth type") {
        case .basic:
            guard let auth = section(setting, allowed: ["type", "username", "password"]) else { return nil }
            let username = required("username", in: auth).flatMap { text($0) }
            let password = required("password", in: auth).flatMap { text($0) }
            guard let username, let password else { return nil }
            return .basic(username: username, password: password)
        case .bearer:
            guard let auth = section(setting, allowed: ["type", "token"]),
                let token = required("token", in: auth).flatMap({ text($0) })
            else { return nil }
            return .bearer(token: token)
        case .header:
            guard let auth = section(setting, allowed: ["type", "name", "value"]) else { return nil }
            let name = required("name", in: auth).flatMap { text($0) }
            let value = required("value", in: auth).flatMap { text($0) }
            guard let name, let value else { return nil }
            return .header(name: name, value: value)
        case .oauth2:
            guard
                let auth = section(
                    setting, allowed: ["type", "token_url", "client_id", "client_secret", "scope", "client_authentication"])
            else { return nil }
            let tokenURL = required("token_url", in: auth).flatMap { httpURL($0) }
            let clientID = required("client_id", in: auth).flatMap { text($0) }
            let clientSecret = required("client_secret", in: auth).flatMap { text($0) }
            let scope = auth["scope"].flatMap { text($0) }
            let clientAuthentication =
                auth["client_authentication"].map {
                    choice($0, OAuthClientCredentials.ClientAuthentication.self, naming: "client authentication")
                } ?? .body
            guard let tokenURL, let clientID, let clientSecret, let clientAuthentication else { return nil }
            return .oauth2(
                OAuthClientCredentials(
                    tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret,
                    scope: scope?.isEmpty == true ? nil : scope, clientAuthentication: clientAuthentication))
        case nil:
            return nil
        }
    }
}
