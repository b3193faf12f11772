import Foundation
import Logging
import ServiceLifecycle
import SwitchyardCore
import SwitchyardTriage
import SwitchyardYAML
import UnixSignals

/// Reloads the rules when their folder changes (checked every `rules.watch_interval`) and on
/// `SIGHUP`; `POST /v1/rules/reload` reloads through the same ``RuleReloader``.
struct RuleWatchService: Service, CustomStringConvertible {
    let reloader: RuleReloader
    let directory: String
    let interval: Duration?

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let signals = await UnixSignalsSequence(trapping: .sighup)
                for await _ in signals.cancelOnGracefulShutdown() {
                    reloader.reload(trigger: "SIGHUP")
                }
            }
            if let interval {
                group.addTask {
                    var seen = FolderFingerprint(directory: directory)
                    while !Task.isShuttingDownGracefully && !Task.isCancelled {
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                        let now = FolderFingerprint(directory: directory)
                        if now != seen {
                            seen = now
                            reloader.reload(trigger: "file change")
                        }
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}

/// What the rule folder holds, cheaply: each rule file's name, size and modification time
/// (the files ``YAMLFolder`` reads).
/// A change to any of them means the files must be read again.
struct FolderFingerprint: Equatable {
    var entries: [String: [Double]]

    init(directory: String) {
        let manager = FileManager.default
        var entries: [String: [Double]] = [:]
        for name in (try? YAMLFolder.fileNames(in: URL(fileURLWithPath: directory))) ?? [] {
            let attributes = try? manager.attributesOfItem(atPath: directory + "/" + name)
            let size = (attributes?[.size] as? NSNumber)?.doubleValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            entries[name] = [size, modified]
        }
        self.entries = entries
    }
}

/// Reloads the rule book and reports each reload in the log and the metrics.
struct RuleReloader: Sendable {
    let rules: RuleBook
    let metrics: TriageMetrics
    let timeSource: any TimeSource
    let logger: Logger

    @discardableResult
    func reload(trigger: String) -> RuleBook.Reload {
        let reload = rules.reload(trigger: trigger, now: timeSource.now())
        switch reload.outcome {
        case .applied(let previous):
            metrics.recordRuleReload(outcome: "applied", rules: reload.rules)
            logger.notice(
                "Rules reloaded", metadata: ["trigger": "\(trigger)", "ruleset_version": "\(reload.version)", "previous": "\(previous)", "rules": "\(reload.rules)"])
        case .unchanged:
            metrics.recordRuleReload(outcome: "unchanged", rules: reload.rules)
            logger.info("Rules unchanged", metadata: ["trigger": "\(trigger)", "ruleset_version": "\(reload.version)"])
        case .refused(let problems):
            metrics.recordRuleReload(outcome: "refused", rules: reload.rules)
            logger.error(
                "Rule files have problems; the rules in force stay",
                metadata: [
                    "trigger": "\(trigger)", "ruleset_version": "\(reload.version)",
                    "problems": "\(problems.map(\.description).joined(separator: "; "))",
                ])
        }
        return reload
    }
}
