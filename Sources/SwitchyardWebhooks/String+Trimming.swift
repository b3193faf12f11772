extension String {
    /// The text without leading and trailing whitespace and newlines (Unicode's White_Space).
    ///
    /// Used on every mapped field of every webhook, so it works on Unicode scalars directly
    /// instead of going through Foundation's character-set trimming (several times slower on
    /// Linux), and returns the string itself, uncopied, when there is nothing to trim.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isWhitespace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !Self.isWhitespace($0) })!  // exists: `first` does
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex {
            return self
        }
        return String(Substring(scalars[first...last]))
    }

    /// Whether the text is empty or only whitespace (Unicode's White_Space).
    var isBlank: Bool {
        unicodeScalars.allSatisfy(Self.isWhitespace)
    }

    /// Unicode's White_Space property, answered without the property tables for ASCII.
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20: true
        case 0..<0x80: false
        default: scalar.properties.isWhitespace
        }
    }
}
