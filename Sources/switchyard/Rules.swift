import ArgumentParser
import Foundation
import SwitchyardRules
import SwitchyardServer

/// `switchyard rules …`: the rule files, checked and listed without running the server.
struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lists the rules in the order they run, or runs their inline examples.",
        subcommands: [List.self, Test.self]
    )

    /// The folder and the configuration's departments and match limits.
    struct Selection: ParsableArguments {
        @OptionGroup var options: CommonOptions

        @Argument(help: "The rule folder (default: the configuration's rules.directory).")
        var directory: String?

        /// The rule set, or the problems one per line on standard error and exit status 1.
        func load() throws -> RuleSet {
            let configuration = try options.loadConfiguration()
            let directory = directory ?? configuration.rules.directory
            do {
                return try RuleSet.load(
                    directory: URL(fileURLWithPath: directory), departments: configuration.departments,
                    limits: MatchLimits(matchLimit: configuration.rules.matchLimit, depthLimit: configuration.rules.depthLimit))
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints every rule in the order it runs, with its file:line:column, kind and action.")

        @OptionGroup var selection: Selection

        func run() throws {
            let ruleSet = try selection.load()
            print("ruleset \(ruleSet.version): \(ruleSet.rules.count) rules in \(ruleSet.files.count) files")
            for kind in [Rule.Kind.annotating, .deciding, .fallback] {
                let rules = ruleSet.rules.filter { $0.kind == kind }
                guard !rules.isEmpty else { continue }
                print("\n\(kind.title) (\(kind.when)):")
                for (index, rule) in rules.enumerated() {
                    var action = rule.action.department.map { "→ \($0.rawValue)" } ?? "annotates"
                    if let priority = rule.action.priority { action += ", priority \(priority.rawValue)" }
                    if !rule.action.tags.isEmpty { action += ", tags \(rule.action.tags.joined(separator: ", "))" }
                    let precedence = rule.precedence == 0 ? "" : "  [priority \(rule.precedence)]"
                    print("  \(index + 1). \(rule.id)  \(rule.location)  \(action)\(precedence)")
                }
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Runs every rule's inline examples against the whole rule set; exits 1 when one fails.")

        @OptionGroup var selection: Selection

        func run() throws {
            let ruleSet = try selection.load()
            let report = ruleSet.runExamples()
            for failure in report.failures { print(failure) }
            let summary = "\(report.examples) examples in \(report.rulesWithExamples) of \(ruleSet.rules.count) rules"
            guard report.failures.isEmpty else {
                print("\(summary): \(report.failures.count) failed")
                throw ExitCode(1)
            }
            print("\(summary): all pass")
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
