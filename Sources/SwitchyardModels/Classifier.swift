public import SwitchyardCore

/// Something that names the department for a ticket: the embedded local model or an LLM provider.
///
/// Confidence thresholds are applied by the caller; a classifier only reports what it believes.
public protocol Classifier: Sendable {
    /// `provider/model`, for example `local/linear` or `openai/gpt-4o-mini`; recorded in decisions.
    var name: String { get }

    /// Whether it answers through the provider's batch API, within minutes or hours rather
    /// than seconds: given the time a low-priority ticket may wait, not the model deadline.
    var answersInBatches: Bool { get }

    /// Classifies one ticket into one of `departments`, appending one ``ModelAttempt`` per call
    /// it made (or skipped) to `attempts`, whatever the outcome.
    ///
    /// Returns or throws by `deadline`. Never returns a department outside `departments`:
    /// such an answer is ``ClassificationFailure/unknownDepartment(_:)``. Any failure is a
    /// `ClassificationFailure`.
    func classify(
        _ ticket: Ticket,
        departments: DepartmentCatalog,
        deadline: ContinuousClock.Instant,
        attempts: inout [ModelAttempt]
    ) async throws(ClassificationFailure) -> Classification
}

extension Classifier {
    public var answersInBatches: Bool { false }

    /// Classifies one ticket when the caller keeps no record of the attempts.
    public func classify(
        _ ticket: Ticket,
        departments: DepartmentCatalog,
        deadline: ContinuousClock.Instant
    ) async throws(ClassificationFailure) -> Classification {
        var attempts: [ModelAttempt] = []
        return try await classify(ticket, departments: departments, deadline: deadline, attempts: &attempts)
    }
}
