public import SwitchyardCore
import Synchronization

/// Past tickets whose department agents confirmed, found by their likeness to a new ticket:
/// what a large language model is shown as examples before it is asked about the new one.
///
/// Likeness is the cosine of the local model's own features (the tf-idf vectors of
/// ``LinearTextClassifier``: word 1–2-grams and character 2–5-grams, each block unit length),
/// looked up through an inverted index, so a ticket costs its own features' postings rather
/// than a pass over every example. Examples less alike than ``minimumSimilarity`` are never
/// shown: an unrelated example teaches the model nothing and costs tokens.
///
/// ``replace(with:)`` swaps the whole set (a refresh from the store); lookups in flight keep
/// the set they started with.
public final class SimilarTickets: Sendable {
    /// One confirmed ticket.
    public struct Example: Sendable, Hashable {
        /// The stored ticket's id: a refresh keeps the features of examples it already has.
        public var id: String
        public var subject: String
        public var body: String
        /// The requester's name, replaced wherever the text repeats it when the example is redacted.
        public var requesterName: String?
        public var department: DepartmentID

        public init(id: String, subject: String, body: String, requesterName: String? = nil, department: DepartmentID) {
            self.id = id
            self.subject = subject
            self.body = body
            self.requesterName = requesterName
            self.department = department
        }

        var text: String { Ticket.text(subject: subject, body: body) }
    }

    /// The least cosine similarity an example needs to be shown.
    public static let minimumSimilarity: Float = 0.2

    private struct Entry: Sendable {
        var example: Example
        var vector: SparseVector
    }

    private struct Index: Sendable {
        var entries: [Entry] = []
        /// Feature bucket → (entry, weight) for every entry that has it.
        var postings: [UInt32: [(entry: Int32, value: Float)]] = [:]
    }

    private let vectorizer: TextVectorizer
    private let index = Mutex(Index())

    /// An empty set that reads text with `model`'s features.
    public init(features model: LinearTextClassifier) {
        self.vectorizer = model.vectorizer
    }

    /// How many examples the set holds.
    public var count: Int { index.withLock { $0.entries.count } }

    /// Replaces the set by `examples` (duplicates by id: the first kept). Examples already
    /// held with the same text keep their features; only new ones are read.
    public func replace(with examples: [Example]) {
        let previous = index.withLock { $0.entries }
        var known: [String: Entry] = [:]
        for entry in previous { known[entry.example.id] = entry }
        var next = Index()
        var seen = Set<String>()
        for example in examples where seen.insert(example.id).inserted {
            let vector: SparseVector
            if let entry = known[example.id], entry.example.subject == example.subject, entry.example.body == example.body {
                vector = entry.vector
            } else {
                vector = vectorizer.vector(for: example.text)
            }
            guard !vector.indices.isEmpty else { continue }
            let position = Int32(next.entries.count)
            next.entries.append(Entry(example: example, vector: vector))
            for (bucket, value) in zip(vector.indices, vector.values) {
                next.postings[bucket, default: []].append((position, value))
            }
        }
        index.withLock { $0 = next }
    }

    /// Up to `count` examples most like `ticket`, most alike first (ties: the example given
    /// earlier to ``replace(with:)``, the more recently confirmed), each at least
    /// ``minimumSimilarity`` alike and, with `departments`, confirmed to one of them.
    public func nearest(to ticket: Ticket, count: Int, in departments: DepartmentCatalog? = nil) -> [Example] {
        guard count > 0 else { return [] }
        let index = index.withLock { $0 }
        guard !index.entries.isEmpty else { return [] }
        let query = vectorizer.vector(for: ticket.text)
        var scores = [Float](repeating: 0, count: index.entries.count)
        for (bucket, value) in zip(query.indices, query.values) {
            guard let postings = index.postings[bucket] else { continue }
            for posting in postings { scores[Int(posting.entry)] += posting.value * value }
        }
        // Each of the two feature blocks has unit length, so the dot product is at most 2.
        let threshold = Self.minimumSimilarity * 2
        var best: [(entry: Int, score: Float)] = []
        for (entry, score) in scores.enumerated() where score >= threshold {
            guard best.count < count || score > best[best.count - 1].score else { continue }
            if let departments, !departments.contains(index.entries[entry].example.department) { continue }
            let position = best.firstIndex { score > $0.score } ?? best.endIndex
            best.insert((entry, score), at: position)
            if best.count > count { best.removeLast() }
        }
        return best.map { index.entries[$0.entry].example }
    }
}
