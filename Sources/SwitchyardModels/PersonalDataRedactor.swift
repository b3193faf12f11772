public import SwitchyardRules

/// Replaces personal data and secrets in ticket text with placeholders before the text leaves
/// for an external model provider.
///
/// What it finds: e-mail addresses, payment card numbers (13–19 digits, Luhn-checked) and a
/// security code written after one, IBANs (ISO 13616 checksum), phone numbers, US social
/// security numbers, IPv4 and IPv6 addresses, URLs that carry credentials or tokens, API keys
/// and secrets with a known shape, the requester's own name wherever the text repeats it, and
/// whatever the configured ``RedactionPattern``s describe (national id formats, customer
/// numbers). Each distinct value gets one placeholder per ticket (`<EMAIL_1>`, `<EMAIL_2>`,
/// `<CARD_1>`…), the same wherever it recurs, so the model still sees that two mentions are
/// the same.
///
/// The built-in kinds are found by hand-written scanners, not regular expressions: no pattern
/// can backtrack on hostile input, and they cost a few microseconds per ticket. Configured
/// patterns run under PCRE2's match limits; one that reaches them on a text leaves that text
/// unchecked, so ``redact(_:requesterName:)`` throws rather than return it.
public struct PersonalDataRedactor: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case email = "EMAIL"
        case card = "CARD"
        case securityCode = "CVV"
        case iban = "IBAN"
        case phone = "PHONE"
        case ssn = "SSN"
        case ipAddress = "IP"
        case url = "URL"
        case secret = "SECRET"
        case name = "NAME"
    }

    /// The configured patterns, applied before the built-in kinds (so a national id is
    /// `<NI_1>`, not a phone number).
    public let patterns: [RedactionPattern]

    public init(patterns: [RedactionPattern] = []) {
        self.patterns = patterns
    }

    /// A configured pattern could not finish on a text (it reached its match limit), so the
    /// text may still hold what it looks for.
    public struct Unfinished: Error, Sendable, Hashable, CustomStringConvertible {
        public var label: String
        public var reason: MatchOutcome.StopReason

        public init(label: String, reason: MatchOutcome.StopReason) {
            self.label = label
            self.reason = reason
        }

        public var description: String {
            "redaction pattern \(label) could not finish on the ticket (\(reason))"
        }
    }

    /// The texts of one ticket redacted together, so that a value has the same placeholder in
    /// each; `requesterName` is replaced wherever it (or one of its parts of three letters or
    /// more) appears as a word.
    ///
    /// - Throws: ``Unfinished`` when a configured pattern stopped at its match limit.
    public func redact(_ texts: [String], requesterName: String? = nil) throws(Unfinished) -> [String] {
        var placeholders = Placeholders()
        var redacted: [String] = []
        for text in texts {
            redacted.append(try redact(text, requesterName: requesterName, placeholders: &placeholders))
        }
        return redacted
    }

    /// One text; see ``redact(_:requesterName:)``.
    public func redact(_ text: String, requesterName: String? = nil) throws(Unfinished) -> String {
        try redact([text], requesterName: requesterName)[0]
    }

    /// Numbered placeholders by label and value.
    struct Placeholders {
        private var numbers: [String: [String: Int]] = [:]

        mutating func placeholder(_ label: String, for value: String) -> String {
            // Names and e-mail addresses are the same whatever their case; numbers whatever
            // their separators; a configured pattern's values both ways.
            let key: String
            switch Kind(rawValue: label) {
            case .name?, .email?: key = value.lowercased()
            case nil: key = value.filter { $0.isLetter || $0.isNumber }.lowercased()
            default: key = value.filter { $0.isLetter || $0.isNumber }
            }
            var known = numbers[label, default: [:]]
            let number = known[key] ?? known.count + 1
            known[key] = number
            numbers[label] = known
            return "<\(label)_\(number)>"
        }
    }

    private func redact(_ text: String, requesterName: String?, placeholders: inout Placeholders) throws(Unfinished) -> String {
        var characters = Array(text)
        for pattern in patterns {
            let found = Self.matches(of: pattern, in: characters)
            if let stopped = found.stopped { throw Unfinished(label: pattern.label, reason: stopped) }
            replace(in: &characters, placeholders: &placeholders) { _ in found.matches }
        }
        // Order matters: URLs and secrets before e-mail addresses and numbers inside them;
        // cards before phones (a card number is also a long digit run).
        replace(in: &characters, placeholders: &placeholders, Self.urls)
        replace(in: &characters, placeholders: &placeholders, Self.secrets)
        replace(in: &characters, placeholders: &placeholders, Self.emails)
        replace(in: &characters, placeholders: &placeholders, Self.ibans)
        replace(in: &characters, placeholders: &placeholders, Self.ipAddresses)
        replace(in: &characters, placeholders: &placeholders, Self.digitRuns)
        replace(in: &characters, placeholders: &placeholders, Self.securityCodes)
        if let requesterName {
            replace(in: &characters, placeholders: &placeholders) { Self.names(requesterName, in: $0) }
        }
        return String(characters)
    }

    /// A found value: where it is and what it is.
    struct Match {
        var range: Range<Int>
        /// The placeholder's label: a ``Kind``'s raw value or a configured pattern's label.
        var label: String

        init(range: Range<Int>, kind: Kind) {
            self.range = range
            self.label = kind.rawValue
        }

        init(range: Range<Int>, label: String) {
            self.range = range
            self.label = label
        }
    }

    /// A configured pattern's matches in `characters`, as character ranges (a match that
    /// starts or ends inside a character takes the whole character).
    static func matches(of pattern: RedactionPattern, in characters: [Character]) -> (matches: [Match], stopped: MatchOutcome.StopReason?) {
        let found = pattern.pattern.matches(in: String(characters))
        // Where each character starts, in UTF-8 bytes, and where the text ends.
        var starts: [Int] = []
        starts.reserveCapacity(characters.count + 1)
        var offset = 0
        for character in characters {
            starts.append(offset)
            offset += character.utf8.count
        }
        starts.append(offset)
        var matches: [Match] = []
        var index = 0
        for range in found.ranges {
            while index + 1 < starts.count, starts[index + 1] <= range.lowerBound { index += 1 }
            var end = index
            while end < characters.count, starts[end] < range.upperBound { end += 1 }
            if end > index { matches.append(Match(range: index..<end, label: pattern.label)) }
            index = end
        }
        return (matches, found.stopped)
    }

    /// Replaces every match `find` reports, back to front so earlier ranges stay valid.
    private func replace(in characters: inout [Character], placeholders: inout Placeholders, _ find: ([Character]) -> [Match]) {
        let matches = find(characters)
        // Numbered in reading order, replaced from the end.
        let named = matches.map { ($0, placeholders.placeholder($0.label, for: String(characters[$0.range]))) }
        for (match, placeholder) in named.reversed() {
            characters.replaceSubrange(match.range, with: Array(placeholder))
        }
    }

    // MARK: Matchers

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    /// Whether a placeholder (`<EMAIL_1>`) starts at `index`: already redacted, left alone.
    private static func isPlaceholder(_ characters: [Character], at index: Int) -> Bool {
        characters[index] == "<" && index + 1 < characters.count && characters[index + 1].isUppercase
    }

    static func emails(_ characters: [Character]) -> [Match] {
        let local: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "._%+-".contains($0)) }
        let domain: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
        var matches: [Match] = []
        var index = 0
        while index < characters.count {
            guard characters[index] == "@" else {
                index += 1
                continue
            }
            var start = index
            while start > 0, local(characters[start - 1]) { start -= 1 }
            var end = index + 1
            while end < characters.count, domain(characters[end]) { end += 1 }
            while end > index + 1, characters[end - 1] == "." || characters[end - 1] == "-" { end -= 1 }
            let host = characters[(index + 1)..<end]
            let labels = host.split(separator: ".")
            if start < index, labels.count >= 2, let tld = labels.last, tld.count >= 2, tld.allSatisfy(\.isLetter),
                matches.last.map({ $0.range.upperBound <= start }) ?? true
            {
                matches.append(Match(range: start..<end, kind: .email))
            }
            index = max(end, index + 1)
        }
        return matches
    }

    /// Query parameters and URL parts that carry credentials.
    private static let credentialParameters: Set<String> = [
        "token", "access_token", "refresh_token", "id_token", "auth", "key", "api_key", "apikey", "sig", "signature",
        "secret", "password", "pass", "pwd", "code", "session", "sessionid", "sid", "jwt", "otp", "x-amz-signature",
        "x-amz-credential", "client_secret",
    ]

    static func urls(_ characters: [Character]) -> [Match] {
        var matches: [Match] = []
        var index = 0
        while index < characters.count {
            guard characters[index] == "h", starts(characters, at: index, with: "http://") || starts(characters, at: index, with: "https://") else {
                index += 1
                continue
            }
            var end = index
            while end < characters.count, !characters[end].isWhitespace, !"<>\"'".contains(characters[end]) { end += 1 }
            while end > index, ".,;:!?)]".contains(characters[end - 1]) { end -= 1 }
            let url = String(characters[index..<end]).lowercased()
            if carriesCredentials(url) { matches.append(Match(range: index..<end, kind: .url)) }
            index = max(end, index + 1)
        }
        return matches
    }

    private static func carriesCredentials(_ url: String) -> Bool {
        // user:password@host
        if let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@"),
            !url[schemeEnd.upperBound..<at].contains("/"), url[schemeEnd.upperBound..<at].contains(":")
        {
            return true
        }
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return false }
        for parameter in query.split(whereSeparator: { $0 == "&" || $0 == "#" }) {
            let name = parameter.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            if credentialParameters.contains(name) || name.hasSuffix("token") || name.hasSuffix("secret") { return true }
        }
        return false
    }

    /// Prefixes of API keys and secrets whose shape is published (OpenAI, Stripe, GitHub,
    /// Slack, GitLab, Google, Standard Webhooks, AWS access key ids).
    private static let secretPrefixes = [
        "sk-", "sk_live_", "sk_test_", "rk_live_", "pk_live_", "ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "xoxb-", "xoxp-",
        "xoxa-", "glpat-", "AIza", "whsec_", "AKIA", "ASIA",
    ]

    static func secrets(_ characters: [Character]) -> [Match] {
        let tokenCharacter: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./+=".contains($0)) }
        var matches: [Match] = []
        var index = 0
        while index < characters.count {
            guard index == 0 || !tokenCharacter(characters[index - 1]) else {
                index += 1
                continue
            }
            var end = index
            while end < characters.count, tokenCharacter(characters[end]) { end += 1 }
            while end > index, ".".contains(characters[end - 1]) { end -= 1 }
            let token = String(characters[index..<end])
            let known = secretPrefixes.contains { token.hasPrefix($0) && token.count >= $0.count + 12 }
            // "Bearer <token>" and "password: <value>" give away what follows.
            let previous = precedingWord(characters, before: index)?.lowercased()
            let announced = ["bearer", "password", "passwd", "pwd", "secret", "token"].contains(previous ?? "") && token.count >= 6
                && token.contains { $0.isNumber || "-_./+=".contains($0) }
            if end > index, known || announced {
                matches.append(Match(range: index..<end, kind: .secret))
            }
            index = max(end, index + 1)
        }
        return matches
    }

    /// The word before `index`, skipping spaces, `:` and `=` (`password: x`, `token=x`).
    private static func precedingWord(_ characters: [Character], before index: Int) -> String? {
        var end = index
        while end > 0, characters[end - 1] == " " || characters[end - 1] == ":" || characters[end - 1] == "=" { end -= 1 }
        guard end < index else { return nil }
        var start = end
        while start > 0, characters[start - 1].isLetter { start -= 1 }
        return start < end ? String(characters[start..<end]) : nil
    }

    static func ibans(_ characters: [Character]) -> [Match] {
        var matches: [Match] = []
        var index = 0
        while index + 15 <= characters.count {
            guard characters[index].isASCII, characters[index].isUppercase, characters[index + 1].isASCII,
                characters[index + 1].isUppercase, characters[index + 2].isASCII, characters[index + 2].isNumber,
                characters[index + 3].isASCII, characters[index + 3].isNumber, index == 0 || !isWordCharacter(characters[index - 1])
            else {
                index += 1
                continue
            }
            // Letters and digits, optionally in groups of four separated by single spaces.
            var end = index
            var compact: [Character] = []
            while end < characters.count, compact.count < 34 {
                let character = characters[end]
                if character.isASCII, character.isUppercase || character.isNumber {
                    compact.append(character)
                    end += 1
                } else if character == " ", end + 1 < characters.count, characters[end + 1].isASCII,
                    characters[end + 1].isUppercase || characters[end + 1].isNumber, compact.count % 4 == 0
                {
                    end += 1
                } else {
                    break
                }
            }
            while end > index, characters[end - 1] == " " { end -= 1 }
            if (15...34).contains(compact.count), ibanChecksumHolds(compact) {
                matches.append(Match(range: index..<end, kind: .iban))
                index = end
            } else {
                index += 1
            }
        }
        return matches
    }

    /// ISO 13616: the country and check digits moved to the end, letters as 10–35, mod 97 is 1.
    static func ibanChecksumHolds(_ iban: [Character]) -> Bool {
        var remainder = 0
        for character in iban[4...] + iban[..<4] {
            if let digit = character.wholeNumberValue {
                remainder = (remainder * 10 + digit) % 97
            } else if let ascii = character.asciiValue, character.isUppercase {
                remainder = (remainder * 100 + Int(ascii) - 55) % 97
            } else {
                return false
            }
        }
        return remainder == 1
    }

    static func ipAddresses(_ characters: [Character]) -> [Match] {
        var matches: [Match] = []
        var index = 0
        while index < characters.count {
            guard characters[index].isHexDigit, index == 0 || !(isWordCharacter(characters[index - 1]) || characters[index - 1] == ".") else {
                index += 1
                continue
            }
            var end = index
            while end < characters.count, characters[end].isHexDigit || characters[end] == "." || characters[end] == ":" { end += 1 }
            while end > index, characters[end - 1] == "." || characters[end - 1] == ":" { end -= 1 }
            let candidate = String(characters[index..<end])
            let isIP = isIPv4(candidate) || isIPv6(candidate)
            if isIP, end == characters.count || !isWordCharacter(characters[end]) {
                matches.append(Match(range: index..<end, kind: .ipAddress))
            }
            index = max(end, index + 1)
        }
        return matches
    }

    private static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                (1...3).contains(part.count) && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
                    && !(part.count > 1 && part.first == "0")
            }
    }

    private static func isIPv6(_ text: String) -> Bool {
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (3...8).contains(groups.count), text.filter({ $0 == ":" }).count >= 2, !text.contains(".") else { return false }
        let filled = groups.filter { !$0.isEmpty }
        guard filled.count >= 3 || text.contains("::"), filled.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) })
        else { return false }
        // "12:30:45" is a time, not an address: an IPv6 address has letters or a "::" or 8 groups.
        return text.contains("::") || groups.count == 8 || filled.contains { $0.contains { $0.isLetter } }
    }

    /// Digit runs with the separators people write between groups: card numbers, social
    /// security numbers, phone numbers.
    static func digitRuns(_ characters: [Character]) -> [Match] {
        var matches: [Match] = []
        var index = 0
        while index < characters.count {
            let startsRun = characters[index].isASCII && characters[index].isNumber
                || (characters[index] == "+" || characters[index] == "(") && index + 1 < characters.count && characters[index + 1].isNumber
            guard startsRun, index == 0 || !(isWordCharacter(characters[index - 1]) || characters[index - 1] == "." || characters[index - 1] == "<")
            else {
                index += 1
                continue
            }
            var end = index
            var digits: [Int] = []
            while end < characters.count {
                let character = characters[end]
                if let digit = character.asciiValue.flatMap({ $0 >= 48 && $0 <= 57 ? Int($0 - 48) : nil }) {
                    digits.append(digit)
                    end += 1
                } else if " -.()+".contains(character), end + 1 < characters.count, characters[end + 1].isNumber || characters[end + 1] == "(",
                    end > index || character == "+" || character == "("
                {
                    end += 1
                } else if character == ")" {
                    end += 1
                } else {
                    break
                }
            }
            while end > index, !characters[end - 1].isNumber { end -= 1 }
            if end < characters.count, isWordCharacter(characters[end]) {
                index = end + 1
                continue
            }
            // A card number followed by its security code ("4111… 123") is one run: without a
            // match, the groups after the last space are dropped one by one and tried again.
            var candidateEnd = end
            var found: Kind?
            while found == nil {
                let text = String(characters[index..<candidateEnd])
                let candidateDigits = text.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
                let candidateSeparators = text.filter { " -.()+".contains($0) }.count
                found = Self.kind(ofDigits: candidateDigits, text: text, separators: candidateSeparators)
                guard found == nil, digits.count <= 27, let space = characters[index..<candidateEnd].lastIndex(of: " "),
                    space > index
                else { break }
                candidateEnd = space
            }
            if let found {
                matches.append(Match(range: index..<candidateEnd, kind: found))
                index = candidateEnd
            } else {
                index = max(end, index + 1)
            }
        }
        return matches
    }

    private static func kind(ofDigits digits: [Int], text: String, separators: Int) -> Kind? {
        if (13...19).contains(digits.count), luhnHolds(digits), !text.contains("(") { return .card }
        let parts = text.split(separator: "-")
        if digits.count == 9, parts.map(\.count) == [3, 2, 4], parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) { return .ssn }
        // Dates (2026-11-30, 30.11.2026, 11/30/2026) are not phone numbers.
        let groups = text.split(whereSeparator: { "-./ ".contains($0) }).map(\.count)
        if [[4, 2, 2], [2, 2, 4], [2, 2, 2], [1, 2, 4], [2, 1, 4], [1, 1, 4]].contains(groups) { return nil }
        let international = text.hasPrefix("+") || text.hasPrefix("00")
        if international && (8...15).contains(digits.count) { return .phone }
        if separators >= 1 && (9...15).contains(digits.count) && !text.contains(".") { return .phone }
        if separators >= 2 && digits.count >= 7 && digits.count <= 15 { return .phone }
        return nil
    }

    static func luhnHolds(_ digits: [Int]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            let value = offset % 2 == 1 ? digit * 2 : digit
            sum += value > 9 ? value - 9 : value
        }
        return sum % 10 == 0 && Set(digits).count > 1
    }

    /// A 3–4 digit security code named as one (`CVV 123`, `security code: 1234`), or right
    /// after a card's placeholder (`<CARD_1> 123`).
    static func securityCodes(_ characters: [Character]) -> [Match] {
        var matches: [Match] = []
        var index = 0
        while index < characters.count {
            guard characters[index].isNumber, index == 0 || !isWordCharacter(characters[index - 1]) else {
                index += 1
                continue
            }
            var end = index
            while end < characters.count, characters[end].isNumber { end += 1 }
            let isCode = (3...4).contains(end - index) && (end == characters.count || !isWordCharacter(characters[end]))
            if isCode {
                let before = String(characters[max(0, index - 24)..<index]).lowercased()
                let named = ["cvv", "cvc", "cvv2", "cvc2", "csc", "security code", "card code", "security number"].contains {
                    before.range(of: $0) != nil
                }
                let afterCard = before.range(of: "<card_") != nil
                if named || afterCard { matches.append(Match(range: index..<end, kind: .securityCode)) }
            }
            index = max(end, index + 1)
        }
        return matches
    }

    /// The requester's name, whole or by its parts of three letters or more, as whole words,
    /// ignoring case.
    static func names(_ name: String, in characters: [Character]) -> [Match] {
        let full = name.split(whereSeparator: \.isWhitespace).map { Array($0.lowercased()) }
        var words = full.filter { $0.count >= 3 && $0.allSatisfy(\.isLetter) }
        if full.count > 1 { words.insert(Array(full.joined(separator: " ")), at: 0) }
        guard !words.isEmpty else { return [] }
        let lower = characters.map { Character($0.lowercased()) }
        var matches: [Match] = []
        var index = 0
        outer: while index < lower.count {
            if isPlaceholder(characters, at: index) {
                while index < characters.count, characters[index] != ">" { index += 1 }
                index += 1
                continue
            }
            if index == 0 || !isWordCharacter(lower[index - 1]) {
                for word in words where index + word.count <= lower.count && Array(lower[index..<(index + word.count)]) == word {
                    let end = index + word.count
                    if end == lower.count || !isWordCharacter(lower[end]) {
                        matches.append(Match(range: index..<end, kind: .name))
                        index = end
                        continue outer
                    }
                }
            }
            index += 1
        }
        return matches
    }

    private static func starts(_ characters: [Character], at index: Int, with prefix: String) -> Bool {
        let prefix = Array(prefix)
        guard index + prefix.count <= characters.count else { return false }
        for (offset, character) in prefix.enumerated() where Character(characters[index + offset].lowercased()) != character {
            return false
        }
        return true
    }
}

/// A kind of personal data the configuration adds to the built-in ones
/// (`model.redaction.patterns`): national id formats, customer or policy numbers.
public struct RedactionPattern: Sendable {
    /// The placeholder's label: `NI` gives `<NI_1>`, `<NI_2>`…
    public let label: String
    public let pattern: Pattern

    public init(label: String, pattern: Pattern) {
        self.label = label
        self.pattern = pattern
    }
}
