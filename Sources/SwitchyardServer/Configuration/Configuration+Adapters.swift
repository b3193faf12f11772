import Foundation
public import SwitchyardWebhooks
import SwitchyardCore

extension Configuration {
    /// The adapter files in `webhooks.directory`: the one loader of them for the server and
    /// every command.
    public func loadAdapters() throws(AdapterLoadError) -> AdapterRegistry {
        try AdapterRegistry.load(directory: URL(fileURLWithPath: webhooks.directory))
    }

    /// What stops the enabled adapters from working with this configuration, each as one line
    /// naming the key: an enabled adapter without a file, a secret its signature scheme cannot
    /// use, a department without a destination. Empty when all is well. The server refuses to
    /// start on the first; `switchyard adapters check` prints them all.
    public func adapterProblems(_ adapters: AdapterRegistry) -> [String] {
        var problems: [String] = []
        let planner = WriteBackPlanner(adapters: adapters, configurations: self.adapters)
        for (name, adapterConfiguration) in self.adapters.sorted(by: { $0.key < $1.key }) {
            guard let adapter = adapters[name] else {
                problems.append(
                    "adapters.\(name) is enabled in the configuration but \(webhooks.directory) has no \(name).yaml "
                        + "(found: \(adapters.names.joined(separator: ", ")))")
                continue
            }
            if let problem = adapter.problem(withSecrets: adapterConfiguration.secrets) {
                problems.append("adapters.\(name).secret: \(problem)")
            }
            for department in departments.ids {
                let probe = Decision(
                    department: department, priority: .normal, tags: [], confidence: 1,
                    provenance: Provenance(stage: .rule, rulesetVersion: "startup-check"), decidedAt: Date())
                do {
                    _ = try planner.requests(for: probe, ticket: Ticket(externalID: "1", source: name))
                } catch {
                    problems.append("adapters.\(name): cannot write back a decision for department \"\(department)\": \(error)")
                }
            }
        }
        return problems
    }
}
