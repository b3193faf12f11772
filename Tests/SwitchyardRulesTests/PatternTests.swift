import SwitchyardRules
import Testing

@Suite("Pattern: PCRE2 with UTF-8, JIT and match limits")
struct PatternTests {
    @Test("finds a match anywhere in the text unless the pattern anchors itself")
    func unanchoredSearch() throws {
        let pattern = try Pattern(#"\bcard\b"#)
        #expect(pattern.match("my card is lost") == .matched)
        #expect(pattern.match("my cardigan is lost") == .notMatched)
        #expect(try Pattern("^card$").match("my card") == .notMatched)
        #expect(pattern.match("") == .notMatched)
    }

    @Test("is compiled by the JIT on this machine")
    func jitCompiled() throws {
        #expect(try Pattern("a+b").isJITCompiled)
    }

    @Test("(?i) folds case beyond ASCII, and \\b and \\w know accented letters")
    func unicodeCaseFolding() throws {
        let pattern = try Pattern(#"(?i)\bcarte bancaire\b.*\bvolée\b"#)
        #expect(pattern.match("Ma CARTE BANCAIRE a été VOLÉE 😱") == .matched)
        #expect(try Pattern(#"(?i)^straße$"#).match("STRASSE") == .notMatched)  // no multi-character folding
        #expect(try Pattern(#"(?i)ÄRGER"#).match("großer ärger") == .matched)
        #expect(try Pattern(#"^\w+$"#).match("Ångström") == .matched)
        #expect(try Pattern(#"😱{2}"#).match("help 😱😱") == .matched)
    }

    @Test("a catastrophic pattern stops at the match limit instead of running for ever")
    func catastrophicBacktrackingStops() throws {
        let pattern = try Pattern(#"^(a+)+$"#)
        let subject = String(repeating: "a", count: 5_000) + "b"
        #expect(pattern.match(subject) == .stopped(.matchLimit))
        #expect(pattern.match("aaaa") == .matched)
    }

    @Test("limits are configurable: a tighter match limit stops what the default allows")
    func configurableLimits() throws {
        let subject = String(repeating: "a", count: 12) + "b"
        #expect(try Pattern(#"^(a+)+$"#).match(subject) == .notMatched)
        let strict = try Pattern(#"^(a+)+$"#, limits: MatchLimits(matchLimit: 50, depthLimit: 10))
        #expect(strict.limits == MatchLimits(matchLimit: 50, depthLimit: 10))
        #expect(strict.match(subject) == .stopped(.matchLimit))
        #expect(strict.match(subject).isMatch == false)
    }

    @Test("compile errors carry PCRE2's message and the character where it noticed")
    func compileError() throws {
        let error = try #require(throws: Pattern.CompileError.self) { try Pattern("é(ab") }
        #expect(error.message == "missing closing parenthesis")
        #expect(error.byteOffset == 5)
        #expect(error.characterOffset == 4)
        #expect(error.description == "missing closing parenthesis at character 5 of the pattern")
    }

    @Test("\\C, which could split a UTF-8 character, is refused")
    func backslashCRefused() {
        #expect(throws: Pattern.CompileError.self) { try Pattern(#"a\Cb"#) }
    }

    @Test("one compiled pattern is matched from many tasks at once")
    func concurrentMatching() async throws {
        let pattern = try Pattern(#"(?i)\brefund\b"#)
        let matches = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    pattern.match(index.isMultiple(of: 2) ? "Please REFUND me" : "refunded") == .matched
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(matches == 100)
    }
}

@Suite("Pattern captures")
struct PatternCaptureTests {
    @Test("groups are counted and named, and a match says where each group is")
    func groups() throws {
        let pattern = try Pattern(#"(?<word>\p{L}+)-(\d+)(x)?"#)
        #expect(pattern.captureCount == 3)
        #expect(pattern.groupNumbers == ["word": 1])
        let subject = "über Müller-12 end"
        let found = try #require(pattern.firstMatch(in: subject).found)
        #expect(found.text(of: 0, in: subject) == "Müller-12")
        #expect(found.text(of: 1, in: subject) == "Müller")
        #expect(found.text(of: 2, in: subject) == "12")
        #expect(found.text(of: 3, in: subject) == nil, "a group that took no part")
        #expect(pattern.firstMatch(in: "none here").outcome == .notMatched)
    }

    @Test("matches(in:) finds every match left to right, in UTF-8 bytes, steps over empty ones and says when it stopped")
    func allMatches() throws {
        let subject = "é POL-1 and POL-22, POL-333"
        let found = try Pattern(#"POL-\d+"#).matches(in: subject)
        #expect(found.stopped == nil)
        #expect(found.ranges == [3..<8, 13..<19, 21..<28], "é is two bytes")
        #expect(try Pattern(#"x*"#).matches(in: "axxbéx").ranges == [1..<3, 6..<7], "empty matches are skipped, a character at a time")
        #expect(try Pattern(#"\d"#).matches(in: "none").ranges.isEmpty)
        let stopping = try Pattern(#"(?:\d|\d\d)+X|ok"#, limits: MatchLimits(matchLimit: 1_000)).matches(in: "ok " + String(repeating: "1", count: 40) + "-X")
        #expect(stopping.ranges == [0..<2], "what was found before it stopped is kept")
        #expect(stopping.stopped == .matchLimit)
    }
}
