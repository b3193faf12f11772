extension String {
    /// The text without leading and trailing whitespace and newlines (Unicode's White_Space).
    ///
    /// Used on every mapped field of every webhook, so it works on Unicode scalars directly
    /// instead of going through Foundation's character-set trimming (several times slower on
    /// Linux), and returns the string itself, uncopied, when there is nothing to trim.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isWhitespace })!  // exists: `first` does
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex {
            return self
        }
        return String(Substring(scalars[first...last]))
    }

    /// Whether the text is empty or only whitespace (Unicode's White_Space).
    public var isBlank: Bool {
        unicodeScalars.allSatisfy(\.isWhitespace)
    }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property, answered without the property tables for ASCII (where
    /// it is exactly tab, line feed, vertical tab, form feed, carriage return and space).
    public var isWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x20: true
        case 0..<0x80: false
        default: properties.isWhitespace
        }
    }
}
