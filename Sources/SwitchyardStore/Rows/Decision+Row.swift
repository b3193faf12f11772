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
            tags: try row.json(2),
            confidence: try row.value(3),
            provenance: try row.json(4),
            decidedAt: try row.value(5)
        )
    }
}
