import Foundation
import Hummingbird
import Logging
import SwitchyardCore
import SwitchyardStore

/// `GET /v1/quality`: how decisions did over the last days by agents' verdicts (see
/// ``QualityReport``). Support leads read it; the `lead` role may call it. No ticket text.
struct QualityController: Sendable {
    let store: any TicketStore
    let timeSource: any TimeSource
    let access: AccessControl
    let logger: Logger

    /// The most judged decisions one report reads (the newest, when there are more).
    static let judgedLimit = 100_000

    func addRoutes(to routes: RouteTable) {
        routes.get("/v1/quality") { request, _ in
            _ = try access.authorize(request, as: .lead)
            var days = 30
            if let text = request.uri.queryParameters["days"].map(String.init) {
                guard let number = Int(text), (1...365).contains(number) else {
                    throw APIError(.badRequest, code: "invalid_query", message: "days must be a whole number from 1 to 365, found \"\(text)\"")
                }
                days = number
            }
            let now = timeSource.now()
            let from = QualityReport.startOfWindow(days: days, now: now)
            let judged = try await store.judgedDecisions(decidedSince: from, limit: Self.judgedLimit + 1)
            let volume = try await store.decisionVolume(decidedSince: from)
            var report = QualityReport(
                judged: Array(judged.prefix(Self.judgedLimit)), volume: volume, days: days, now: now,
                truncated: judged.count > Self.judgedLimit)
            report.alerts = try await QualityMonitorService.episodes(in: store, logger: logger).active
                .map { QualityReport.Alert(kind: $0.key, since: $0.value.since, summary: $0.value.summary) }
                .sorted { $0.kind < $1.kind }
            return JSONResponse(report)
        }
    }
}
