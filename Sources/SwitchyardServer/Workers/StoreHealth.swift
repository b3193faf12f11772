import Foundation
import Synchronization

/// Whether the store takes writes, as the process last saw it: `/readyz` answers from here.
///
/// Every heartbeat is a real write; a failed intake write counts too. Ready again after the
/// next write that succeeds.
final class StoreHealth: Sendable {
    private let ready = Mutex(true)

    var isReady: Bool { ready.withLock { $0 } }

    func recordSuccess() {
        ready.withLock { $0 = true }
    }

    func recordFailure() {
        ready.withLock { $0 = false }
    }
}
