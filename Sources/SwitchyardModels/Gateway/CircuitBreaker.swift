import Synchronization

/// Stops calling a provider that keeps failing, and finds out when it is back.
///
/// Closed, every call goes through and its outcome is counted in a sliding window. Once the
/// window holds at least ``Settings/minimumCalls`` outcomes and the failed share reaches
/// ``Settings/failureRatio``, the circuit opens: for ``Settings/openDuration`` no call is made
/// (tickets go down the chain at once instead of waiting for a provider that is down). Then it
/// is half open: up to ``Settings/halfOpenProbes`` calls go through as probes; a probe that
/// succeeds closes the circuit (with a fresh window), one that fails opens it again.
public final class CircuitBreaker: Sendable {
    public struct Settings: Sendable, Hashable {
        /// How far back outcomes count.
        public var window: Duration
        /// Outcomes in the window before the ratio is judged: two failures of three calls at
        /// night are not an outage.
        public var minimumCalls: Int
        /// Share of failed calls (0…1) that opens the circuit.
        public var failureRatio: Double
        /// How long the circuit stays open before probing.
        public var openDuration: Duration
        /// Calls let through at once while half open.
        public var halfOpenProbes: Int

        public init(
            window: Duration = .seconds(60), minimumCalls: Int = 10, failureRatio: Double = 0.5, openDuration: Duration = .seconds(30),
            halfOpenProbes: Int = 1
        ) {
            self.window = window
            self.minimumCalls = minimumCalls
            self.failureRatio = failureRatio
            self.openDuration = openDuration
            self.halfOpenProbes = halfOpenProbes
        }
    }

    public enum State: String, Sendable, Hashable, Codable {
        case closed, open
        case halfOpen = "half_open"
    }

    /// Leave to make one call, to be handed back to ``record(_:succeeded:)``.
    public struct Permit: Sendable {
        /// The call probes a half-open circuit.
        let probe: Bool
        let generation: Int
    }

    /// What ``snapshot()`` reports.
    public struct Snapshot: Sendable, Hashable {
        public var state: State
        public var callsInWindow: Int
        public var failuresInWindow: Int
        /// Times the circuit opened since the process started.
        public var opened: Int
        /// While open: when probing begins.
        public var reopensAt: ContinuousClock.Instant?
    }

    private struct Bucket {
        var second: Int64
        var calls = 0
        var failures = 0
    }

    private struct Status {
        var state: State = .closed
        /// One bucket per second of the window, oldest first.
        var buckets: [Bucket] = []
        var openUntil: ContinuousClock.Instant?
        var probesInFlight = 0
        var opened = 0
        /// Bumped on every transition, so that an outcome of a call started before it does not
        /// count toward the new state (a slow failure from before a close must not reopen).
        var generation = 0
    }

    public let settings: Settings
    private let status = Mutex(Status())
    private let origin = ContinuousClock.now

    public init(settings: Settings) {
        self.settings = settings
    }

    /// A permit to call the provider, or nil while the circuit is open (or half open with its
    /// probes taken): the caller skips the provider.
    public func acquire(now: ContinuousClock.Instant = .now) -> Permit? {
        status.withLock { status in
            if status.state == .open, let until = status.openUntil, now >= until {
                transition(&status, to: .halfOpen)
            }
            switch status.state {
            case .closed:
                return Permit(probe: false, generation: status.generation)
            case .open:
                return nil
            case .halfOpen:
                guard status.probesInFlight < settings.halfOpenProbes else { return nil }
                status.probesInFlight += 1
                return Permit(probe: true, generation: status.generation)
            }
        }
    }

    /// Counts the outcome of a call made under `permit`.
    public func record(_ permit: Permit, succeeded: Bool, now: ContinuousClock.Instant = .now) {
        status.withLock { status in
            guard permit.generation == status.generation else { return }
            if permit.probe {
                status.probesInFlight -= 1
                if succeeded {
                    transition(&status, to: .closed)
                } else {
                    open(&status, now: now)
                }
                return
            }
            guard status.state == .closed else { return }
            let second = Int64((now - origin).components.seconds)
            let oldest = second - max(settings.window.components.seconds, 1) + 1
            status.buckets.removeAll { $0.second < oldest }
            if status.buckets.last?.second != second { status.buckets.append(Bucket(second: second)) }
            status.buckets[status.buckets.count - 1].calls += 1
            if !succeeded { status.buckets[status.buckets.count - 1].failures += 1 }
            let calls = status.buckets.reduce(0) { $0 + $1.calls }
            let failures = status.buckets.reduce(0) { $0 + $1.failures }
            if calls >= settings.minimumCalls, Double(failures) >= settings.failureRatio * Double(calls) {
                open(&status, now: now)
            }
        }
    }

    /// Gives back a permit whose call was never made (the ticket's deadline came first).
    public func release(_ permit: Permit) {
        status.withLock { status in
            if permit.probe, permit.generation == status.generation { status.probesInFlight -= 1 }
        }
    }

    public func snapshot(now: ContinuousClock.Instant = .now) -> Snapshot {
        status.withLock { status in
            if status.state == .open, let until = status.openUntil, now >= until {
                transition(&status, to: .halfOpen)
            }
            let oldest = Int64((now - origin).components.seconds) - max(settings.window.components.seconds, 1) + 1
            let live = status.buckets.filter { $0.second >= oldest }
            return Snapshot(
                state: status.state, callsInWindow: live.reduce(0) { $0 + $1.calls }, failuresInWindow: live.reduce(0) { $0 + $1.failures },
                opened: status.opened, reopensAt: status.state == .open ? status.openUntil : nil)
        }
    }

    private func open(_ status: inout Status, now: ContinuousClock.Instant) {
        transition(&status, to: .open)
        status.openUntil = now + settings.openDuration
        status.opened += 1
    }

    private func transition(_ status: inout Status, to state: State) {
        status.state = state
        status.generation += 1
        status.probesInFlight = 0
        status.buckets = []
        if state != .open { status.openUntil = nil }
    }
}
