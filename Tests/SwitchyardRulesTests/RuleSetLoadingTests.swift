import Foundation
import SwitchyardCore
import SwitchyardRules
import Testing

@Suite("Rule sets: loading a directory of rule files")
struct RuleSetLoadingTests {
    static let cardsRules = """
        rules:
          - id: card-delivery
            when: { field: text, matches: '(?i)\\bcard\\b.*\\b(arrive|delivery)' }
            then: { department: cards }
        """

    static let generalRules = """
        rules:
          - id: general-fallback
            fallback: true
            when: { field: text, matches: '.' }
            then: { department: general, priority: low }
        """

    @Test("loads *.yaml and *.yml in name order, skipping other, hidden and nested files")
    func loadsRuleFilesInOrder() throws {
        try withTemporaryDirectory { directory in
            try directory.write(Self.generalRules, to: "90-general.yml")
            try directory.write(exampleRules, to: "10-security.yaml")
            try directory.write(Self.cardsRules, to: "20-cards.yaml")
            try directory.write("not rules", to: "README.md")
            try directory.write("rules: [", to: ".10-security.yaml.swp.yaml")
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("archive.yaml"), withIntermediateDirectories: false
            )

            let set = try RuleSet.load(directory: directory, departments: departments)
            #expect(set.files == ["10-security.yaml", "20-cards.yaml", "90-general.yml"].map { "\(directory.path)/\($0)" })
            #expect(
                set.rules.map(\.id) == ["lost-or-stolen-card", "generic-fallback-billing", "card-delivery", "general-fallback"]
            )
            #expect(set.rules[2].location.file == directory.appendingPathComponent("20-cards.yaml").path)

            let late = ticket(subject: "When will my card arrive?")
            #expect(set.firstDecidingMatch(for: late)?.department == "cards")
            #expect(set.firstFallbackMatch(for: ticket(subject: "hello"))?.ruleID == "general-fallback")
        }
    }

    @Test("an alias bomb is refused at once, at the value it repeats; anchors used a few times still work")
    func aliasBomb() throws {
        try withTemporaryDirectory { directory in
            // Nine levels of nine: 9^9 (387 million) values from ten lines.
            var bomb = #"a: &a ["x","x","x","x","x","x","x","x","x"]"# + "\n"
            for (level, previous) in zip("bcdefghi", "abcdefgh") {
                bomb += "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            }
            bomb += "rules: *i\n"
            try directory.write(bomb, to: "10-bomb.yaml")
            let start = ContinuousClock.now
            let error = try #require(throws: RuleLoadError.self) { try RuleSet.load(directory: directory, departments: departments) }
            #expect(ContinuousClock.now - start < .seconds(30), "bounded, not expanded")
            #expect(error.diagnostics.map(\.description) == [
                "\(directory.path)/10-bomb.yaml:1:4: error: aliases (*name) expand this file to more than \(10_000 + 4 * bomb.utf8.count) values, far more than it holds; this value is used again through an alias: write the values out instead of repeating them with aliases"
            ])

            try FileManager.default.removeItem(at: directory.appendingPathComponent("10-bomb.yaml"))
            try directory.write(
                """
                rules:
                  - id: a
                    when: &when { field: body, contains: x }
                    then: &then { department: cards }
                  - id: b
                    when: *when
                    then: *then
                """, to: "20-anchors.yaml")
            #expect(try RuleSet.load(directory: directory, departments: departments).rules.map(\.id) == ["a", "b"])
        }
    }

    @Test("a file over 1 MiB is refused without being read, naming the limit")
    func oversizedFile() throws {
        try withTemporaryDirectory { directory in
            let big = "rules: []\n" + String(repeating: "# padding\n", count: 110_000)
            try directory.write(big, to: "10-big.yaml")
            let error = try #require(throws: RuleLoadError.self) { try RuleSet.load(directory: directory, departments: departments) }
            #expect(error.diagnostics.map(\.description) == [
                "\(directory.path)/10-big.yaml: error: the file is \(big.utf8.count) bytes; a file people edit may have at most 1048576 (1 MiB): split it into several files"
            ])
            #expect(throws: RuleLoadError.self) { try RuleSet.parse(big, file: "Rules/big.yaml", departments: departments) }
        }
    }

    @Test("the version is stable across loads and changes when any file changes")
    func versionTracksContents() throws {
        try withTemporaryDirectory { directory in
            try directory.write(exampleRules, to: "10-security.yaml")
            try directory.write(Self.cardsRules, to: "20-cards.yaml")
            let first = try RuleSet.load(directory: directory, departments: departments).version
            #expect(try RuleSet.load(directory: directory, departments: departments).version == first)

            try directory.write(Self.cardsRules.replacingOccurrences(of: "arrive", with: "arrived"), to: "20-cards.yaml")
            let edited = try RuleSet.load(directory: directory, departments: departments).version
            #expect(edited != first)

            try FileManager.default.moveItem(
                at: directory.appendingPathComponent("20-cards.yaml"),
                to: directory.appendingPathComponent("30-cards.yaml")
            )
            let renamed = try RuleSet.load(directory: directory, departments: departments).version
            #expect(renamed != edited)

            try directory.write("not rules", to: "notes.txt")
            #expect(try RuleSet.load(directory: directory, departments: departments).version == renamed)
        }
    }

    @Test("one file loaded from a directory has the version of the same text parsed")
    func loadAndParseAgree() throws {
        try withTemporaryDirectory { directory in
            try directory.write(exampleRules, to: "10-security.yaml")
            let loaded = try RuleSet.load(directory: directory, departments: departments)
            let parsed = try ruleSet(exampleRules, file: "Rules/10-security.yaml")
            #expect(loaded.version == parsed.version)
        }
    }

    @Test("an empty directory gives an empty rule set")
    func emptyDirectory() throws {
        try withTemporaryDirectory { directory in
            let set = try RuleSet.load(directory: directory, departments: departments)
            #expect(set.rules.isEmpty)
            #expect(set.files.isEmpty)
            #expect(set.version == RuleSet.empty.version)
        }
    }

    @Test("a missing directory is an error naming it")
    func missingDirectory() throws {
        try withTemporaryDirectory { directory in
            let missing = directory.appendingPathComponent("Rules")
            let error = try #require(throws: RuleLoadError.self) {
                try RuleSet.load(directory: missing, departments: departments)
            }
            #expect(
                error.description
                    == "\(missing.path): error: rule directory not found; create it (it may be empty) or configure the right path"
            )
        }
    }

    @Test("every problem in every file is reported, including ids repeated across files")
    func collectsAllProblems() throws {
        try withTemporaryDirectory { directory in
            try directory.write(exampleRules, to: "10-security.yaml")
            try directory.write(
                """
                rules:
                  - id: lost-or-stolen-card
                    when: { field: subject, matches: 'card' }
                    then: { department: cards }
                  - id: bad-priority
                    when: { field: subject, matches: 'x' }
                    then: { department: cards, priority: soon }
                """,
                to: "20-cards.yaml"
            )
            try directory.write("rules:\n  - id: [\n", to: "30-broken.yaml")
            try Data([0x72, 0x75, 0xFF, 0xFE]).write(to: directory.appendingPathComponent("40-binary.yaml"))

            let error = try #require(throws: RuleLoadError.self) {
                try RuleSet.load(directory: directory, departments: departments)
            }
            let path = directory.path
            #expect(
                error.diagnostics.map(\.description) == [
                    "\(path)/20-cards.yaml:2:9: error: duplicate rule id \"lost-or-stolen-card\", first defined at \(path)/10-security.yaml:3:9; rule ids must be unique across all rule files",
                    "\(path)/20-cards.yaml:7:42: error: unknown priority \"soon\" at rules[1].then.priority; allowed: low, normal, high, urgent",
                    "\(path)/30-broken.yaml:3:1: error: YAML syntax error: did not find expected node content (while parsing a flow node)",
                    "\(path)/40-binary.yaml: error: not valid UTF-8 text; save the file as UTF-8",
                ]
            )
        }
    }

    @Test("a relative directory names files relative to it")
    func relativeDirectory() throws {
        try withTemporaryDirectory { directory in
            let rules = directory.appendingPathComponent("Rules")
            try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: false)
            try rules.write("rules:\n  - id: a\n", to: "10-a.yaml")
            let relative = URL(fileURLWithPath: "Rules", isDirectory: true, relativeTo: directory)
            let error = try #require(throws: RuleLoadError.self) {
                try RuleSet.load(directory: relative, departments: departments)
            }
            #expect(error.diagnostics.map(\.location.description) == ["Rules/10-a.yaml:2:5", "Rules/10-a.yaml:2:5"])
        }
    }
}
