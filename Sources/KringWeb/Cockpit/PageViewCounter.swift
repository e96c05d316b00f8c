import Fluent
import Foundation
import KringStore
import Vapor

/// Counts page views in memory, per day; the background job writes the counts to the database
/// every few seconds and at shutdown. Aggregate only: no visitor, no path.
actor PageViewCounter {
    private var counts: [String: Int] = [:]

    func add(day: String) {
        counts[day, default: 0] += 1
    }

    /// Writes what was counted since the last flush.
    func flush(to database: any Database) async throws {
        let pending = counts
        counts = [:]
        do {
            try await PageViewStore(database: database).add(pending)
        } catch {
            for (day, views) in pending { counts[day, default: 0] += views }
            throw error
        }
    }
}

extension Application {
    private struct PageViewCounterKey: StorageKey {
        typealias Value = PageViewCounter
    }

    /// The page-view counter, made on first use — by `configure(_:)`, before any request: the
    /// application's storage is not safe to write while requests read it.
    var pageViews: PageViewCounter {
        if let counter = storage[PageViewCounterKey.self] { return counter }
        let counter = PageViewCounter()
        storage[PageViewCounterKey.self] = counter
        return counter
    }
}
