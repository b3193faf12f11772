/// How ``LinearTextClassifier`` is trained. Part of the model's fingerprint.
public struct TrainingOptions: Sendable, Hashable {
    /// Features are hashed into `2^hashBits` buckets (clamped to 10…24). The model holds
    /// `labels × 2^hashBits` weights in memory: 8 MiB for 8 departments at the default 18.
    public var hashBits: Int
    /// Passes over the training data.
    public var epochs: Int
    /// AdaGrad's base step size.
    public var learningRate: Double
    /// L2 regularisation strength, applied to the weights of the features each step touches.
    public var l2Regularization: Double
    /// Seeds the shuffle of each epoch: the same examples and options always give the same model.
    public var seed: UInt64

    public init(
        hashBits: Int = 18,
        epochs: Int = 12,
        learningRate: Double = 0.5,
        l2Regularization: Double = 1e-5,
        seed: UInt64 = 0x5357_4954_4348_5944
    ) {
        self.hashBits = hashBits
        self.epochs = epochs
        self.learningRate = learningRate
        self.l2Regularization = l2Regularization
        self.seed = seed
    }
}
