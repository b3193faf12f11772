public import SwitchyardCore

/// The embedded local model as a ``Classifier``: no network, answers in microseconds.
///
/// Confidence is the probability of the most probable department. The model may have been
/// trained on departments that are no longer configured: naming one of those is
/// ``ClassificationFailure/unknownDepartment(_:)``.
public struct LocalModelClassifier: Classifier {
    public let model: LinearTextClassifier
    /// Recorded on each decision it makes: the fingerprint of the data it was trained on.
    public let version: String?

    public init(model: LinearTextClassifier, version: String? = nil) {
        self.model = model
        self.version = version
    }

    /// `local/linear`.
    public var name: String { "local/linear" }

    /// Answers immediately; the deadline is never the limit.
    public func classify(
        _ ticket: Ticket,
        departments: DepartmentCatalog,
        deadline: ContinuousClock.Instant,
        attempts: inout [ModelAttempt]
    ) async throws(ClassificationFailure) -> Classification {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let classification = try classify(ticket, departments: departments)
            attempts.append(ModelAttempt(provider: name, outcome: .answered, latencyMilliseconds: (clock.now - start).milliseconds))
            return classification
        } catch {
            attempts.append(
                ModelAttempt(provider: name, outcome: .failed, reason: "\(error)", latencyMilliseconds: (clock.now - start).milliseconds))
            throw error
        }
    }

    private func classify(_ ticket: Ticket, departments: DepartmentCatalog) throws(ClassificationFailure) -> Classification {
        guard let best = model.probabilities(for: ticket.text).first else {
            throw .unavailable("the local model was trained on no examples")
        }
        guard departments.contains(best.label) else {
            throw .unknownDepartment(best.label.rawValue)
        }
        return Classification(department: best.label, confidence: best.probability, classifier: name, modelVersion: version)
    }
}
