import Foundation
import SwitchyardCore
import SwitchyardRules
import Testing

/// The rule files in `Docs/rules.md` are real: each parses with the sample departments, and an
/// example followed by the errors it gives gives exactly those, line and column included.
@Suite("Docs/rules.md examples")
struct DocumentationExampleTests {
    /// `Samples/switchyard.yaml`'s departments, in its order.
    static let sampleDepartments = DepartmentCatalog(
        [
            "cards", "payments_transfers", "topups_cash_atm", "fees_fx", "disputes_refunds", "fraud_security",
            "identity_verification", "account_management",
        ].map { Department(id: DepartmentID($0), name: $0, description: "") })

    struct Block {
        var language: String
        var text: String
    }

    /// The fenced blocks of a Markdown file, in order.
    static func blocks(in markdown: String) -> [Block] {
        var blocks: [Block] = []
        var current: (language: String, lines: [Substring])?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let open = current {
                    blocks.append(Block(language: open.language, text: open.lines.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current = (String(line.dropFirst(3)), [])
                }
            } else {
                current?.lines.append(line)
            }
        }
        return blocks
    }

    @Test("every rule file in the page parses, or gives exactly the errors shown after it")
    func examples() throws {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/rules.md")
        let blocks = Self.blocks(in: try String(contentsOf: page, encoding: .utf8))
        var checked = 0
        for (index, block) in blocks.enumerated() where block.language == "yaml" && block.text.contains("rules:") {
            let file = "Rules/15-cards.yaml"
            let next = blocks.indices.contains(index + 1) ? blocks[index + 1] : nil
            if let next, next.language.isEmpty, next.text.hasPrefix(file) {
                let expected = next.text.split(separator: "\n").map(String.init)
                let error = try #require(throws: RuleLoadError.self) {
                    try RuleSet.parse(block.text, file: file, departments: Self.sampleDepartments)
                }
                #expect(error.diagnostics.map(\.description) == expected)
            } else {
                #expect(throws: Never.self, "the example at block \(index + 1)") {
                    try RuleSet.parse(block.text, file: file, departments: Self.sampleDepartments)
                }
                // Its own examples pass too.
                #expect((try? RuleSet.parse(block.text, file: file, departments: Self.sampleDepartments))?.runExamples().failures == [])
            }
            checked += 1
        }
        #expect(checked >= 3)
    }
}
