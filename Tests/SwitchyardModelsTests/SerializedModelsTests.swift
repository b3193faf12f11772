import Testing

/// The root of this target's suites, which run one after another: the local-model suites
/// train on the cooperative thread pool for seconds, and the provider suites measure
/// deadlines, which must not wait for a busy pool.
@Suite(.serialized)
struct SerializedModelsTests {}
