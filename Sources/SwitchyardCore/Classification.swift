/// What a classifier (local model or LLM) answered for one ticket.
public struct Classification: Sendable, Hashable {
    public var department: DepartmentID
    /// 0…1 as the classifier reports it.
    public var confidence: Double
    public var priority: Priority?
    public var tags: [String]
    /// `provider/model`, for the decision's provenance.
    public var classifier: String
    public var promptVersion: String?
    /// The version of the model that answered: the local model's training fingerprint, or the
    /// model name the provider reported.
    public var modelVersion: String?
    public var usage: TokenUsage?

    public init(
        department: DepartmentID,
        confidence: Double,
        priority: Priority? = nil,
        tags: [String] = [],
        classifier: String,
        promptVersion: String? = nil,
        modelVersion: String? = nil,
        usage: TokenUsage? = nil
    ) {
        self.department = department
        self.confidence = confidence
        self.priority = priority
        self.tags = tags
        self.classifier = classifier
        self.promptVersion = promptVersion
        self.modelVersion = modelVersion
        self.usage = usage
    }
}

/// Why a classifier gave no usable answer. At run time this is a recorded fallback,
/// never an error shown to the platform.
public enum ClassificationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// No answer within the deadline.
    case timedOut(after: Duration)
    /// A streamed answer's first token (or an answer's response head) did not come in time.
    case noFirstToken(after: Duration)
    /// A streamed answer stopped sending for longer than the idle limit.
    case streamIdle(after: Duration)
    /// The provider answered with an HTTP error status.
    case httpStatus(Int, message: String)
    /// The connection failed or was refused.
    case transport(String)
    /// The answer could not be read as the requested structure.
    case invalidOutput(String)
    /// The answer named a department that is not configured.
    case unknownDepartment(String)
    /// The answer was valid but under the confidence threshold.
    case lowConfidence(Double, threshold: Double)
    /// The classifier cannot answer at all (not trained, not configured).
    case unavailable(String)
    /// The provider was not called: its circuit is open, its budget is spent.
    case skipped(String)

    /// Whether trying the same provider again may help: rate limits, server errors, timeouts
    /// and broken connections, not an answer that was wrong.
    public var isRetryable: Bool {
        switch self {
        case .timedOut, .noFirstToken, .streamIdle, .transport: true
        case .httpStatus(let status, _): status == 429 || status == 408 || (500..<600).contains(status)
        case .invalidOutput, .unknownDepartment, .lowConfidence, .unavailable, .skipped: false
        }
    }

    public var description: String {
        switch self {
        case .timedOut(let after): "timed out after \(after.formatted)"
        case .noFirstToken(let after): "no first token after \(after.formatted)"
        case .streamIdle(let after): "the stream was idle for \(after.formatted)"
        case .httpStatus(let status, let message): "HTTP \(status): \(message)"
        case .transport(let message): "transport error: \(message)"
        case .invalidOutput(let message): "invalid output: \(message)"
        case .unknownDepartment(let name): "answered unknown department \"\(name)\""
        case .lowConfidence(let confidence, let threshold):
            "confidence \(confidence.formatted(digits: 3)) under threshold \(threshold.formatted(digits: 3))"
        case .unavailable(let message): "unavailable: \(message)"
        case .skipped(let reason): "skipped: \(reason)"
        }
    }
}

extension Double {
    /// At most `digits` decimals, no trailing zeros: `0.5`, `0.123`, `2`.
    public func formatted(digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (self * scale).rounded() / scale
        if rounded == rounded.rounded() && abs(rounded) < 1e15 {
            return String(Int64(rounded))
        }
        return String(rounded)
    }
}
