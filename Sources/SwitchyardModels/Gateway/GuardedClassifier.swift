public import SwitchyardCore

/// Any classifier behind its provider's daily budget, circuit breaker and concurrency limit,
/// the same for every provider kind. A ticket the guard does not let through is not delayed: its attempt is
/// recorded as `skipped` with the reason and the chain goes on to the next provider.
public struct GuardedClassifier: Classifier {
    public let inner: any Classifier
    public let breaker: CircuitBreaker?
    public let limiter: ConcurrencyLimiter?
    public let budget: DailyBudget?
    public let cache: AnswerCache?

    public init(
        _ inner: any Classifier, breaker: CircuitBreaker?, limiter: ConcurrencyLimiter?, budget: DailyBudget? = nil,
        cache: AnswerCache? = nil
    ) {
        self.inner = inner
        self.breaker = breaker
        self.limiter = limiter
        self.budget = budget
        self.cache = cache
    }

    public var name: String { inner.name }

    public var answersInBatches: Bool { inner.answersInBatches }

    public func classify(
        _ ticket: Ticket,
        departments: DepartmentCatalog,
        deadline: ContinuousClock.Instant,
        attempts: inout [ModelAttempt]
    ) async throws(ClassificationFailure) -> Classification {
        // A cached answer needs no call: before the breaker, the budget and the limit. A cache
        // the store cannot read is a miss.
        let cacheKey = cache?.key(ticket, departments) ?? nil
        if let cache, let cacheKey, let text = try? await cache.store.answer(forKey: cacheKey),
            let classification = AnswerCache.decode(text, classifier: name, departments: departments)
        {
            attempts.append(ModelAttempt(provider: name, outcome: .cached))
            return classification
        }
        let permit = breaker?.acquire()
        if breaker != nil, permit == nil {
            throw skip("circuit open", attempts: &attempts)
        }
        var reservation: BudgetReservation?
        if let budget {
            do {
                reservation = try await budget.ledger.reserve(
                    DailyBudget.micros(budget.worstCase(ticket, departments)), cap: DailyBudget.micros(budget.capUSD))
            } catch {
                // Unknown spending is not spent: the provider is not called.
                if let permit { breaker?.release(permit) }
                throw skip("the budget could not be checked: \(error)", attempts: &attempts)
            }
            guard reservation != nil else {
                if let permit { breaker?.release(permit) }
                throw skip("daily budget of $\(Self.dollars(budget.capUSD)) spent", attempts: &attempts)
            }
        }
        if let limiter {
            let clock = ContinuousClock()
            let start = clock.now
            guard await limiter.acquire(until: deadline) else {
                if let permit { breaker?.release(permit) }
                await settle(reservation, attempts: attempts[attempts.endIndex...])
                throw skip(
                    "waited \((clock.now - start).formatted) for one of \(limiter.limit) concurrent calls", attempts: &attempts)
            }
        }
        defer { limiter?.release() }
        let first = attempts.endIndex
        do {
            let classification = try await inner.classify(ticket, departments: departments, deadline: deadline, attempts: &attempts)
            if let permit { breaker?.record(permit, succeeded: true) }
            await settle(reservation, attempts: attempts[first...])
            if let cache, let cacheKey { try? await cache.store.keep(AnswerCache.encode(classification), forKey: cacheKey) }
            return classification
        } catch {
            if let permit { breaker?.record(permit, succeeded: !error.countsAgainstProvider) }
            await settle(reservation, attempts: attempts[first...])
            throw error
        }
    }

    /// Replaces `reservation` by what `attempts` cost. A settlement the ledger cannot take
    /// leaves the reservation counted: the budget errs toward spending less.
    private func settle(_ reservation: BudgetReservation?, attempts: ArraySlice<ModelAttempt>) async {
        guard let reservation, let budget else { return }
        let spent = attempts.reduce(0) { $0 + ($1.costUSD ?? 0) }
        try? await budget.ledger.settle(reservation, spentMicros: DailyBudget.micros(spent))
    }

    /// `5.00`, `0.25`.
    static func dollars(_ amount: Double) -> String {
        let cents = Int((amount * 100).rounded())
        let remainder = cents % 100
        return "\(cents / 100).\(remainder < 10 ? "0" : "")\(remainder)"
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
