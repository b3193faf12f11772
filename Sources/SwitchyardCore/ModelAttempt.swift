/// One call to a model for one ticket, as its decision records it: which provider, how it
/// went, how long it took and what it cost. A decision lists every attempt in order, retries
/// and failovers included, so "why did this ticket fall back?" has an answer per call.
public struct ModelAttempt: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// The provider gave a valid answer (it may still have been under the threshold).
        case answered
        /// The call failed: an HTTP error, a timeout, a cut stream, an invalid answer.
        case failed
        /// The provider was not called: its circuit is open, its budget spent, its queue full.
        case skipped
        /// The provider was not called: the same prompt's answer was in the cache.
        case cached
    }

    /// The classifier's name, `<provider key>/<model>`.
    public var provider: String
    public var outcome: Outcome
    /// The failure or the reason it was skipped; nil when answered.
    public var reason: String?
    /// The HTTP status the provider answered, when it answered one.
    public var status: Int?
    /// From sending the request to the end of the answer (or the failure).
    public var latencyMilliseconds: Double
    /// From sending the request to the first token of a streamed answer, or to the response
    /// head of an answer that is not streamed.
    public var firstTokenMilliseconds: Double?
    public var usage: TokenUsage?
    /// What the provider charges for `usage` at its configured `price`, in US dollars; nil
    /// without a price or without usage.
    public var costUSD: Double?
    /// The provider's id of the batch the call was sent in (its batch API); nil for a call of
    /// its own.
    public var batch: String?

    public init(
        provider: String, outcome: Outcome, reason: String? = nil, status: Int? = nil, latencyMilliseconds: Double = 0,
        firstTokenMilliseconds: Double? = nil, usage: TokenUsage? = nil, costUSD: Double? = nil, batch: String? = nil
    ) {
        self.provider = provider
        self.outcome = outcome
        self.reason = reason
        self.status = status
        self.latencyMilliseconds = latencyMilliseconds
        self.firstTokenMilliseconds = firstTokenMilliseconds
        self.usage = usage
        self.costUSD = costUSD
        self.batch = batch
    }

    enum CodingKeys: String, CodingKey {
        case provider, outcome, reason, status, usage, batch
        case costUSD = "cost_usd"
        case latencyMilliseconds = "latency_ms"
        case firstTokenMilliseconds = "first_token_ms"
    }
}
