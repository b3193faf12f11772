import ArgumentParser
import Foundation
import HTTPTypes
import SwitchyardServer
import SwitchyardWebhooks

/// `switchyard adapters …`: checking adapter files and the configuration's adapters, and
/// signing a payload the way a platform would.
struct Adapters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Checks adapter files and the configured adapters, or signs a payload as a platform would.",
        subcommands: [Check.self, Sign.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validates every adapter file and the configuration's adapters (secrets, settings, a destination for every department); exits 1 on a problem.")

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let configuration = try options.loadConfiguration()
            let adapters: AdapterRegistry
            do {
                adapters = try configuration.loadAdapters()
            } catch {
                print(error)
                print("adapter files in \(configuration.webhooks.directory): \(error.diagnostics.count) problem\(error.diagnostics.count == 1 ? "" : "s")")
                throw ExitCode(1)
            }
            let problems = configuration.adapterProblems(adapters)
            for problem in problems { print("\(options.config): error: \(problem)") }
            let enabled = configuration.adapters.keys.sorted()
            print(
                "\(adapters.names.count) adapter files in \(configuration.webhooks.directory): no errors; "
                    + "enabled in \(options.config): \(enabled.isEmpty ? "none" : enabled.joined(separator: ", "))"
                    + (problems.isEmpty ? ", each with a destination for every department" : "; \(problems.count) problem\(problems.count == 1 ? "" : "s")"))
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints the headers a platform would send with a payload file, signed now with the adapter's configured secret.",
            discussion: """
                For testing by hand: `curl -H @<(switchyard adapters sign zendesk body.json) --data-binary @body.json …`.
                The secret is the configuration's (adapters.NAME.secret), or --secret.
                """)

        @OptionGroup var options: CommonOptions

        @Argument(help: "The adapter, for example zendesk.")
        var adapter: String

        @Argument(help: "The payload file, sent byte for byte.")
        var file: String

        @Option(help: "The signing secret (default: the configured one).")
        var secret: String?

        @Option(help: "The URL the platform posts to, for signatures that sign it (default: the adapter's public_url, or the server's address).")
        var url: String?

        func run() async throws {
            let configuration = try options.loadConfiguration()
            let adapters = try GenericTickets.adapters(configuration)
            guard let found = adapters[adapter] else {
                throw ValidationError("no adapter file named \(adapter) in \(configuration.webhooks.directory) (found: \(adapters.names.joined(separator: ", ")))")
            }
            guard let secret = secret ?? configuration.adapters[adapter]?.secrets.first else {
                throw ValidationError("adapters.\(adapter) has no secret in \(options.config); give --secret")
            }
            let body = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let target = url ?? configuration.adapters[adapter]?.publicURL
                ?? "http://\(configuration.server.host):\(configuration.server.port)/webhooks/\(adapter)"
            let delivery = WebhookDelivery(method: "POST", url: target, headers: [:], body: body)
            do {
                for field in try found.signingHeaders(for: delivery, secret: secret, now: Date()) {
                    print("\(field.name.rawName): \(field.value)")
                }
            } catch {
                throw ValidationError("cannot sign with this secret: \(error)")
            }
        }
    }
}
