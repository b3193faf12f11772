public import SwitchyardCore

/// A language model asked through its provider's batch API (OpenAI, Anthropic): the same
/// prompt, request and checks as ``LLMClassifier``, sent in a batch by a ``BatchQueue`` and
/// answered within the time a low-priority ticket may wait, at the batch discount.
///
/// One attempt is recorded per ticket: its batch's id, the time from queueing to the answer,
/// the tokens, and their cost at ``priceRatio`` of the provider's prices.
public struct BatchClassifier: Classifier {
    public let llm: LLMClassifier
    public let queue: BatchQueue
    /// What a batch call costs as a share of the configured prices: OpenAI and Anthropic
    /// charge half.
    public let priceRatio: Double

    /// The batch discount both OpenAI and Anthropic give.
    public static let defaultPriceRatio = 0.5

    public init(_ llm: LLMClassifier, queue: BatchQueue, priceRatio: Double = defaultPriceRatio) {
        self.llm = llm
        self.queue = queue
        self.priceRatio = priceRatio
    }

    /// The provider's name: a batch answer is the same provider's, recorded under it.
    public var name: String { llm.name }

    public var answersInBatches: Bool { true }

    public func classify(
        _ ticket: Ticket,
        departments: DepartmentCatalog,
        deadline: ContinuousClock.Instant,
        attempts: inout [ModelAttempt]
    ) async throws(ClassificationFailure) -> Classification {
        // A batch line is answered whole: never streamed.
        let (request, prompt) = try llm.prepare(ticket, departments: departments, streaming: false, attempts: &attempts)
        let clock = ContinuousClock()
        let start = clock.now
        let answer = await queue.submit(request, until: deadline)
        var attempt = ModelAttempt(
            provider: name, outcome: .failed, latencyMilliseconds: (clock.now - start).milliseconds, batch: answer.batch)
        switch answer.result {
        case .failed(let failure, let status):
            attempt.reason = "\(failure)"
            attempt.status = status
            attempts.append(attempt)
            throw failure
        case .answered(let body):
            attempt.status = 200
            do throws(ClassificationFailure) {
                let reply = try llm.wire.reply(from: body)
                attempt.usage = reply.usage
                if let prices = llm.configuration.prices, let usage = reply.usage {
                    attempt.costUSD = prices.cost(of: usage) * priceRatio
                }
                let classification = try llm.classification(from: reply, departments: departments, prompt: prompt)
                attempt.outcome = .answered
                attempts.append(attempt)
                return classification
            } catch {
                attempt.reason = "\(error)"
                attempts.append(attempt)
                throw error
            }
        }
    }
}
