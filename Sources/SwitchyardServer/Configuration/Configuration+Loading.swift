import SwitchyardTriage
public import Foundation
import SwitchyardCore
import SwitchyardPostgres
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
            throw ConfigurationError(file: path, keyPath: "", message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: path, baseDirectory: url.deletingLastPathComponent(), environment: environment)
    }

    /// Parses configuration text. `file` names it in errors; relative paths resolve against `baseDirectory`.
    public static func parse(
        _ text: String,
        file: String,
        baseDirectory: URL,
        environment: [String: String] = [:]
    ) throws(ConfigurationError) -> Configuration {
        // The one reader of files people edit: syntax errors with their place, the size cap,
        // aliases bounded.
        var reader = YAMLReader(file: file, text: text)
        let document: Node
        switch reader.compose() {
        case .node(let node):
            document = node
        case .empty:
            throw ConfigurationError(file: file, keyPath: "", message: "the file is empty; it needs at least `departments`")
        case .invalid:
            throw ConfigurationError(reader.diagnostics[0])
        }
        let root = ConfigurationNode(
            node: document, keyPath: [], file: file, interpolation: EnvironmentInterpolation(environment: environment))
        return try ConfigurationReader(baseDirectory: baseDirectory).read(root)
    }
}

extension ConfigurationError {
    /// A problem found while reading the file as YAML, before any key is known.
    init(_ diagnostic: Diagnostic) {
        let location = diagnostic.location
        self.init(
            file: location.file, line: location.line > 0 ? location.line : nil,
            column: location.line > 0 ? location.column : nil, keyPath: "", message: diagnostic.message)
    }
}

/// Turns the YAML tree into typed settings, one section at a time.
private struct ConfigurationReader {
    let baseDirectory: URL

    func read(_ root: ConfigurationNode) throws(ConfigurationError) -> Configuration {
        let root = try root.allowing([
            "server", "access", "storage", "rules", "webhooks", "departments", "default_department", "triage", "model",
            "fallback", "classify", "write_back", "adapters",
        ])
        let departments = try readDepartments(root.required("departments"))
        let defaultNode = try root.required("default_department")
        let defaultDepartment = DepartmentID(try defaultNode.string())
        guard departments.contains(defaultDepartment) else {
            throw defaultNode.error("\"\(defaultDepartment)\" is not one of the departments: \(departments.ids.map(\.rawValue).joined(separator: ", "))")
        }
        let configuration = Configuration(
            server: try root["server"].map(readServer) ?? .init(),
            access: try root["access"].map(readAccess) ?? .init(),
            storage: try root["storage"].map(readStorage) ?? .init(path: resolve(Configuration.StorageSettings().path)),
            rules: try root["rules"].map(readRules) ?? .init(directory: resolve("Rules")),
            webhooks: try root["webhooks"].map(readWebhooks) ?? .init(directory: resolve("Webhooks")),
            departments: departments,
            defaultDepartment: defaultDepartment,
            triage: try root["triage"].map(readTriage) ?? .init(),
            model: try root["model"].map(readModel) ?? defaultModel(),
            fallback: try root["fallback"].map(readFallback) ?? .init(),
            classify: try root["classify"].map(readClassify) ?? .init(),
            writeBack: try root["write_back"].map(readWriteBack) ?? .init(),
            adapters: try root["adapters"].map { node throws(ConfigurationError) in try readAdapters(node, departments: departments) } ?? [:]
        )
        try checkLease(configuration, root: root)
        try checkExposure(configuration, root: root)
        return configuration
    }

    /// A decider must be able to finish before its lease runs out: otherwise a slow model
    /// lets another decider take the ticket over and it is decided twice. The longest a
    /// decision takes is the model deadline plus the local fallback's own deadline.
    private func checkLease(_ configuration: Configuration, root: ConfigurationNode) throws(ConfigurationError) {
        let lease = configuration.triage.lease
        let modelDeadline = configuration.model.deadline
        let longestDecision = modelDeadline + Triage.fallbackModelDeadline
        guard lease <= longestDecision else { return }
        let node = root["triage"]?["lease"] ?? root["model"]?["deadline"] ?? root
        throw node.error(
            "triage.lease (\(Self.describe(lease))) must be longer than the longest a decision can take: "
                + "model.deadline (\(Self.describe(modelDeadline))) plus \(Self.describe(Triage.fallbackModelDeadline)) "
                + "for the local fallback; raise triage.lease above \(Self.describe(longestDecision)) or lower model.deadline")
    }

    /// An API without tokens answers anyone who reaches the port: allowed on loopback, and
    /// elsewhere only when the file says so.
    private func checkExposure(_ configuration: Configuration, root: ConfigurationNode) throws(ConfigurationError) {
        let access = configuration.access
        guard access.tokens.isEmpty, !access.allowAnonymous, !Self.isLoopback(configuration.server.host) else { return }
        throw (root["server"]?["host"] ?? root).error(
            "\"\(configuration.server.host)\" is reachable from the network but access.tokens is empty, so anyone "
                + "could read every ticket; add API tokens under access.tokens, listen on 127.0.0.1, or set "
                + "access.allow_anonymous: true when a proxy in front authenticates")
    }

    /// `127.0.0.1` and the rest of 127.0.0.0/8, `::1`, `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    private func readAccess(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.AccessSettings {
        let node = try node.allowing(["tokens", "metrics", "allow_anonymous"])
        var settings = Configuration.AccessSettings()
        if let tokens = node["tokens"] {
            var names: Set<String> = []
            var digests: Set<[UInt8]> = []
            for element in try tokens.elements() {
                let entry = try element.allowing(["name", "role", "token", "sha256"])
                let nameNode = try entry.required("name")
                let name = try nameNode.string()
                guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9_.@+-]*$", options: .regularExpression) != nil else {
                    throw nameNode.error("token names use letters, digits and _ . @ + -, found \"\(name)\"")
                }
                guard names.insert(name).inserted else { throw nameNode.error("token name \"\(name)\" is listed twice") }
                let role = try readRole(try entry.required("role"))
                let digest: [UInt8]
                switch (entry["token"], entry["sha256"]) {
                case (let secret?, nil):
                    let text = try secret.string()
                    guard text.count >= 16 else {
                        throw secret.error("a token must have at least 16 characters (use `openssl rand -hex 24`)")
                    }
                    digest = APIToken.digest(of: text)
                case (nil, let hash?):
                    guard let bytes = Hex.decode(try hash.string().trimmingWhitespace()), bytes.count == 32 else {
                        throw hash.error("sha256 must be 64 hex digits: the SHA-256 of the token (`printf %s \"$TOKEN\" | sha256sum`)")
                    }
                    digest = bytes
                case (.some, .some):
                    throw element.error("give either token or sha256, not both")
                case (nil, nil):
                    throw element.error("give the token (token: ${SWITCHYARD_TOKEN_\(name.uppercased())}) or its sha256")
                }
                guard digests.insert(digest).inserted else { throw element.error("token \"\(name)\" has the same secret as another token") }
                settings.tokens.append(APIToken(name: name, role: role, digest: digest))
            }
        }
        if let metrics = node["metrics"] {
            let text = try metrics.string()
            if text != "open" {
                guard let role = Role(rawValue: text) else {
                    throw metrics.error("metrics is open or the role it needs (agent, lead, admin), found \"\(text)\"")
                }
                settings.metricsRole = role
            }
        }
        if let flag = node["allow_anonymous"] { settings.allowAnonymous = try flag.bool() }
        return settings
    }

    private func readRole(_ node: ConfigurationNode) throws(ConfigurationError) -> Role {
        let text = try node.string()
        guard let role = Role(rawValue: text) else {
            throw node.error("unknown role \"\(text)\"; roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }

    /// `1500ms`, `90s`: durations as a configuration file writes them.
    private static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        return milliseconds.truncatingRemainder(dividingBy: 1000) == 0
            ? "\(Int64(milliseconds / 1000))s" : "\(Int64(milliseconds))ms"
    }

    private func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return baseDirectory.appendingPathComponent(path).standardizedFileURL.path
    }

    private func readDepartments(_ node: ConfigurationNode) throws(ConfigurationError) -> DepartmentCatalog {
        var departments: [Department] = []
        var seen: Set<DepartmentID> = []
        for element in try node.elements() {
            let entry = try element.allowing(["id", "name", "description"])
            let idNode = try entry.required("id")
            let id = DepartmentID(try idNode.string())
            guard id.rawValue.range(of: "^[a-z0-9][a-z0-9_.-]*$", options: .regularExpression) != nil else {
                throw idNode.error("department ids use lower-case letters, digits, _ . and -, found \"\(id)\"")
            }
            guard seen.insert(id).inserted else { throw idNode.error("department \"\(id)\" is listed twice") }
            let name = try entry["name"]?.string() ?? id.rawValue
            let description = try entry["description"]?.string() ?? ""
            departments.append(Department(id: id, name: name, description: description))
        }
        guard !departments.isEmpty else { throw node.error("list at least one department") }
        return DepartmentCatalog(departments)
    }

    private func readServer(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.ServerSettings {
        let node = try node.allowing([
            "host", "port", "max_body_bytes", "idle_timeout", "body_timeout", "max_header_bytes", "max_connections",
            "rate_limit",
        ])
        var settings = Configuration.ServerSettings()
        if let host = node["host"] { settings.host = try host.string() }
        if let port = node["port"] { settings.port = try port.int(in: 0...65535) }
        if let limit = node["max_body_bytes"] { settings.maxBodyBytes = try limit.int(in: 1...(64 << 20)) }
        if let value = node["idle_timeout"] { settings.idleTimeout = try positive(value) }
        if let value = node["body_timeout"] { settings.bodyTimeout = try positive(value) }
        if let value = node["max_header_bytes"] { settings.maxHeaderBytes = try value.int(in: 1024...(1 << 20)) }
        if let value = node["max_connections"] { settings.maxConnections = try value.int(in: 1...1_000_000) }
        if let value = node["rate_limit"] { settings.rateLimit = try readRateLimit(value) }
        return settings
    }

    /// `off`, or `{per_second: 100, burst: 1000}` (burst defaults to ten seconds' worth).
    private func readRateLimit(_ node: ConfigurationNode) throws(ConfigurationError) -> RateLimit? {
        if node.node.mapping == nil {
            guard try node.string() == "off" else {
                throw node.error("rate_limit is off or a mapping with per_second and burst")
            }
            return nil
        }
        let node = try node.allowing(["per_second", "burst"])
        let perSecond = try node.required("per_second").double(in: 0.001...1_000_000)
        let burst = try node["burst"]?.int(in: 1...10_000_000) ?? max(1, Int((perSecond * 10).rounded(.up)))
        return RateLimit(perSecond: perSecond, burst: burst)
    }

    private func readStorage(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.StorageSettings {
        let node = try node.allowing([
            "engine", "path", "url", "pool_size", "statement_timeout", "connect_timeout", "tls", "ca_file", "retention",
            "heartbeat_interval", "instance_timeout",
        ])
        var settings = Configuration.StorageSettings()
        if let engine = node["engine"] {
            let text = try engine.string()
            guard let value = Configuration.StorageSettings.Engine(rawValue: text) else {
                throw engine.error("unknown storage engine \"\(text)\"; use sqlite or postgres")
            }
            settings.engine = value
        }
        settings.path = resolve(try node["path"]?.string() ?? settings.path)
        let postgresKeys = ["url", "pool_size", "statement_timeout", "connect_timeout", "tls", "ca_file"]
        switch settings.engine {
        case .sqlite:
            if let key = postgresKeys.first(where: { node[$0] != nil }), let misplaced = node[key] {
                throw misplaced.error("\(key) is a PostgreSQL setting; set `engine: postgres` to use it, or remove it")
            }
        case .postgres:
            if let path = node["path"] {
                throw path.error("path is the SQLite file; with engine: postgres, set url instead")
            }
            let urlNode = try node.required("url")
            let url = try urlNode.string()
            var postgres: PostgresSettings
            do {
                postgres = try PostgresSettings(url: url)
            } catch {
                throw urlNode.error(error.description)
            }
            if let value = node["pool_size"] { postgres.poolSize = try value.int(in: 1...500) }
            if let value = node["statement_timeout"] { postgres.statementTimeout = try positive(value) }
            if let value = node["connect_timeout"] { postgres.connectTimeout = try positive(value) }
            if let value = node["tls"] {
                let text = try value.string()
                guard let mode = PostgresSettings.TLSMode(rawValue: text) else {
                    throw value.error(
                        "unknown tls mode \"\(text)\"; use one of \(PostgresSettings.TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                postgres.tls = mode
            }
            if let value = node["ca_file"] {
                guard postgres.tls == .verifyFull else { throw value.error("ca_file is used only with tls: verify-full") }
                postgres.caFile = resolve(try value.string())
            }
            settings.postgres = postgres
        }
        if let value = node["retention"] {
            let retention = try positive(value)
            guard retention >= .seconds(3600) else { throw value.error("retention must be at least 1h") }
            settings.retention = retention
        }
        if let value = node["heartbeat_interval"] { settings.heartbeatInterval = try positive(value) }
        if let value = node["instance_timeout"] { settings.instanceTimeout = try positive(value) }
        guard settings.instanceTimeout >= settings.heartbeatInterval * 2 else {
            throw (node["instance_timeout"] ?? node["heartbeat_interval"] ?? node).error(
                "storage.instance_timeout (\(Self.describe(settings.instanceTimeout))) must be at least twice "
                    + "storage.heartbeat_interval (\(Self.describe(settings.heartbeatInterval))), or live processes are declared dead")
        }
        return settings
    }

    private func readRules(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.RulesSettings {
        let node = try node.allowing(["directory", "match_limit", "depth_limit", "watch_interval"])
        var settings = Configuration.RulesSettings(directory: resolve(try node["directory"]?.string() ?? "Rules"))
        if let limit = node["match_limit"] { settings.matchLimit = UInt32(try limit.int(in: 1...100_000_000)) }
        if let limit = node["depth_limit"] { settings.depthLimit = UInt32(try limit.int(in: 1...100_000_000)) }
        if let watch = node["watch_interval"] {
            settings.watchInterval = try watch.string() == "off" ? nil : try positive(watch)
        }
        return settings
    }

    private func readWebhooks(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.WebhooksSettings {
        let node = try node.allowing(["directory"])
        return .init(directory: resolve(try node["directory"]?.string() ?? "Webhooks"))
    }

    private func readTriage(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.TriageSettings {
        let node = try node.allowing(["workers", "lease", "poll_interval"])
        var settings = Configuration.TriageSettings()
        if let workers = node["workers"] { settings.workers = try workers.int(in: 1...256) }
        if let lease = node["lease"] { settings.lease = try positive(lease) }
        if let poll = node["poll_interval"] { settings.pollInterval = try positive(poll) }
        return settings
    }

    private func defaultModel() -> Configuration.ModelSettings {
        Configuration.ModelSettings(providers: ["local": .local(.init(trainingData: [resolve("Samples/tickets.csv")]))])
    }

    private func readModel(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.ModelSettings {
        let node = try node.allowing(["chain", "confidence_threshold", "deadline", "providers"])
        var settings = defaultModel()
        if let providers = node["providers"] {
            settings.providers = [:]
            for (name, value) in try providers.entries() {
                settings.providers[name] = try readProvider(value)
            }
        }
        if let chainNode = node["chain"] {
            settings.chain = try chainNode.strings()
            guard !settings.chain.isEmpty else { throw chainNode.error("name at least one provider") }
            for name in settings.chain where settings.providers[name] == nil {
                throw chainNode.error(
                    "provider \"\(name)\" is not defined under model.providers (defined: \(settings.providers.keys.sorted().joined(separator: ", ")))"
                )
            }
        }
        if let threshold = node["confidence_threshold"] { settings.confidenceThreshold = try threshold.double(in: 0...1) }
        if let deadline = node["deadline"] { settings.deadline = try positive(deadline) }
        return settings
    }

    private func readProvider(_ node: ConfigurationNode) throws(ConfigurationError) -> ProviderConfiguration {
        let typeNode = try node.required("type")
        switch try typeNode.string() {
        case "local":
            let node = try node.allowing(["type", "training_data"])
            let files = try node.required("training_data").strings().map(resolve)
            guard !files.isEmpty else { throw node.error("training_data needs at least one CSV file") }
            return .local(.init(trainingData: files))
        case "openai":
            let node = try node.allowing(["type", "base_url", "model", "api_key", "timeout", "prompt_template", "max_retries"])
            let apiKey = try node["api_key"]?.string()
            return .openAI(
                .init(
                    baseURL: try node["base_url"]?.httpURL() ?? "https://api.openai.com/v1",
                    model: try node.required("model").string(),
                    apiKey: apiKey?.isEmpty == true ? nil : apiKey,
                    timeout: try node["timeout"].map(positive),
                    promptTemplate: try node["prompt_template"].map { node throws(ConfigurationError) in resolve(try node.string()) },
                    maxRetries: try node["max_retries"]?.int(in: 0...5) ?? 1
                ))
        case let other:
            throw typeNode.error("unknown provider type \"\(other)\"; known types: local, openai")
        }
    }

    private func readFallback(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.FallbackSettings {
        let node = try node.allowing(["local_model", "local_model_threshold"])
        var settings = Configuration.FallbackSettings()
        if let flag = node["local_model"] { settings.useLocalModel = try flag.bool() }
        if let threshold = node["local_model_threshold"] { settings.localModelThreshold = try threshold.double(in: 0...1) }
        return settings
    }

    private func readClassify(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.ClassifySettings {
        let node = try node.allowing(["deadline"])
        var settings = Configuration.ClassifySettings()
        if let deadline = node["deadline"] { settings.deadline = try positive(deadline) }
        return settings
    }

    private func readWriteBack(_ node: ConfigurationNode) throws(ConfigurationError) -> Configuration.WriteBackSettings {
        let node = try node.allowing(["max_attempts", "initial_backoff", "max_backoff", "timeout", "concurrency"])
        var settings = Configuration.WriteBackSettings()
        if let value = node["max_attempts"] { settings.maxAttempts = try value.int(in: 1...100) }
        if let value = node["initial_backoff"] { settings.initialBackoff = try positive(value) }
        if let value = node["max_backoff"] { settings.maxBackoff = try positive(value) }
        if let value = node["timeout"] { settings.timeout = try positive(value) }
        if let value = node["concurrency"] { settings.concurrency = try value.int(in: 1...64) }
        return settings
    }

    private func readAdapters(
        _ node: ConfigurationNode, departments: DepartmentCatalog
    ) throws(ConfigurationError) -> [String: AdapterConfiguration] {
        var adapters: [String: AdapterConfiguration] = [:]
        for (name, value) in try node.entries() {
            let entry = try value.allowing(["secret", "allow_unsigned", "settings", "targets", "auth"])
            let secret = try entry["secret"]?.string()
            let allowUnsigned = try entry["allow_unsigned"]?.bool() ?? false
            if (secret ?? "").isEmpty && !allowUnsigned {
                throw value.error(
                    "set `secret` (the webhook signing secret, e.g. secret: ${\(name.uppercased())_WEBHOOK_SECRET}) or `allow_unsigned: true` for local testing"
                )
            }
            var settings: [String: String] = [:]
            if let settingsNode = entry["settings"] {
                for (key, setting) in try settingsNode.entries() { settings[key] = try setting.string() }
            }
            var targets: [DepartmentID: JSONValue] = [:]
            if let targetsNode = entry["targets"] {
                for (key, target) in try targetsNode.entries() {
                    let id = DepartmentID(key)
                    guard departments.contains(id) else {
                        throw target.error("\"\(key)\" is not a configured department (\(departments.ids.map(\.rawValue).joined(separator: ", ")))")
                    }
                    let text = try target.string()
                    if case .scalar(let scalar) = target.node, scalar.style == .plain, let number = Double(text) {
                        targets[id] = .number(number)
                    } else {
                        targets[id] = .string(text)
                    }
                }
            }
            adapters[name] = AdapterConfiguration(
                secret: (secret ?? "").isEmpty ? nil : secret,
                allowUnsigned: allowUnsigned,
                settings: settings,
                targets: targets,
                auth: try entry["auth"].map(readAuthentication)
            )
        }
        return adapters
    }

    private func readAuthentication(_ node: ConfigurationNode) throws(ConfigurationError) -> WriteBackAuthentication {
        let typeNode = try node.required("type")
        switch try typeNode.string() {
        case "basic":
            let node = try node.allowing(["type", "username", "password"])
            return .basic(username: try node.required("username").string(), password: try node.required("password").string())
        case "bearer":
            let node = try node.allowing(["type", "token"])
            return .bearer(token: try node.required("token").string())
        case "header":
            let node = try node.allowing(["type", "name", "value"])
            return .header(name: try node.required("name").string(), value: try node.required("value").string())
        case let other:
            throw typeNode.error("unknown auth type \"\(other)\"; known types: basic, bearer, header")
        }
    }

    private func positive(_ node: ConfigurationNode) throws(ConfigurationError) -> Duration {
        let duration = try node.duration()
        guard duration > .zero else { throw node.error("must be longer than zero") }
        return duration
    }
}
