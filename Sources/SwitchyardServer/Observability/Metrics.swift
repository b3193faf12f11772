public import CoreMetrics
import Foundation
import SwitchyardCore

/// The server's metrics, made through an injected factory so that each server instance
/// (and each test) has its own registry and nothing touches the global bootstrap.
///
/// Labels stay low-cardinality: adapter, outcome, stage, department, classifier — never
/// ticket ids.
public struct TriageMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records nothing.
    public static let disabled = TriageMetrics(factory: NOOPMetricsHandler.instance)

    func recordDecision(_ decision: Decision) {
        Counter(
            label: "switchyard_decisions_total",
            dimensions: [("stage", decision.provenance.stage.rawValue), ("department", decision.department.rawValue)],
            factory: factory
        ).increment()
    }

    func recordModelCall(classifier: String, duration: Duration, failed: Bool) {
        Timer(label: "switchyard_model_call_seconds", dimensions: [("classifier", classifier)], factory: factory)
            .recordNanoseconds(Int64(duration.milliseconds * 1_000_000))
        if failed {
            Counter(label: "switchyard_model_failures_total", dimensions: [("classifier", classifier)], factory: factory)
                .increment()
        }
    }

    /// A rule's pattern hit a PCRE2 limit and counted as no match: the rule needs a cheaper pattern.
    func recordRuleLimitHit(ruleID: String) {
        Counter(label: "switchyard_rule_limit_hits_total", dimensions: [("rule", ruleID)], factory: factory).increment()
    }

    func recordWebhook(adapter: String, outcome: String) {
        Counter(
            label: "switchyard_webhooks_total", dimensions: [("adapter", adapter), ("outcome", outcome)], factory: factory
        ).increment()
    }

    func recordWriteBack(adapter: String, outcome: String) {
        Counter(
            label: "switchyard_write_backs_total", dimensions: [("adapter", adapter), ("outcome", outcome)], factory: factory
        ).increment()
    }

    func recordQueueDepth(_ depth: Int) {
        Gauge(label: "switchyard_queue_depth", factory: factory).record(depth)
    }
}
