/// Recognises ticket text that tries to instruct the model rather than ask for help: "ignore
/// previous instructions", fake system or role tags, "route this to …".
///
/// The prompt already keeps ticket text inside a JSON string, marked as data; this says when
/// a ticket tried anyway, so that the decision can carry the flag and a configuration can
/// decide such tickets without the LLM. It matches words, not regular expressions: lower-cased
/// letters and digits, with everything else a word break, so spacing and punctuation tricks
/// (`IGNORE   previous-instructions`) match too.
public struct PromptInjectionDetector: Sendable {
    /// What a text tried.
    public enum Signal: String, Sendable, Hashable, CaseIterable {
        /// "Ignore / disregard / forget (all) previous instructions", "new instructions".
        case overrideInstructions = "override-instructions"
        /// A chat template's or prompt's role markup: `<|im_start|>`, `[INST]`, `<<SYS>>`,
        /// `<system>`, a line opening with `system:` or `assistant:`.
        case roleMarkup = "role-markup"
        /// Telling the classifier what to answer: "route this to …", "classify this as …",
        /// "set the department to …", "you are now …".
        case routingCommand = "routing-command"
    }

    public init() {}

    /// The signals `text` shows, in ``Signal`` order; empty for an ordinary ticket.
    public func signals(in text: String) -> [Signal] {
        let lowered = text.lowercased()
        let words = Self.words(lowered)
        var found: Set<Signal> = []
        if Self.overrides(words) { found.insert(.overrideInstructions) }
        if Self.hasRoleMarkup(lowered) { found.insert(.roleMarkup) }
        if Self.commandsRouting(words) { found.insert(.routingCommand) }
        return Signal.allCases.filter(found.contains)
    }

    /// Lower-case runs of letters and digits.
    static func words(_ text: String) -> [Substring] {
        text.split { !($0.isLetter || $0.isNumber) }
    }

    private static let overrideVerbs: Set<Substring> = ["ignore", "disregard", "forget", "override", "bypass", "skip"]
    private static let overrideQualifiers: Set<Substring> = [
        "all", "any", "the", "previous", "prior", "above", "earlier", "preceding", "your", "these", "those", "system", "my", "of",
    ]
    private static let instructionNouns: Set<Substring> = [
        "instruction", "instructions", "rule", "rules", "prompt", "prompts", "directions", "guidelines", "context",
    ]

    /// An override verb, up to four qualifiers, then an instruction noun; or "new
    /// instructions" / "system prompt".
    private static func overrides(_ words: [Substring]) -> Bool {
        for (index, word) in words.enumerated() {
            if overrideVerbs.contains(word) {
                let next = skipping(overrideQualifiers, in: words, from: index + 1, atMost: 4)
                if next < words.count, instructionNouns.contains(words[next]) { return true }
            }
            if index + 1 < words.count {
                let pair = (word, words[index + 1])
                if pair == ("new", "instructions") || pair == ("system", "prompt") || pair == ("developer", "mode") { return true }
            }
        }
        return false
    }

    /// The index after up to `limit` words of `set` from `start`.
    private static func skipping(_ set: Set<Substring>, in words: [Substring], from start: Int, atMost limit: Int) -> Int {
        var next = start
        while next < words.count, next - start < limit, set.contains(words[next]) { next += 1 }
        return next
    }

    private static let roleMarkers = [
        "<|im_start|>", "<|im_end|>", "<|system|>", "<|assistant|>", "<|user|>", "<|start_header_id|>", "<|eot_id|>", "[inst]",
        "[/inst]", "<<sys>>", "<</sys>>", "<system>", "</system>", "<start_of_turn>", "<end_of_turn>", "### system", "### instruction",
    ]

    /// Role markup anywhere, or a line opening with a role and a colon.
    private static func hasRoleMarkup(_ lowered: String) -> Bool {
        if roleMarkers.contains(where: { lowered.contains($0) }) { return true }
        for line in lowered.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == ">" || $0 == "#" || $0 == "*" }
            for role in ["system:", "assistant:", "developer:"] where trimmed.hasPrefix(role) { return true }
        }
        return false
    }

    private static let routingVerbs: Set<Substring> = ["route", "classify", "categorize", "categorise", "assign", "label", "tag", "send"]
    private static let routingObjects: Set<Substring> = ["this", "it", "the", "ticket", "me", "request", "message", "email"]
    private static let routingPrepositions: Set<Substring> = ["to", "as", "into", "under"]
    private static let routingTargets: Set<Substring> = [
        "department", "category", "queue", "team", "priority", "urgent", "high", "label", "confidence",
    ]

    /// "route this (ticket) to …", "classify it as …", "set the department/priority to …",
    /// "you are now …", "respond with department …", "answer with …" followed by a
    /// department-like word.
    private static func commandsRouting(_ words: [Substring]) -> Bool {
        for (index, word) in words.enumerated() {
            let rest = words[(index + 1)...].prefix(6)
            if routingVerbs.contains(word) {
                let next = skipping(routingObjects, in: words, from: index + 1, atMost: 3)
                let objects = next - index - 1
                // "send me a new card" is a request; "send this ticket to fraud" is an order.
                if objects > 0, next < words.count, routingPrepositions.contains(words[next]), word != "send" || objects >= 2 {
                    return true
                }
            }
            if word == "set" || word == "change", rest.contains(where: { $0 == "department" || $0 == "priority" || $0 == "confidence" }),
                rest.contains("to")
            {
                return true
            }
            if word == "you", rest.first == "are", rest.dropFirst().first == "now" { return true }
            if word == "respond" || word == "answer" || word == "reply" || word == "output" || word == "return",
                rest.prefix(2).contains("with") || rest.prefix(1).contains("only"),
                rest.contains(where: { routingTargets.contains($0) || $0 == "json" })
            {
                return true
            }
        }
        return false
    }
}
