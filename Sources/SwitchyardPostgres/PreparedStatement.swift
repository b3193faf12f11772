import Logging
import PostgresNIO

/// One SQL statement of the store, prepared once per connection under its type's name.
protocol StoreStatement {
    static var sql: String { get }
}

/// Adapts a `StoreStatement` and its arguments to postgres-nio's prepared statements.
struct Prepared<Statement: StoreStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static var name: String { "switchyard_\(Statement.self)" }
    static var sql: String { Statement.sql }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresConnection {
    /// Runs `statement` with `arguments` and returns its rows.
    @discardableResult
    func rows<Statement: StoreStatement>(
        _ statement: Statement.Type, _ arguments: PostgresBindings = PostgresBindings(), logger: Logger
    ) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in try await execute(Prepared<Statement>(bindings: arguments), logger: logger) {
            rows.append(row)
        }
        return rows
    }
}

/// Builds the arguments of a statement, `$1…$n` in order.
struct Arguments {
    private(set) var bindings = PostgresBindings()

    init() {}

    init(_ build: (inout Arguments) throws -> Void) rethrows {
        try build(&self)
    }

    mutating func add<Value: PostgresNonThrowingEncodable>(_ value: Value) {
        bindings.append(value)
    }

    mutating func add<Value: PostgresNonThrowingEncodable>(_ value: Value?) {
        bindings.append(value)
    }

    mutating func add<Value: PostgresEncodable>(_ value: Value) throws {
        try bindings.append(value)
    }
}
