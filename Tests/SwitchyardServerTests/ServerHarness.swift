import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import InMemoryLogging
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer
import SwitchyardStore
import SwitchyardTestSupport

/// A running Switchyard on 127.0.0.1 with its own folder, store and configuration, and an
/// HTTP client to talk to it over a real socket.
struct ServerHarness: Sendable {
    let switchyard: Switchyard
    let port: Int
    let client: HTTPClient
    let directory: TemporaryDirectory

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        var replyHeaders: [String: String] = [:]
        for header in response.headers { replyHeaders[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: replyHeaders, body: Data(buffer.readableBytesView))
    }

    func post(_ path: String, json: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.POST, path, body: Data(json.utf8), headers: headers)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.GET, path, headers: headers)
    }

    /// Tickets queued or claimed, as `/metrics` reports them (`/readyz` says nothing internal).
    func queueDepth() async throws -> Int? {
        let metrics = try await get("/metrics").text
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("switchyard_queue_depth ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) }
    }

    /// Waits until the ticket has a decision and returns the ticket document.
    func decidedTicket(_ id: String, timeout: Duration = .seconds(60), headers: [String: String] = [:]) async throws -> [String: Any] {
        try await eventually(timeout: timeout, "ticket \(id) decided") {
            let reply = try await get("/v1/tickets/\(id)", headers: headers)
            let json = reply.json
            return json["decision"] is [String: Any] ? json : nil
        }
    }

    /// Signs a Zendesk webhook body the way Zendesk does.
    static func zendeskSignature(body: String, timestamp: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data((timestamp + body).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64EncodedString()
    }
}

/// Files and settings for one test server.
struct ServerSetup {
    /// Extra YAML appended under `model:` providers, and the chain.
    var chain: [String] = ["local"]
    var extraProviders: String = ""
    var confidenceThreshold: Double = 0.5
    var localModelThreshold: Double = 0.6
    var zendeskBaseURL: String = "http://127.0.0.1:9"
    var genericCallbackURL: String = ""
    var maxBodyBytes: Int = 65536
    var rules: [String: String] = ServerSetup.defaultRules
    var modelDeadline: String = "5s"
    var classifyDeadline: String = "5s"
    var writeBackMaxAttempts: Int = 3
    var writeBackTimeout: String = "5s"
    /// `triage.lease`: how long a claim lasts, and so the wait before a ticket whose content
    /// could not be fetched is tried again.
    var triageLease: String = "30s"
    /// The Zendesk adapter's own `concurrency` (nil: `write_back.concurrency`).
    var zendeskConcurrency: Int? = nil
    /// The `storage:` section's keys, each line indented by two spaces.
    var storage: String = "  path: store/switchyard.sqlite"
    /// More `server:` keys, each line indented by two spaces.
    var serverExtra: String = ""
    /// The `access:` section's YAML, indented under it (empty: no tokens).
    var access: String = ""
    /// More `rules:` keys, each line indented by two spaces.
    var rulesExtra: String = ""
    /// More `model:` keys, each line indented by two spaces.
    var modelExtra: String = ""
    /// More keys of the generic adapter, each line indented by four spaces.
    var genericExtra: String = ""
    /// More adapters under `adapters:`, each line indented by two spaces.
    var extraAdapters: String = ""
    /// Adapter files beside copies of the shipped ones (file name → YAML): a platform added
    /// as a file only. Empty: the shipped `Webhooks/` folder itself.
    var extraAdapterFiles: [String: String] = [:]
    /// More files beside the configuration (path relative to its folder → text).
    var files: [String: String] = [:]
    /// The `quality:` section's keys, each line indented by two spaces (empty: no section).
    var quality: String = ""
    /// More departments, each line indented by two spaces (`  - { id: human_triage }`).
    var extraDepartments: String = ""
    /// More Zendesk targets (department: group id), each line indented by six spaces.
    var zendeskTargetsExtra: String = ""
    /// The `abstention:` section's keys, each line indented by two spaces (empty: no section).
    var abstention: String = ""
    /// Writes to the store before the server starts (history the test needs).
    var seed: (@Sendable (any TicketStore) async throws -> Void)? = nil

    static let zendeskSecret = "test-zendesk-secret"

    static let defaultRules: [String: String] = [
        "10-security.yaml": """
        rules:
          - id: lost-or-stolen-card
            when:
              field: text
              matches: '(?i)\\b(lost|stolen)\\b.{0,40}\\bcard\\b'
            then:
              department: fraud_security
              priority: urgent
              tags: [lost-or-stolen-card]
        """,
        "90-fallback.yaml": """
        rules:
          - id: fallback-transfer
            fallback: true
            when: { field: text, matches: '(?i)\\btransfer' }
            then: { department: payments_transfers }
        """,
    ]

    func configuration(in directory: TemporaryDirectory) throws -> String {
        for (name, text) in rules { try directory.write(text, to: "Rules/\(name)") }
        for (path, text) in files { try directory.write(text, to: path) }
        try directory.write(TrainingSample.csv, to: "tickets.csv")
        var webhooks = packageRoot.appendingPathComponent("Webhooks").path
        if !extraAdapterFiles.isEmpty {
            let shipped = packageRoot.appendingPathComponent("Webhooks")
            for file in try FileManager.default.contentsOfDirectory(atPath: shipped.path) where file.hasSuffix(".yaml") {
                try directory.write(String(contentsOf: shipped.appendingPathComponent(file), encoding: .utf8), to: "Webhooks/\(file)")
            }
            for (file, text) in extraAdapterFiles { try directory.write(text, to: "Webhooks/\(file)") }
            webhooks = "Webhooks"
        }
        return """
        server:
          host: 127.0.0.1
          port: 0
          max_body_bytes: \(maxBodyBytes)
        \(serverExtra)
        storage:
        \(storage)
        \(access.isEmpty ? "" : "access:\n" + access)
        rules:
          directory: Rules
        \(rulesExtra)
        webhooks:
          directory: \(webhooks)
        departments:
          - { id: cards, name: Cards, description: "Card delivery, activation and PINs." }
          - { id: payments_transfers, name: Payments, description: "Transfers and card payments." }
          - { id: topups_cash_atm, name: Top-ups, description: "Top-ups, cash and ATMs." }
          - { id: fees_fx, name: Fees, description: "Fees and exchange rates." }
          - { id: disputes_refunds, name: Refunds, description: "Refunds and disputes." }
          - { id: fraud_security, name: Fraud, description: "Lost or stolen cards and fraud." }
          - { id: identity_verification, name: Identity, description: "Identity checks." }
          - { id: account_management, name: Account, description: "Everything else." }
        \(extraDepartments)
        default_department: account_management
        \(abstention.isEmpty ? "" : "abstention:\n" + abstention)
        triage:
          workers: 2
          lease: \(triageLease)
          poll_interval: 200ms
        model:
          chain: [\(chain.joined(separator: ", "))]
          confidence_threshold: \(confidenceThreshold)
          deadline: \(modelDeadline)
        \(modelExtra)
          providers:
            local:
              type: local
              training_data: [tickets.csv]
        \(extraProviders)
        fallback:
          local_model: true
          local_model_threshold: \(localModelThreshold)
        classify:
          deadline: \(classifyDeadline)
        \(quality.isEmpty ? "" : "quality:\n" + quality)
        write_back:
          max_attempts: \(writeBackMaxAttempts)
          initial_backoff: 10ms
          max_backoff: 50ms
          timeout: \(writeBackTimeout)
        adapters:
          generic:
            allow_unsigned: true
        \(genericExtra)
            settings:
              callback_url: "\(genericCallbackURL)"
          zendesk:
            secret: \(Self.zendeskSecret)
            settings:
              base_url: \(zendeskBaseURL)
            auth: { type: basic, username: agent@example.com/token, password: zendesk-token }
        \(zendeskConcurrency.map { "    concurrency: \($0)" } ?? "")
            targets:
              cards: 101
              payments_transfers: 102
              topups_cash_atm: 103
              fees_fx: 104
              disputes_refunds: 105
              fraud_security: 106
              identity_verification: 107
              account_management: 108
        \(zendeskTargetsExtra)
        \(extraAdapters)
        """
    }
}

/// A small, balanced slice of the sample tickets, so the local model trains quickly in
/// debug builds.
enum TrainingSample {
    static let csv: String = {
        let examples = (try? TrainingSet.loadCSV(packageRoot.appendingPathComponent("Samples/tickets.csv"))) ?? []
        // Every 8th example: about 1,250 spread over all departments.
        return String(decoding: TrainingSet.csv(every8th(examples)), as: UTF8.self)
    }()

    /// How many examples `csv` has.
    static let rows: Int = every8th((try? TrainingSet.loadCSV(packageRoot.appendingPathComponent("Samples/tickets.csv"))) ?? []).count

    private static func every8th(_ examples: [LabeledText]) -> [LabeledText] {
        examples.enumerated().filter { $0.offset % 8 == 0 }.map(\.element)
    }

    /// The model the server would train from `csv`, trained once per test run and put in
    /// each test's store, so that servers start without retraining (the reuse path).
    static let artifact: StoredArtifact? = {
        guard let examples = try? TrainingSet.parseCSV(Data(csv.utf8), file: "tickets.csv") else { return nil }
        let model = LinearTextClassifier.train(examples, options: TrainingOptions())
        return StoredArtifact(
            fingerprint: LinearTextClassifier.fingerprint(of: examples, options: TrainingOptions()), data: model.serialized())
    }()
}

/// Starts a Switchyard with `setup`, runs `body`, stops it and removes its folder.
func withServer<T: Sendable>(
    _ setup: ServerSetup = ServerSetup(),
    logHandler: InMemoryLogHandler? = nil,
    _ body: @Sendable (ServerHarness) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let configFile = try directory.write(try setup.configuration(in: directory), to: "switchyard.yaml")
    let configuration = try Configuration.load(path: configFile.path, environment: [:])
    let logger: Logger
    if var logHandler {
        logHandler.logLevel = .trace
        logger = Logger(label: "switchyard.test", factory: { _ in logHandler })
    } else {
        logger = Logger(label: "switchyard.test", factory: { _ in SwiftLogNoOpLogHandler() })
    }
    let seed = setup.seed
    try await configuration.storage.withStore(logger: logger) { store in
        if let artifact = TrainingSample.artifact { try await store.saveArtifact(artifact, named: "local-model") }
        try await seed?(store)
    }
    // The server's own client settings, with room for the tests' bursts of concurrent
    // requests: waiting for one of the default 8 connections per host counts against the
    // 5 s connect timeout, which a loaded CI machine can exceed.
    var clientConfiguration = Switchyard.httpClientConfiguration
    clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 128
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    do {
        let result = try await Switchyard.withPrepared(configuration: configuration, httpClient: client, logger: logger) {
            switchyard in
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let application = switchyard.application { port in
                portContinuation.yield(port)
                portContinuation.finish()
            }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.runService() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw TimedOut(description: "server did not start") }
                defer { group.cancelAll() }
                return try await body(ServerHarness(switchyard: switchyard, port: port, client: client, directory: directory))
            }
        }
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
