extension Sequence where Element: Hashable {
    /// The elements without repeats, each at its first place: tags from a payload, tags
    /// merged for a write-back.
    public func removingDuplicates() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
