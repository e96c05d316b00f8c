import Foundation
import KringCore
import KringStore

/// The figures of finished periods, kept for ten minutes in the process: the cockpit's comparison
/// column asks for the previous period on every page and every API call, and at a hundred
/// thousand members computing it took as long as the period on screen. A finished period's figures
/// change only when old content is edited or moderated later, so at worst the comparison is ten
/// minutes behind; the period on screen is always computed afresh.
actor FinishedPeriodCache {
    struct Key: Hashable {
        let start: Date
        let end: Date
        let timeZone: String
        let groupID: UUID?
        let inactiveDays: Int
    }

    static let lifetime: TimeInterval = 600
    /// Periods × groups × intervals a manager looks at in ten minutes: a few dozen at most.
    static let capacity = 64

    private var entries: [Key: (figures: CommunityFigures, at: Date)] = [:]

    /// The finished period's figures from the cache while fresh, else computed by `compute` and kept.
    /// A period still running (or to come) is always computed.
    func figures(
        for period: MetricPeriod, groupID: UUID?, inactiveDays: Int, now: Date,
        compute: @Sendable () async throws -> CommunityFigures
    ) async throws -> CommunityFigures {
        guard period.end <= now else { return try await compute() }
        let key = Key(
            start: period.start, end: period.end, timeZone: period.timeZone.identifier, groupID: groupID, inactiveDays: inactiveDays)
        if let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime, entry.at <= now { return entry.figures }
        let figures = try await compute()
        entries = entries.filter { now.timeIntervalSince($0.value.at) < Self.lifetime }
        if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.at < $1.value.at })?.key { entries[oldest] = nil }
        entries[key] = (figures, now)
        return figures
    }

    /// Forgets everything, e.g. after an erasure removed posts from finished periods.
    func removeAll() { entries = [:] }
}
