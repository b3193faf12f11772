public import Foundation
import Synchronization

/// The prompt template one provider uses, and reloading it from its file.
///
/// A call takes the template once (``current``), so a reload never changes the prompt halfway
/// through a call: the messages sent, the cache key and the decision's `prompt_version` all
/// come from one template. A file that cannot be read or is not valid Mustache leaves the
/// template in force as it is and is recorded (``lastReload``) until a later reload succeeds,
/// the same as rule files.
public final class PromptBook: Sendable {
    /// The outcome of one reload.
    public struct Reload: Sendable, Hashable {
        public enum Outcome: Sendable, Hashable {
            /// A new template is in force.
            case applied(previousVersion: String)
            /// The file holds the template already in force.
            case unchanged
            /// The file could not be read or parsed; the template in force stays.
            case refused(String)

            /// `applied`, `unchanged` or `refused`, as logs, metrics and the API name it.
            public var name: String {
                switch self {
                case .applied: "applied"
                case .unchanged: "unchanged"
                case .refused: "refused"
                }
            }
        }

        public var at: Date
        /// What asked for it: `start`, `file change`, `SIGHUP`.
        public var trigger: String
        public var outcome: Outcome
        /// The version in force after the reload.
        public var version: String
    }

    private struct State {
        var template: PromptTemplate
        var lastReload: Reload
    }

    /// The template's file; nil for the built-in template, which never changes.
    public let path: String?
    private let state: Mutex<State>
    /// Reloads run one at a time, so that two cannot swap in their templates out of order.
    private let reloading = Mutex(())

    public init(_ template: PromptTemplate, path: String? = nil, loadedAt: Date = Date()) {
        self.path = path
        self.state = Mutex(
            State(template: template, lastReload: Reload(at: loadedAt, trigger: "start", outcome: .unchanged, version: template.version)))
    }

    /// The template in force: take it once per call.
    public var current: PromptTemplate {
        state.withLock { $0.template }
    }

    /// The most recent reload (or the start).
    public var lastReload: Reload {
        state.withLock { $0.lastReload }
    }

    /// Reads the file and, when it parses and differs from the template in force, swaps the
    /// new template in at once; the next call uses it, none in flight does.
    @discardableResult
    public func reload(trigger: String, now: Date = Date()) -> Reload {
        reloading.withLock { _ in
            let loaded: Result<PromptTemplate, FileError>
            if let path {
                loaded = Result { () throws(FileError) in try Self.load(path) }
            } else {
                loaded = .success(current)
            }
            return state.withLock { state in
                let reload: Reload
                switch loaded {
                case .success(let template) where template.version == state.template.version:
                    reload = Reload(at: now, trigger: trigger, outcome: .unchanged, version: template.version)
                case .success(let template):
                    reload = Reload(
                        at: now, trigger: trigger, outcome: .applied(previousVersion: state.template.version), version: template.version)
                    state.template = template
                case .failure(let problem):
                    reload = Reload(at: now, trigger: trigger, outcome: .refused(problem.description), version: state.template.version)
                }
                state.lastReload = reload
                return reload
            }
        }
    }

    /// The template in the file at `path`.
    ///
    /// - Throws: ``FileError`` naming the file, and the line and column of a Mustache error.
    public static func load(_ path: String) throws(FileError) -> PromptTemplate {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileError(description: "\(path): cannot be read as UTF-8 text (\(error.localizedDescription))")
        }
        // An editor saving in place can leave the file empty for a moment; no prompt is not a prompt.
        guard !text.isBlank else {
            throw FileError(description: "\(path): the file is empty; a prompt template needs the instructions and the ticket")
        }
        do throws(PromptTemplateError) {
            return try PromptTemplate(text)
        } catch {
            throw FileError(description: "\(path):\(error.line):\(error.column): \(error.reason); fix the Mustache syntax there")
        }
    }

    /// A prompt file that cannot be read or parsed.
    public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }
}
