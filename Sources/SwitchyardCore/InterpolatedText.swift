/// Text with `${name}` references: the one substitution syntax of the files people edit
/// (`${DATABASE_URL}` in the configuration, `${1}` and `${order}` in a rule's actions).
///
/// `${name:-fallback}` gives a fallback for a reference without a value (how a value counts as
/// missing is the caller's: the configuration treats an unset or empty variable as missing),
/// and `$$` writes a literal `$`. A `$` followed by anything else is literal text. Parsed once
/// when the file is read, so a broken reference is reported with its place before anything
/// runs, and rendered as often as needed.
public struct InterpolatedText: Sendable, Hashable, CustomStringConvertible {
    /// The text as written.
    public let source: String
    public let segments: [Segment]

    public enum Segment: Sendable, Hashable {
        case literal(String)
        case reference(Reference)
    }

    /// One `${…}`.
    public struct Reference: Sendable, Hashable {
        /// What is between `${` and `}` (or `:-`).
        public var name: String
        /// The text after `:-`, when written.
        public var fallback: String?
        /// Where `$` is, in Unicode scalars from the start of the text (0-based), for diagnostics.
        public var offset: Int

        public init(name: String, fallback: String? = nil, offset: Int) {
            self.name = name
            self.fallback = fallback
            self.offset = offset
        }
    }

    /// A problem in the text: where (in Unicode scalars from its start, 0-based) and what.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var offset: Int
        public var message: String

        public init(offset: Int, message: String) {
            self.offset = offset
            self.message = message
        }

        public var description: String { "\(message) at character \(offset + 1)" }
    }

    /// `text` as it is, with no references (a tag or value given in code).
    public init(literal text: String) {
        source = text
        segments = text.isEmpty ? [] : [.literal(text)]
    }

    /// Parses `text`.
    ///
    /// - Throws: ``SyntaxError`` for a `${` without its `}` or an empty name (`${}`).
    public init(parsing text: String) throws(SyntaxError) {
        source = text
        guard text.contains("$") else {
            segments = text.isEmpty ? [] : [.literal(text)]
            return
        }
        var segments: [Segment] = []
        var literal = ""
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "$", index + 1 < scalars.count else {
                literal.unicodeScalars.append(scalar)
                index += 1
                continue
            }
            switch scalars[index + 1] {
            case "$":
                literal.append("$")
                index += 2
            case "{":
                guard let close = scalars[(index + 2)...].firstIndex(of: "}") else {
                    throw SyntaxError(offset: index, message: "unterminated ${ (no closing })")
                }
                var expression = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
                var fallback: String?
                if let separator = expression.range(of: ":-") {
                    fallback = String(expression[separator.upperBound...])
                    expression = String(expression[..<separator.lowerBound])
                }
                guard !expression.isEmpty else {
                    throw SyntaxError(offset: index, message: "empty reference ${} (write a name between the braces, or $$ for a literal $)")
                }
                if !literal.isEmpty {
                    segments.append(.literal(literal))
                    literal = ""
                }
                segments.append(.reference(Reference(name: expression, fallback: fallback, offset: index)))
                index = close + 1
            default:
                literal.unicodeScalars.append(scalar)
                index += 1
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }

    /// Every reference, in order.
    public var references: [Reference] {
        segments.compactMap { segment in
            if case .reference(let reference) = segment { reference } else { nil }
        }
    }

    /// Whether the text has no references (it renders as itself, `$$` unescaped).
    public var isLiteral: Bool { references.isEmpty }

    /// The text with each reference replaced by `value(reference)`; where that is nil, by the
    /// reference's fallback, or else by `missing(reference)` (which may throw).
    public func rendered<Failure: Error>(
        _ value: (Reference) -> String?,
        missing: (Reference) throws(Failure) -> String
    ) throws(Failure) -> String {
        var result = ""
        for segment in segments {
            switch segment {
            case .literal(let text):
                result += text
            case .reference(let reference):
                if let text = value(reference) {
                    result += text
                } else if let fallback = reference.fallback {
                    result += fallback
                } else {
                    result += try missing(reference)
                }
            }
        }
        return result
    }

    public var description: String { source }
}
