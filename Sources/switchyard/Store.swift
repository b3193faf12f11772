import ArgumentParser
import Foundation
import Logging
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard store …`: operating the store without running the server.
struct Store: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Migrates or checks the configured store (SQLite file or PostgreSQL database).",
        subcommands: [Migrate.self, Check.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Applies the schema migrations the store does not have yet, then exits.")

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let logger = options.bootstrapLogging(defaultLevel: .notice)
            let configuration = try options.loadConfiguration()
            let storage = configuration.storage
            let status = try await Store.status(of: storage, migrate: true, logger: logger)
            print("\(status.engine) \(status.location): \(status.appliedMigrations.count) migrations applied, schema up to date")
            for name in status.appliedMigrations { print("  \(name)") }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Checks connectivity, schema version, queue depth and writability; exits 1 when something is wrong.")

        @OptionGroup var options: CommonOptions

        func run() async throws {
            let logger = options.bootstrapLogging(defaultLevel: .warning)
            let configuration = try options.loadConfiguration()
            let storage = configuration.storage
            let status = try await Store.status(of: storage, migrate: false, logger: logger)
            print("engine:       \(status.engine)")
            print("location:     \(status.location)")
            print("schema:       \(status.appliedMigrations.last ?? "none") (\(status.appliedMigrations.count) applied)")
            if !status.pendingMigrations.isEmpty {
                print("pending:      \(status.pendingMigrations.joined(separator: ", ")) (run `switchyard store migrate`)")
            }
            print("queue depth:  \(status.queueDepth)")
            print("write-backs:  \(status.pendingWriteBacks) pending")
            let instances = status.liveInstances.map { "\($0.id) (\($0.host), pid \($0.processID))" }
            print("instances:    \(instances.isEmpty ? "none running" : instances.joined(separator: ", "))")
            print("writable:     \(status.writable ? "yes" : "NO")")
            guard status.writable && status.pendingMigrations.isEmpty else { throw ExitCode(1) }
        }
    }

    /// Opens the store (migrating it or not) and reads its status; a store error is printed as
    /// one line and exits 1 (the configuration's own errors exit 64 before this).
    static func status(
        of storage: Configuration.StorageSettings, migrate: Bool, logger: Logger
    ) async throws -> StoreStatus {
        do {
            return try await storage.withStore(migrate: migrate, logger: logger) { store in
                let now = Date()
                return try await store.status(now: now, staleBefore: now.addingTimeInterval(-storage.instanceTimeout.timeInterval))
            }
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("Error: store \(storage.location): \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
