import Foundation
import SwitchyardCore
import SwitchyardStore

extension RecordedDecision {
    /// The `decisions` columns `init(row:)` reads, in order.
    static let columns = "id, department, priority, tags, confidence, provenance, decided_at"

    /// A decision from a `decisions` row selected with `columns`.
    init(row: Row) throws {
        let priority: String? = try row.value(2)
        self.init(
            id: try row.value(0),
            decision: Decision(
                department: DepartmentID(try row.value(1, as: String.self)),
                priority: try priority.map { raw in
                    guard let priority = Priority(rawValue: raw) else { throw row.corrupt(2, "unknown Priority \"\(raw)\"") }
                    return priority
                },
                tags: try row.strings(3),
                confidence: try row.value(4),
                provenance: try row.provenance(5),
                decidedAt: try row.value(6)
            )
        )
    }
}
