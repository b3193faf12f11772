import Foundation
import SwitchyardCore
import SwitchyardStore

extension RecordedFeedback {
    /// The `feedback` columns `init(row:)` reads, in order.
    static let columns = "decision_id, verdict, department, agent, created_at"

    /// Feedback from a `feedback` row selected with `columns`.
    init(row: Row) throws {
        let department: String? = try row.value(2)
        self.init(
            decisionID: try row.value(0),
            feedback: Feedback(
                verdict: try row.value(1),
                department: department.map(DepartmentID.init(rawValue:)),
                agent: try row.value(3),
                createdAt: try row.value(4)
            )
        )
    }
}
