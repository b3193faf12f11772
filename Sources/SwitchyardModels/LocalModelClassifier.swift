public import SwitchyardCore

/// The embedded local model as a ``Classifier``: no network, answers in microseconds.
///
/// The model may be trained on finer labels than departments (BANKING77's 77 intents for 8
/// departments): each label counts for the department it stands for
/// (``DepartmentCatalog/department(forLabel:)``) and a department's probability is the sum of
/// its labels'. Confidence is the probability of the most probable department. A label that
/// stands for no configured department (the model was trained on a department since removed)
/// keeps its own name: when it wins, that is ``ClassificationFailure/unknownDepartment(_:)``.
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

    /// Each department's probability for `text` (labels standing for no department under
    /// their own name), most probable first, ties in id order. Empty for an untrained model.
    public func departmentProbabilities(
        for text: String, departments: DepartmentCatalog
    ) -> [(department: DepartmentID, probability: Double)] {
        var totals: [DepartmentID: Double] = [:]
        for answer in model.probabilities(for: text) {
            totals[departments.department(forLabel: answer.label.rawValue) ?? answer.label, default: 0] += answer.probability
        }
        return totals.map { (department: $0.key, probability: $0.value) }
            .sorted { $0.probability > $1.probability || ($0.probability == $1.probability && $0.department < $1.department) }
    }

    private func classify(_ ticket: Ticket, departments: DepartmentCatalog) throws(ClassificationFailure) -> Classification {
        guard let best = departmentProbabilities(for: ticket.text, departments: departments).first else {
            throw .unavailable("the local model was trained on no examples")
        }
        guard departments.contains(best.department) else {
            throw .unknownDepartment(best.department.rawValue)
        }
        return Classification(department: best.department, confidence: best.probability, classifier: name, modelVersion: version)
    }
}
