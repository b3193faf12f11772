import Foundation
import SwitchyardCore

extension LinearTextClassifier {
    /// Trains a model on `examples`; deterministic: the same examples and options always
    /// give the same model, byte for byte.
    ///
    /// Multinomial logistic regression, the objective scikit-learn's `LogisticRegression`
    /// minimises (mean cross-entropy plus `‖W‖² / (2·C·n)`), by full-batch L-BFGS until no
    /// gradient component exceeds ``TrainingOptions/tolerance``. Labels are the distinct
    /// labels of `examples`, sorted. With ``TrainingOptions/calibrationShare`` a first model
    /// is trained without every `1/share`-th example and the temperature that minimises the
    /// held-out examples' cross-entropy is kept for the final model (temperature scaling:
    /// it changes confidences, never which label wins). What training needs beyond the model
    /// (vectors, gradients, the L-BFGS history) is freed when it returns.
    public static func train(_ examples: [LabeledText], options: TrainingOptions = .init()) -> LinearTextClassifier {
        let hashBits = min(max(options.hashBits, 10), 24)
        let labels = Array(Set(examples.map(\.label))).sorted()
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let termCounts = examples.map { TextVectorizer.termCounts(of: $0.text, hashBits: hashBits) }
        let targets = examples.map { labelIndex[$0.label]! }  // every label is in `labels` by construction

        var logitScale: Float = 1
        var first: LinearTextClassifier?
        let every = options.calibrationShare > 0 ? max(Int((1 / options.calibrationShare).rounded()), 2) : 0
        if every > 0, examples.count >= 100, labels.count >= 2 {
            let heldOut = Set(stride(from: every - 1, to: examples.count, by: every))
            let kept = examples.indices.filter { !heldOut.contains($0) }
            let partial = fit(kept.map { termCounts[$0] }, targets: kept.map { targets[$0] }, labels: labels, hashBits: hashBits, options: options)
            let held = heldOut.sorted()
            logitScale = fittedLogitScale(
                logits: held.map { partial.logits(for: partial.vectorizer.vector(for: termCounts[$0])) }, targets: held.map { targets[$0] })
            first = partial
        }
        let model = fit(termCounts, targets: targets, labels: labels, hashBits: hashBits, options: options, from: first)
        return LinearTextClassifier(
            labels: labels, vectorizer: model.vectorizer, weights: model.weights, biases: model.biases, logitScale: logitScale)
    }

    /// The uncalibrated model of `termCounts` and their label numbers; L-BFGS starts from
    /// `start`'s weights where it has the same features (the calibration model: most of the
    /// way there already), from zero elsewhere.
    private static func fit(
        _ termCounts: [TextVectorizer.TermCounts], targets: [Int], labels: [DepartmentID], hashBits: Int, options: TrainingOptions,
        from start: LinearTextClassifier? = nil
    ) -> LinearTextClassifier {
        let vectorizer = TextVectorizer(hashBits: hashBits, fittingDocuments: termCounts)
        let objective = SoftmaxObjective(
            vectors: termCounts.map(vectorizer.vector(for:)),
            targets: targets,
            classes: labels.count,
            features: vectorizer.featureCount,
            l2: termCounts.isEmpty ? 0 : Float(1 / (options.regularization * Double(termCounts.count))))
        var parameters = [Float](repeating: 0, count: objective.parameterCount)
        let classes = labels.count
        if let start, start.labels == labels {
            // Both feature lists are sorted buckets: walk them side by side.
            var other = 0
            for (feature, bucket) in vectorizer.buckets.enumerated() {
                while other < start.vectorizer.buckets.count, start.vectorizer.buckets[other] < bucket { other += 1 }
                guard other < start.vectorizer.buckets.count, start.vectorizer.buckets[other] == bucket else { continue }
                for label in 0..<classes { parameters[feature * classes + label] = start.weights[other * classes + label] }
            }
            for label in 0..<classes { parameters[vectorizer.featureCount * classes + label] = start.biases[label] }
        }
        if !termCounts.isEmpty {
            LBFGS(historySize: max(options.historySize, 1), tolerance: Float(options.tolerance))
                .minimize(&parameters, maximumIterations: options.maximumIterations, objective: objective.evaluate)
        }
        let weightCount = vectorizer.featureCount * labels.count
        return LinearTextClassifier(
            labels: labels, vectorizer: vectorizer,
            weights: Array(parameters[..<weightCount]), biases: Array(parameters[weightCount...]))
    }

    /// The `s` minimising the mean cross-entropy of `softmax(s × logits)` against `targets`:
    /// convex in `s`, found by golden-section search over log s in [1/20, 20].
    static func fittedLogitScale(logits: [[Float]], targets: [Int]) -> Float {
        func loss(_ scale: Double) -> Double {
            var total = 0.0
            for (row, target) in zip(logits, targets) {
                let largest = Double(row.max() ?? 0)
                let sum = row.reduce(0.0) { $0 + exp(scale * (Double($1) - largest)) }
                total += log(sum) - scale * (Double(row[target]) - largest)
            }
            return total / Double(max(logits.count, 1))
        }
        let ratio = (5.0.squareRoot() - 1) / 2
        var low = log(1.0 / 20), high = log(20.0)
        var a = high - ratio * (high - low), b = low + ratio * (high - low)
        var lossA = loss(exp(a)), lossB = loss(exp(b))
        for _ in 0..<60 {
            if lossA < lossB {
                high = b
                b = a
                lossB = lossA
                a = high - ratio * (high - low)
                lossA = loss(exp(a))
            } else {
                low = a
                a = b
                lossA = lossB
                b = low + ratio * (high - low)
                lossB = loss(exp(b))
            }
        }
        return Float(exp((low + high) / 2))
    }
}

/// The mean softmax cross-entropy of labelled vectors plus L2 on the weights, and its
/// gradient. Parameters: the feature-major weights, then one bias per class.
private struct SoftmaxObjective {
    let vectors: [SparseVector]
    let targets: [Int]
    let classes: Int
    let features: Int
    let l2: Float

    var parameterCount: Int { features * classes + classes }

    func evaluate(_ parameters: [Float], gradient: inout [Float]) -> Double {
        let classes = classes
        let weightCount = features * classes
        var loss = 0.0
        gradient.withUnsafeMutableBufferPointer { gradient in
            gradient.update(repeating: 0)
            parameters.withUnsafeBufferPointer { parameters in
                var logits = [Float](repeating: 0, count: classes)
                logits.withUnsafeMutableBufferPointer { logits in
                    for (vector, target) in zip(vectors, targets) {
                        for label in 0..<classes { logits[label] = parameters[weightCount + label] }
                        for (index, value) in zip(vector.indices, vector.values) {
                            let row = Int(index) * classes
                            for label in 0..<classes { logits[label] += parameters[row + label] * value }
                        }
                        // Softmax in place; logits become p − y, the loss's slope at each logit.
                        var largest = logits[0]
                        for label in 1..<classes { largest = max(largest, logits[label]) }
                        var sum: Float = 0
                        let targetLogit = logits[target]
                        for label in 0..<classes {
                            logits[label] = exp(logits[label] - largest)
                            sum += logits[label]
                        }
                        loss += Double(log(sum) + largest - targetLogit)
                        let scale = 1 / sum
                        for label in 0..<classes { logits[label] *= scale }
                        logits[target] -= 1
                        for label in 0..<classes { gradient[weightCount + label] += logits[label] }
                        for (index, value) in zip(vector.indices, vector.values) {
                            let row = Int(index) * classes
                            for label in 0..<classes { gradient[row + label] += logits[label] * value }
                        }
                    }
                }
                let count = Float(max(vectors.count, 1))
                var squaredNorm = 0.0
                for slot in 0..<weightCount {
                    let weight = parameters[slot]
                    squaredNorm += Double(weight * weight)
                    gradient[slot] = gradient[slot] / count + l2 * weight
                }
                for slot in weightCount..<gradient.count { gradient[slot] /= count }
                loss = loss / Double(count) + Double(l2) / 2 * squaredNorm
            }
        }
        return loss
    }
}

/// Limited-memory BFGS with a backtracking (Armijo) line search, in Float32 with Double sums.
private struct LBFGS {
    let historySize: Int
    let tolerance: Float

    func minimize(
        _ point: inout [Float], maximumIterations: Int, objective: ([Float], inout [Float]) -> Double
    ) {
        let dimension = point.count
        var gradient = [Float](repeating: 0, count: dimension)
        var value = objective(point, &gradient)
        var steps: [(s: [Float], y: [Float], rho: Double)] = []
        var direction = [Float](repeating: 0, count: dimension)
        var candidate = [Float](repeating: 0, count: dimension)
        var candidateGradient = [Float](repeating: 0, count: dimension)
        var alphas = [Double](repeating: 0, count: historySize)

        for _ in 0..<maximumIterations {
            guard Self.largestMagnitude(gradient) > tolerance else { return }
            // Two-loop recursion: direction = −H·gradient.
            for slot in 0..<dimension { direction[slot] = -gradient[slot] }
            for (index, step) in steps.enumerated().reversed() {
                let alpha = step.rho * Self.dot(step.s, direction)
                alphas[index] = alpha
                Self.addScaled(&direction, step.y, -Float(alpha))
            }
            if let last = steps.last {
                let scale = Float(Self.dot(last.s, last.y) / Self.dot(last.y, last.y))
                for slot in 0..<dimension { direction[slot] *= scale }
            } else {
                // The first step: along the gradient, of length 1.
                let scale = Float(1 / Self.dot(gradient, gradient).squareRoot())
                for slot in 0..<dimension { direction[slot] *= scale }
            }
            for (index, step) in steps.enumerated() {
                let beta = step.rho * Self.dot(step.y, direction)
                Self.addScaled(&direction, step.s, Float(alphas[index] - beta))
            }

            var slope = Self.dot(gradient, direction)
            if slope >= 0 {
                // Not a descent direction (round-off): start again from the gradient.
                steps.removeAll()
                for slot in 0..<dimension { direction[slot] = -gradient[slot] }
                slope = Self.dot(gradient, direction)
            }
            var length: Float = 1
            var candidateValue = 0.0
            var accepted = false
            for _ in 0..<30 {
                for slot in 0..<dimension { candidate[slot] = point[slot] + length * direction[slot] }
                candidateValue = objective(candidate, &candidateGradient)
                if candidateValue <= value + 1e-4 * Double(length) * slope {
                    accepted = true
                    break
                }
                length /= 2
            }
            guard accepted else { return }  // no decrease left at Float32 precision

            var s = [Float](repeating: 0, count: dimension)
            var y = [Float](repeating: 0, count: dimension)
            for slot in 0..<dimension {
                s[slot] = candidate[slot] - point[slot]
                y[slot] = candidateGradient[slot] - gradient[slot]
            }
            let curvature = Self.dot(s, y)
            if curvature > 1e-12 {
                if steps.count == historySize { steps.removeFirst() }
                steps.append((s, y, 1 / curvature))
            }
            swap(&point, &candidate)
            swap(&gradient, &candidateGradient)
            let previous = value
            value = candidateValue
            if abs(previous - value) <= 1e-9 * max(abs(previous), abs(value), 1) { return }
        }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum = 0.0
                for slot in 0..<a.count { sum += Double(a[slot]) * Double(b[slot]) }
                return sum
            }
        }
    }

    static func addScaled(_ target: inout [Float], _ source: [Float], _ scale: Float) {
        target.withUnsafeMutableBufferPointer { target in
            source.withUnsafeBufferPointer { source in
                for slot in 0..<target.count { target[slot] += scale * source[slot] }
            }
        }
    }

    static func largestMagnitude(_ vector: [Float]) -> Float {
        vector.reduce(0) { max($0, abs($1)) }
    }
}
