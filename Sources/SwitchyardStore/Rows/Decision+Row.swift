import Foundation
import SwitchyardCore

extension Decision {
    /// The `decisions` columns `init(row:)` reads, in order.
    static let columns = "department, priority, tags, confidence, provenance, decided_at"

    /// A decision from a `decisions` row selected with `columns`.
    init(row: Row) throws {
        let priority: String? = try row.value(1)
        self.init(
            department: DepartmentID(try row.value(0, as: String.self)),
            priority: try priority.map { raw in
                guard let priority = Priority(rawValue: raw) else { throw row.corrupt(1, "unknown Priority \"\(raw)\"") }
                return priority
            },
            tags: try row.strings(2),
            confidence: try row.value(3),
            provenance: try row.json(4),
            decidedAt: try row.value(5)
        )
    }
}

extension Provenance {
    /// The JSON stored in `decisions.provenance`, written by hand (it is written for every
    /// decision, and `JSONEncoder` cost more than the rest of recording it). Keys are
    /// `Provenance`'s coding keys, so `Row.json(_:)` decodes it; a round-trip test holds them
    /// together.
    var storedJSON: String {
        var writer = JSONTextWriter(capacity: 160)
        writer.beginObject()
        if let decidedBy {
            writer.member("decided_by")
            writer.string(decidedBy)
        }
        writer.member("fallback_reasons")
        writer.strings(fallbackReasons)
        writer.member("latency_ms")
        writer.raw(latencyMilliseconds.isFinite ? "\(latencyMilliseconds)" : "0")
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
