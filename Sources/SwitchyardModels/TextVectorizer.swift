import Foundation
import SwitchyardCore

/// Turns text into the sparse tf-idf vectors that ``LinearTextClassifier`` reads.
///
/// Features, hashed with FNV-1a into `2^hashBits` buckets:
/// - word unigrams and bigrams of the lower-cased text, where a word is a run of letters,
///   digits or underscores (scikit-learn's `token_pattern` `(?u)\b\w+\b`: one-letter words
///   such as "a", "i" and digits count);
/// - character 2–5-grams inside whitespace-separated words padded with one space on each
///   side (scikit-learn's `char_wb` analyzer).
///
/// Each block is weighted by sublinear tf (`1 + ln tf`) times smoothed idf
/// (`ln((1 + n) / (1 + df)) + 1`) and L2-normalised on its own, as a scikit-learn
/// `FeatureUnion` of two `TfidfVectorizer`s would. Only buckets seen in training are
/// features, numbered in bucket order (the vector's indices are feature numbers); the rest
/// are ignored, like words outside a vocabulary. So the model holds weights for what its
/// training text had, not for every bucket.
struct TextVectorizer: Sendable, Equatable {
    /// Hashed term counts of one text, before weighting.
    struct TermCounts: Sendable {
        var words: [(bucket: UInt32, count: Int)]
        var characters: [(bucket: UInt32, count: Int)]
    }

    static let characterNGrams = 2...5
    private static let wordNamespace = FNV1a(namespace: "w\u{1F}")
    private static let characterNamespace = FNV1a(namespace: "c\u{1F}")
    /// A bucket that is no feature.
    private static let unseen = UInt32.max

    let hashBits: Int
    /// The bucket of each feature, strictly increasing.
    let buckets: [UInt32]
    /// Inverse document frequency per feature, each > 0.
    let idf: [Float]
    /// The feature of each bucket, or ``unseen``.
    private let featureOfBucket: [UInt32]

    var featureCount: Int { buckets.count }

    /// - Precondition: `buckets` strictly increasing and under `2^hashBits`, one idf each.
    init(hashBits: Int, buckets: [UInt32], idf: [Float]) {
        precondition(buckets.count == idf.count, "one idf per feature")
        var featureOfBucket = [UInt32](repeating: Self.unseen, count: 1 << hashBits)
        for (feature, bucket) in buckets.enumerated() { featureOfBucket[Int(bucket)] = UInt32(feature) }
        self.hashBits = hashBits
        self.buckets = buckets
        self.idf = idf
        self.featureOfBucket = featureOfBucket
    }

    /// Fits idf on the term counts of the training documents.
    init(hashBits: Int, fittingDocuments documents: [TermCounts]) {
        var documentFrequency = [Int32](repeating: 0, count: 1 << hashBits)
        var seen = [Bool](repeating: false, count: 1 << hashBits)
        var touched: [UInt32] = []
        for document in documents {
            // A bucket in both blocks counts once for the document.
            for (bucket, _) in document.words + document.characters where !seen[Int(bucket)] {
                seen[Int(bucket)] = true
                touched.append(bucket)
            }
            for bucket in touched {
                documentFrequency[Int(bucket)] += 1
                seen[Int(bucket)] = false
            }
            touched.removeAll(keepingCapacity: true)
        }
        let numerator = Double(1 + documents.count)
        var buckets: [UInt32] = []
        var idf: [Float] = []
        for (bucket, frequency) in documentFrequency.enumerated() where frequency > 0 {
            buckets.append(UInt32(bucket))
            idf.append(Float(log(numerator / Double(1 + frequency)) + 1))
        }
        self.init(hashBits: hashBits, buckets: buckets, idf: idf)
    }

    static func == (lhs: TextVectorizer, rhs: TextVectorizer) -> Bool {
        lhs.hashBits == rhs.hashBits && lhs.buckets == rhs.buckets && lhs.idf == rhs.idf
    }

    func vector(for text: String) -> SparseVector {
        vector(for: Self.termCounts(of: text, hashBits: hashBits))
    }

    func vector(for counts: TermCounts) -> SparseVector {
        var entries = weighted(counts.words)
        entries += weighted(counts.characters)
        return SparseVector(unsorted: entries)
    }

    private func weighted(_ counts: [(bucket: UInt32, count: Int)]) -> [(index: UInt32, value: Float)] {
        var entries: [(index: UInt32, value: Float)] = []
        entries.reserveCapacity(counts.count)
        var squaredNorm: Float = 0
        for (bucket, count) in counts {
            let feature = featureOfBucket[Int(bucket)]
            guard feature != Self.unseen else { continue }
            let value = (1 + Float(log(Double(count)))) * idf[Int(feature)]
            squaredNorm += value * value
            entries.append((feature, value))
        }
        guard squaredNorm > 0 else { return [] }
        let scale = 1 / squaredNorm.squareRoot()
        for index in entries.indices { entries[index].value *= scale }
        return entries
    }

    /// The hashed, counted terms of `text`; independent of training.
    static func termCounts(of text: String, hashBits: Int) -> TermCounts {
        let scalars = Array(text.lowercased().unicodeScalars)
        return TermCounts(
            words: counted(wordTerms(scalars, hashBits: hashBits)),
            characters: counted(characterTerms(scalars, hashBits: hashBits))
        )
    }

    private static func wordTerms(_ scalars: [Unicode.Scalar], hashBits: Int) -> [UInt32] {
        var buckets: [UInt32] = []
        var previous: FNV1a?
        var start = 0
        while start < scalars.count {
            guard isWordCharacter(scalars[start]) else {
                start += 1
                continue
            }
            var end = start + 1
            while end < scalars.count, isWordCharacter(scalars[end]) { end += 1 }
            var unigram = wordNamespace
            for scalar in scalars[start..<end] { unigram.combine(scalar) }
            buckets.append(unigram.bucket(bits: hashBits))
            if var bigram = previous {
                // "w␟previous current": FNV-1a is streaming, so continue the previous word.
                bigram.combine(UInt8(ascii: " "))
                for scalar in scalars[start..<end] { bigram.combine(scalar) }
                buckets.append(bigram.bucket(bits: hashBits))
            }
            previous = unigram
            start = end
        }
        return buckets
    }

    private static func characterTerms(_ scalars: [Unicode.Scalar], hashBits: Int) -> [UInt32] {
        var buckets: [UInt32] = []
        var padded: [Unicode.Scalar] = []
        var start = 0
        while start < scalars.count {
            guard !scalars[start].isWhitespace else {
                start += 1
                continue
            }
            var end = start + 1
            while end < scalars.count, !scalars[end].isWhitespace { end += 1 }
            padded.removeAll(keepingCapacity: true)
            padded.append(" ")
            padded.append(contentsOf: scalars[start..<end])
            padded.append(" ")
            for first in 0..<(padded.count - 1) {
                var gram = characterNamespace
                gram.combine(padded[first])
                let longest = min(first + characterNGrams.upperBound, padded.count)
                for next in (first + 1)..<longest {
                    gram.combine(padded[next])
                    buckets.append(gram.bucket(bits: hashBits))
                }
            }
            start = end
        }
        return buckets
    }

    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (0x30...0x39).contains(value) || (0x61...0x7A).contains(value) || (0x41...0x5A).contains(value)
                || value == 0x5F
        }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil
    }

    private static func counted(_ buckets: [UInt32]) -> [(bucket: UInt32, count: Int)] {
        var counts: [(bucket: UInt32, count: Int)] = []
        for bucket in buckets.sorted() {
            if let last = counts.last, last.bucket == bucket {
                counts[counts.count - 1].count += 1
            } else {
                counts.append((bucket, 1))
            }
        }
        return counts
    }
}
