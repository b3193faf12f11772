import SwitchyardCore

/// Turns a body as platforms send it into the text a person reads, before anyone classifies
/// it: HTML to text, quoted earlier messages and signatures removed, whitespace normalised.
///
/// Helpdesks send e-mail bodies as HTML (Help Scout threads, Zammad articles, Zendesk's
/// `description` of an e-mail ticket) and whole threads with every earlier message quoted
/// below the new one; a rule or a model that reads the quoted thread or a long legal
/// signature decides on text the customer did not write this time. The cleaning is
/// conservative: it removes what mail programs mark as quoted (`>` lines with their
/// "On … wrote:" line, `<blockquote>`, Gmail's and Outlook's quote containers, a forwarded
/// header block) and what is marked as a signature (`-- ` on its own line, "Sent from my
/// iPhone"), and keeps everything else. If nothing would be left, the normalised text is
/// kept whole.
public enum TicketTextCleaner {
    /// The cleaned text of `body`.
    public static func clean(_ body: String) -> String {
        // Most bodies are one clean paragraph or two: one pass over the bytes says so, with no
        // copies (this runs for every webhook).
        if isAlreadyClean(body) { return body }
        return cleanedFully(body)
    }

    /// The cleaning itself, without the check that it would change nothing.
    static func cleanedFully(_ body: String) -> String {
        let text = looksLikeHTML(body) ? HTMLText.text(of: body) : body
        let normalised = normalise(text)
        let reply = normalise(withoutQuotesAndSignature(normalised))
        return reply.isEmpty ? normalised : reply
    }

    /// Whether nothing would change: no markup, no line that could start a quote, an
    /// attribution, a signature or an original message, and whitespace already normal (no
    /// tabs, carriage returns, runs of spaces, spaces at a line's ends, blank-line runs or
    /// non-breaking spaces).
    static func isAlreadyClean(_ text: String) -> Bool {
        var previous: UInt8 = UInt8(ascii: "\n")
        var blankRun = 0
        var utf8 = text.utf8.makeIterator()
        var atLineStart = true
        var lineStartBytes: [UInt8] = []
        lineStartBytes.reserveCapacity(12)
        guard let first = text.utf8.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\n") else { return text.isEmpty }
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "<"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), 0xC2, 0xE2:
                // Markup, carriage returns, tabs, and the lead bytes of U+00A0 and U+200B (and
                // of other non-ASCII text: such bodies take the full path).
                return false
            case UInt8(ascii: " "):
                if previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\n") { return false }
            case UInt8(ascii: "\n"):
                if previous == UInt8(ascii: " ") { return false }
                blankRun = previous == UInt8(ascii: "\n") ? blankRun + 1 : 0
                if blankRun >= 2 { return false }
                atLineStart = true
                lineStartBytes.removeAll(keepingCapacity: true)
                previous = byte
                continue
            default:
                break
            }
            if atLineStart {
                lineStartBytes.append(byte)
                if lineStartBytes.count == 1, [UInt8(ascii: ">"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "*")].contains(byte) {
                    return false
                }
                if lineStartBytes.count == 3 || lineStartBytes.count == 5 {
                    let start = String(decoding: lineStartBytes, as: UTF8.self).lowercased()
                    if ["on ", "sent ", "from:", "get o"].contains(where: { start.hasPrefix($0) }) { return false }
                }
                if lineStartBytes.count >= 5 { atLineStart = false }
            }
            previous = byte
        }
        return previous != UInt8(ascii: " ") && previous != UInt8(ascii: "\n")
    }

    /// Whether `text` is markup rather than text that mentions `<`: a tag such as `<p>`,
    /// `<div …>`, `<br/>` or `</…>`.
    static func looksLikeHTML(_ text: String) -> Bool {
        guard text.contains("<") else { return false }
        let lowered = text.lowercased()
        return HTMLText.markers.contains { lowered.contains($0) }
    }

    // MARK: Quotes and signatures

    /// The lines of the reply itself.
    static func withoutQuotesAndSignature(_ text: String) -> String {
        let lines = text.components(separatedBy: "\n")
        var kept: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingWhitespace()
            // A signature, or the start of a forwarded or top-posted original: the rest is not the reply.
            if isSignatureDelimiter(line) || isMobileSignature(trimmed) || isOriginalMessageStart(lines, at: index) {
                break
            }
            // "On Tue, 1 Mar 2011, Ana wrote:" (possibly wrapped over two lines) before quoted lines.
            if let length = attributionLength(lines, at: index) {
                index += length
                continue
            }
            if trimmed.hasPrefix(">") {
                index += 1
                continue
            }
            kept.append(line)
            index += 1
        }
        return kept.joined(separator: "\n")
    }

    /// `-- ` (or `--`) alone on a line: the standard signature delimiter (RFC 3676 §4.3).
    private static func isSignatureDelimiter(_ line: String) -> Bool {
        line == "-- " || line == "--"
    }

    /// "Sent from my iPhone", "Sent from my Samsung Galaxy": a short line, no punctuation after.
    private static func isMobileSignature(_ line: String) -> Bool {
        let lowered = line.lowercased()
        guard lowered.hasPrefix("sent from my ") || lowered.hasPrefix("get outlook for ") else { return false }
        let words = lowered.split(separator: " ")
        return words.count <= 6 && !lowered.contains(",") && !lowered.dropLast().contains(".")
    }

    /// `-----Original Message-----`, `---------- Forwarded message ---------`, or Outlook's
    /// header block (`From:` followed by `Sent:`/`Date:` within two lines, after a rule or a
    /// blank line).
    private static func isOriginalMessageStart(_ lines: [String], at index: Int) -> Bool {
        let line = lines[index].trimmingWhitespace().lowercased()
        // A rule of underscores: Outlook's separator before the original, or a mailing list's footer.
        if line.count >= 10, line.allSatisfy({ $0 == "_" }) { return true }
        // A rule of dashes right before an original message's header block.
        if line.count >= 10, line.allSatisfy({ $0 == "-" }) {
            let next = lines[(index + 1)...].lazy.filter { !$0.trimmingWhitespace().isEmpty }.prefix(1)
            if let header = next.first, header.trimmingWhitespace().lowercased().replacingOccurrences(of: "*", with: "").hasPrefix("from:") {
                return true
            }
        }
        if line.contains("original message") && line.hasPrefix("-") { return true }
        if line.contains("forwarded message") && line.hasPrefix("-") { return true }
        let unmarked = line.replacingOccurrences(of: "*", with: "")
        guard unmarked.hasPrefix("from:") else { return false }
        let following = lines[(index + 1)..<min(lines.count, index + 3)].map {
            $0.trimmingWhitespace().lowercased().replacingOccurrences(of: "*", with: "")
        }
        return following.contains { $0.hasPrefix("sent:") || $0.hasPrefix("date:") }
    }

    /// How many lines an attribution ("On … wrote:") takes at `index`, when quoted lines or
    /// the end follow it; nil when there is none.
    private static func attributionLength(_ lines: [String], at index: Int) -> Int? {
        let first = lines[index].trimmingWhitespace()
        guard first.lowercased().hasPrefix("on ") else { return nil }
        for length in 1...2 where index + length <= lines.count {
            let joined = lines[index..<(index + length)].map { $0.trimmingWhitespace() }.joined(separator: " ")
            guard joined.hasSuffix("wrote:") || joined.hasSuffix("a écrit :") || joined.hasSuffix("schrieb:") else { continue }
            let next = lines[(index + length)...].first { !$0.trimmingWhitespace().isEmpty }?.trimmingWhitespace()
            if next == nil || next?.hasPrefix(">") == true { return length }
        }
        return nil
    }

    // MARK: Whitespace

    /// Spaces and tabs within a line collapsed, lines trimmed at their end, no blank lines at
    /// the ends and at most one blank line between paragraphs.
    static func normalise(_ text: String) -> String {
        var lines: [String] = []
        var blank = false
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for raw in unified.components(separatedBy: "\n") {
            let line = collapseSpaces(raw)
            if line.isEmpty {
                blank = !lines.isEmpty
                continue
            }
            if blank { lines.append("") }
            blank = false
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func collapseSpaces(_ line: String) -> String {
        var result = ""
        var pendingSpace = false
        for scalar in line.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\u{A0}" || scalar == "\u{200B}" {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.unicodeScalars.append(" ") }
            pendingSpace = false
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}

/// HTML to text, for bodies: block elements become line breaks, list items `- `, entities are
/// decoded, and what a reader does not see (`<head>`, `<style>`, `<script>`, comments) or what
/// mail programs mark as quoted (`<blockquote>`, Gmail's `gmail_quote`, Outlook's
/// `divRplyFwdMsg` and what follows it) is left out. Not a browser: enough for e-mail and
/// helpdesk markup.
enum HTMLText {
    /// Substrings that mark text as HTML.
    static let markers = ["<p>", "<p ", "<div", "<br", "<span", "<table", "<ul", "<ol", "<li", "<html", "<body", "</", "<blockquote", "<a href"]

    private static let hidden: Set<String> = ["head", "style", "script", "title", "template", "noscript"]
    private static let blocks: Set<String> = [
        "div", "br", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
        "footer", "pre", "hr", "dd", "dt", "dl",
    ]

    /// Line and paragraph breaks while converting; runs of them become one break (blocks
    /// nested in blocks would otherwise leave blank lines everywhere).
    private static let lineBreak: Unicode.Scalar = "\u{1}"
    private static let paragraphBreak: Unicode.Scalar = "\u{2}"

    static func text(of html: String) -> String {
        collapseBreaks(markedText(of: html))
    }

    private static func collapseBreaks(_ marked: String) -> String {
        var result = ""
        var pending: Unicode.Scalar?
        for scalar in marked.unicodeScalars {
            if scalar == lineBreak || scalar == paragraphBreak {
                if pending != paragraphBreak { pending = scalar }
                continue
            }
            if let break_ = pending {
                if scalar == " " { continue }
                if !result.isEmpty { result += break_ == paragraphBreak ? "\n\n" : "\n" }
                pending = nil
            }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    private static func markedText(of html: String) -> String {
        var output = ""
        let scalars = Array(html.unicodeScalars)
        var index = 0
        // Depth inside an element whose content is skipped, and which tag closes it.
        var skipping: (tag: String, depth: Int)?
        var skipRest = false
        while index < scalars.count, !skipRest {
            let scalar = scalars[index]
            if scalar == "<" {
                if matches(scalars, at: index, "<!--") {
                    index = find(scalars, "-->", from: index + 4).map { $0 + 3 } ?? scalars.count
                    continue
                }
                guard let close = findScalar(scalars, ">", from: index + 1) else {
                    if skipping == nil { output.unicodeScalars.append(scalar) }
                    index += 1
                    continue
                }
                let tag = Tag(String(String.UnicodeScalarView(scalars[(index + 1)..<close])))
                index = close + 1
                if var current = skipping {
                    if tag.name == current.tag {
                        if tag.isClosing { current.depth -= 1 } else if !tag.isSelfClosing { current.depth += 1 }
                    }
                    skipping = current.depth == 0 ? nil : current
                    continue
                }
                if tag.isClosing {
                    if tag.name == "p" {
                        output.unicodeScalars.append(paragraphBreak)
                    } else if blocks.contains(tag.name) || tag.name == "li" {
                        output.unicodeScalars.append(lineBreak)
                    }
                    continue
                }
                if hidden.contains(tag.name) || tag.name == "blockquote" || tag.isQuoteContainer {
                    if !tag.isSelfClosing { skipping = (tag.name, 1) }
                    continue
                }
                if tag.startsOriginalMessage {
                    skipRest = true
                    continue
                }
                if tag.name == "li" {
                    output.unicodeScalars.append(lineBreak)
                    output += "- "
                } else if tag.name == "p" {
                    output.unicodeScalars.append(paragraphBreak)
                } else if blocks.contains(tag.name) {
                    output.unicodeScalars.append(lineBreak)
                } else if tag.name == "td" || tag.name == "th" {
                    output += " "
                }
                continue
            }
            if skipping != nil {
                index += 1
                continue
            }
            if scalar == "&", let (decoded, length) = entity(scalars, at: index) {
                output += decoded
                index += length
                continue
            }
            // Line breaks in the source are spaces in HTML.
            output.unicodeScalars.append(scalar == "\n" || scalar == "\r" || scalar == "\t" ? " " : scalar)
            index += 1
        }
        return output
    }

    /// One tag's name and the attributes that matter here.
    private struct Tag {
        var name: String
        var isClosing: Bool
        var isSelfClosing: Bool
        private var attributes: String

        init(_ text: String) {
            var body = Substring(text)
            isClosing = body.hasPrefix("/")
            if isClosing { body = body.dropFirst() }
            isSelfClosing = body.hasSuffix("/")
            let name = body.prefix { !$0.isWhitespace && $0 != "/" && $0 != ">" }
            self.name = name.lowercased()
            attributes = body.dropFirst(name.count).lowercased()
        }

        /// Gmail's and Apple Mail's quoted-message containers.
        var isQuoteContainer: Bool {
            attributes.contains("gmail_quote") || attributes.contains("type=\"cite\"") || attributes.contains("moz-cite-prefix")
                || attributes.contains("yahoo_quoted")
        }

        /// Outlook's reply header (`<div id="divRplyFwdMsg">`, `<div id="appendonsend">`): the
        /// original message follows it to the end.
        var startsOriginalMessage: Bool {
            attributes.contains("divrplyfwdmsg") || attributes.contains("appendonsend") || attributes.contains("mail-editor-reference-message-container")
        }
    }

    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
        "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "euro": "€", "pound": "£", "copy": "©",
        "reg": "®", "trade": "™", "eacute": "é", "egrave": "è", "agrave": "à", "ccedil": "ç", "uuml": "ü", "ouml": "ö",
        "auml": "ä", "szlig": "ß", "ntilde": "ñ",
    ]

    /// `&amp;`, `&#39;`, `&#x2019;`: the text and how many scalars the entity took.
    private static func entity(_ scalars: [Unicode.Scalar], at index: Int) -> (String, Int)? {
        guard let end = findScalar(scalars, ";", from: index + 1), end - index <= 10 else { return nil }
        let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value = digits.lowercased().hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value, let decoded = Unicode.Scalar(value) else { return nil }
            return (String(Character(decoded)), end - index + 1)
        }
        guard let decoded = named[name.lowercased()] else { return nil }
        return (decoded, end - index + 1)
    }

    private static func matches(_ scalars: [Unicode.Scalar], at index: Int, _ text: String) -> Bool {
        let pattern = Array(text.unicodeScalars)
        guard index + pattern.count <= scalars.count else { return false }
        return zip(scalars[index...], pattern).allSatisfy { $0 == $1 }
    }

    private static func find(_ scalars: [Unicode.Scalar], _ text: String, from start: Int) -> Int? {
        var index = start
        while index < scalars.count {
            if matches(scalars, at: index, text) { return index }
            index += 1
        }
        return nil
    }

    private static func findScalar(_ scalars: [Unicode.Scalar], _ target: Unicode.Scalar, from start: Int) -> Int? {
        var index = start
        while index < scalars.count {
            if scalars[index] == target { return index }
            index += 1
        }
        return nil
    }
}
