import FluentKit
import SQLKit

extension Database {
    /// Runs `body` in a transaction that writes one at a time with every other write transaction, in
    /// this process and in any other sharing the database.
    ///
    /// The repositories read a row and write what follows from it (the next post number, a group's
    /// topic count, a flag count that hides a post): side by side, two such transactions would lose
    /// an update or collide. SQLite: within the process they queue at `WriteGate` without holding a
    /// connection or a thread; across processes: Fluent begins transactions DEFERRED, and one that read
    /// before another committed fails at once with SQLITE_BUSY_SNAPSHOT ("database is locked", a 500);
    /// a no-op write as the first statement takes the write lock before any snapshot exists, so it waits
    /// its turn in the busy handler instead. PostgreSQL: a transaction-scoped advisory lock, released at
    /// commit or rollback, does the same, in a transaction that ends when its connection dies
    /// (`PostgresTransaction`). Reads never wait. A call inside a transaction joins it.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if inTransaction { return try await body(self) }
        switch (self as? any SQLDatabase)?.dialect.name {
        case "sqlite":
            await WriteGate.shared.enter()
            do {
                let result = try await transaction { tx in
                    try await (tx as! any SQLDatabase).raw("UPDATE \"_fluent_migrations\" SET \"batch\" = \"batch\" WHERE 0").run()
                    return try await body(tx)
                }
                await WriteGate.shared.leave()
                return result
            } catch {
                await WriteGate.shared.leave()
                throw error
            }
        case "postgresql":
            // No queue in the process: waiting for the lock costs no thread here, and a queue would make
            // every writer wait out the one stuck on a dropped connection while PostgreSQL restarts.
            return try await PostgresTransaction.run(on: self) { tx in
                // Keyed by schema too: communities that share a database in their own schemas (the test
                // suites do) do not wait for each other.
                try await (tx as! any SQLDatabase).raw(
                    "SELECT pg_advisory_xact_lock(\(literal: WriteGate.lockKey), hashtext(current_schema()))"
                ).run()
                return try await body(tx)
            }
        default:
            return try await transaction(body)
        }
    }
}

/// The queue of this process's SQLite write transactions: first come, first served. Waiting here costs
/// nothing, where waiting for SQLite's lock keeps a thread spinning in the busy handler (on a busy
/// machine the transaction holding the lock then hardly got a core, and writes timed out).
actor WriteGate {
    static let shared = WriteGate()

    /// The PostgreSQL advisory lock's first key: a fixed number no other lock uses ("krng" in ASCII).
    static let lockKey = 0x6B72_6E67

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
