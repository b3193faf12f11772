import Foundation
public import SwitchyardCore

/// The embedded local model: multinomial logistic regression over hashed tf-idf text features.
///
/// It holds one Float32 weight per label for each feature its training text had (not for
/// every hash bucket), and no training state: BANKING77's 77 intents take about 14 MB.
///
/// Train it with ``train(_:options:)``, keep it with ``serialized()`` and
/// ``init(serialized:)``, and ask it with ``probabilities(for:)``. It needs no network and
/// answers in microseconds. See `TextVectorizer` for the features.
public struct LinearTextClassifier: Sendable, Equatable {
    /// The labels the model can name, sorted: the departments (or the finer labels that map to
    /// them) of its training data.
    public let labels: [DepartmentID]
    let vectorizer: TextVectorizer
    /// Feature-major: the weights of feature `f` are `weights[f * labels.count ..< (f + 1) * labels.count]`.
    let weights: [Float]
    let biases: [Float]
    /// Logits are multiplied by this before the softmax: one over the temperature fitted on
    /// held-out training examples, so that a probability of 0.8 is right about 80 % of the
    /// time (1 when training did not calibrate).
    let logitScale: Float

    /// The features (hash buckets its training text reached) that carry weights.
    public var featureCount: Int { vectorizer.featureCount }

    /// The temperature its probabilities were calibrated with (below 1: the raw model was
    /// under-confident).
    public var temperature: Double { 1 / Double(logitScale) }

    init(labels: [DepartmentID], vectorizer: TextVectorizer, weights: [Float], biases: [Float], logitScale: Float = 1) {
        precondition(weights.count == labels.count * vectorizer.featureCount && biases.count == labels.count)
        precondition(logitScale.isFinite && logitScale > 0)
        self.labels = labels
        self.vectorizer = vectorizer
        self.weights = weights
        self.biases = biases
        self.logitScale = logitScale
    }

    /// Each label's probability for `text`, most probable first (ties in label order).
    /// Empty when the model was trained on no examples.
    public func probabilities(for text: String) -> [(label: DepartmentID, probability: Double)] {
        let probabilities = Self.softmax(logits(for: vectorizer.vector(for: text)), scale: logitScale)
        return zip(labels, probabilities)
            .map { (label: $0, probability: $1) }
            .sorted { $0.probability > $1.probability || ($0.probability == $1.probability && $0.label < $1.label) }
    }

    func logits(for vector: SparseVector) -> [Float] {
        Self.logits(for: vector, weights: weights, biases: biases)
    }

    static func logits(for vector: SparseVector, weights: [Float], biases: [Float]) -> [Float] {
        let classes = biases.count
        var logits = biases
        weights.withUnsafeBufferPointer { weights in
            for (index, value) in zip(vector.indices, vector.values) {
                let row = Int(index) * classes
                for label in 0..<classes {
                    logits[label] += weights[row + label] * value
                }
            }
        }
        return logits
    }

    /// The softmax of `logits × scale`.
    static func softmax(_ logits: [Float], scale: Float = 1) -> [Double] {
        guard let largest = logits.max() else { return [] }
        let exponentials = logits.map { exp(Double(scale) * Double($0 - largest)) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { $0 / sum }
    }
}

extension LinearTextClassifier: CustomStringConvertible {
    /// Its size, not its weights (a reflected description prints every one of them).
    public var description: String { "LinearTextClassifier(labels: \(labels.count))" }
}
