import Hummingbird

/// The server's routes, registered through one place, so that the router is built with what
/// every route needs and a known path asked with a method it does not take is answered `405`
/// with `Allow` (the router alone says `404`).
final class RouteTable {
    private var registrations: [(Router<BasicRequestContext>) -> Void] = []
    private var methods: [(path: String, methods: [HTTPRequest.Method])] = []

    func get<Output: ResponseGenerator>(
        _ path: String, use handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Output
    ) {
        record(.get, path)
        registrations.append { $0.get(RouterPath(path), use: handler) }
    }

    func post<Output: ResponseGenerator>(
        _ path: String, use handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Output
    ) {
        record(.post, path)
        registrations.append { $0.post(RouterPath(path), use: handler) }
    }

    /// The router with the request log, the error shape and every route (`HEAD` for each `GET`).
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.middlewares.add(LogRequestsMiddleware(.debug))
        router.middlewares.add(ErrorShapeMiddleware(knownPaths: KnownPaths(methods)))
        for register in registrations { register(router) }
        return router
    }

    private func record(_ method: HTTPRequest.Method, _ path: String) {
        if let index = methods.firstIndex(where: { $0.path == path }) {
            methods[index].methods.append(method)
        } else {
            methods.append((path, [method]))
        }
    }
}

/// The route paths (`/v1/tickets/:id`) and the methods each takes, to tell an unknown path
/// (`404`) from a known one asked with another method (`405`).
struct KnownPaths: Sendable {
    private let routes: [(segments: [Substring], allow: String)]

    init(_ methods: [(path: String, methods: [HTTPRequest.Method])]) {
        routes = methods.map { path, methods in
            let allowed = methods.contains(.get) ? methods + [.head] : methods
            return (path.split(separator: "/"), allowed.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// The `Allow` value for `path` when a route has it, for example `GET, HEAD`.
    func allow(for path: String) -> String? {
        let segments = path.split(separator: "/")
        return routes.first { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { pattern, segment in pattern.hasPrefix(":") || pattern == segment }
        }?.allow
    }
}
