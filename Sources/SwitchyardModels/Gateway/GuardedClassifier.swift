public import SwitchyardCore

/// Any classifier behind its provider's circuit breaker and concurrency limit, the same for
/// every provider kind. A ticket the guard does not let through is not delayed: its attempt is
/// recorded as `skipped` with the reason and the chain goes on to the next provider.
public struct GuardedClassifier: Classifier {
    public let inner: any Classifier
    public let breaker: CircuitBreaker?
    public let limiter: ConcurrencyLimiter?

    public init(_ inner: any Classifier, breaker: CircuitBreaker?, limiter: ConcurrencyLimiter?) {
        self.inner = inner
        self.breaker = breaker
        self.limiter = limiter
    }

    public var name: String { inner.name }

    public func classify(
        _ ticket: Ticket,
        departments: DepartmentCatalog,
        deadline: ContinuousClock.Instant,
        attempts: inout [ModelAttempt]
    ) async throws(ClassificationFailure) -> Classification {
        let permit = breaker?.acquire()
        if breaker != nil, permit == nil {
            throw skip("circuit open", attempts: &attempts)
        }
        if let limiter {
            let clock = ContinuousClock()
            let start = clock.now
            guard await limiter.acquire(until: deadline) else {
                if let permit { breaker?.release(permit) }
                throw skip(
                    "waited \((clock.now - start).formatted) for one of \(limiter.limit) concurrent calls", attempts: &attempts)
            }
        }
        defer { limiter?.release() }
        do {
            let classification = try await inner.classify(ticket, departments: departments, deadline: deadline, attempts: &attempts)
            if let permit { breaker?.record(permit, succeeded: true) }
            return classification
        } catch {
            if let permit { breaker?.record(permit, succeeded: !error.countsAgainstProvider) }
            throw error
        }
    }

    private func skip(_ reason: String, attempts: inout [ModelAttempt]) -> ClassificationFailure {
        attempts.append(ModelAttempt(provider: name, outcome: .skipped, reason: reason))
        return .skipped(reason)
    }
}

extension ClassificationFailure {
    /// Whether the failure says something about the provider's health, for its circuit
    /// breaker: not a confident-enough question (below the threshold is the caller's judgement).
    var countsAgainstProvider: Bool {
        switch self {
        case .lowConfidence, .skipped: false
        default: true
        }
    }
}
