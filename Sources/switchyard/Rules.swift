import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardRules
import SwitchyardServer

/// `switchyard rules …`: the rule files, checked and listed without running the server.
struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lists, tests, explains and replays the rule files, without running the server.",
        subcommands: [List.self, Lint.self, Test.self, Explain.self, Replay.self]
    )

    /// The folder and the configuration's departments and match limits.
    struct Selection: ParsableArguments {
        @OptionGroup var options: CommonOptions

        @Argument(help: "The rule folder (default: the configuration's rules.directory).")
        var directory: String?

        /// The rule set, or the problems one per line on standard error and exit status 1.
        func load() throws -> RuleSet {
            try Rules.load(directory, configuration: try options.loadConfiguration())
        }
    }

    /// The rules in `directory` (default: the configuration's), or the problems one per line
    /// on standard error and exit status 1.
    static func load(_ directory: String?, configuration: Configuration) throws -> RuleSet {
        do {
            return try configuration.loadRules(from: directory)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints every rule in the order it runs, with its file:line:column, kind and action.")

        @OptionGroup var selection: Selection

        func run() throws {
            let ruleSet = try selection.load()
            print("ruleset \(ruleSet.version): \(ruleSet.rules.count) rules in \(ruleSet.files.count) files")
            let everyTicket = ruleSet.rulesRunningOnEveryTicket
            for kind in [Rule.Kind.annotating, .deciding, .fallback] {
                let rules = ruleSet.rules.filter { $0.kind == kind }
                guard !rules.isEmpty else { continue }
                print("\n\(kind.title) (\(kind.when)):")
                for (index, rule) in rules.enumerated() {
                    var action = rule.action.department.map { "→ \($0.rawValue)" } ?? "annotates"
                    if let priority = rule.action.priority { action += ", priority \(priority.rawValue)" }
                    if !rule.action.tags.isEmpty { action += ", tags \(rule.action.tags.map(\.source).joined(separator: ", "))" }
                    if !rule.action.fields.isEmpty {
                        action += ", fields " + rule.action.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                            .joined(separator: ", ")
                    }
                    let precedence = rule.precedence == 0 ? "" : "  [priority \(rule.precedence)]"
                    let always = everyTicket.contains(rule.id) ? "  [runs on every ticket: no literal to prefilter on]" : ""
                    print("  \(index + 1). \(rule.id)  \(rule.location)  \(action)\(precedence)\(always)")
                }
            }
        }
    }

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Checks the rule files: every error, and warnings for rules that can never fire, patterns prone to catastrophic backtracking and departments no rule uses.",
            discussion: "Prints each problem as file:line:column: error|warning: …. Exits 1 on errors (with --strict, on warnings too), 0 otherwise.")

        @OptionGroup var selection: Selection

        @Flag(help: "Treat warnings as errors.")
        var strict = false

        func run() throws {
            let configuration = try selection.options.loadConfiguration()
            let directory = selection.directory ?? configuration.rules.directory
            let ruleSet: RuleSet
            do {
                ruleSet = try configuration.loadRules(from: directory)
            } catch {
                for diagnostic in error.diagnostics { print(diagnostic) }
                print("\(directory): \(error.diagnostics.count) error\(error.diagnostics.count == 1 ? "" : "s")")
                throw ExitCode(1)
            }
            let warnings = ruleSet.lint(departments: configuration.departments, configuration: selection.options.config)
            for warning in warnings { print(warning) }
            let count = "\(warnings.count) warning\(warnings.count == 1 ? "" : "s")"
            print("\(ruleSet.rules.count) rules in \(ruleSet.files.count) files: no errors, \(count)")
            if strict && !warnings.isEmpty { throw ExitCode(1) }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Runs every rule's inline examples against the whole rule set; with --tickets, scores the rules on a labelled file.",
            discussion: "Exits 1 when an example fails (or, with --no-worse-than-model, when a rule is less precise than the local model on the tickets it decides).")

        @OptionGroup var selection: Selection

        @Option(help: "A labelled CSV (text,department) or JSONL file (tickets with a department) to score the deciding rules on.")
        var tickets: String?

        @Flag(help: "With --tickets: exit 1 when a rule is less precise than the local model on the tickets it decides.")
        var noWorseThanModel = false

        func run() throws {
            let ruleSet = try selection.load()
            let report = ruleSet.runExamples()
            for failure in report.failures { print(failure) }
            let summary = "\(report.examples) examples in \(report.rulesWithExamples) of \(ruleSet.rules.count) rules"
            print(report.failures.isEmpty ? "\(summary): all pass" : "\(summary): \(report.failures.count) failed")
            var failed = !report.failures.isEmpty
            if let tickets {
                failed = try score(ruleSet, on: tickets) || failed
            }
            if failed { throw ExitCode(1) }
        }

        /// Prints the rules' score on `path` beside the local model's on the same tickets;
        /// true when `--no-worse-than-model` fails.
        private func score(_ ruleSet: RuleSet, on path: String) throws -> Bool {
            let configuration = try selection.options.loadConfiguration()
            let labelled: [(ticket: Ticket, label: DepartmentID)]
            do {
                labelled = try LabelledTickets.load(path, configuration: configuration)
            } catch {
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            let score = ruleSet.score(labelled)
            let model = try LabelledTickets.localModel(configuration)
            print("\n\(path): \(score.tickets) tickets; deciding rules decided \(score.decided) (\(percent(score.decided, of: score.tickets))), the rest go to the model")
            let width = max(20, score.rules.map(\.ruleID.count).max() ?? 0)
            print("  " + "rule".padding(toLength: width, withPad: " ", startingAt: 0) + "   hits  right  precision  model on the same tickets")
            var worse: [String] = []
            for tally in score.rules {
                let hitIndices = score.decidedBy.indices.filter { score.decidedBy[$0] == tally.ruleID }
                let modelRight = model.map { model in
                    hitIndices.count { model.probabilities(for: labelled[$0].ticket.text).first?.label == labelled[$0].label }
                }
                let modelText = modelRight.map { percent($0, of: tally.hits) } ?? "no local model configured"
                if let modelRight, tally.hits > 0, tally.correct < modelRight { worse.append(tally.ruleID) }
                print(
                    "  " + tally.ruleID.padding(toLength: width, withPad: " ", startingAt: 0)
                        + String(format: " %6d %6d", tally.hits, tally.correct)
                        + "  " + percent(tally.correct, of: tally.hits).padding(toLength: 9, withPad: " ", startingAt: 0)
                        + "  " + modelText)
            }
            if !score.mismatches.isEmpty {
                print("\nmismatches:")
                for mismatch in score.mismatches {
                    let text = labelled[mismatch.index].ticket.text.replacingOccurrences(of: "\n", with: " ")
                    print("  \(path) #\(mismatch.index + 1): \(mismatch.ruleID) decided \(mismatch.decided), labelled \(mismatch.expected): \(text.prefix(120))")
                }
            }
            guard noWorseThanModel, !worse.isEmpty else { return false }
            print("\nless precise than the local model on their own tickets: \(worse.joined(separator: ", "))")
            return true
        }

        private func percent(_ part: Int, of whole: Int) -> String {
            whole == 0 ? "—" : String(format: "%.1f %%", Double(part) * 100 / Double(whole))
        }
    }
}

extension Rule.Kind {
    fileprivate var title: String {
        switch self {
        case .annotating: "Annotating rules"
        case .deciding: "Deciding rules"
        case .fallback: "Fallback rules"
        }
    }

    fileprivate var when: String {
        switch self {
        case .annotating: "every ticket, every match adds tags and priority"
        case .deciding: "before the model, the first match decides"
        case .fallback: "when the model could not decide, the first match decides"
        }
    }
}
