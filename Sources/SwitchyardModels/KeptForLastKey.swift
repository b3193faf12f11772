import Synchronization

/// A value worked out for one key and kept until a call asks for another: what a model call
/// would otherwise rebuild for every ticket although it depends only on settings that rarely
/// change (the departments, the provider's request settings).
final class KeptForLastKey<Key: Equatable & Sendable, Value: Sendable>: Sendable {
    private let last = Mutex<(key: Key, value: Value)?>(nil)

    /// The value kept for `key`, or the one `make` works out, then kept in its place.
    func value<Failure: Error>(for key: Key, _ make: () throws(Failure) -> Value) throws(Failure) -> Value {
        if let kept = last.withLock({ last in last.flatMap { $0.key == key ? $0.value : nil } }) { return kept }
        let value = try make()
        last.withLock { $0 = (key, value) }
        return value
    }
}
