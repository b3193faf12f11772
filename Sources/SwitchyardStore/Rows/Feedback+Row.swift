import Foundation
import SwitchyardCore

extension Feedback {
    /// The `feedback` columns `init(row:)` reads, in order.
    static let columns = "verdict, department, agent, created_at"

    /// Feedback from a `feedback` row selected with `columns`.
    init(row: Row) throws {
        let department: String? = try row.value(1)
        self.init(
            verdict: try row.value(0),
            department: department.map(DepartmentID.init(rawValue:)),
            agent: try row.value(2),
            createdAt: try row.value(3)
        )
    }
}
