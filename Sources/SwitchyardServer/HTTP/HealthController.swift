import SwitchyardTriage
import Hummingbird
import Prometheus
import SwitchyardStore

/// `/healthz` (the process answers), `/readyz` (the store takes writes), `/metrics` and
/// `/openapi.json`.
///
/// Both probes are open and say nothing internal: a load balancer learns "ready" or not,
/// the reason is in the server's log.
struct HealthController: Sendable {
    let store: any TicketStore
    let health: StoreHealth
    /// The role `/metrics` needs; nil: open.
    let metricsRole: Role?
    let access: AccessControl
    /// `OpenAPIDocument.load()`.
    let openAPIDocument: [UInt8]
    let registry: PrometheusCollectorRegistry
    let metrics: TriageMetrics
    let models: ModelCatalog
    let modelSettings: Configuration.ModelSettings

    struct Status: Encodable {
        var status: String
    }

    func addRoutes(to routes: RouteTable) {
        routes.get("/healthz") { _, _ in
            JSONResponse(Status(status: "ok"))
        }
        routes.get("/readyz") { _, _ in
            health.isReady
                ? JSONResponse(Status(status: "ready")) : JSONResponse(Status(status: "unavailable"), status: .serviceUnavailable)
        }
        routes.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
        }
        routes.get("/metrics") { request, _ in
            if let metricsRole { _ = try access.authorize(request, as: metricsRole) }
            if let depth = try? await store.queueDepth() {
                metrics.recordQueueDepth(depth)
            }
            for provider in ProviderStatus.all(models, settings: modelSettings) {
                let circuit = provider.circuit.map { circuit in
                    switch circuit.state {
                    case .closed: 0
                    case .halfOpen: 1
                    case .open: 2
                    }
                }
                metrics.recordProvider(
                    provider.name, circuit: circuit, inFlight: provider.concurrency?.inFlight, waiting: provider.concurrency?.waiting)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}
