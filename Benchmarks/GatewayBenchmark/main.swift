// The overhead the model gateway adds per call: a provider (LLMClassifier behind its
// GuardedClassifier: circuit breaker and concurrency limit, as the server builds it) against an
// in-process OpenAI-compatible server that answers after a fixed delay, beside a bare
// AsyncHTTPClient POST of the same request body to the same server, measured in the same run.
//
//   bash Benchmarks/gateway.sh                   (builds in release, then runs this)
//
// Printed per load and per mode (streaming off and on), p50 and p99 of:
// - `bare − delay`: one HTTP call over loopback and the server's own time, the floor;
// - `gateway − delay`: everything Switchyard's call costs beyond the upstream's delay;
// - `overhead`: gateway − bare at the same percentile, what the gateway itself adds (the
//   prompt, the schema, redaction, the breaker and limiter, validating the answer);
// - CPU per call (the whole process: upstream, client and gateway) for the bare calls and the
//   gateway's, and the difference: what the gateway costs in CPU, steadier than latency on a
//   shared machine;
// - without streaming, a `bare again` row: the bare call measured a second time in place of the
//   gateway, whose "overhead" is the floor of the comparison (its noise) under that load.
// Loads: closed loops of 1 and 8 concurrent callers, and open loops at 1, 100 and 1,000 calls
// per second (calls start on schedule whether or not earlier ones finished).
//
// With LITELLM set to a `litellm` executable (PyPI `litellm[proxy]`; optional), LiteLLM's proxy
// is started in front of the same upstream and the same bare call is made through it at 1 and
// 8 callers: its overhead is printed beside the gateway's.
//
// Environment: DELAY_MS (20), CALLS (2000 per closed-loop caller set), SECONDS_AT_RATE (5; 1 rps
// runs RATE_1_CALLS, 20, calls), LITELLM.

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardModels
import SwitchyardTestSupport
import Synchronization

let environment = ProcessInfo.processInfo.environment
let delay = Duration.milliseconds(Int(environment["DELAY_MS"] ?? "") ?? 20)
let closedCalls = Int(environment["CALLS"] ?? "") ?? 2000
let secondsAtRate = Int(environment["SECONDS_AT_RATE"] ?? "") ?? 5
let oneRPSCalls = Int(environment["RATE_1_CALLS"] ?? "") ?? 20

let departments = DepartmentCatalog([
    Department(id: "cards", name: "Cards", description: "Card delivery, activation and PINs."),
    Department(id: "payments_transfers", name: "Payments", description: "Transfers and card payments."),
    Department(id: "topups_cash_atm", name: "Top-ups", description: "Top-ups, cash and ATMs."),
    Department(id: "fees_fx", name: "Fees", description: "Fees and exchange rates."),
    Department(id: "disputes_refunds", name: "Refunds", description: "Refunds and disputes."),
    Department(id: "fraud_security", name: "Fraud", description: "Lost or stolen cards and fraud."),
    Department(id: "identity_verification", name: "Identity", description: "Identity checks."),
    Department(id: "account_management", name: "Account", description: "Everything else."),
])
let ticket = Ticket(
    externalID: "bench", source: "generic", subject: "Card not arrived",
    body: "I ordered a new card two weeks ago and it still has not arrived. My e-mail is jo@example.com, can you check?",
    requester: Requester(name: "Jo Smith", email: "jo@example.com"))

let answer = #"{"department":"cards","confidence":0.9,"priority":"normal","tags":["card-delivery"]}"#
let wholeBody = ChatCompletions.classification(department: "cards", confidence: 0.9, tags: ["card-delivery"])
/// The same answer as chat completion chunks (OpenAI's streaming shape), with usage at the end.
let streamedBody: String = {
    func chunk(_ delta: String, finish: String?) -> String {
        let content = String(decoding: try! JSONSerialization.data(withJSONObject: [delta], options: [.withoutEscapingSlashes]), as: UTF8.self)
        let finishReason = finish.map { "\"\($0)\"" } ?? "null"
        return #"data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":\#(content.dropFirst().dropLast())},"finish_reason":\#(finishReason)}]}"#
            + "\n\n"
    }
    let pieces = stride(from: 0, to: answer.count, by: 12).map { start in
        String(answer.dropFirst(start).prefix(12))
    }
    var body = pieces.map { chunk($0, finish: nil) }.joined()
    body += chunk("", finish: "stop")
    body += #"data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":18,"total_tokens":138}}"#
        + "\n\ndata: [DONE]\n\n"
    return body
}()

var httpConfiguration = HTTPClient.Configuration()
httpConfiguration.connectionPool.retryConnectionEstablishment = false
httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
httpConfiguration.redirectConfiguration = .disallow
let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)

func gateway(baseURL: String, streaming: Bool) -> GuardedClassifier {
    let classifier = try! LLMClassifier(
        configuration: .init(name: "openai", model: "gpt-4o-mini", streaming: streaming),
        wire: ChatCompletionsWireFormat(
            baseURL: baseURL + "/v1", apiKey: "sk-bench", dialect: .openai, apiVersion: ChatCompletionsWireFormat.defaultAPIVersion),
        httpClient: httpClient, logger: .init(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    return GuardedClassifier(classifier, breaker: CircuitBreaker(settings: .init()), limiter: ConcurrencyLimiter(limit: 1024))
}

/// One call's time, in microseconds.
typealias Call = @Sendable () async throws -> Void

func timed(_ call: Call) async throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try await call()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
}

/// `callers` loops, each making `calls / callers` calls one after another.
func closedLoop(callers: Int, calls: Int, _ call: @escaping Call) async throws -> [Double] {
    try await withThrowingTaskGroup(of: [Double].self) { group in
        for _ in 0..<callers {
            group.addTask {
                var times: [Double] = []
                for _ in 0..<(calls / callers) { times.append(try await timed(call)) }
                return times
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
}

/// `count` calls started `rate` per second on schedule.
func openLoop(rate: Int, count: Int, _ call: @escaping Call) async throws -> [Double] {
    let clock = ContinuousClock()
    let start = clock.now + .milliseconds(50)
    let interval = Duration.seconds(1) / rate
    return try await withThrowingTaskGroup(of: Double.self) { group in
        for index in 0..<count {
            group.addTask {
                try await Task.sleep(until: start + interval * index, clock: clock)
                return try await timed(call)
            }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}

/// User and system CPU time of this process so far: the upstream server, the clients and the
/// gateway together, so the difference between two runs of the same calls is the gateway's.
func processCPUMicroseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func microseconds(_ time: timeval) -> Double { Double(time.tv_sec) * 1e6 + Double(time.tv_usec) }
    return microseconds(usage.ru_utime) + microseconds(usage.ru_stime)
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
}

func milliseconds(_ microseconds: Double) -> String { String(format: "%.3f", microseconds / 1000) }

let delayMicroseconds = Double(delay.components.seconds) * 1e6 + Double(delay.components.attoseconds) / 1e12

func row(_ name: String, streaming: Bool, bare: [Double], measured: [Double]) -> String {
    [
        name.padding(toLength: 16, withPad: " ", startingAt: 0),
        (streaming ? "on" : "off").padding(toLength: 8, withPad: " ", startingAt: 0),
        String(measured.count).padding(toLength: 7, withPad: " ", startingAt: 0),
        "\(milliseconds(percentile(bare, 0.5))) / \(milliseconds(percentile(bare, 0.99)))".padding(toLength: 21, withPad: " ", startingAt: 0),
        "\(milliseconds(percentile(measured, 0.5))) / \(milliseconds(percentile(measured, 0.99)))"
            .padding(toLength: 24, withPad: " ", startingAt: 0),
        "\(milliseconds(percentile(measured, 0.5) - percentile(bare, 0.5))) / "
            + "\(milliseconds(percentile(measured, 0.99) - percentile(bare, 0.99)))",
    ].joined()
}

/// LiteLLM's proxy in front of `upstream`, the bare call made through it, at 1 and 8 callers.
func measureLiteLLM(executable: String, upstream: String, sent: RecordedRequest, bareCall: @escaping Call) async throws {
    let port = try freeLoopbackPort()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["--model", "openai/gpt-4o-mini", "--api_base", upstream + "/v1", "--host", "127.0.0.1", "--port", "\(port)"]
    var environment = ProcessInfo.processInfo.environment
    environment["OPENAI_API_KEY"] = "sk-bench"
    // The proxy refuses to start without a master key; requests carry it.
    let masterKey = "sk-" + String(repeating: "5eb1c0de", count: 8)
    environment["LITELLM_MASTER_KEY"] = masterKey
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
    var proxied = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
    proxied.method = .POST
    proxied.headers.add(name: "Content-Type", value: "application/json")
    proxied.headers.add(name: "Authorization", value: "Bearer \(masterKey)")
    proxied.body = .bytes(ByteBuffer(bytes: sent.body))
    let request = proxied
    let proxiedCall: Call = {
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw LiteLLMError(status: Int(response.status.code)) }
        _ = try await response.body.collect(upTo: 1 << 20)
    }
    // Its start takes a while; then warm it up like the others.
    let clock = ContinuousClock()
    let started = clock.now
    while (try? await proxiedCall()) == nil {
        guard clock.now - started < .seconds(120), process.isRunning else {
            print("LiteLLM did not answer within 120 s; not measured")
            return
        }
        try await Task.sleep(for: .milliseconds(200))
    }
    for _ in 0..<50 { try await proxiedCall() }
    for (name, callers) in [("1 caller", 1), ("8 callers", 8)] {
        let calls = callers == 1 ? min(closedCalls, 500) : closedCalls
        let bare = try await closedLoop(callers: callers, calls: calls, bareCall).map { $0 - delayMicroseconds }
        let through = try await closedLoop(callers: callers, calls: calls, proxiedCall).map { $0 - delayMicroseconds }
        print(row("LiteLLM " + name, streaming: false, bare: bare, measured: through))
    }
}

struct LiteLLMError: Error {
    var status: Int
}

print("Gateway overhead per model call: upstream delay \(milliseconds(delayMicroseconds)) ms, figures in ms")
print(
    "load            stream  calls  bare−delay p50/p99   gateway−delay p50/p99   overhead p50/p99".padding(toLength: 102, withPad: " ", startingAt: 0)
        + "CPU per call: bare / gateway / added")
for streaming in [false, true] {
    try await ScriptedHTTPServer.withServer(handler: { _, _ in
        try? await Task.sleep(for: delay)
        return streaming
            ? ScriptedResponse(headers: [.contentType: "text/event-stream"], body: streamedBody) : ScriptedResponse(body: wholeBody)
    }) { upstream in
        let classifier = gateway(baseURL: upstream.baseURL, streaming: streaming)
        let gatewayCall: Call = {
            _ = try await classifier.classify(ticket, departments: departments, deadline: .now + .seconds(30))
        }
        // Warm up (connections, the JIT-free first renders), and capture what the gateway sends.
        for _ in 0..<50 { try await gatewayCall() }
        let sent = upstream.requests.last!
        var bare = HTTPClientRequest(url: upstream.baseURL + sent.path)
        bare.method = .POST
        for field in sent.headers where ["content-type", "authorization", "accept"].contains(field.name.canonicalName) {
            bare.headers.add(name: field.name.rawName, value: field.value)
        }
        bare.body = .bytes(ByteBuffer(bytes: sent.body))
        let request = bare
        let bareCall: Call = {
            let response = try await httpClient.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
        }
        for _ in 0..<50 { try await bareCall() }

        let loads: [(String, (@escaping Call) async throws -> [Double])] = [
            ("1 caller", { try await closedLoop(callers: 1, calls: min(closedCalls, 500), $0) }),
            ("8 callers", { try await closedLoop(callers: 8, calls: closedCalls, $0) }),
            ("1 per second", { try await openLoop(rate: 1, count: oneRPSCalls, $0) }),
            ("100 per second", { try await openLoop(rate: 100, count: 100 * secondsAtRate, $0) }),
            ("1000 per second", { try await openLoop(rate: 1000, count: 1000 * secondsAtRate, $0) }),
        ]
        if !streaming, let litellm = environment["LITELLM"] {
            try await measureLiteLLM(executable: litellm, upstream: upstream.baseURL, sent: sent, bareCall: bareCall)
        }
        for (name, run) in loads {
            // Bare first, then the gateway, under the same load.
            let bareCPU = processCPUMicroseconds()
            let bareTimes = try await run(bareCall).map { $0 - delayMicroseconds }
            let gatewayCPU = processCPUMicroseconds()
            let gatewayTimes = try await run(gatewayCall).map { $0 - delayMicroseconds }
            let end = processCPUMicroseconds()
            let cpu = (
                bare: (gatewayCPU - bareCPU) / Double(bareTimes.count), gateway: (end - gatewayCPU) / Double(gatewayTimes.count)
            )
            print(
                row(name, streaming: streaming, bare: bareTimes, measured: gatewayTimes)
                    .padding(toLength: 102, withPad: " ", startingAt: 0)
                    + "\(milliseconds(cpu.bare)) / \(milliseconds(cpu.gateway)) / \(milliseconds(cpu.gateway - cpu.bare))")
            if !streaming {
                // The floor of the comparison itself: the bare call again in place of the
                // gateway, so its "overhead" is the run-to-run noise of a difference of percentiles.
                let again = try await run(bareCall).map { $0 - delayMicroseconds }
                print(row("  bare again", streaming: streaming, bare: bareTimes, measured: again))
            }
        }
    }
}
try await httpClient.shutdown()
