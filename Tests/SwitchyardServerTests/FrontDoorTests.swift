import Foundation
import NIOHTTP1
import SwitchyardTestSupport
import Testing

/// What a hostile or broken client meets: content types, error shapes, timeouts, header caps.
@Suite struct FrontDoorTests {
    @Test("JSON endpoints take only JSON content types: a form post or text is 415 and stores nothing")
    func onlyJSONIsTaken() async throws {
        try await withServer { server in
            let ticket = Data(#"{"id": "CT-1", "body": "hello"}"#.utf8)
            for contentType in ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"] {
                let reply = try await server.send(.POST, "/webhooks/generic", body: ticket, headers: ["Content-Type": contentType])
                #expect(reply.status == 415, "\(contentType)")
                #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "unsupported_media_type")
                let classify = try await server.send(.POST, "/v1/classify", body: ticket, headers: ["Content-Type": contentType])
                #expect(classify.status == 415, "\(contentType)")
            }
            #expect(try await server.queueDepth() == 0)
            let json = ["application/json; charset=utf-8", "Application/JSON", "application/vnd.switchyard+json"]
            for (index, contentType) in json.enumerated() {
                let reply = try await server.send(
                    .POST, "/webhooks/generic", body: Data(#"{"id": "CT-\#(index)", "body": "hello"}"#.utf8),
                    headers: ["Content-Type": contentType])
                #expect(reply.status == 202, "\(contentType): \(reply.text)")
            }
        }
    }

    @Test("every error answer has the JSON error shape: an unknown path is 404, a known one asked with another method 405 with Allow")
    func errorsAreJSON() async throws {
        try await withServer { server in
            let unknown = try await server.get("/v2/nothing-here")
            #expect(unknown.status == 404)
            #expect(unknown.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect((unknown.json["error"] as? [String: Any])?["code"] as? String == "not_found")
            let wrongMethod = try await server.send(.DELETE, "/v1/classify")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers["allow"] == "POST")
            #expect((wrongMethod.json["error"] as? [String: Any])?["code"] as? String == "method_not_allowed")
            let getOnly = try await server.send(.POST, "/healthz", body: Data("{}".utf8))
            #expect(getOnly.status == 405)
            #expect(getOnly.headers["allow"] == "GET, HEAD")
            #expect(try await server.send(.HEAD, "/healthz").status == 200)
            let badLimit = try await server.get("/v1/write-backs?limit=null")
            #expect(badLimit.status == 400, "\(badLimit.text)")
        }
    }

    @Test("a body that trickles past server.body_timeout is answered 408 and the connection closed")
    func slowBodiesTimeOut() async throws {
        // The idle timeout alone would cut a body that stops; a body that trickles needs the body timeout.
        try await withServer(ServerSetup(serverExtra: "  idle_timeout: 30s\n  body_timeout: 1s")) { server in
            let connection = try await RawConnection.open(port: server.port)
            try await connection.send(
                "POST /webhooks/generic HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\": ")
            let answer = try await connection.readUntilClosed(timeout: .seconds(10))
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains("body_timeout"))
            #expect(try await server.queueDepth() == 0)
        }
    }

    @Test("slow-loris connections that never finish their headers are cut by server.idle_timeout while /healthz answers")
    func slowLorisIsCut() async throws {
        try await withServer(ServerSetup(serverExtra: "  idle_timeout: 3s")) { server in
            var stalled: [RawConnection] = []
            for _ in 0..<50 {
                let connection = try await RawConnection.open(port: server.port)
                // On a busy machine the server may already have cut an early one: that is the point.
                try? await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                stalled.append(connection)
            }
            // On new connections (a pooled client's kept-alive one is itself cut when idle).
            #expect(try await Self.health(port: server.port).hasPrefix("HTTP/1.1 200"), "answers beside 50 stalled connections")
            for connection in stalled {
                let answer = try await connection.readUntilClosed(timeout: .seconds(10))
                #expect(!answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            }
            #expect(try await Self.health(port: server.port).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("server.max_connections caps open connections: one past the cap waits unanswered until another closes")
    func connectionsAreCapped() async throws {
        try await withServer(ServerSetup(serverExtra: "  max_connections: 2\n  idle_timeout: 30s")) { server in
            let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            // Two kept-alive connections, each known to be accepted because it was answered.
            var held: [RawConnection] = []
            for _ in 0..<2 {
                let connection = try await RawConnection.open(port: server.port)
                try await connection.send(request)
                _ = try await connection.receive(containing: "HTTP/1.1 200", timeout: .seconds(10))
                held.append(connection)
            }
            // The third is connected by the kernel but not accepted: its request is not read.
            // (Proving that nothing comes needs a window; one second is ample on a loopback.)
            let third = try await RawConnection.open(port: server.port)
            defer { third.close() }
            try await third.send(request)
            await #expect(throws: TimedOut.self) {
                try await third.receive(containing: "HTTP/1.1", timeout: .seconds(1))
            }
            held[0].close()
            let answer = try await third.receive(containing: "HTTP/1.1 200", timeout: .seconds(10))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            held[1].close()
        }
    }

    /// `GET /healthz` on a connection of its own, closed after the answer.
    static func health(port: Int) async throws -> String {
        let connection = try await RawConnection.open(port: port)
        try await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return try await connection.readUntilClosed(timeout: .seconds(10))
    }

    @Test("a request whose headers pass server.max_header_bytes gets no answer but a closed connection")
    func oversizedHeadersAreRefused() async throws {
        try await withServer(ServerSetup(serverExtra: "  max_header_bytes: 4096")) { server in
            let connection = try await RawConnection.open(port: server.port)
            // The server may close while the rest of the header is still being written.
            try? await connection.send(
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(String(repeating: "a", count: 8192))\r\n\r\n")
            let answer = try await connection.readUntilClosed(timeout: .seconds(10))
            #expect(!answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
            #expect(try await server.get("/healthz").status == 200)
        }
    }
}
