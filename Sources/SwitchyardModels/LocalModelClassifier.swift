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
        deadline: ContinuousClock.Instant
    ) async throws(ClassificationFailure) -> Classification {
        guard let best = model.probabilities(for: ticket.text).first else {
            throw .unavailable("the local model was trained on no examples")
        }
        guard departments.contains(best.label) else {
            throw .unknownDepartment(best.label.rawValue)
        }
        return Classification(department: best.label, confidence: best.probability, classifier: name, modelVersion: version)
    }
}
