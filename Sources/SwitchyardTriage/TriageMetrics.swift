public import CoreMetrics
import Foundation
import Synchronization
package import SwitchyardCore

/// The server's metrics, made through an injected factory so that each server instance
/// (and each test) has its own registry and nothing touches the global bootstrap.
///
/// Labels stay low-cardinality: adapter, outcome, stage, department, classifier — never
/// ticket ids.
public struct TriageMetrics: Sendable {
    let factory: any MetricsFactory
    /// Counters already made, by label and dimension values: making one through the
    /// factory (registry lock, label validation) on every webhook showed up in intake profiles.
    private let counters = HandleCache<Counter>()
    private let costCounters = HandleCache<FloatingPointCounter>()

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// The counter `label` with `dimensions`, made once.
    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        counters.handle(for: [label] + dimensions.map(\.1)) {
            Counter(label: label, dimensions: dimensions, factory: factory)
        }
    }

    /// Records nothing.
    public static let disabled = TriageMetrics(factory: NOOPMetricsHandler.instance)

    package func recordDecision(_ decision: Decision) {
        counter(
            "switchyard_decisions_total",
            [("stage", decision.provenance.stage.rawValue), ("department", decision.department.rawValue)]
        ).increment()
    }

    package func recordModelCall(classifier: String, duration: Duration, failed: Bool) {
        Timer(label: "switchyard_model_call_seconds", dimensions: [("classifier", classifier)], factory: factory)
            .recordNanoseconds(Int64(duration.milliseconds * 1_000_000))
        if failed {
            counter("switchyard_model_failures_total", [("classifier", classifier)]).increment()
        }
    }

    /// A rule matched a ticket: deciding and fallback rules when they decided, annotating
    /// rules whenever they added to a decision.
    package func recordRuleHit(ruleID: String, kind: String) {
        counter("switchyard_rule_hits_total", [("rule", ruleID), ("kind", kind)]).increment()
    }

    /// A reload of the rule folder: `applied`, `unchanged` or `refused`; while the last one was
    /// refused, `switchyard_rules_reload_failing` is 1 (the set in force stays).
    package func recordRuleReload(outcome: String, rules: Int) {
        counter("switchyard_rule_reloads_total", [("outcome", outcome)]).increment()
        Gauge(label: "switchyard_rules_reload_failing", factory: factory).record(outcome == "refused" ? 1 : 0)
        Gauge(label: "switchyard_rules_loaded", factory: factory).record(rules)
    }

    /// A provider's prompt file was read again; `refused` keeps the template in force.
    package func recordPromptReload(provider: String, outcome: String) {
        counter("switchyard_prompt_reloads_total", [("provider", provider), ("outcome", outcome)]).increment()
        Gauge(label: "switchyard_prompt_reload_failing", dimensions: [("provider", provider)], factory: factory)
            .record(outcome == "refused" ? 1 : 0)
    }

    /// A rule's pattern hit a PCRE2 limit and counted as no match: the rule needs a cheaper pattern.
    package func recordRuleLimitHit(ruleID: String) {
        counter("switchyard_rule_limit_hits_total", [("rule", ruleID)]).increment()
    }

    package func recordWebhook(adapter: String, outcome: String) {
        counter("switchyard_webhooks_total", [("adapter", adapter), ("outcome", outcome)]).increment()
    }

    package func recordWriteBack(adapter: String, outcome: String) {
        counter("switchyard_write_backs_total", [("adapter", adapter), ("outcome", outcome)]).increment()
    }

    /// A read of a ticket's content from its platform (an adapter's `fetch`): `fetched`,
    /// `retry` (tried again after the lease) or `failed` (decided on the webhook alone).
    package func recordFetch(adapter: String, outcome: String) {
        counter("switchyard_fetches_total", [("adapter", adapter), ("outcome", outcome)]).increment()
    }

    /// A provider's guard as a scrape finds it: the circuit (0 closed, 1 half open, 2 open;
    /// nil without a breaker) and the calls in flight and waiting (nil without a limit).
    package func recordProvider(_ provider: String, circuit: Int?, inFlight: Int?, waiting: Int?) {
        let dimensions = [("provider", provider)]
        if let circuit { Gauge(label: "switchyard_provider_circuit_state", dimensions: dimensions, factory: factory).record(circuit) }
        if let inFlight { Gauge(label: "switchyard_provider_in_flight", dimensions: dimensions, factory: factory).record(inFlight) }
        if let waiting { Gauge(label: "switchyard_provider_waiting", dimensions: dimensions, factory: factory).record(waiting) }
    }

    /// Every model call a decision made, by how it went: `answered`, `failed` (retries
    /// included) or `skipped` (circuit open, no free slot before the deadline).
    /// Tokens and, for priced providers, their cost in US dollars, by provider and adapter.
    package func recordModelAttempt(_ attempt: ModelAttempt, adapter: String) {
        counter("switchyard_model_attempts_total", [("provider", attempt.provider), ("outcome", attempt.outcome.rawValue)]).increment()
        guard let usage = attempt.usage else { return }
        let dimensions = [("provider", attempt.provider), ("adapter", adapter)]
        counter("switchyard_model_prompt_tokens_total", dimensions).increment(by: Int64(usage.promptTokens))
        counter("switchyard_model_completion_tokens_total", dimensions).increment(by: Int64(usage.completionTokens))
        if let cost = attempt.costUSD {
            costCounters.handle(for: [attempt.provider, adapter]) {
                FloatingPointCounter(label: "switchyard_model_cost_usd_total", dimensions: dimensions, factory: factory)
            }.increment(by: cost)
        }
    }

    /// The quality monitor's last check, over its window: the accuracy (with enough
    /// verdicts), accuracy and coverage by stage, precision and recall by department (each
    /// when it has something to count), and whether each kind of drift is alerting.
    package func recordQualityCheck(
        accuracy: Double?,
        stages: [(stage: String, accuracy: Double?, coverage: Double?)],
        departments: [(department: String, precision: Double?, recall: Double?)],
        alerts: [(kind: String, active: Bool)]
    ) {
        func gauge(_ label: String, _ dimensions: [(String, String)], _ value: Double?) {
            if let value { Gauge(label: label, dimensions: dimensions, factory: factory).record(value) }
        }
        counter("switchyard_quality_checks_total", []).increment()
        gauge("switchyard_quality_accuracy", [], accuracy)
        for entry in stages {
            gauge("switchyard_quality_stage_accuracy", [("stage", entry.stage)], entry.accuracy)
            gauge("switchyard_quality_stage_coverage", [("stage", entry.stage)], entry.coverage)
        }
        for entry in departments {
            gauge("switchyard_quality_department_precision", [("department", entry.department)], entry.precision)
            gauge("switchyard_quality_department_recall", [("department", entry.department)], entry.recall)
        }
        for alert in alerts { gauge("switchyard_quality_alert_active", [("kind", alert.kind)], alert.active ? 1 : 0) }
    }

    package func recordQueueDepth(_ depth: Int) {
        Gauge(label: "switchyard_queue_depth", factory: factory).record(depth)
    }
}

/// Metric handles by key, made on first use and shared afterwards.
private final class HandleCache<Handle: Sendable>: Sendable {
    private let handles = Mutex<[[String]: Handle]>([:])

    func handle(for key: [String], make: () -> Handle) -> Handle {
        if let handle = handles.withLock({ $0[key] }) { return handle }
        let made = make()
        return handles.withLock { handles in
            if let existing = handles[key] { return existing }
            handles[key] = made
            return made
        }
    }
}
