import SwitchyardYAML
import Foundation
import SwitchyardCore
import SwitchyardRules
import Testing

/// Departments the test rule files may name.
let departments = DepartmentCatalog([
    Department(id: "fraud_security", name: "Fraud & security", description: "Lost or stolen cards, fraud."),
    Department(id: "disputes_refunds", name: "Disputes & refunds", description: "Invoices, refunds, chargebacks."),
    Department(id: "cards", name: "Cards", description: "Card delivery and activation."),
    Department(id: "general", name: "General", description: "Everything else."),
])

/// The example from the rule-file documentation.
let exampleRules = """
    # Rules/10-security.yaml
    rules:
      - id: lost-or-stolen-card          # required, unique across all files
        description: Cards reported lost or stolen go straight to fraud.
        when:
          any:
            - field: text
              matches: '(?i)\\b(lost|stolen)\\b.{0,40}\\bcard\\b'
            - field: tags
              matches: '^(fraud|stolen-card)$'
        then:
          department: fraud_security
          priority: urgent
          tags: [lost-card]
      - id: generic-fallback-billing
        fallback: true
        when: { field: subject, matches: '(?i)invoice|refund' }
        then: { department: disputes_refunds }

    """

func ticket(
    subject: String = "",
    body: String = "",
    requester: Requester? = nil,
    tags: [String] = [],
    channel: String? = nil,
    language: String? = nil,
    priority: String? = nil,
    status: String? = nil,
    customFields: [String: String] = [:]
) -> Ticket {
    Ticket(
        externalID: "1", source: "generic", subject: subject, body: body, requester: requester, tags: tags,
        channel: channel, language: language, priority: priority, status: status, customFields: customFields
    )
}

/// Parses rule text that the test expects to be valid.
func ruleSet(_ yaml: String, file: String = "Rules/test.yaml") throws -> RuleSet {
    try RuleSet.parse(yaml, file: file, departments: departments)
}

/// The diagnostics for rule text that the test expects to be invalid.
func diagnostics(_ yaml: String, file: String = "Rules/test.yaml") throws -> [Diagnostic] {
    let error = try #require(throws: RuleLoadError.self) {
        try RuleSet.parse(yaml, file: file, departments: departments)
    }
    return error.diagnostics
}

/// A fresh directory under the system's temporary folder, removed when `body` returns.
func withTemporaryDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("switchyard-rules-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

extension URL {
    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: appendingPathComponent(name))
    }
}
