import FluentKit
import Foundation
import KringCore
import SQLKit

/// Page views per day, added to in batches (the server counts in memory and flushes every few
/// seconds, so reading a page never waits for a write).
public struct PageViewStore: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Adds counts per day key (YYYY-MM-DD in the community's time zone).
    public func add(_ counts: [String: Int]) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (day, views) in counts where views > 0 {
            try await sql.raw(
                """
                INSERT INTO page_views_daily (id, day, views) VALUES (\(bind: UUID()), \(bind: day), \(bind: views))
                ON CONFLICT (day) DO UPDATE SET views = page_views_daily.views + excluded.views
                """
            ).run()
        }
    }

    /// Views on each day of [from, to), by day key.
    public func views(from: String, to: String) async throws -> [String: Int] {
        guard let sql = database as? any SQLDatabase else { return [:] }
        var result: [String: Int] = [:]
        for row in try await sql.raw("SELECT day, views FROM page_views_daily WHERE day >= \(bind: from) AND day < \(bind: to)").all() {
            result[try row.decode(column: "day", as: String.self)] = try row.decode(column: "views", as: Int.self)
        }
        return result
    }
}
