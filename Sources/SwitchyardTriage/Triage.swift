public import SwitchyardCore
public import SwitchyardModels
public import SwitchyardRules
public import Logging

/// Decides a ticket's department: rules first, then the model chain, then the fallbacks
/// (the local model when confident, fallback rules, the default department).
///
/// `decide` never throws: every model failure becomes a recorded reason and the next stage
/// decides. The same pipeline serves the background workers, `POST /v1/classify` and the
/// command line (`rules replay` hands it a candidate rule set and turns the model stage off).
public struct Triage: Sendable {
    public let departments: DepartmentCatalog
    public let defaultDepartment: DepartmentID
    public let rules: RuleBook
    /// Classifiers tried in order; the first confident answer decides.
    public let chain: [any Classifier]
    /// The chain for low-priority sources' tickets when they may wait for a batch: each
    /// provider with a batch API is asked through it (``Classifier/answersInBatches``);
    /// empty when no provider has one.
    public let batchChain: [any Classifier]
    /// The embedded local model consulted when the chain fails, if enabled.
    public let fallbackModel: (any Classifier)?
    public let confidenceThreshold: Double
    public let fallbackModelThreshold: Double
    /// Calibrated per-department thresholds: a model's answer under its department's goes
    /// to the human-triage department (stage `abstained`) instead of being routed.
    public let abstention: Abstention?
    /// Longest time the model stage may take for one ticket.
    public let modelDeadline: Duration
    /// The local model's own deadline when it decides as the fallback, after the model
    /// stage has failed (possibly by using up `modelDeadline`).
    public static let fallbackModelDeadline: Duration = .seconds(1)
    /// What a ticket that tries to instruct the model (``PromptInjectionDetector``) gets.
    public let injectionPolicy: InjectionPolicy
    /// How fast each adapter's tickets may go to the model chain, in this process; an adapter
    /// over its limit has its tickets decided by the fallbacks. Adapters not listed: no limit.
    public let modelRateLimits: [String: TokenBuckets]
    let timeSource: any TimeSource
    let metrics: TriageMetrics
    /// Where matches stopped at a PCRE2 limit are reported (rule, field and test; never text).
    let logger: Logger

    public init(
        departments: DepartmentCatalog,
        defaultDepartment: DepartmentID,
        rules: RuleBook,
        chain: [any Classifier],
        batchChain: [any Classifier] = [],
        fallbackModel: (any Classifier)?,
        confidenceThreshold: Double,
        fallbackModelThreshold: Double,
        abstention: Abstention? = nil,
        modelDeadline: Duration,
        injectionPolicy: InjectionPolicy = .annotate,
        modelRateLimits: [String: TokenBuckets] = [:],
        timeSource: any TimeSource = SystemTimeSource(),
        metrics: TriageMetrics = .disabled,
        logger: Logger = Logger(label: "switchyard.triage", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.departments = departments
        self.defaultDepartment = defaultDepartment
        self.rules = rules
        self.chain = chain
        self.batchChain = batchChain
        self.fallbackModel = fallbackModel
        self.confidenceThreshold = confidenceThreshold
        self.fallbackModelThreshold = fallbackModelThreshold
        self.abstention = abstention
        self.modelDeadline = modelDeadline
        self.injectionPolicy = injectionPolicy
        self.modelRateLimits = modelRateLimits
        self.timeSource = timeSource
        self.metrics = metrics
        self.logger = logger
    }

    /// Decides `ticket` with the rules in force, giving the model stage until `deadline` at
    /// the latest. The decision's provenance carries a summary trace of the rules.
    ///
    /// With `batchUntil` (a low-priority ticket's, when ``batchChain`` is not empty) the
    /// ticket goes down the batch chain: a provider answering in batches has until then, and
    /// the providers after it the usual model deadline from then on.
    public func decide(
        _ ticket: Ticket, deadline: ContinuousClock.Instant? = nil, batchUntil: ContinuousClock.Instant? = nil
    ) async -> Decision {
        await decide(ticket, ruleSet: rules.current, deadline: deadline, batchUntil: batchUntil)
    }

    /// Whether low-priority tickets may wait for batch answers.
    public var batches: Bool { !batchChain.isEmpty }

    /// Decides `ticket` with `ruleSet`.
    ///
    /// - Parameters:
    ///   - models: `false` skips the model chain and the local model, as if they had failed:
    ///     rules, fallback rules and the default department decide (what `rules replay` asks
    ///     when it compares rule sets without calling a model).
    ///   - trace: how much of the rules' evaluation the decision's provenance records.
    public func decide(
        _ ticket: Ticket, ruleSet: RuleSet, models: Bool = true, trace: TraceDetail = .summary,
        deadline: ContinuousClock.Instant? = nil, batchUntil: ContinuousClock.Instant? = nil
    ) async -> Decision {
        let clock = ContinuousClock()
        let start = clock.now
        // One scan of the ticket's text finds the rules that might match, for every stage.
        let candidates = ruleSet.candidates(for: ticket)
        let annotations = ruleSet.annotations(for: ticket, trace: trace, candidates: candidates)
        recordLimitHits(annotations.stoppedMatches)
        var ruleTrace = annotations.trace
        var decision = await decide(
            ticket, ruleSet: ruleSet, candidates: candidates, models: models, trace: trace, ruleTrace: &ruleTrace, start: start,
            deadline: deadline, batchUntil: batches ? batchUntil.flatMap { $0 > start ? $0 : nil } : nil, clock: clock)
        // Annotating rules add to whatever decided: tags merged, the highest priority, fields.
        decision = annotations.applied(to: decision)
        decision.provenance.annotatedBy = annotations.ruleIDs
        decision.provenance.latencyMilliseconds = (clock.now - start).milliseconds
        decision.provenance.trace = trace == .none ? nil : ruleTrace
        metrics.recordDecision(decision)
        for attempt in decision.provenance.attempts { metrics.recordModelAttempt(attempt, adapter: ticket.source) }
        for ruleID in annotations.ruleIDs { metrics.recordRuleHit(ruleID: ruleID, kind: "annotating") }
        if let ruleID = decision.provenance.decidedBy, decision.provenance.stage == .rule || decision.provenance.stage == .fallbackRule {
            metrics.recordRuleHit(ruleID: ruleID, kind: decision.provenance.stage == .rule ? "deciding" : "fallback")
        }
        return decision
    }

    private func decide(
        _ ticket: Ticket, ruleSet: RuleSet, candidates: RuleCandidates, models: Bool, trace: TraceDetail,
        ruleTrace: inout RuleTrace,
        start: ContinuousClock.Instant, deadline: ContinuousClock.Instant?, batchUntil: ContinuousClock.Instant?,
        clock: ContinuousClock
    ) async -> Decision {
        var attempts: [ModelAttempt] = []
        var injectionSignals: [String] = []
        func decision(
            _ department: DepartmentID, priority: Priority? = nil, tags: [String] = [], fields: [String: String] = [:],
            confidence: Double,
            stage: Stage, decidedBy: String?, reasons: [String] = [], answer: Classification? = nil, usage: TokenUsage? = nil
        ) -> Decision {
            Decision(
                department: department,
                priority: priority,
                tags: tags,
                fields: fields,
                confidence: confidence,
                provenance: Provenance(
                    stage: stage,
                    decidedBy: decidedBy,
                    fallbackReasons: reasons,
                    rulesetVersion: ruleSet.version,
                    promptVersion: answer?.promptVersion,
                    modelVersion: answer?.modelVersion,
                    usage: usage,
                    attempts: attempts,
                    injectionSignals: injectionSignals
                ),
                decidedAt: timeSource.now()
            )
        }

        // 1. Deciding rules: deterministic, no model call.
        if let match = evaluate(ruleSet, ticket, kind: .deciding, trace: trace, candidates: candidates, into: &ruleTrace) {
            return decision(
                match.department, priority: match.priority, tags: match.tags, fields: match.fields, confidence: 1,
                stage: .rule, decidedBy: match.ruleID)
        }

        // 2. The model chain, within the model deadline (from the end of the batches' time, for
        // a ticket that may wait for one).
        let modelEnd = (batchUntil ?? start) + self.modelDeadline
        let modelDeadline = min(modelEnd, deadline ?? modelEnd)
        var reasons: [String] = []
        var usage: TokenUsage?
        var answers: [String: Classification] = [:]
        var asksChain = models
        if !models { reasons.append("the model stage was switched off") }
        if models, !chain.isEmpty {
            injectionSignals = Self.injectionDetector.signals(in: ticket.subject + "\n" + ticket.body).map(\.rawValue)
            if !injectionSignals.isEmpty, injectionPolicy == .skipChain {
                asksChain = false
                reasons.append(
                    "the model chain was skipped: the ticket tries to instruct the model (\(injectionSignals.joined(separator: ", ")))")
            } else if let buckets = modelRateLimits[ticket.source], buckets.take(ticket.source) != nil {
                asksChain = false
                reasons.append(
                    "the model chain was skipped: adapter \(ticket.source) is over its model_rate_limit "
                        + "(\(buckets.limit.perSecond.formatted()) per second, burst \(buckets.limit.burst))")
            }
        }
        for classifier in batchUntil == nil ? chain : batchChain where asksChain {
            let callStart = clock.now
            do {
                let callDeadline =
                    if let batchUntil, classifier.answersInBatches { min(batchUntil, modelDeadline) } else {
                        batchUntil == nil ? modelDeadline : min(callStart + self.modelDeadline, modelDeadline)
                    }
                let answer = try await classifier.classify(
                    ticket, departments: departments, deadline: callDeadline, attempts: &attempts)
                metrics.recordModelCall(classifier: classifier.name, duration: clock.now - callStart, failed: false)
                answers[classifier.name] = answer
                usage = usage.adding(answer.usage)
                guard answer.confidence >= confidenceThreshold else {
                    reasons.append(
                        "\(classifier.name): \(ClassificationFailure.lowConfidence(answer.confidence, threshold: confidenceThreshold))")
                    continue
                }
                if let abstained = abstained(answer, reasons: &reasons) {
                    return decision(
                        abstained, confidence: answer.confidence, stage: .abstained, decidedBy: answer.classifier, reasons: reasons,
                        answer: answer, usage: usage)
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
        if let fallbackModel, models {
            var answer = answers[fallbackModel.name]
            if answer == nil {
                // The local model answers in microseconds; give it its own short deadline so a
                // model stage that used up the deadline does not starve the fallback.
                do {
                    answer = try await fallbackModel.classify(
                        ticket, departments: departments, deadline: clock.now + Self.fallbackModelDeadline, attempts: &attempts)
                } catch {
                    reasons.append("fallback \(fallbackModel.name): \(error)")
                }
            }
            if let answer {
                if answer.confidence >= fallbackModelThreshold {
                    if let abstained = abstained(answer, reasons: &reasons) {
                        return decision(
                            abstained, confidence: answer.confidence, stage: .abstained, decidedBy: answer.classifier,
                            reasons: reasons, answer: answer, usage: usage)
                    }
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
        if let match = evaluate(ruleSet, ticket, kind: .fallback, trace: trace, candidates: candidates, into: &ruleTrace) {
            return decision(
                match.department, priority: match.priority, tags: match.tags, fields: match.fields, confidence: 1,
                stage: .fallbackRule, decidedBy: match.ruleID, reasons: reasons, usage: usage)
        }

        // 3c. The default department.
        return decision(defaultDepartment, confidence: 0, stage: .default, decidedBy: nil, reasons: reasons, usage: usage)
    }

    /// The human-triage department when `answer` is under its department's calibrated
    /// threshold, with the reason added; nil when it may route the ticket.
    private func abstained(_ answer: Classification, reasons: inout [String]) -> DepartmentID? {
        guard let abstention else { return nil }
        let threshold = abstention.threshold(for: answer.department)
        guard answer.confidence < threshold else { return nil }
        reasons.append(
            "\(answer.classifier): \(answer.department) at confidence \(answer.confidence.formatted(digits: 3)) is under its "
                + "calibrated threshold \(threshold.formatted(digits: 3))")
        return abstention.department
    }

    private static let injectionDetector = PromptInjectionDetector()

    /// The first matching rule of `kind`, counting patterns that PCRE2 stopped at a limit.
    private func evaluate(
        _ ruleSet: RuleSet, _ ticket: Ticket, kind: Rule.Kind, trace: TraceDetail, candidates: RuleCandidates,
        into ruleTrace: inout RuleTrace
    ) -> RuleMatch? {
        let evaluation = ruleSet.evaluate(ticket, kind: kind, trace: trace, candidates: candidates)
        recordLimitHits(evaluation.stoppedMatches)
        ruleTrace.append(evaluation.trace)
        return evaluation.match
    }

    private func recordLimitHits(_ stopped: [RuleEvaluation.StoppedMatch]) {
        for match in stopped {
            metrics.recordRuleLimitHit(ruleID: match.ruleID)
            logger.warning(
                "A rule's match stopped at a limit and counted as no match; the rule needs a cheaper pattern",
                metadata: [
                    "rule": "\(match.ruleID)", "field": "\(match.field.name)", "test": "\(match.test)",
                    "reason": "\(match.reason)",
                ])
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

/// What the model stage does with a ticket whose text tries to instruct the model ("ignore
/// previous instructions", chat role markup, "route this to …").
public enum InjectionPolicy: String, Sendable, Hashable, CaseIterable {
    /// Ask the chain as usual (the prompt keeps the text as data and the answer is checked);
    /// the decision lists the signals.
    case annotate
    /// Skip the model chain: the local fallback model, the fallback rules or the default
    /// department decide, and the decision says why.
    case skipChain = "skip_chain"
}
