import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore
import SwitchyardStore
import SwitchyardTriage

/// Watches agents' verdicts and the decisions' mix for drift every `quality.check_interval`
/// (``QualityDrift``), on one replica at a time (the `quality-monitor` job lease). An episode
/// starts when a kind drifts and ends when it no longer does; each start and each end is
/// announced once — the log, `/metrics` and, with `quality.alert_webhook`, a Slack-compatible
/// post — and the episodes under way are kept in the store, so a restart or another replica
/// taking over announces nothing twice.
struct QualityMonitorService: Service, CustomStringConvertible {
    let store: any TicketStore
    let settings: Configuration.QualitySettings
    let httpClient: HTTPClient
    let instance: StoreInstance
    let timeSource: any TimeSource
    let metrics: TriageMetrics
    let logger: Logger

    var description: String { "QualityMonitorService" }

    /// The store artifact that holds the episodes under way.
    static let stateArtifact = "quality-alerts"
    /// The most judged decisions one check reads (the newest).
    static let judgedLimit = 100_000
    /// How long posting one alert may take.
    static let postTimeout: Duration = .seconds(10)

    /// The episodes under way, by kind, and what started each.
    struct Episodes: Codable, Sendable, Hashable {
        struct Episode: Codable, Sendable, Hashable {
            var since: Date
            var summary: String
        }

        /// By the kind's name.
        var active: [String: Episode] = [:]
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await check()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.checkInterval) }
        }
    }

    /// One check: the readings, episodes started or ended, their announcements.
    func check() async {
        let now = timeSource.now()
        do {
            guard
                try await store.acquireJobLease(
                    "quality-monitor", owner: instance.id, now: now, duration: settings.checkInterval * 3)
            else { return }
            let windowStart = QualityReport.startOfWindow(days: settings.windowDays, now: now)
            let referenceStart = QualityReport.startOfWindow(days: settings.windowDays + settings.referenceDays, now: now)
            let judged = try await store.judgedDecisions(decidedSince: windowStart, limit: Self.judgedLimit)
            let volume = try await store.decisionVolume(decidedSince: referenceStart)
            let firstDay = StoreSpendingLedger.day(windowStart)
            let window = volume.filter { $0.day >= firstDay }
            let report = QualityReport(judged: judged, volume: window, days: settings.windowDays, now: now)
            let readings = QualityDrift.readings(
                overall: report.overall, window: window, reference: volume.filter { $0.day < firstDay }, settings: settings)
            var episodes = try await Self.episodes(in: store, logger: logger)
            let before = episodes
            for reading in readings {
                switch (reading.drifting, episodes.active[reading.kind.rawValue]) {
                case (true?, nil):
                    guard await announce(reading, started: true) else { continue }
                    episodes.active[reading.kind.rawValue] = .init(since: now, summary: reading.summary)
                case (false?, let episode?):
                    guard await announce(reading, started: false, since: episode.since) else { continue }
                    episodes.active[reading.kind.rawValue] = nil
                default:
                    break
                }
            }
            if episodes != before { try await store.saveArtifact(try Self.encode(episodes), named: Self.stateArtifact) }
            metrics.recordQualityCheck(
                accuracy: readings.first { $0.kind == .accuracy }?.value,
                stages: report.stages.map { ($0.stage.rawValue, $0.tally.accuracy, $0.coverage) },
                departments: report.departments.map { ($0.department.rawValue, $0.precision, $0.recall) },
                alerts: DriftKind.allCases.map { ($0.rawValue, episodes.active[$0.rawValue] != nil) })
        } catch {
            logger.error("Could not check the quality for drift; trying again at the next check", metadata: ["error": "\(error)"])
        }
    }

    /// Logs and posts the start or end of an episode; `false` when the post failed (it is
    /// announced again at the next check, so no episode goes unannounced).
    private func announce(_ reading: DriftReading, started: Bool, since: Date? = nil) async -> Bool {
        let title =
            switch reading.kind {
            case .accuracy: "Accuracy"
            case .departmentMix: "Department mix"
            case .stageMix: "Stage mix"
            }
        let text =
            started
            ? "Switchyard quality alert — \(title): \(reading.summary)."
            : "Switchyard quality recovered — \(title): \(reading.summary)"
                + (since.map { " (alert since \($0.formatted(.iso8601)))." } ?? ".")
        let metadata: Logger.Metadata = ["kind": "\(reading.kind.rawValue)", "summary": "\(reading.summary)"]
        if started {
            logger.warning("Quality alert", metadata: metadata)
        } else {
            logger.notice("Quality recovered", metadata: metadata)
        }
        guard let url = settings.alertWebhook else { return true }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Switchyard")
        var body = JSONTextWriter()
        body.object(["text": text])
        request.body = .bytes(ByteBuffer(string: body.text))
        do {
            let response = try await httpClient.execute(request, timeout: .init(Self.postTimeout))
            _ = try await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else {
                logger.error(
                    "The quality alert webhook refused the alert; it is sent again at the next check",
                    metadata: metadata.merging(["status": "\(response.status.code)"]) { $1 })
                return false
            }
            return true
        } catch {
            logger.error(
                "Could not post the quality alert; it is sent again at the next check",
                metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return false
        }
    }

    /// The episodes under way as the store holds them (none when unreadable, which is logged).
    static func episodes(in store: any TicketStore, logger: Logger) async throws -> Episodes {
        guard let artifact = try await store.artifact(named: stateArtifact) else { return Episodes() }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(Episodes.self, from: artifact.data)
        } catch {
            logger.warning("The stored quality alerts were unreadable; starting afresh", metadata: ["error": "\(error)"])
            return Episodes()
        }
    }

    static func encode(_ episodes: Episodes) throws -> StoredArtifact {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return StoredArtifact(fingerprint: "quality-alerts-v1", data: try encoder.encode(episodes))
    }
}
