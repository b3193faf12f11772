import CPCRE2

/// A regular expression compiled by PCRE2 (UTF-8, Unicode properties, JIT when available),
/// matched under ``MatchLimits``.
///
/// Patterns use Perl/PCRE2 syntax. `(?i)` makes a pattern case-insensitive, and because
/// the pattern is compiled with `PCRE2_UCP`, `\b`, `\w` and case folding understand
/// accented letters and other scripts, not only ASCII.
///
/// A `Pattern` is immutable and may be matched from many threads at once.
public final class Pattern: @unchecked Sendable {
    // @unchecked Sendable: the only state besides immutable values is the compiled code and
    // the match context, both written once in `init` and only read afterwards. PCRE2
    // documents compiled code (JIT included) as safe to share between threads for matching,
    // and a match context is only read by pcre2_match. The mutable per-match state (match
    // data) is allocated and freed inside each `match(_:)` call, never shared.

    /// The pattern as written.
    public let source: String
    /// The limits every match of this pattern runs under.
    public let limits: MatchLimits
    /// Whether the JIT compiled the pattern; when `false`, the interpreter runs it.
    public let isJITCompiled: Bool
    /// How many capture groups the pattern has (`(…)` and `(?<name>…)`, not `(?:…)`).
    public let captureCount: Int
    /// The named groups' numbers: `(?<order>\d+)` is `["order": 1]` when it is the first group.
    public let groupNumbers: [String: Int]

    private let code: OpaquePointer
    private let matchContext: OpaquePointer

    /// Compiles `source`.
    ///
    /// - Throws: ``CompileError`` with PCRE2's message and the position of the problem.
    public init(_ source: String, limits: MatchLimits = MatchLimits()) throws(CompileError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options = cpcre2_utf | cpcre2_ucp | cpcre2_never_backslash_c
        let length = source.utf8.count
        let compiled = source.withCString { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: length + 1) { pattern in
                pcre2_compile_8(pattern, length, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw CompileError(pattern: source, code: errorCode, byteOffset: errorOffset)
        }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            throw CompileError(
                pattern: source, code: 0, byteOffset: 0, message: "out of memory creating a match context"
            )
        }
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)

        self.source = source
        self.limits = limits
        self.code = compiled
        self.matchContext = context
        // Any JIT failure (not built in, unsupported CPU, out of memory) leaves the
        // interpreter in charge, which pcre2_match then uses transparently.
        self.isJITCompiled = pcre2_jit_compile_8(compiled, cpcre2_jit_complete) == 0
        self.captureCount = Self.info(compiled, cpcre2_info_capturecount)
        self.groupNumbers = Self.groupNumbers(compiled)
    }

    private static func info(_ code: OpaquePointer, _ what: UInt32) -> Int {
        var value: UInt32 = 0
        return pcre2_pattern_info_8(code, what, &value) == 0 ? Int(value) : 0
    }

    /// Reads PCRE2's name table: each entry is the group number in two bytes, big-endian,
    /// then the name, zero-terminated, padded to the entry size.
    private static func groupNumbers(_ code: OpaquePointer) -> [String: Int] {
        let count = info(code, cpcre2_info_namecount)
        let entrySize = info(code, cpcre2_info_nameentrysize)
        var table: UnsafePointer<UInt8>?
        guard count > 0, entrySize > 2, pcre2_pattern_info_8(code, cpcre2_info_nametable, &table) == 0, let table else {
            return [:]
        }
        var numbers: [String: Int] = [:]
        for entry in 0..<count {
            let start = table + entry * entrySize
            let number = Int(start[0]) << 8 | Int(start[1])
            let nameBytes = UnsafeBufferPointer(start: start + 2, count: entrySize - 2).prefix { $0 != 0 }
            numbers[String(decoding: nameBytes, as: UTF8.self)] = number
        }
        return numbers
    }

    deinit {
        pcre2_match_context_free_8(matchContext)
        pcre2_code_free_8(code)
    }

    /// Searches `subject` for the pattern (unanchored unless the pattern anchors itself).
    ///
    /// Reaching a limit gives ``MatchOutcome/stopped(_:)``, which callers treat as no match.
    public func match(_ subject: String) -> MatchOutcome {
        search(subject, capturing: false).outcome
    }

    /// Searches `subject` for the pattern and, when it matches, reports where the match and
    /// each group are (``Found``).
    public func firstMatch(in subject: String) -> Search {
        search(subject, capturing: true)
    }

    /// The result of ``firstMatch(in:)``.
    public struct Search: Sendable {
        public var outcome: MatchOutcome
        /// Where it matched, when ``outcome`` is ``MatchOutcome/matched``.
        public var found: Found?
    }

    /// Where a match and its groups lie in the subject, in UTF-8 bytes.
    public struct Found: Sendable, Hashable {
        /// `groups[0]` is the whole match; `groups[n]` group n, nil when it took no part.
        public var groups: [Range<Int>?]

        /// The text of group `number` in `subject`; nil when the group took no part.
        public func text(of number: Int, in subject: String) -> String? {
            guard number < groups.count, let range = groups[number] else { return nil }
            let utf8 = subject.utf8
            let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            let end = utf8.index(start, offsetBy: range.count)
            return String(subject[start..<end])
        }
    }

    /// Every match in `subject`, left to right, none overlapping another (the next search
    /// starts where a match ended, or a character further after an empty one): the whole
    /// match of each, in UTF-8 bytes.
    ///
    /// Each search runs under ``limits``; one that reaches them ends the scan, and
    /// ``AllMatches/stopped`` says why (the ranges found before it are kept).
    public func matches(in subject: String) -> AllMatches {
        var all = AllMatches()
        let length = subject.utf8.count
        var offset = 0
        while offset <= length {
            let search = search(subject, capturing: true, from: offset)
            switch search.outcome {
            case .notMatched:
                return all
            case .stopped(let reason):
                all.stopped = reason
                return all
            case .matched:
                guard let range = search.found?.groups.first ?? nil else { return all }
                if !range.isEmpty { all.ranges.append(range) }
                offset = range.isEmpty ? Self.nextCharacter(in: subject.utf8, after: range.upperBound) : range.upperBound
            }
        }
        return all
    }

    /// The result of ``matches(in:)``.
    public struct AllMatches: Sendable, Hashable {
        /// Each non-empty match, in UTF-8 bytes, in order.
        public var ranges: [Range<Int>] = []
        /// Why the scan ended before the end of the text, when it did.
        public var stopped: MatchOutcome.StopReason?
    }

    /// The offset of the UTF-8 sequence after the one at `offset`.
    private static func nextCharacter(in utf8: String.UTF8View, after offset: Int) -> Int {
        var next = offset + 1
        var index = utf8.index(utf8.startIndex, offsetBy: min(next, utf8.count))
        // Continuation bytes are 10xxxxxx.
        while index < utf8.endIndex, utf8[index] & 0xC0 == 0x80 {
            next += 1
            index = utf8.index(after: index)
        }
        return next
    }

    private func search(_ subject: String, capturing: Bool, from offset: Int = 0) -> Search {
        guard let matchData = pcre2_match_data_create_from_pattern_8(code, nil) else {
            return Search(outcome: .stopped(.error(code: 0, message: "out of memory creating match data")))
        }
        defer { pcre2_match_data_free_8(matchData) }

        let length = subject.utf8.count
        // A Swift String is always valid UTF-8, so PCRE2's UTF check can be skipped.
        let result = subject.withCString { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: length + 1) { text in
                pcre2_match_8(code, text, length, offset, cpcre2_no_utf_check, matchData, matchContext)
            }
        }
        guard result >= 0 else { return Search(outcome: Self.outcome(ofFailure: result)) }
        guard capturing else { return Search(outcome: .matched) }
        // The match data was made for this pattern, so it has a pair for every group.
        let vector = pcre2_get_ovector_pointer_8(matchData)!
        let pairs = Int(pcre2_get_ovector_count_8(matchData))
        // PCRE2_UNSET, all bits set, marks a group that took no part.
        let unset = Int(bitPattern: UInt.max)
        let groups: [Range<Int>?] = (0..<min(pairs, captureCount + 1)).map { group in
            let start = vector[2 * group]
            let end = vector[2 * group + 1]
            return start == unset || end < start ? nil : Int(start)..<Int(end)
        }
        return Search(outcome: .matched, found: Found(groups: groups))
    }

    private static func outcome(ofFailure result: Int32) -> MatchOutcome {
        switch result {
        case cpcre2_error_nomatch: .notMatched
        case cpcre2_error_matchlimit: .stopped(.matchLimit)
        case cpcre2_error_depthlimit: .stopped(.depthLimit)
        case cpcre2_error_heaplimit: .stopped(.heapLimit)
        case cpcre2_error_jit_stacklimit: .stopped(.jitStackLimit)
        default: .stopped(.error(code: result, message: message(forErrorCode: result)))
        }
    }

    /// PCRE2's text for an error code.
    static func message(forErrorCode code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(code, &buffer, buffer.count)
        guard length >= 0 else { return "unknown PCRE2 error \(code)" }
        return String(decoding: buffer[..<Int(length)], as: UTF8.self)
    }
}

extension Pattern {
    /// A pattern that PCRE2 refused to compile.
    public struct CompileError: Error, Sendable, Hashable, CustomStringConvertible {
        /// PCRE2's error code.
        public var code: Int32
        /// PCRE2's explanation, for example `missing closing parenthesis`.
        public var message: String
        /// Where PCRE2 noticed the problem, in UTF-8 bytes from the start of the pattern.
        public var byteOffset: Int
        /// The same position in Unicode scalars (characters as YAML and most editors count
        /// columns), from 0.
        public var characterOffset: Int

        init(pattern: String, code: Int32, byteOffset: Int, message: String? = nil) {
            self.code = code
            self.message = message ?? Pattern.message(forErrorCode: code)
            self.byteOffset = byteOffset
            self.characterOffset = String(decoding: pattern.utf8.prefix(byteOffset), as: UTF8.self)
                .unicodeScalars.count
        }

        public var description: String {
            "\(message) at character \(characterOffset + 1) of the pattern"
        }
    }
}
