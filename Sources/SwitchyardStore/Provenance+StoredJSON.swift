package import SwitchyardCore

extension Provenance {
    /// The JSON both engines store for a decision's provenance, written by hand (it is written
    /// for every decision, and `JSONEncoder` cost more than the rest of recording it). Keys are
    /// `Provenance`'s coding keys, so `JSONDecoder` reads it back; a round-trip test holds them
    /// together.
    package var storedJSON: String {
        var writer = JSONTextWriter(capacity: 160)
        writer.beginObject()
        if !annotatedBy.isEmpty {
            writer.member("annotated_by")
            writer.strings(annotatedBy)
        }
        if !attempts.isEmpty {
            writer.member("attempts")
            writer.beginArray()
            for attempt in attempts {
                writer.element()
                attempt.write(to: &writer)
            }
            writer.endArray()
        }
        if let decidedBy {
            writer.member("decided_by")
            writer.string(decidedBy)
        }
        writer.member("fallback_reasons")
        writer.strings(fallbackReasons)
        if !injectionSignals.isEmpty {
            writer.member("injection_signals")
            writer.strings(injectionSignals)
        }
        writer.member("latency_ms")
        writer.raw(latencyMilliseconds.isFinite ? "\(latencyMilliseconds)" : "0")
        if let modelVersion {
            writer.member("model_version")
            writer.string(modelVersion)
        }
        if let promptVersion {
            writer.member("prompt_version")
            writer.string(promptVersion)
        }
        writer.member("ruleset_version")
        writer.string(rulesetVersion)
        writer.member("stage")
        writer.string(stage.rawValue)
        if let trace {
            writer.member("trace")
            trace.write(to: &writer)
        }
        if let usage {
            writer.member("usage")
            usage.write(to: &writer)
        }
        writer.endObject()
        return writer.text
    }
}

extension TokenUsage {
    func write(to writer: inout JSONTextWriter) {
        writer.beginObject()
        writer.member("completion_tokens")
        writer.raw("\(completionTokens)")
        writer.member("prompt_tokens")
        writer.raw("\(promptTokens)")
        writer.endObject()
    }
}

extension ModelAttempt {
    /// Members in name order, like the rest of the stored provenance.
    func write(to writer: inout JSONTextWriter) {
        writer.beginObject()
        if let batch {
            writer.member("batch")
            writer.string(batch)
        }
        if let costUSD, costUSD.isFinite {
            writer.member("cost_usd")
            writer.raw("\(costUSD)")
        }
        if let firstTokenMilliseconds, firstTokenMilliseconds.isFinite {
            writer.member("first_token_ms")
            writer.raw("\(firstTokenMilliseconds)")
        }
        writer.member("latency_ms")
        writer.raw(latencyMilliseconds.isFinite ? "\(latencyMilliseconds)" : "0")
        writer.member("outcome")
        writer.string(outcome.rawValue)
        writer.member("provider")
        writer.string(provider)
        if let reason {
            writer.member("reason")
            writer.string(reason)
        }
        if let status {
            writer.member("status")
            writer.raw("\(status)")
        }
        if let usage {
            writer.member("usage")
            usage.write(to: &writer)
        }
        writer.endObject()
    }
}

extension RuleTrace {
    /// The trace as `JSONDecoder` reads it back: members in name order, like the rest of the
    /// stored provenance.
    func write(to writer: inout JSONTextWriter) {
        writer.beginObject()
        writer.member("omitted")
        writer.raw("\(omitted)")
        writer.member("steps")
        writer.beginArray()
        for step in steps {
            writer.element()
            writer.beginObject()
            writer.member("kind")
            writer.string(step.kind)
            writer.member("matched")
            writer.raw(step.matched ? "true" : "false")
            writer.member("rule_id")
            writer.string(step.ruleID)
            writer.member("tests")
            writer.beginArray()
            for test in step.tests {
                writer.element()
                test.write(to: &writer)
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}

extension TestStep {
    fileprivate func write(to writer: inout JSONTextWriter) {
        writer.beginObject()
        writer.member("field")
        writer.string(field)
        writer.member("held")
        writer.raw(held ? "true" : "false")
        writer.member("path")
        writer.string(path)
        writer.member("spans")
        writer.beginArray()
        for span in spans {
            writer.element()
            writer.beginObject()
            writer.member("end")
            writer.raw("\(span.end)")
            writer.member("start")
            writer.raw("\(span.start)")
            if let value = span.value {
                writer.member("value")
                writer.raw("\(value)")
            }
            writer.endObject()
        }
        writer.endArray()
        if let stopped {
            writer.member("stopped")
            writer.string(stopped)
        }
        writer.member("test")
        writer.string(test)
        writer.endObject()
    }
}
