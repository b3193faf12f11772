import ArgumentParser

@main
struct SwitchyardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Classifies support tickets from helpdesk webhooks and writes the department back.",
        subcommands: [Serve.self, Classify.self, Rules.self, Adapters.self, Store.self, Eval.self, Calibrate.self, Batch.self, Version.self]
    )
}
