import FluentKit
import SQLKit

extension Database {
    /// Runs `body` in a transaction that writes one at a time with every other write transaction, in
    /// this process and in any other sharing the database.
    ///
    /// The repositories read a row and write what follows from it (the next post number, a group's
    /// topic count, a flag count that hides a post): side by side, two such transactions would lose
    /// an update or collide. SQLite: Fluent begins transactions DEFERRED, and one that read before
    /// another committed fails at once with SQLITE_BUSY_SNAPSHOT ("database is locked", a 500); a
    /// no-op write as the first statement takes the write lock before any snapshot exists, so it
    /// waits its turn in the busy handler instead. PostgreSQL: a transaction-scoped advisory lock,
    /// released at commit or rollback, does the same across processes. Reads never wait for it.
    /// Nested calls join the outer transaction.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { tx in
            if let sql = tx as? any SQLDatabase {
                switch sql.dialect.name {
                case "sqlite": try await sql.raw("UPDATE \"_fluent_migrations\" SET \"batch\" = \"batch\" WHERE 0").run()
                case "postgresql": try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: Self.writeLockKey))").run()
                default: break
                }
            }
            return try await body(tx)
        }
    }

    /// The advisory lock's key: any fixed number no other lock in the database uses ("kring" in ASCII).
    static var writeLockKey: Int { 0x6B_72_69_6E_67 }
}
