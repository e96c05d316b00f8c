import FluentKit
import SQLKit

extension Database {
    /// Runs `body` in a transaction that holds SQLite's write lock from its first statement.
    ///
    /// Fluent begins SQLite transactions DEFERRED: one that reads and then writes fails at once with
    /// SQLITE_BUSY_SNAPSHOT ("database is locked", no busy wait) when another connection committed in
    /// between — under concurrent writes that is a 500. A no-op write as the first statement takes the
    /// lock before any snapshot exists, so the transaction waits its turn in the busy handler instead.
    /// PostgreSQL locks rows as it goes and needs nothing extra. Nested calls join the outer transaction.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { tx in
            if let sql = tx as? any SQLDatabase, sql.dialect.name == "sqlite" {
                try await sql.raw("UPDATE \"_fluent_migrations\" SET \"batch\" = \"batch\" WHERE 0").run()
            }
            return try await body(tx)
        }
    }
}
