import FluentKit
import Foundation
import KringStore
import KringTestSupport
import SQLKit
import Testing
import Vapor

/// Writes side by side, as a busy community makes them.
@Suite("Concurrent write transactions")
struct ConcurrentWriteTests {
    /// Transactions that read and then write, as many writers side by side as the pool has connections,
    /// about forty transactions in all: none fails with "database is locked" (on SQLite a deferred
    /// transaction that read before another committed could not write at all — flagging a post under
    /// load was a 500) and no increment is lost (on PostgreSQL two concurrent topics once left a group's
    /// topic count one short). No more writers than connections: the rest would wait for one, and on a
    /// loaded machine forty serialised transactions outlast the pool's ten-second wait (a 503 —
    /// capacity, not what this test is about).
    @Test func readThenWriteTransactionsSideBySideAllSucceed() async throws {
        try await withKringApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE scratch_counter (n INTEGER NOT NULL)").run()
            try await sql.raw("INSERT INTO scratch_counter (n) VALUES (0)").run()
            let writers = System.coreCount * 2  // the test app's pool: two connections per event loop
            let rounds = max(1, 40 / writers)
            let failures = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        var failures: [String] = []
                        for _ in 0..<rounds {
                            do {
                                try await app.db.writeTransaction { tx in
                                    let sql = tx as! any SQLDatabase
                                    let n = try await sql.raw("SELECT n FROM scratch_counter").first(decodingColumn: "n", as: Int.self) ?? 0
                                    try await Task.sleep(for: .milliseconds(2))  // another transaction commits meanwhile
                                    try await sql.raw("UPDATE scratch_counter SET n = \(bind: n + 1)").run()
                                }
                            } catch {
                                failures.append(String(reflecting: error))
                            }
                        }
                        return failures
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(failures.isEmpty, "\(failures.count) transactions failed: \(failures.prefix(2))")
            let total = try await sql.raw("SELECT n FROM scratch_counter").first(decodingColumn: "n", as: Int.self)
            #expect(total == writers * rounds)
        }
    }
}
