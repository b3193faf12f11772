import Foundation
import Logging
import ServiceLifecycle
import SwitchyardCore
import SwitchyardModels
import SwitchyardTriage
import SwitchyardYAML
import UnixSignals

/// Reloads the rules when their folder changes (checked every `rules.watch_interval`) and on
/// `SIGHUP`; `POST /v1/rules/reload` reloads through the same ``RuleReloader``. The providers'
/// prompt files are watched the same way, on the same interval, and reloaded on `SIGHUP` too.
struct RuleWatchService: Service, CustomStringConvertible {
    let reloader: RuleReloader
    let prompts: PromptReloader
    let directory: String
    let interval: Duration?

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let signals = await UnixSignalsSequence(trapping: .sighup)
                for await _ in signals.cancelOnGracefulShutdown() {
                    reloader.reload(trigger: "SIGHUP")
                    prompts.reload(trigger: "SIGHUP")
                }
            }
            if let interval {
                group.addTask {
                    var seen = FolderFingerprint(directory: directory)
                    var seenPrompts = prompts.fingerprints()
                    while !Task.isShuttingDownGracefully && !Task.isCancelled {
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                        let now = FolderFingerprint(directory: directory)
                        if now != seen {
                            seen = now
                            reloader.reload(trigger: "file change")
                        }
                        let promptsNow = prompts.fingerprints()
                        for (provider, fingerprint) in promptsNow where seenPrompts[provider] != fingerprint {
                            prompts.reload(provider, trigger: "file change")
                        }
                        seenPrompts = promptsNow
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
        var entries: [String: [Double]] = [:]
        for name in (try? YAMLFolder.fileNames(in: URL(fileURLWithPath: directory))) ?? [] {
            entries[name] = Self.file(directory + "/" + name)
        }
        self.entries = entries
    }

    /// One file's size and modification time; -1 for what cannot be read (a missing file).
    static func file(_ path: String) -> [Double] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.doubleValue ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
        return [size, modified]
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

/// Reloads the providers' prompt files (`prompt_template`) and reports each reload in the log
/// and the metrics; a file that does not parse leaves the provider's template in force.
struct PromptReloader: Sendable {
    /// By provider name: the providers whose template is a file.
    let books: [String: PromptBook]
    let metrics: TriageMetrics
    let timeSource: any TimeSource
    let logger: Logger

    /// Each prompt file's size and modification time, by provider.
    func fingerprints() -> [String: [Double]] {
        books.compactMapValues { book in book.path.map(FolderFingerprint.file) }
    }

    /// Reloads every prompt file.
    func reload(trigger: String) {
        for provider in books.keys.sorted() { reload(provider, trigger: trigger) }
    }

    @discardableResult
    func reload(_ provider: String, trigger: String) -> PromptBook.Reload? {
        guard let book = books[provider] else { return nil }
        let reload = book.reload(trigger: trigger, now: timeSource.now())
        let metadata: Logger.Metadata = [
            "provider": "\(provider)", "trigger": "\(trigger)", "prompt_version": "\(reload.version)", "path": "\(book.path ?? "")",
        ]
        metrics.recordPromptReload(provider: provider, outcome: reload.outcome.name)
        switch reload.outcome {
        case .applied(let previous):
            logger.notice("Prompt reloaded", metadata: metadata.merging(["previous": "\(previous)"]) { $1 })
        case .unchanged:
            logger.info("Prompt unchanged", metadata: metadata)
        case .refused(let problem):
            logger.error("Prompt file has a problem; the prompt in force stays", metadata: metadata.merging(["problem": "\(problem)"]) { $1 })
        }
        return reload
    }
}
