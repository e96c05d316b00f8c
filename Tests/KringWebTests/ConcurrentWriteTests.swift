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
    /// Transactions that read and then write, forty at once on several connections: none fails with
    /// "database is locked" (on SQLite a deferred transaction that read before another committed could
    /// not write at all — flagging a post under load was a 500) and no increment is lost (on
    /// PostgreSQL two concurrent topics once left a group's topic count one short).
    @Test func readThenWriteTransactionsSideBySideAllSucceed() async throws {
        try await withKringApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE scratch_counter (n INTEGER NOT NULL)").run()
            try await sql.raw("INSERT INTO scratch_counter (n) VALUES (0)").run()
            let failures = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        do {
                            try await app.db.writeTransaction { tx in
                                let sql = tx as! any SQLDatabase
                                let n = try await sql.raw("SELECT n FROM scratch_counter").first(decodingColumn: "n", as: Int.self) ?? 0
                                try await Task.sleep(for: .milliseconds(2))  // another transaction commits meanwhile
                                try await sql.raw("UPDATE scratch_counter SET n = \(bind: n + 1)").run()
                            }
                            return nil
                        } catch {
                            return String(reflecting: error)
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
            }
            #expect(failures.isEmpty, "\(failures.count) transactions failed: \(failures.prefix(2))")
            let total = try await sql.raw("SELECT n FROM scratch_counter").first(decodingColumn: "n", as: Int.self)
            #expect(total == 40)
        }
    }
}
