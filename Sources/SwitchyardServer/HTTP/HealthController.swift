import Hummingbird
import Prometheus
import SwitchyardStore

/// `/healthz` (the process answers), `/readyz` (the store answers) and `/metrics`.
struct HealthController: Sendable {
    let store: any TicketStore
    let registry: PrometheusCollectorRegistry
    let metrics: TriageMetrics

    struct Status: Encodable {
        var status: String
        var queueDepth: Int?
        var reason: String?
        enum CodingKeys: String, CodingKey {
            case status, reason
            case queueDepth = "queue_depth"
        }
    }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            JSONResponse(Status(status: "ok"))
        }
        router.get("/readyz") { _, _ in
            do {
                let depth = try await store.queueDepth()
                return JSONResponse(Status(status: "ready", queueDepth: depth))
            } catch {
                return JSONResponse(Status(status: "unavailable", reason: "store: \(error)"), status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in
            if let depth = try? await store.queueDepth() {
                metrics.recordQueueDepth(depth)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}
