extension StringProtocol {
    /// The text without leading and trailing whitespace and newlines (Unicode's White_Space).
    ///
    /// Used on every mapped field of every webhook, so it works on Unicode scalars directly
    /// instead of going through Foundation's character-set trimming, which is several times
    /// slower on Linux.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!  // exists: `first` does
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars[first...last])
        return result
    }
}
