import Foundation
import SwitchyardCore
@testable import SwitchyardModels
import SwitchyardTestSupport
import Testing

extension SerializedModelsTests {
    /// The circuit breaker and the concurrency limit in front of every LLM provider: their
    /// states on an injected clock, and through `GuardedClassifier` against a real HTTP server,
    /// that a skipped provider is not called at all. Serialized with the other provider
    /// suites: it measures deadlines.
    @Suite struct ProviderGuardTests {
        static let settings = CircuitBreaker.Settings(
            window: .seconds(60), minimumCalls: 4, failureRatio: 0.5, openDuration: .seconds(30), halfOpenProbes: 1)

        /// Records `count` outcomes at `now`.
        static func record(_ breaker: CircuitBreaker, succeeded: Bool, count: Int = 1, now: ContinuousClock.Instant) throws {
            for _ in 0..<count {
                let permit = try #require(breaker.acquire(now: now), "a closed circuit lets calls through")
                breaker.record(permit, succeeded: succeeded, now: now)
            }
        }

        @Test("the circuit opens once the window holds minimum_calls outcomes with failure_ratio failed, not before")
        func opensOnTheFailureRatio() throws {
            let breaker = CircuitBreaker(settings: Self.settings)
            let t0 = ContinuousClock.now
            try Self.record(breaker, succeeded: false, count: 3, now: t0)
            #expect(breaker.snapshot(now: t0).state == .closed, "3 failures of 3 calls: under minimum_calls")
            try Self.record(breaker, succeeded: true, now: t0)
            #expect(breaker.snapshot(now: t0).state == .open, "3 of 4 failed, over the ratio")
            let snapshot = breaker.snapshot(now: t0)
            #expect(snapshot.opened == 1 && snapshot.reopensAt == t0 + .seconds(30))
            #expect(breaker.acquire(now: t0 + .seconds(29)) == nil, "no call while open")

            let healthy = CircuitBreaker(settings: Self.settings)
            try Self.record(healthy, succeeded: true, count: 7, now: t0)
            try Self.record(healthy, succeeded: false, count: 6, now: t0)
            #expect(healthy.snapshot(now: t0).state == .closed, "6 of 13 failed: under half")
            #expect(healthy.snapshot(now: t0).callsInWindow == 13 && healthy.snapshot(now: t0).failuresInWindow == 6)
        }

        @Test("outcomes older than the window are forgotten: failures spread thinly never open the circuit")
        func oldOutcomesExpire() throws {
            let breaker = CircuitBreaker(settings: Self.settings)
            let t0 = ContinuousClock.now
            try Self.record(breaker, succeeded: false, count: 3, now: t0)
            try Self.record(breaker, succeeded: false, count: 1, now: t0 + .seconds(61))
            #expect(breaker.snapshot(now: t0 + .seconds(61)).state == .closed)
            #expect(breaker.snapshot(now: t0 + .seconds(61)).callsInWindow == 1)
        }

        @Test("after open_for one probe goes through: its success closes the circuit, its failure opens it again")
        func probesDecide() throws {
            let t0 = ContinuousClock.now
            let breaker = CircuitBreaker(settings: Self.settings)
            try Self.record(breaker, succeeded: false, count: 4, now: t0)
            let probeTime = t0 + .seconds(30)
            #expect(breaker.snapshot(now: probeTime).state == .halfOpen)
            let probe = try #require(breaker.acquire(now: probeTime))
            #expect(breaker.acquire(now: probeTime) == nil, "half_open_probes: 1")
            breaker.record(probe, succeeded: false, now: probeTime)
            #expect(breaker.snapshot(now: probeTime).state == .open)
            #expect(breaker.snapshot(now: probeTime).opened == 2)
            #expect(breaker.acquire(now: probeTime + .seconds(29)) == nil)

            let second = try #require(breaker.acquire(now: probeTime + .seconds(30)))
            breaker.record(second, succeeded: true, now: probeTime + .seconds(30))
            let closed = breaker.snapshot(now: probeTime + .seconds(30))
            #expect(closed.state == .closed && closed.callsInWindow == 0, "closed with a fresh window")
        }

        @Test("a probe given back unused frees its place; an outcome from before a transition does not count")
        func staleOutcomesAreIgnored() throws {
            let t0 = ContinuousClock.now
            let breaker = CircuitBreaker(settings: Self.settings)
            let slow = try #require(breaker.acquire(now: t0))
            try Self.record(breaker, succeeded: false, count: 4, now: t0)
            #expect(breaker.snapshot(now: t0).state == .open)
            breaker.record(slow, succeeded: false, now: t0)
            #expect(breaker.snapshot(now: t0).opened == 1, "the slow call started before the circuit opened")

            let probeTime = t0 + .seconds(30)
            let probe = try #require(breaker.acquire(now: probeTime))
            breaker.release(probe)
            let next = try #require(breaker.acquire(now: probeTime), "the released probe's place is free")
            breaker.record(next, succeeded: true, now: probeTime)
            #expect(breaker.snapshot(now: probeTime).state == .closed)
        }

        @Test("the concurrency limit lets `limit` calls through, queues the rest in arrival order, and gives up at the deadline")
        func limiterQueuesInOrder() async throws {
            let limiter = ConcurrencyLimiter(limit: 2)
            let far = ContinuousClock.now + .seconds(30)
            #expect(await limiter.acquire(until: far))
            #expect(await limiter.acquire(until: far))
            #expect(limiter.load == (2, 0))

            let order = Shared<[Int]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<3 {
                    group.addTask {
                        #expect(await limiter.acquire(until: far))
                        order.update { $0.append(index) }
                    }
                    // Each waiter queued before the next is started: the order is the arrival order.
                    _ = try await eventually(timeout: .seconds(10), "waiter \(index) queued") { () -> Bool? in
                        limiter.load.waiting == index + 1 ? true : nil
                    }
                }
                for released in 1...3 {
                    limiter.release()
                    _ = try await eventually(timeout: .seconds(10), "\(released) waiters through") { () -> Bool? in
                        order.value.count == released ? true : nil
                    }
                }
                try await group.waitForAll()
            }
            #expect(order.value == [0, 1, 2])
            #expect(limiter.load == (2, 0))

            let start = ContinuousClock.now
            #expect(await !limiter.acquire(until: .now + .milliseconds(200)), "no slot came before the deadline")
            #expect(ContinuousClock.now - start >= .milliseconds(200))
            #expect(limiter.load == (2, 0), "the waiter that gave up left the queue")

            let waiter = Task { await limiter.acquire(until: far) }
            _ = try await eventually(timeout: .seconds(10), "waiter queued") { () -> Bool? in limiter.load.waiting == 1 ? true : nil }
            waiter.cancel()
            #expect(await !waiter.value, "a cancelled waiter holds no slot")
            #expect(limiter.load == (2, 0))
        }

        @Test("an open circuit skips the provider without calling it: the attempt says why and the server sees no request")
        func openCircuitSkipsTheCall() async throws {
            let failures = Array(repeating: FakeChatCompletionsServer.Reply.error(
                status: 503, message: "The server is overloaded", type: "server_error", code: nil), count: 4)
            try await FakeChatCompletionsServer.withServer(replying: failures) { server, baseURL in
                let inner = try ProviderGatewayTests.classifier(ProviderGatewayTests.chat(baseURL))
                let guarded = GuardedClassifier(inner, breaker: CircuitBreaker(settings: Self.settings), limiter: ConcurrencyLimiter(limit: 1))
                for _ in 0..<4 {
                    var attempts: [ModelAttempt] = []
                    await #expect(throws: ClassificationFailure.self) {
                        try await guarded.classify(
                            ProviderGatewayTests.ticket, departments: ProviderGatewayTests.departments, deadline: .now + .seconds(5),
                            attempts: &attempts)
                    }
                    #expect(attempts.map(\.outcome) == [.failed])
                }
                #expect(guarded.breaker?.snapshot().state == .open)
                var attempts: [ModelAttempt] = []
                do {
                    _ = try await guarded.classify(
                        ProviderGatewayTests.ticket, departments: ProviderGatewayTests.departments, deadline: .now + .seconds(5),
                        attempts: &attempts)
                    Issue.record("an open circuit let the call through")
                } catch {
                    #expect(error as? ClassificationFailure == .skipped("circuit open"))
                }
                #expect(attempts == [ModelAttempt(provider: "p/m", outcome: .skipped, reason: "circuit open")])
                let requests = await server.requests.count
                #expect(requests == 4, "the skipped ticket made no request (\(requests) requests)")
                let load = try #require(guarded.limiter).load
                #expect(load == (0, 0), "every slot was given back")
            }
        }

        @Test("answers under the confidence threshold do not count against the provider's health")
        func lowConfidenceIsNotAFailure() {
            #expect(!ClassificationFailure.lowConfidence(0.2, threshold: 0.5).countsAgainstProvider)
            #expect(!ClassificationFailure.skipped("circuit open").countsAgainstProvider)
            #expect(ClassificationFailure.httpStatus(503, message: "overloaded").countsAgainstProvider)
            #expect(ClassificationFailure.invalidOutput("not JSON").countsAgainstProvider)
        }
    }
}
