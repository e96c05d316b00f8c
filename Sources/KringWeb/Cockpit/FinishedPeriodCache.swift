import Foundation
import KringCore
import KringStore

/// The figures of finished periods, kept for ten minutes in the process: the cockpit's comparison
/// column asks for the previous period on every page and every API call, and at a hundred
/// thousand members computing it took as long as the period on screen. A finished period's figures
/// change only when old content is edited or moderated later, so at worst the comparison is ten
/// minutes behind. The period on screen is kept only while the database has not been written
/// since (`position`) and within the same minute. Requests that ask for the same figures while
/// they are being computed share that computation (at most its few seconds behind): a team
/// opening the dashboard together (or a load test) no longer queues the same seconds-long queries
/// thirty times, nor one computation per request while members keep writing.
actor FinishedPeriodCache {
    struct Key: Hashable {
        let start: Date
        let end: Date
        let timeZone: String
        let groupID: UUID?
        let inactiveDays: Int
        let withCohorts: Bool
    }

    static let lifetime: TimeInterval = 600
    /// Periods × groups × intervals a manager looks at in ten minutes: a few dozen at most.
    static let capacity = 64

    private var entries: [Key: (figures: CommunityFigures, at: Date)] = [:]
    private var computing: [Key: Task<CommunityFigures, any Error>] = [:]
    /// The latest figures of each running period, with the write position and minute they hold for.
    private var running: [Key: (figures: CommunityFigures, position: String, minute: Int)] = [:]
    /// How many figures were computed rather than found (for tests).
    private(set) var computations = 0

    /// A finished period's figures from the cache while fresh, else computed by `compute` (shared
    /// with any request computing the same figures right now) and, for a finished period, kept.
    /// `keeps`: false for the period on screen, kept only for requests at the same `position` (where
    /// the database's writes stood before computing; nil: not kept) within the same minute.
    func figures(
        for period: MetricPeriod, groupID: UUID?, inactiveDays: Int, withCohorts: Bool = false, keeps: Bool = true,
        position: String? = nil, now: Date, compute: @escaping @Sendable () async throws -> CommunityFigures
    ) async throws -> CommunityFigures {
        let key = Key(
            start: period.start, end: period.end, timeZone: period.timeZone.identifier, groupID: groupID, inactiveDays: inactiveDays,
            withCohorts: withCohorts)
        let finished = keeps && period.end <= now
        let minute = Int((now.timeIntervalSince1970 / 60).rounded(.down))
        if finished, let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime, entry.at <= now { return entry.figures }
        if !finished, let position, let entry = running[key], entry.position == position, entry.minute == minute { return entry.figures }
        if let running = computing[key] { return try await running.value }
        computations += 1
        let task = Task { try await compute() }
        computing[key] = task
        let result = await task.result
        computing[key] = nil
        let figures = try result.get()
        guard finished else {
            if let position {
                running = running.filter { $0.value.minute == minute }
                if running.count >= Self.capacity { running.removeAll() }
                running[key] = (figures, position, minute)
            }
            return figures
        }
        entries = entries.filter { now.timeIntervalSince($0.value.at) < Self.lifetime }
        if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.at < $1.value.at })?.key { entries[oldest] = nil }
        entries[key] = (figures, now)
        return figures
    }

    /// Forgets everything, e.g. after an erasure removed posts from finished periods.
    func removeAll() {
        entries = [:]
        running = [:]
    }
}
