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
        if let decidedBy {
            writer.member("decided_by")
            writer.string(decidedBy)
        }
        writer.member("fallback_reasons")
        writer.strings(fallbackReasons)
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
        if let usage {
            writer.member("usage")
            writer.beginObject()
            writer.member("completion_tokens")
            writer.raw("\(usage.completionTokens)")
            writer.member("prompt_tokens")
            writer.raw("\(usage.promptTokens)")
            writer.endObject()
        }
        writer.endObject()
        return writer.text
    }
}
