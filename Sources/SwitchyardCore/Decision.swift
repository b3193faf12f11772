public import Foundation

/// Which stage of triage made a decision.
public enum Stage: String, Sendable, Hashable, Codable, CaseIterable {
    /// A deciding rule matched; no model was called.
    case rule
    /// The configured model chain answered with enough confidence.
    case model
    /// The model failed and the embedded local model was confident enough.
    case fallbackModel = "fallback_model"
    /// The model failed and a fallback rule matched.
    case fallbackRule = "fallback_rule"
    /// Nothing else decided: the configured default department.
    case `default`
    /// A model answered, but under the confidence calibrated for its department
    /// (`abstention`): the ticket went to the human-triage department for a person to route.
    case abstained
}

/// Tokens a provider reported for one call.
/// What a provider charges, in US dollars per million tokens (`price: {input: 0.15, output: 0.60}`).
public struct TokenPrices: Sendable, Hashable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The cost of `usage`, in US dollars.
    public func cost(of usage: TokenUsage) -> Double {
        (Double(usage.promptTokens) * inputPerMillion + Double(usage.completionTokens) * outputPerMillion) / 1_000_000
    }
}

public struct TokenUsage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
}

/// Where a decision came from and why: enough to explain it to a person.
public struct Provenance: Sendable, Hashable, Codable {
    public var stage: Stage
    /// The rule id for `rule` / `fallback_rule`, `provider/model` for the model stages.
    public var decidedBy: String?
    /// Why the model stage did not decide, when it did not (for example
    /// `openai/gpt-4o-mini: timed out after 5s`). One entry per failed attempt.
    public var fallbackReasons: [String]
    /// The annotating rules (`decide: false`) that added tags or priority, in order.
    public var annotatedBy: [String]
    /// Content hash of the rule set that was in force.
    public var rulesetVersion: String
    /// Content hash of the prompt template, when an LLM was asked.
    public var promptVersion: String?
    /// The version of the model that decided, for the model stages (the local model's
    /// fingerprint, or the model name a provider reported).
    public var modelVersion: String?
    /// Tokens used by LLM calls for this decision.
    public var usage: TokenUsage?
    /// Every model call made for this decision, in order: retries, failovers, the local model.
    public var attempts: [ModelAttempt]
    /// What in the ticket's text tried to instruct the model (``PromptInjectionDetector``'s
    /// signals, such as `override-instructions`); empty for ordinary tickets.
    public var injectionSignals: [String]
    /// Time from the start of triage to the decision.
    public var latencyMilliseconds: Double
    /// How the rules went for the ticket: which rules matched or came close, which tests
    /// held and where. nil for decisions recorded before traces existed.
    public var trace: RuleTrace?

    public init(
        stage: Stage,
        decidedBy: String? = nil,
        fallbackReasons: [String] = [],
        annotatedBy: [String] = [],
        rulesetVersion: String,
        promptVersion: String? = nil,
        modelVersion: String? = nil,
        usage: TokenUsage? = nil,
        attempts: [ModelAttempt] = [],
        injectionSignals: [String] = [],
        latencyMilliseconds: Double = 0,
        trace: RuleTrace? = nil
    ) {
        self.stage = stage
        self.decidedBy = decidedBy
        self.fallbackReasons = fallbackReasons
        self.annotatedBy = annotatedBy
        self.rulesetVersion = rulesetVersion
        self.promptVersion = promptVersion
        self.modelVersion = modelVersion
        self.usage = usage
        self.attempts = attempts
        self.injectionSignals = injectionSignals
        self.latencyMilliseconds = latencyMilliseconds
        self.trace = trace
    }

    enum CodingKeys: String, CodingKey {
        case stage
        case decidedBy = "decided_by"
        case fallbackReasons = "fallback_reasons"
        case annotatedBy = "annotated_by"
        case rulesetVersion = "ruleset_version"
        case promptVersion = "prompt_version"
        case modelVersion = "model_version"
        case usage, attempts
        case injectionSignals = "injection_signals"
        case latencyMilliseconds = "latency_ms"
        case trace
    }

    /// Decisions recorded before annotating rules existed have no `annotated_by`; before the
    /// gateway, no `attempts` or `injection_signals`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stage = try container.decode(Stage.self, forKey: .stage)
        decidedBy = try container.decodeIfPresent(String.self, forKey: .decidedBy)
        fallbackReasons = try container.decode([String].self, forKey: .fallbackReasons)
        annotatedBy = try container.decodeIfPresent([String].self, forKey: .annotatedBy) ?? []
        rulesetVersion = try container.decode(String.self, forKey: .rulesetVersion)
        promptVersion = try container.decodeIfPresent(String.self, forKey: .promptVersion)
        modelVersion = try container.decodeIfPresent(String.self, forKey: .modelVersion)
        usage = try container.decodeIfPresent(TokenUsage.self, forKey: .usage)
        attempts = try container.decodeIfPresent([ModelAttempt].self, forKey: .attempts) ?? []
        injectionSignals = try container.decodeIfPresent([String].self, forKey: .injectionSignals) ?? []
        latencyMilliseconds = try container.decode(Double.self, forKey: .latencyMilliseconds)
        trace = try container.decodeIfPresent(RuleTrace.self, forKey: .trace)
    }
}

/// The outcome of triage for one ticket.
public struct Decision: Sendable, Hashable, Codable {
    public var department: DepartmentID
    public var priority: Priority?
    public var tags: [String]
    /// Values rules set for the platform (`fields: {order_id: "${order}"}` in a rule's
    /// action), by name; empty when no rule set any.
    public var fields: [String: String]
    /// 0…1. Rules decide with confidence 1; the default department with 0.
    public var confidence: Double
    public var provenance: Provenance
    public var decidedAt: Date

    public init(
        department: DepartmentID,
        priority: Priority? = nil,
        tags: [String] = [],
        fields: [String: String] = [:],
        confidence: Double,
        provenance: Provenance,
        decidedAt: Date
    ) {
        self.department = department
        self.priority = priority
        self.tags = tags
        self.fields = fields
        self.confidence = confidence
        self.provenance = provenance
        self.decidedAt = decidedAt
    }

    enum CodingKeys: String, CodingKey {
        case department, priority, tags, fields, confidence, provenance
        case decidedAt = "decided_at"
    }

    /// Decisions written before rules could set fields have no `fields`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        department = try container.decode(DepartmentID.self, forKey: .department)
        priority = try container.decodeIfPresent(Priority.self, forKey: .priority)
        tags = try container.decode([String].self, forKey: .tags)
        fields = try container.decodeIfPresent([String: String].self, forKey: .fields) ?? [:]
        confidence = try container.decode(Double.self, forKey: .confidence)
        provenance = try container.decode(Provenance.self, forKey: .provenance)
        decidedAt = try container.decode(Date.self, forKey: .decidedAt)
    }
}
