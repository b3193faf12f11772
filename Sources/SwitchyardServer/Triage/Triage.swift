public import SwitchyardCore
public import SwitchyardModels
import SwitchyardRules

/// Decides a ticket's department: rules first, then the model chain, then the fallbacks
/// (the local model when confident, fallback rules, the default department).
///
/// `decide` never throws: every model failure becomes a recorded reason and the next stage
/// decides. The same pipeline serves the background workers, `POST /v1/classify` and the
/// command line.
public struct Triage: Sendable {
    public let departments: DepartmentCatalog
    public let defaultDepartment: DepartmentID
    public let rules: RuleBook
    /// Classifiers tried in order; the first confident answer decides.
    public let chain: [any Classifier]
    /// The embedded local model consulted when the chain fails, if enabled.
    public let fallbackModel: (any Classifier)?
    public let confidenceThreshold: Double
    public let fallbackModelThreshold: Double
    /// Longest time the model stage may take for one ticket.
    public let modelDeadline: Duration
    /// The local model's own deadline when it decides as the fallback, after the model
    /// stage has failed (possibly by using up `modelDeadline`).
    public static let fallbackModelDeadline: Duration = .seconds(1)
    let timeSource: any TimeSource
    let metrics: TriageMetrics

    public init(
        departments: DepartmentCatalog,
        defaultDepartment: DepartmentID,
        rules: RuleBook,
        chain: [any Classifier],
        fallbackModel: (any Classifier)?,
        confidenceThreshold: Double,
        fallbackModelThreshold: Double,
        modelDeadline: Duration,
        timeSource: any TimeSource = SystemTimeSource(),
        metrics: TriageMetrics = .disabled
    ) {
        self.departments = departments
        self.defaultDepartment = defaultDepartment
        self.rules = rules
        self.chain = chain
        self.fallbackModel = fallbackModel
        self.confidenceThreshold = confidenceThreshold
        self.fallbackModelThreshold = fallbackModelThreshold
        self.modelDeadline = modelDeadline
        self.timeSource = timeSource
        self.metrics = metrics
    }

    /// Decides `ticket`, giving the model stage until `deadline` at the latest.
    public func decide(_ ticket: Ticket, deadline: ContinuousClock.Instant? = nil) async -> Decision {
        let clock = ContinuousClock()
        let start = clock.now
        let ruleSet = rules.current
        let annotations = ruleSet.annotations(for: ticket)
        recordLimitHits(annotations.stoppedMatches)
        var decision = await decide(ticket, ruleSet: ruleSet, start: start, deadline: deadline, clock: clock)
        // Annotating rules add to whatever decided: tags merged, the highest priority.
        (decision.priority, decision.tags) = annotations.applied(to: (decision.priority, decision.tags))
        decision.provenance.annotatedBy = annotations.ruleIDs
        decision.provenance.latencyMilliseconds = (clock.now - start).milliseconds
        metrics.recordDecision(decision)
        return decision
    }

    private func decide(
        _ ticket: Ticket, ruleSet: RuleSet, start: ContinuousClock.Instant, deadline: ContinuousClock.Instant?,
        clock: ContinuousClock
    ) async -> Decision {
        func decision(
            _ department: DepartmentID, priority: Priority? = nil, tags: [String] = [], confidence: Double,
            stage: Stage, decidedBy: String?, reasons: [String] = [], answer: Classification? = nil, usage: TokenUsage? = nil
        ) -> Decision {
            Decision(
                department: department,
                priority: priority,
                tags: tags,
                confidence: confidence,
                provenance: Provenance(
                    stage: stage,
                    decidedBy: decidedBy,
                    fallbackReasons: reasons,
                    rulesetVersion: ruleSet.version,
                    promptVersion: answer?.promptVersion,
                    modelVersion: answer?.modelVersion,
                    usage: usage
                ),
                decidedAt: timeSource.now()
            )
        }

        // 1. Deciding rules: deterministic, no model call.
        if let match = evaluate(ruleSet, ticket, kind: .deciding) {
            return decision(
                match.department, priority: match.priority, tags: match.tags, confidence: 1, stage: .rule,
                decidedBy: match.ruleID)
        }

        // 2. The model chain, within the model deadline.
        let modelDeadline = min(start + self.modelDeadline, deadline ?? start + self.modelDeadline)
        var reasons: [String] = []
        var usage: TokenUsage?
        var answers: [String: Classification] = [:]
        for classifier in chain {
            let callStart = clock.now
            do {
                let answer = try await classifier.classify(ticket, departments: departments, deadline: modelDeadline)
                metrics.recordModelCall(classifier: classifier.name, duration: clock.now - callStart, failed: false)
                answers[classifier.name] = answer
                usage = usage.adding(answer.usage)
                guard answer.confidence >= confidenceThreshold else {
                    reasons.append(
                        "\(classifier.name): \(ClassificationFailure.lowConfidence(answer.confidence, threshold: confidenceThreshold))")
                    continue
                }
                return decision(
                    answer.department, priority: answer.priority, tags: answer.tags, confidence: answer.confidence,
                    stage: .model, decidedBy: answer.classifier, reasons: reasons, answer: answer, usage: usage)
            } catch {
                metrics.recordModelCall(classifier: classifier.name, duration: clock.now - callStart, failed: true)
                reasons.append("\(classifier.name): \(error)")
            }
        }

        // 3a. The embedded local model, when it is confident enough.
        if let fallbackModel {
            var answer = answers[fallbackModel.name]
            if answer == nil {
                // The local model answers in microseconds; give it its own short deadline so a
                // model stage that used up the deadline does not starve the fallback.
                do {
                    answer = try await fallbackModel.classify(
                        ticket, departments: departments, deadline: clock.now + Self.fallbackModelDeadline)
                } catch {
                    reasons.append("fallback \(fallbackModel.name): \(error)")
                }
            }
            if let answer {
                if answer.confidence >= fallbackModelThreshold {
                    return decision(
                        answer.department, priority: answer.priority, tags: answer.tags, confidence: answer.confidence,
                        stage: .fallbackModel, decidedBy: answer.classifier, reasons: reasons, answer: answer, usage: usage)
                }
                reasons.append(
                    "fallback \(fallbackModel.name): \(ClassificationFailure.lowConfidence(answer.confidence, threshold: fallbackModelThreshold))"
                )
            }
        }

        // 3b. Fallback rules.
        if let match = evaluate(ruleSet, ticket, kind: .fallback) {
            return decision(
                match.department, priority: match.priority, tags: match.tags, confidence: 1, stage: .fallbackRule,
                decidedBy: match.ruleID, reasons: reasons, usage: usage)
        }

        // 3c. The default department.
        return decision(defaultDepartment, confidence: 0, stage: .default, decidedBy: nil, reasons: reasons, usage: usage)
    }

    /// The first matching rule of `kind`, counting patterns that PCRE2 stopped at a limit.
    private func evaluate(_ ruleSet: RuleSet, _ ticket: Ticket, kind: Rule.Kind) -> RuleMatch? {
        let evaluation = ruleSet.evaluate(ticket, kind: kind)
        recordLimitHits(evaluation.stoppedMatches)
        return evaluation.match
    }

    private func recordLimitHits(_ stopped: [RuleEvaluation.StoppedMatch]) {
        for match in stopped {
            metrics.recordRuleLimitHit(ruleID: match.ruleID)
        }
    }
}

extension Optional where Wrapped == TokenUsage {
    fileprivate func adding(_ other: TokenUsage?) -> TokenUsage? {
        guard let other else { return self }
        guard let self else { return other }
        return TokenUsage(
            promptTokens: self.promptTokens + other.promptTokens,
            completionTokens: self.completionTokens + other.completionTokens)
    }
}
