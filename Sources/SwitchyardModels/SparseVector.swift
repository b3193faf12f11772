/// A sparse feature vector: strictly increasing bucket indices and their values.
struct SparseVector: Sendable, Hashable {
    var indices: [UInt32] = []
    var values: [Float] = []

    /// Merges entries with equal indices by adding their values, sorting by index.
    init(unsorted entries: [(index: UInt32, value: Float)]) {
        let sorted = entries.sorted { $0.index < $1.index }
        indices.reserveCapacity(sorted.count)
        values.reserveCapacity(sorted.count)
        for entry in sorted {
            if let last = indices.last, last == entry.index {
                values[values.count - 1] += entry.value
            } else {
                indices.append(entry.index)
                values.append(entry.value)
            }
        }
    }
}
