public import Foundation
import Synchronization
public import SwitchyardRules
public import SwitchyardYAML

/// The rule set in force, and reloading it.
///
/// Triage takes a snapshot per ticket (``current``), so a reload never changes the rules
/// halfway through a decision: a ticket is decided wholly by the set it started with, and its
/// decision records that set's version. A reload that finds a problem keeps the set in force
/// and records the problem (``lastReload``) until a later reload succeeds.
public final class RuleBook: Sendable {
    /// Reads the rule files anew; nil for a fixed rule set (tests, tools).
    public typealias Loader = @Sendable () throws(RuleLoadError) -> RuleSet

    /// The outcome of one reload.
    public struct Reload: Sendable, Hashable {
        public enum Outcome: Sendable, Hashable {
            /// A new set is in force.
            case applied(previousVersion: String)
            /// The files hold the set already in force.
            case unchanged
            /// The files have problems; the set in force stays.
            case refused([Diagnostic])
        }

        public var at: Date
        /// What asked for it: `start`, `file change`, `SIGHUP`, `api`.
        public var trigger: String
        public var outcome: Outcome
        /// The version in force after the reload.
        public var version: String
        /// How many rules are in force after it.
        public var rules: Int

        public var succeeded: Bool {
            if case .refused = outcome { false } else { true }
        }
    }

    private struct State {
        var rules: RuleSet
        var lastReload: Reload
    }

    private let state: Mutex<State>
    /// Reloads run one at a time, so that two cannot swap in their sets out of order.
    private let reloading = Mutex(())
    private let loader: Loader?

    public init(_ rules: RuleSet, loader: Loader? = nil, loadedAt: Date = Date()) {
        self.state = Mutex(
            State(
                rules: rules,
                lastReload: Reload(at: loadedAt, trigger: "start", outcome: .unchanged, version: rules.version, rules: rules.rules.count)))
        self.loader = loader
    }

    /// The set in force: take it once per ticket.
    public var current: RuleSet {
        state.withLock { $0.rules }
    }

    /// The most recent reload (or the start).
    public var lastReload: Reload {
        state.withLock { $0.lastReload }
    }

    /// Reads the files and, when they are valid and differ from the set in force, swaps the
    /// new set in at once (atomically: the next ticket sees it, none in flight does). Invalid
    /// files leave the set in force as it is.
    @discardableResult
    public func reload(trigger: String, now: Date = Date()) -> Reload {
        reloading.withLock { _ in
            let loaded: Result<RuleSet, RuleLoadError>
            if let loader {
                do throws(RuleLoadError) {
                    loaded = .success(try loader())
                } catch {
                    loaded = .failure(error)
                }
            } else {
                loaded = .success(current)
            }
            return state.withLock { state in
                let reload: Reload
                switch loaded {
                case .success(let rules) where rules.version == state.rules.version:
                    reload = Reload(at: now, trigger: trigger, outcome: .unchanged, version: rules.version, rules: rules.rules.count)
                case .success(let rules):
                    reload = Reload(
                        at: now, trigger: trigger, outcome: .applied(previousVersion: state.rules.version), version: rules.version,
                        rules: rules.rules.count)
                    state.rules = rules
                case .failure(let error):
                    reload = Reload(
                        at: now, trigger: trigger, outcome: .refused(error.diagnostics), version: state.rules.version,
                        rules: state.rules.rules.count)
                }
                state.lastReload = reload
                return reload
            }
        }
    }
}
