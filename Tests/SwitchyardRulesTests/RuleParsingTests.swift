import SwitchyardYAML
import SwitchyardCore
import SwitchyardRules
import Testing

@Suite("Rule files: parsing")
struct RuleParsingTests {
    @Test("the documented example parses into two rules with their locations")
    func documentedExample() throws {
        let set = try ruleSet(exampleRules, file: "Rules/10-security.yaml")
        #expect(set.files == ["Rules/10-security.yaml"])
        #expect(set.rules.map(\.id) == ["lost-or-stolen-card", "generic-fallback-billing"])

        let lost = set.rules[0]
        #expect(lost.description == "Cards reported lost or stolen go straight to fraud.")
        #expect(lost.kind == .deciding)
        #expect(lost.kind == .deciding)
        #expect(lost.action == RuleAction(department: "fraud_security", priority: .urgent, tags: ["lost-card"]))
        #expect(lost.location.description == "Rules/10-security.yaml:3:5")
        guard case .any(let alternatives) = lost.condition, alternatives.count == 2,
            case .field(.text, .matches(let textPattern)) = alternatives[0],
            case .field(.tags, .matches(let tagPattern)) = alternatives[1]
        else {
            Issue.record("unexpected condition \(lost.condition)")
            return
        }
        #expect(textPattern.source == #"(?i)\b(lost|stolen)\b.{0,40}\bcard\b"#)
        #expect(tagPattern.source == "^(fraud|stolen-card)$")

        let billing = set.rules[1]
        #expect(billing.description == nil)
        #expect(billing.kind == .fallback)
        #expect(billing.kind == .fallback)
        #expect(billing.action == RuleAction(department: "disputes_refunds"))
        #expect(billing.location.description == "Rules/10-security.yaml:15:5")
    }

    @Test("an empty file, a file of comments and an empty list have no rules")
    func emptyFiles() throws {
        #expect(try ruleSet("").rules.isEmpty)
        #expect(try ruleSet("# nothing yet\n").rules.isEmpty)
        #expect(try ruleSet("rules: []\n").rules.isEmpty)
    }

    @Test("the version is 12 hex digits, stable for the same text and name")
    func versionIsStable() throws {
        let version = try ruleSet(exampleRules).version
        #expect(version.count == 12)
        #expect(version.allSatisfy { $0.isHexDigit })
        #expect(try ruleSet(exampleRules).version == version)
        #expect(try ruleSet(exampleRules + "# comment\n").version != version)
        #expect(try ruleSet(exampleRules, file: "Rules/20-other.yaml").version != version)
        // Only the file's own name counts, not the folder it was loaded from.
        #expect(try ruleSet(exampleRules, file: "/etc/switchyard/Rules/test.yaml").version == version)
    }

    @Test("the empty rule set has no rules and the version of no files")
    func emptyRuleSet() {
        #expect(RuleSet.empty.rules.isEmpty)
        #expect(RuleSet.empty.files.isEmpty)
        #expect(RuleSet.empty.version == "e3b0c44298fc")  // SHA-256 of nothing
        #expect(RuleSet.empty.firstDecidingMatch(for: ticket(subject: "anything")) == nil)
    }

    @Test("a location without a line names just the file")
    func locationDescription() {
        #expect(SourceLocation(file: "Rules/a.yaml", line: 12, column: 7).description == "Rules/a.yaml:12:7")
        #expect(SourceLocation.file("Rules/a.yaml").description == "Rules/a.yaml")
    }
}
