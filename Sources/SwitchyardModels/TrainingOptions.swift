/// How ``LinearTextClassifier`` is trained. Part of the model's fingerprint.
public struct TrainingOptions: Sendable, Hashable {
    /// Features are hashed into `2^hashBits` buckets (clamped to 10…24). Only buckets the
    /// training text has become features with weights; the model keeps a table of
    /// `2^hashBits` feature numbers (4 MiB at the default 20), and fewer bits mean more terms
    /// sharing a bucket.
    public var hashBits: Int
    /// Inverse regularisation strength, as scikit-learn's `C`: the objective is
    /// `C × Σ cross-entropy + ½‖W‖²` (biases unregularised). Larger fits the training data closer.
    public var regularization: Double
    /// L-BFGS iterations at most.
    public var maximumIterations: Int
    /// Training stops once no gradient component of the mean loss exceeds this.
    public var tolerance: Double
    /// L-BFGS keeps this many past steps (each as large as the model, during training only).
    public var historySize: Int
    /// The share of the examples held out to calibrate the probabilities (every `1/share`-th
    /// example, 0.1: every 10th): a model trained without them fits the temperature that makes
    /// their probabilities honest, then the model is trained on all examples with it. 0 (or
    /// fewer than 100 examples) skips calibration; training then takes half as long.
    public var calibrationShare: Double

    public init(
        hashBits: Int = 20,
        regularization: Double = 30,
        maximumIterations: Int = 200,
        tolerance: Double = 1e-4,
        historySize: Int = 7,
        calibrationShare: Double = 0.1
    ) {
        self.hashBits = hashBits
        self.regularization = regularization
        self.maximumIterations = maximumIterations
        self.tolerance = tolerance
        self.historySize = historySize
        self.calibrationShare = calibrationShare
    }
}
