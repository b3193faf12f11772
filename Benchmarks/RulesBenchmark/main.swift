// Rule evaluation speed at 10, 100, 1,000 and 10,000 rules: tickets per second on one core with
// the prefilter (what the server runs) beside a naive loop that tries every rule's patterns one
// after another, and each one's cost per ticket against 10 rules, measured in the same run.
//
//   bash Benchmarks/rules.sh                 (builds in release, then runs this)
//
// Tickets: Samples/tickets-test.csv (3,080 BANKING77 requests) plus 20 long e-mail bodies
// (about 8 KB each: requests, a quoted reply thread and a signature). Rules: generated with a
// fixed seed from the tickets' own vocabulary and from product codes, order numbers and tags
// that rarely occur, in the shapes support leads write (word alternations with a bounded gap,
// phrases, codes, subject-and-body pairs, tag lists; one rule in fifty needs no literal: a test
// on a custom field, or for one in ten of those a digit pattern that runs on every ticket).

import Foundation
import SwitchyardCore
import SwitchyardModels
import SwitchyardRules

struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
    mutating func pick<T>(_ values: [T]) -> T { values[Int(next() % UInt64(values.count))] }
}

let root = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ".")
let examples = try TrainingSet.loadCSV(root.appendingPathComponent("Samples/tickets-test.csv"))
var short = examples.map { Ticket(externalID: "b", source: "generic", subject: "", body: $0.text) }
var generator = Generator(state: 42)
let longBodies: [Ticket] = (0..<20).map { index in
    var lines: [String] = []
    while lines.joined(separator: "\n").utf8.count < 8_000 {
        lines.append(generator.pick(examples).text)
        lines.append("> On Tue, 3 Mar 2026 at 09:1\(index), Support <support@example.com> wrote:")
        lines.append("> " + generator.pick(examples).text)
    }
    lines.append("--\nKind regards,\nJordan Smith\nSent from my phone")
    return Ticket(externalID: "long-\(index)", source: "email", subject: "Re: my account", body: lines.joined(separator: "\n"))
}
let tickets = short + longBodies

// The tickets' vocabulary: words of four or more letters, most frequent first.
var counts: [String: Int] = [:]
for example in examples {
    for word in example.text.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count >= 4 {
        counts[String(word), default: 0] += 1
    }
}
let vocabulary = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(600).map(\.key)
let departments = DepartmentCatalog((0..<8).map { Department(id: DepartmentID("d\($0)"), name: "D\($0)", description: "Department \($0)") })

/// `count` rules in files of at most 1,000 (a file people edit is at most 1 MiB), in a new folder.
func ruleFolder(_ count: Int) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rules-benchmark-\(count)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for start in stride(from: 0, to: count, by: 1_000) {
        let text = rules(start..<min(count, start + 1_000))
        try text.write(to: folder.appendingPathComponent(String(format: "%05d.yaml", start)), atomically: true, encoding: .utf8)
    }
    return folder
}

func rules(_ range: Range<Int>) -> String {
    var generator = Generator(state: 7 &+ UInt64(range.lowerBound))
    var yaml = "rules:\n"
    for index in range {
        let department = "d\(index % 8)"
        let word = { generator.pick(vocabulary) }
        let when: String
        switch index % 10 {
        case 0, 1:
            when = "{ field: text, matches: '(?i)\\b(\(word())|\(word()))\\b.{0,30}\\bplan\(index)\\b' }"
        case 2:
            when = "{ field: text, contains: 'acme \(word()) \(index)' }"
        case 3:
            when = "{ field: text, matches: '(?i)\\bSKU-\(index)\\d{3}\\b' }"
        case 4:
            when = "{ all: [ { field: subject, contains: '\(word())' }, { field: body, matches: '(?i)\\b(\(word())|\(word()))s?\\b' } ] }"
        case 5:
            when = "{ field: tags, in: [vip\(index), gold\(index)] }"
        case 6:
            when = "{ field: text, matches: '(?i)\\border\\s*#?\(index)\\d{2}\\b' }"
        case 7:
            when = "{ any: [ { field: text, contains: 'promo\(index)' }, { field: text, matches: '(?i)\\bcampaign-\(index)\\b' } ] }"
        case 8:
            when = "{ all: [ { field: text, matches: '(?i)\\b\(word())\\b' }, { field: text, matches: '(?i)\\bbranch\(index)\\b' } ] }"
        default:
            // One rule in fifty needs no literal and always runs: mostly a cheap test on a
            // custom field, one in ten of them a digit pattern (a card or account number).
            if index % 50 == 9 {
                when = index % 500 == 9
                    ? "{ field: text, matches: '\\b\\d{4}-\\d{4}-\\d{\(index % 5 + 2)}\\b' }"
                    : "{ field: custom.tier\(index), exists: true }"
            } else {
                when = "{ field: requester.email, ends_with: '@partner\(index).example.com' }"
            }
        }
        yaml += "  - id: r\(index)\n    when: \(when)\n    then: { department: \(department) }\n"
    }
    return yaml
}

/// Tickets per second deciding every ticket `rounds` times with `decide`.
func measure(_ decide: (Ticket) -> String?) -> (perSecond: Double, decided: Int) {
    var decided = 0
    for ticket in tickets.prefix(200) { _ = decide(ticket) }  // warm up
    let clock = ContinuousClock()
    let start = clock.now
    var evaluated = 0
    repeat {
        for ticket in tickets where decide(ticket) != nil { decided += 1 }
        evaluated += tickets.count
    } while clock.now - start < .seconds(2)
    let elapsed = clock.now - start
    return (Double(evaluated) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18), decided)
}

print("tickets: \(short.count) BANKING77 requests + \(longBodies.count) e-mail bodies of ~8 KB, one core")
print("")
print("| rules | prefiltered | tickets/s (prefilter) | cost vs 10 rules | tickets/s (naive loop) | naive cost vs 10 | prefilter speed-up |")
print("|---:|---:|---:|---:|---:|---:|---:|")
var baseline: (fast: Double, naive: Double)?
for count in [10, 100, 1_000, 10_000] {
    let folder = try ruleFolder(count)
    defer { try? FileManager.default.removeItem(at: folder) }
    let set = try RuleSet.load(directory: folder, departments: departments)
    let fast = measure { set.evaluate($0, kind: .deciding).match?.ruleID }
    let patterns = set.rules.map { $0.condition.patterns() }
    // Naive: every rule's patterns, one after another, on the ticket's text, until one matches
    // (it skips the text tests, so it does less than a rule set would: a floor for "no prefilter").
    let naive = measure { ticket in
        let text = ticket.text
        for (index, rulePatterns) in patterns.enumerated() where rulePatterns.contains(where: { $0.match(text).isMatch }) {
            return set.rules[index].id
        }
        return nil
    }
    // The prefilter skips only rules that cannot match: the same decisions as running every rule.
    let differing = tickets.count { set.evaluate($0, kind: .deciding).match?.ruleID != set.evaluate($0, kind: .deciding, trace: .full).match?.ruleID }
    if baseline == nil { baseline = (fast.perSecond, naive.perSecond) }
    let ratio = baseline!.fast / fast.perSecond
    let naiveRatio = baseline!.naive / naive.perSecond
    print(
        "| \(count) | \(set.prefilteredRules * 100 / count) % | \(Int(fast.perSecond)) | \(String(format: "%.2f×", ratio)) | "
            + "\(Int(naive.perSecond)) | \(String(format: "%.2f×", naiveRatio)) | \(String(format: "%.1f×", fast.perSecond / naive.perSecond)) |")
    if differing > 0 { print("  ERROR: \(differing) tickets decided differently with the prefilter") }
}
