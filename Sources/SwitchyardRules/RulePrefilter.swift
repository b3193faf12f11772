import SwitchyardCore

/// Rule evaluation that scales with the ticket's text, not with the number of rules.
///
/// Each rule's condition is read for the literal texts it needs (``RequiredLiterals``): a rule
/// whose `matches` pattern needs "refund" cannot match a ticket without "refund" anywhere in
/// it. One scan of the ticket (all its field values, ASCII-lowercased) with an Aho-Corasick
/// automaton of every rule's literals finds the rules that might match; only those, and the
/// rules without a requirement, run their tests, in their usual order. The result is the same
/// as running every rule: the prefilter only skips rules that cannot match.
struct RulePrefilter: Sendable {
    /// The rules (by index in the rule set) that need no literal and so run on every ticket.
    let alwaysRuns: [Int]
    /// For each literal (by automaton id), the rules that need it (any one of their literals).
    private let rulesByLiteral: [[Int]]
    private let automaton: LiteralAutomaton

    init(_ rules: [Rule]) {
        var literals: [String: Int] = [:]
        var rulesByLiteral: [[Int]] = []
        var alwaysRuns: [Int] = []
        for (index, rule) in rules.enumerated() {
            guard let required = Self.requirement(of: rule.condition) else {
                alwaysRuns.append(index)
                continue
            }
            for literal in required {
                let id = literals[literal] ?? {
                    rulesByLiteral.append([])
                    literals[literal] = rulesByLiteral.count - 1
                    return rulesByLiteral.count - 1
                }()
                rulesByLiteral[id].append(index)
            }
        }
        self.alwaysRuns = alwaysRuns
        self.rulesByLiteral = rulesByLiteral
        self.automaton = LiteralAutomaton(literals.sorted { $0.value < $1.value }.map(\.key))
    }

    /// The indices of the rules that might match `ticket`, in ascending order.
    func candidates(for ticket: Ticket) -> [Int] {
        guard !rulesByLiteral.isEmpty else { return alwaysRuns }
        var found: [Int] = []
        automaton.scan(Self.haystack(of: ticket)) { found.append($0) }
        guard !found.isEmpty else { return alwaysRuns }
        var candidates = alwaysRuns
        for literal in found { candidates += rulesByLiteral[literal] }
        candidates.sort()
        return candidates.removingAdjacentDuplicates()
    }

    /// Every text a condition can look at, ASCII-lowercased, separated by a byte no literal has.
    static func haystack(of ticket: Ticket) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ticket.subject.utf8.count + ticket.body.utf8.count + 64)
        func add(_ text: String?) {
            guard let text else { return }
            for byte in text.utf8 { bytes.append(byte &- 65 < 26 ? byte | 0x20 : byte) }
            bytes.append(0)
        }
        add(ticket.subject)
        add(ticket.body)
        add(ticket.requester?.name)
        add(ticket.requester?.email)
        add(ticket.source)
        add(ticket.channel)
        add(ticket.language)
        add(ticket.priority)
        add(ticket.status)
        ticket.tags.forEach(add)
        ticket.customFields.values.forEach(add)
        return bytes
    }

    /// What a ticket must contain for `condition` to hold; nil when nothing can be said.
    static func requirement(of condition: Condition) -> Set<String>? {
        switch condition {
        case .all(let conditions):
            // Every one must hold: any one's requirement will do; take the most selective.
            return conditions.map(requirement(of:)).reduce(nil, RequiredLiterals.better)
        case .any(let conditions):
            // One must hold: each must have a requirement, and any of them may be the one.
            var union: Set<String> = []
            for condition in conditions {
                guard let required = requirement(of: condition) else { return nil }
                union.formUnion(required)
            }
            return union
        case .none:
            return nil  // holds when its conditions do not: no text is needed
        case .field(_, let test):
            switch test {
            case .matches(let pattern): return RequiredLiterals.of(pattern: pattern.source)
            case .contains(let text), .equals(let text), .startsWith(let text), .endsWith(let text):
                return RequiredLiterals.of(text: text.written)
            case .oneOf(let texts):
                var union: Set<String> = []
                for text in texts {
                    guard let required = RequiredLiterals.of(text: text.written) else { return nil }
                    union.formUnion(required)
                }
                return union
            case .exists, .greaterThan, .lessThan:
                return nil
            }
        }
    }
}

extension Array where Element == Int {
    /// A sorted array without repeats.
    fileprivate func removingAdjacentDuplicates() -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        for value in self where result.last != value { result.append(value) }
        return result
    }
}

/// Aho-Corasick over bytes: finds which of many literals occur in a text in one pass.
///
/// The automaton is a DFA over byte classes (each byte that occurs in a literal is its own
/// class, every other byte one class), so a step is one table read and the table stays small:
/// states × classes, not states × 256.
struct LiteralAutomaton: Sendable {
    private let classOf: [UInt8]
    private let classCount: Int
    /// `next[state * classCount + class]`.
    private let next: [Int32]
    /// For each state, the literals that end there (its own and its suffixes').
    private let outputs: [[Int32]]
    let literalCount: Int

    init(_ literals: [String]) {
        var classOf = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for literal in literals {
            for byte in literal.utf8 where classOf[Int(byte)] == 0 {
                classOf[Int(byte)] = UInt8(classCount)
                classCount += 1
            }
        }
        var goto: [[Int32]] = [[Int32](repeating: -1, count: classCount)]
        var outputs: [[Int32]] = [[]]
        for (id, literal) in literals.enumerated() {
            var state = 0
            for byte in literal.utf8 {
                let symbol = Int(classOf[Int(byte)])
                if goto[state][symbol] >= 0 {
                    state = Int(goto[state][symbol])
                } else {
                    goto.append([Int32](repeating: -1, count: classCount))
                    outputs.append([])
                    goto[state][symbol] = Int32(goto.count - 1)
                    state = goto.count - 1
                }
            }
            outputs[state].append(Int32(id))
        }
        // Breadth first: failure links, then the DFA's transitions.
        var next = [Int32](repeating: 0, count: goto.count * classCount)
        var failure = [Int](repeating: 0, count: goto.count)
        var queue: [Int] = []
        for symbol in 1..<classCount where goto[0][symbol] >= 0 {
            next[symbol] = goto[0][symbol]
            queue.append(Int(goto[0][symbol]))
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            outputs[state] += outputs[failure[state]]
            for symbol in 0..<classCount {
                let target = symbol == 0 ? -1 : goto[state][symbol]
                if target >= 0 {
                    failure[Int(target)] = Int(next[failure[state] * classCount + symbol])
                    next[state * classCount + symbol] = target
                    queue.append(Int(target))
                } else {
                    next[state * classCount + symbol] = next[failure[state] * classCount + symbol]
                }
            }
        }
        self.classOf = classOf
        self.classCount = classCount
        self.next = next
        self.outputs = outputs
        self.literalCount = literals.count
    }

    /// Calls `found` once for each literal that occurs in `text`.
    func scan(_ text: [UInt8], _ found: (Int) -> Void) {
        var reported = [UInt64](repeating: 0, count: (literalCount + 63) / 64)
        var state = 0
        next.withUnsafeBufferPointer { next in
            classOf.withUnsafeBufferPointer { classOf in
                for byte in text {
                    state = Int(next[state &* classCount &+ Int(classOf[Int(byte)])])
                    for literal in outputs[state] {
                        let word = Int(literal) >> 6
                        let bit = UInt64(1) << UInt64(literal & 63)
                        if reported[word] & bit == 0 {
                            reported[word] |= bit
                            found(Int(literal))
                        }
                    }
                }
            }
        }
    }
}
