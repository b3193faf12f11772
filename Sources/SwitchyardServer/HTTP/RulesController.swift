import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardRules
import SwitchyardStore
import SwitchyardTriage
import SwitchyardYAML

/// `GET /v1/rules` and `POST /v1/rules/reload`: the rules in force, how their last reload
/// went, and how each rule does; support leads own the rules, so the `lead` role may call both.
struct RulesController: Sendable {
    let rules: RuleBook
    let reloader: RuleReloader
    let store: any TicketStore
    let access: AccessControl
    let directory: String

    func addRoutes(to routes: RouteTable) {
        routes.get("/v1/rules") { request, _ in
            _ = try access.authorize(request, as: .lead)
            return JSONResponse(try await document())
        }
        routes.post("/v1/rules/reload") { request, _ in
            _ = try access.authorize(request, as: .lead)
            let reload = reloader.reload(trigger: "api")
            if case .refused(let problems) = reload.outcome {
                throw APIError(
                    .unprocessableContent, code: "rules_invalid",
                    message: "the rule files have \(problems.count) problem\(problems.count == 1 ? "" : "s"); the rules in force "
                        + "(ruleset \(reload.version)) stay: " + problems.map(\.description).joined(separator: "; "))
            }
            return JSONResponse(try await document())
        }
    }

    struct Document: Encodable {
        var version: String
        var directory: String
        var lastReload: ReloadEntry
        var rules: [RuleEntry]
        var warnings: [String]

        enum CodingKeys: String, CodingKey {
            case version, directory
            case lastReload = "last_reload"
            case rules, warnings
        }
    }

    struct ReloadEntry: Encodable {
        var at: Date
        var trigger: String
        /// `applied`, `unchanged` or `refused`.
        var result: String
        var problems: [String]
    }

    struct RuleEntry: Encodable {
        var id: String
        var kind: String
        var location: String
        var description: String?
        var precedence: Int
        var department: String?
        var priority: String?
        var hits: Int
        var lastHit: Date?
        var feedback: Feedback
        var precision: Double?

        struct Feedback: Encodable {
            var up: Int
            var down: Int
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, location, description, precedence, department, priority, hits
            case lastHit = "last_hit"
            case feedback, precision
        }
    }

    private func document() async throws -> Document {
        let ruleSet = rules.current
        let reload = rules.lastReload
        let statistics = try await store.ruleStatistics()
        let order: [Rule.Kind] = [.annotating, .deciding, .fallback]
        let entries = order.flatMap { kind in
            ruleSet.rules.filter { $0.kind == kind }.map { rule in
                let counts = statistics[rule.id] ?? RuleStatistics(ruleID: rule.id)
                return RuleEntry(
                    id: rule.id, kind: kind.name, location: "\(rule.location)", description: rule.description,
                    precedence: rule.precedence, department: rule.action.department?.rawValue,
                    priority: rule.action.priority?.rawValue, hits: counts.hits, lastHit: counts.lastHit,
                    feedback: .init(up: counts.up, down: counts.down), precision: counts.precision)
            }
        }
        let result: String
        var problems: [String] = []
        switch reload.outcome {
        case .applied: result = "applied"
        case .unchanged: result = "unchanged"
        case .refused(let diagnostics):
            result = "refused"
            problems = diagnostics.map(\.description)
        }
        return Document(
            version: ruleSet.version, directory: directory,
            lastReload: ReloadEntry(at: reload.at, trigger: reload.trigger, result: result, problems: problems),
            rules: entries, warnings: ruleSet.warnings.map(\.description))
    }
}
