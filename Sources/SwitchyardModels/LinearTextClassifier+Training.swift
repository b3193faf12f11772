import Foundation
import SwitchyardCore

extension LinearTextClassifier {
    /// Trains a model on `examples`; deterministic: the same examples and options always
    /// give the same model, byte for byte.
    ///
    /// Softmax regression fitted by AdaGrad over shuffled examples (the shuffle is seeded by
    /// ``TrainingOptions/seed``), with L2 regularisation on the weights each step touches.
    /// Labels are the distinct departments of `examples`, sorted.
    public static func train(_ examples: [LabeledText], options: TrainingOptions = .init()) -> LinearTextClassifier {
        let hashBits = min(max(options.hashBits, 10), 24)
        let labels = Array(Set(examples.map(\.label))).sorted()
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let termCounts = examples.map { TextVectorizer.termCounts(of: $0.text, hashBits: hashBits) }
        let vectorizer = TextVectorizer(hashBits: hashBits, fittingDocuments: termCounts)
        let vectors = termCounts.map(vectorizer.vector(for:))
        let targets = examples.map { labelIndex[$0.label]! }  // every label is in `labels` by construction

        var trainer = AdaGradTrainer(
            classes: labels.count,
            buckets: vectorizer.bucketCount,
            learningRate: Float(options.learningRate),
            l2Regularization: Float(options.l2Regularization)
        )
        var generator = SeededRandomNumberGenerator(seed: options.seed)
        var order = Array(examples.indices)
        for _ in 0..<max(options.epochs, 0) {
            generator.shuffle(&order)
            for example in order {
                trainer.step(vectors[example], target: targets[example])
            }
        }
        return LinearTextClassifier(labels: labels, vectorizer: vectorizer, weights: trainer.weights, biases: trainer.biases)
    }
}

/// Stochastic gradient descent on the softmax cross-entropy with AdaGrad step sizes.
private struct AdaGradTrainer {
    let classes: Int
    let learningRate: Float
    let l2Regularization: Float
    private(set) var weights: [Float]
    private(set) var biases: [Float]
    private var weightHistory: [Float]
    private var biasHistory: [Float]
    /// Keeps the first steps finite; AdaGrad's usual epsilon.
    private static let initialHistory: Float = 1e-6

    init(classes: Int, buckets: Int, learningRate: Float, l2Regularization: Float) {
        self.classes = classes
        self.learningRate = learningRate
        self.l2Regularization = l2Regularization
        weights = [Float](repeating: 0, count: classes * buckets)
        weightHistory = [Float](repeating: Self.initialHistory, count: classes * buckets)
        biases = [Float](repeating: 0, count: classes)
        biasHistory = [Float](repeating: Self.initialHistory, count: classes)
    }

    mutating func step(_ vector: SparseVector, target: Int) {
        let logits = LinearTextClassifier.logits(for: vector, weights: weights, biases: biases)
        let probabilities = LinearTextClassifier.softmax(logits)
        // d(loss)/d(logit) = p - y
        var errors = probabilities.map { Float($0) }
        errors[target] -= 1

        for label in 0..<classes {
            let gradient = errors[label]
            biasHistory[label] += gradient * gradient
            biases[label] -= learningRate * gradient / biasHistory[label].squareRoot()
        }
        let classes = classes
        let learningRate = learningRate
        let l2Regularization = l2Regularization
        weights.withUnsafeMutableBufferPointer { weights in
            weightHistory.withUnsafeMutableBufferPointer { history in
                for (index, value) in zip(vector.indices, vector.values) {
                    let row = Int(index) * classes
                    for label in 0..<classes {
                        let slot = row + label
                        let gradient = errors[label] * value + l2Regularization * weights[slot]
                        history[slot] += gradient * gradient
                        weights[slot] -= learningRate * gradient / history[slot].squareRoot()
                    }
                }
            }
        }
    }
}
