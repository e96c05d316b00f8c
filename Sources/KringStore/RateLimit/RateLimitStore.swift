import FluentKit
import Foundation
import KringCore
import SQLKit

/// Counts attempts per key in fixed time windows, in the database so that every Kring process
/// serving the community sees the same counts.
public struct RateLimitStore: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    private func windowStart(_ window: TimeInterval) -> Int64 {
        let now = clock.now().timeIntervalSince1970
        return Int64(now / window) * Int64(window)
    }

    /// Adds one hit to `bucket` in the current window and returns the window's total.
    @discardableResult
    public func hit(_ bucket: String, window: TimeInterval) async throws -> Int {
        let sql = try sqlDatabase()
        let start = windowStart(window)
        try await sql.raw(
            """
            INSERT INTO rate_limit_counters (bucket, window_start, hits) VALUES (\(bind: bucket), \(bind: start), 1)
            ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
            """
        ).run()
        return try await hits(bucket, window: window)
    }

    /// The hits in `bucket` during the current window.
    public func hits(_ bucket: String, window: TimeInterval) async throws -> Int {
        let sql = try sqlDatabase()
        let row = try await sql.raw(
            """
            SELECT hits FROM rate_limit_counters WHERE bucket = \(bind: bucket) AND window_start = \(bind: windowStart(window))
            """
        ).first()
        return try row?.decode(column: "hits", as: Int.self) ?? 0
    }

    /// The hits in `bucket` during the current and the previous window: at least the last `window`
    /// seconds. Lock-outs use this so that failures just before a window boundary still count after it.
    public func recentHits(_ bucket: String, window: TimeInterval) async throws -> Int {
        let sql = try sqlDatabase()
        let row = try await sql.raw(
            """
            SELECT CAST(COALESCE(SUM(hits), 0) AS BIGINT) AS hits FROM rate_limit_counters
            WHERE bucket = \(bind: bucket) AND window_start >= \(bind: windowStart(window) - Int64(window))
            """
        ).first()
        return try row?.decode(column: "hits", as: Int.self) ?? 0
    }

    /// An estimate of the hits in the last `window` seconds, sliding rather than fixed: the current
    /// window's hits plus the previous window's, weighted by how much of it still lies within reach.
    /// Limits on bursts use it, so that a burst across a window boundary is still caught.
    public func slidingHits(_ bucket: String, window: TimeInterval) async throws -> Double {
        let sql = try sqlDatabase()
        let current = windowStart(window)
        let rows = try await sql.raw(
            """
            SELECT window_start, hits FROM rate_limit_counters
            WHERE bucket = \(bind: bucket) AND window_start >= \(bind: current - Int64(window))
            """
        ).all()
        var total = 0.0
        let elapsed = clock.now().timeIntervalSince1970 - Double(current)
        for row in rows {
            let start = try row.decode(column: "window_start", as: Int64.self)
            let hits = Double(try row.decode(column: "hits", as: Int.self))
            total += start == current ? hits : hits * max(0, 1 - elapsed / window)
        }
        return total
    }

    /// Forgets the hits of `bucket` (e.g. failed logins after a successful one).
    public func reset(_ bucket: String) async throws {
        try await sqlDatabase().raw("DELETE FROM rate_limit_counters WHERE bucket = \(bind: bucket)").run()
    }

    /// Drops windows older than a day; run by the maintenance job.
    public func purgeOld() async throws {
        let cutoff = Int64(clock.now().timeIntervalSince1970) - 86_400
        try await sqlDatabase().raw("DELETE FROM rate_limit_counters WHERE window_start < \(bind: cutoff)").run()
    }

    private func sqlDatabase() throws -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else { throw RateLimitStoreError.sqlRequired }
        return sql
    }
}

enum RateLimitStoreError: Error {
    case sqlRequired
}
