public import SwitchyardCore

/// One training example for the embedded local model: a ticket's text and the department
/// it belongs to.
public struct LabeledText: Sendable, Hashable {
    public var text: String
    public var label: DepartmentID

    public init(text: String, label: DepartmentID) {
        self.text = text
        self.label = label
    }
}
