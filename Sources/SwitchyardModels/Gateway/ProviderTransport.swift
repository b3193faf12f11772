public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import SwitchyardCore
import Synchronization

/// How long the parts of one call to a provider may take. The overall deadline of the ticket's
/// model stage bounds them all; each is off when nil. (Connecting is bounded by the
/// provider's own HTTP client, `connect_timeout`.)
public struct ProviderTimeouts: Sendable, Hashable {
    /// From sending the request to the first token of a streamed answer, or to the response
    /// head of one that is not streamed.
    public var firstToken: Duration?
    /// Longest silence between two chunks once the answer has begun.
    public var idle: Duration?
    /// One attempt, start to end; a retry gets a fresh one, within the overall deadline.
    public var total: Duration?

    public init(firstToken: Duration? = nil, idle: Duration? = nil, total: Duration? = nil) {
        self.firstToken = firstToken
        self.idle = idle
        self.total = total
    }
}

/// When a failed call is tried again: after a `429`, a `5xx`, a timeout or a broken
/// connection (``ClassificationFailure/isRetryable``), at most ``maxRetries`` times, after the
/// provider's `Retry-After` or else an exponential backoff with jitter, and only when the wait
/// ends before the ticket's deadline.
public struct RetryPolicy: Sendable, Hashable {
    public var maxRetries: Int
    /// The backoff before the first retry; each further one doubles it, up to ``maximumBackoff``.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration

    public init(maxRetries: Int = 1, initialBackoff: Duration = .milliseconds(250), maximumBackoff: Duration = .seconds(4)) {
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// The wait before retry number `retry` (1 for the first): "equal jitter", a random point in
    /// the upper half of the exponential step, so that callers that failed together do not all
    /// come back in the same millisecond, and none comes back at once.
    public func backoff(beforeRetry retry: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let step = min(maximumBackoff, initialBackoff * (1 << min(max(retry - 1, 0), 20)))
        let half = step / 2
        let jitter = Double.random(in: 0...1, using: &random)
        return half + half * jitter
    }
}

/// The one way Switchyard calls a model provider over HTTP: the request a
/// ``ProviderWireFormat`` wrote, the answer whole or streamed (server-sent events), the
/// time-to-first-token, idle and per-attempt limits, retries with backoff and `Retry-After`
/// within the ticket's deadline, and one ``ModelAttempt`` recorded per call.
public struct ProviderTransport: Sendable {
    public let httpClient: HTTPClient
    public let timeouts: ProviderTimeouts
    public let retry: RetryPolicy
    let logger: Logger

    /// Largest answer read; a classification answer is a few hundred bytes.
    public static let maximumResponseBytes = 1 << 20
    /// Largest error body read for its message.
    static let maximumErrorBytes = 64 << 10

    public init(httpClient: HTTPClient, timeouts: ProviderTimeouts, retry: RetryPolicy, logger: Logger) {
        self.httpClient = httpClient
        self.timeouts = timeouts
        self.retry = retry
        self.logger = logger
    }

    /// Sends `request` until an answer passes `validate`, a failure that retrying cannot help,
    /// the retries are spent or `deadline` comes; appends each call to `attempts` as `provider`.
    /// An answer `validate` refuses is a failed attempt and is not retried.
    public func exchange<Value>(
        _ request: ProviderRequest, wire: any ProviderWireFormat, streaming: Bool, provider: String,
        deadline: ContinuousClock.Instant, attempts: inout [ModelAttempt],
        validate: (ProviderReply) throws(ClassificationFailure) -> Value
    ) async throws(ClassificationFailure) -> Value {
        let clock = ContinuousClock()
        var random = SystemRandomNumberGenerator()
        var retries = 0
        while true {
            let start = clock.now
            let attemptDeadline = timeouts.total.map { min(deadline, start + $0) } ?? deadline
            let exchange: Exchange
            do {
                exchange = try await attempt(message(for: request, streaming: streaming), wire: wire, streaming: streaming, deadline: attemptDeadline)
            } catch let failure {
                attempts.append(
                    ModelAttempt(
                        provider: provider, outcome: .failed, reason: "\(failure.failure)", status: failure.status,
                        latencyMilliseconds: (clock.now - start).milliseconds,
                        firstTokenMilliseconds: failure.firstToken.map { ($0 - start).milliseconds }))
                guard failure.failure.isRetryable, retries < retry.maxRetries else {
                    logger.debug("Model call failed", metadata: ["attempt": "\(retries + 1)", "reason": "\(failure.failure)"])
                    throw failure.failure
                }
                retries += 1
                let wait = failure.retryAfter ?? retry.backoff(beforeRetry: retries, using: &random)
                guard clock.now + wait < deadline else {
                    logger.debug(
                        "Model call failed; no time left to retry",
                        metadata: ["attempt": "\(retries)", "reason": "\(failure.failure)", "retry_after_ms": "\(wait.milliseconds)"])
                    throw failure.failure
                }
                logger.info(
                    "Retrying model call",
                    metadata: ["attempt": "\(retries)", "reason": "\(failure.failure)", "retry_after_ms": "\(wait.milliseconds)"])
                do {
                    try await Task.sleep(until: clock.now + wait, clock: clock)
                } catch {
                    throw .transport("cancelled while waiting to retry")
                }
                // A busy machine can wake the wait past the deadline: then there is no retry,
                // and the reason is the failure that asked for one, not an attempt of no time.
                guard clock.now < deadline else { throw failure.failure }
                continue
            }
            return try accept(exchange, startedAt: start, attempt: retries + 1, provider: provider, attempts: &attempts, validate)
        }
    }

    /// Records an answered attempt and hands its reply to `validate`; an answer it refuses
    /// is recorded as failed and thrown.
    private func accept<Value>(
        _ exchange: Exchange, startedAt start: ContinuousClock.Instant, attempt: Int, provider: String,
        attempts: inout [ModelAttempt], _ validate: (ProviderReply) throws(ClassificationFailure) -> Value
    ) throws(ClassificationFailure) -> Value {
        let clock = ContinuousClock()
        var record = ModelAttempt(
            provider: provider, outcome: .answered, status: exchange.status, latencyMilliseconds: (clock.now - start).milliseconds,
            firstTokenMilliseconds: exchange.firstToken.map { ($0 - start).milliseconds }, usage: exchange.reply.usage)
        do {
            let value = try validate(exchange.reply)
            attempts.append(record)
            logger.debug(
                "Model call answered",
                metadata: [
                    "attempt": "\(attempt)", "latency_ms": "\(record.latencyMilliseconds.formatted(digits: 1))",
                    "first_token_ms": "\(record.firstTokenMilliseconds?.formatted(digits: 1) ?? "-")",
                    "prompt_tokens": "\(exchange.reply.usage?.promptTokens ?? 0)",
                    "completion_tokens": "\(exchange.reply.usage?.completionTokens ?? 0)",
                ])
            return value
        } catch {
            record.outcome = .failed
            record.reason = "\(error)"
            attempts.append(record)
            logger.debug("Model call answered unusably", metadata: ["attempt": "\(attempt)", "reason": "\(error)"])
            throw error
        }
    }

    // MARK: - One attempt

    private struct Exchange: Sendable {
        var reply: ProviderReply
        var status: Int
        var firstToken: ContinuousClock.Instant?
    }

    private struct AttemptFailure: Error {
        var failure: ClassificationFailure
        var status: Int?
        var retryAfter: Duration?
        var firstToken: ContinuousClock.Instant?
    }

    /// A non-`2xx` answer, read inside the attempt.
    private struct StatusError: Error {
        var status: Int
        var message: String
        var retryAfter: Duration?
    }

    /// The HTTP request for `request`: built once per call, sent by every attempt.
    private func message(for request: ProviderRequest, streaming: Bool) -> HTTPClientRequest {
        var message = HTTPClientRequest(url: request.url)
        message.method = .POST
        message.headers.add(name: "Content-Type", value: "application/json")
        message.headers.add(name: "Accept", value: streaming ? "text/event-stream" : "application/json")
        for header in request.headers { message.headers.add(name: header.name, value: header.value) }
        message.body = .bytes(request.body)
        return message
    }

    private func attempt(_ http: HTTPClientRequest, wire: any ProviderWireFormat, streaming: Bool, deadline: ContinuousClock.Instant)
        async throws(AttemptFailure) -> Exchange
    {
        let clock = ContinuousClock()
        let start = clock.now
        guard deadline > start else { throw AttemptFailure(failure: .timedOut(after: .zero)) }
        let watchdog = Watchdog(start: start, firstToken: timeouts.firstToken, idle: timeouts.idle)
        let client = httpClient
        do {
            return try await withDeadline(until: deadline) {
                try await withThrowingTaskGroup(of: Exchange?.self) { group in
                    group.addTask {
                        try await Self.run(http, wire: wire, streaming: streaming, watchdog: watchdog, client: client, deadline: deadline)
                    }
                    if watchdog.isArmed {
                        group.addTask {
                            try await watchdog.expiry()
                            return nil
                        }
                    }
                    defer { group.cancelAll() }
                    guard let first = try await group.next(), let exchange = first else { throw CancellationError() }
                    return exchange
                }
            }
        } catch {
            let firstToken = watchdog.firstTokenInstant
            switch error {
            case let error as StatusError:
                throw AttemptFailure(
                    failure: .httpStatus(error.status, message: error.message), status: error.status, retryAfter: error.retryAfter,
                    firstToken: firstToken)
            case let error as ClassificationFailure:
                throw AttemptFailure(failure: error, status: 200, firstToken: firstToken)
            case let expired as Watchdog.Expired:
                throw AttemptFailure(failure: expired.failure, status: expired.sawHead ? 200 : nil, firstToken: firstToken)
            case is DeadlineExceeded:
                throw AttemptFailure(failure: .timedOut(after: clock.now - start), firstToken: firstToken)
            default:
                throw AttemptFailure(failure: Self.failure(for: error, deadlinePassed: clock.now >= deadline, elapsed: clock.now - start))
            }
        }
    }

    /// Sends the request and reads the answer, telling the watchdog of every sign of progress.
    private static func run(
        _ request: HTTPClientRequest, wire: any ProviderWireFormat, streaming: Bool, watchdog: Watchdog, client: HTTPClient,
        deadline: ContinuousClock.Instant
    ) async throws -> Exchange {
        // AsyncHTTPClient's deadline covers the response head; the rest is ours.
        let response = try await client.execute(request, deadline: .now() + TimeAmount(deadline - .now))
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let body = try await response.body.collect(upTo: maximumErrorBytes)
            let message = wire.errorMessage(from: body) ?? response.status.reasonPhrase
            throw StatusError(
                status: status, message: ProviderErrorResponse.trimmed(message),
                retryAfter: retryAfter(
                    seconds: response.headers.first(name: "retry-after"), milliseconds: response.headers.first(name: "retry-after-ms")))
        }
        watchdog.sawResponseHead(streaming: streaming)
        if streaming {
            var parser = ServerSentEventParser()
            var decoder = wire.makeStreamDecoder()
            var received = 0
            for try await chunk in response.body {
                received += chunk.readableBytes
                guard received <= maximumResponseBytes else {
                    throw ClassificationFailure.invalidOutput("the stream is larger than \(maximumResponseBytes) bytes")
                }
                let events: [ServerSentEvent]
                do {
                    events = try parser.consume(chunk.readableBytesView)
                } catch {
                    throw ClassificationFailure.invalidOutput("a stream line is longer than \(ServerSentEventParser.maximumLineBytes) bytes")
                }
                var carriedText = false
                for event in events where try decoder.consume(event) { carriedText = true }
                watchdog.progress(carriedText: carriedText)
            }
            return Exchange(reply: try decoder.finish(), status: status, firstToken: watchdog.firstTokenInstant)
        }
        var body = ByteBuffer()
        for try await chunk in response.body {
            guard body.readableBytes + chunk.readableBytes <= maximumResponseBytes else {
                throw ClassificationFailure.invalidOutput("the response is larger than \(maximumResponseBytes) bytes")
            }
            var chunk = chunk
            body.writeBuffer(&chunk)
            watchdog.progress(carriedText: true)
        }
        return Exchange(reply: try wire.reply(from: body), status: status, firstToken: watchdog.firstTokenInstant)
    }

    static func failure(for error: any Error, deadlinePassed: Bool, elapsed: Duration) -> ClassificationFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout,
                .tlsHandshakeTimeout:
                return .timedOut(after: elapsed)
            case .cancelled where deadlinePassed:
                return .timedOut(after: elapsed)
            case .remoteConnectionClosed:
                return .transport("the provider closed the connection before the answer was complete")
            default:
                return .transport(String(describing: error))
            }
        }
        if error is CancellationError {
            return deadlinePassed ? .timedOut(after: elapsed) : .transport("cancelled")
        }
        // Connection failures surface as NIO errors.
        if let error = error as? IOError {
            return .transport("connection failed: \(String(cString: strerror(error.errnoCode)))")
        }
        if error is NIOTooManyBytesError {
            return .invalidOutput("the error answer is larger than \(maximumErrorBytes) bytes")
        }
        return .transport(String(describing: error))
    }

    /// Azure's and OpenAI's `retry-after-ms`, or else `Retry-After` (seconds or an HTTP date);
    /// nil when absent, unreadable or beyond a day.
    static func retryAfter(seconds: String?, milliseconds: String?, now: Date = Date()) -> Duration? {
        if let milliseconds = milliseconds.flatMap(Double.init), (0...86_400_000).contains(milliseconds) {
            return .milliseconds(milliseconds)
        }
        return seconds.flatMap { RetryAfter.wait($0, now: now) }
    }
}

/// Ends an attempt whose first token or next chunk is late: one timer per attempt whose
/// deadline moves as the answer arrives (no timer per chunk).
final class Watchdog: Sendable {
    struct Expired: Error {
        var failure: ClassificationFailure
        var sawHead: Bool
    }

    private struct State {
        /// When the attempt fails unless something arrives first; nil while no limit runs
        /// (waiting for the first token with no first-token limit).
        var deadline: ContinuousClock.Instant?
        var firstToken: ContinuousClock.Instant?
        var sawHead = false
    }

    private let firstTokenLimit: Duration?
    private let idleLimit: Duration?
    private let state: Mutex<State>

    init(start: ContinuousClock.Instant, firstToken: Duration?, idle: Duration?) {
        self.firstTokenLimit = firstToken
        self.idleLimit = idle
        self.state = Mutex(State(deadline: firstToken.map { start + $0 }))
    }

    /// Whether any limit is set; without one the attempt's deadline alone applies.
    var isArmed: Bool { firstTokenLimit != nil || idleLimit != nil }

    var firstTokenInstant: ContinuousClock.Instant? { state.withLock { $0.firstToken } }

    /// The response head arrived. Not streamed, it stands for the first token.
    func sawResponseHead(streaming: Bool) {
        state.withLock { state in
            state.sawHead = true
            if !streaming { markFirstToken(&state) }
        }
    }

    /// A chunk arrived. Before the first token only a chunk with answer text counts.
    func progress(carriedText: Bool) {
        state.withLock { state in
            if state.firstToken == nil {
                guard carriedText else { return }
                markFirstToken(&state)
            } else {
                state.deadline = idleLimit.map { ContinuousClock.now + $0 }
            }
        }
    }

    private func markFirstToken(_ state: inout State) {
        let now = ContinuousClock.now
        state.firstToken = now
        state.deadline = idleLimit.map { now + $0 }
    }

    /// Returns never; throws ``Expired`` once the current deadline passes without progress.
    ///
    /// Idle deadlines only move later, so sleeping until the current one is enough once the
    /// answer has begun. Before the first token it wakes at least every idle period: the
    /// first token replaces the first-token deadline by an idle one that may come sooner.
    func expiry() async throws {
        while true {
            let (deadline, waitingForFirst, sawHead) = state.withLock { ($0.deadline, $0.firstToken == nil, $0.sawHead) }
            let now = ContinuousClock.now
            if let deadline, now >= deadline {
                throw Expired(
                    failure: waitingForFirst ? .noFirstToken(after: firstTokenLimit ?? .zero) : .streamIdle(after: idleLimit ?? .zero),
                    sawHead: sawHead)
            }
            var wake = deadline ?? now + (idleLimit ?? .seconds(1))
            if waitingForFirst, let idleLimit { wake = min(wake, now + idleLimit) }
            try await Task.sleep(until: wake, clock: .continuous)
        }
    }
}
