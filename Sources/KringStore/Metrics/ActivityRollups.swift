import FluentKit
import Foundation
import KringCore
import SQLKit

final class ActivityDailyRecord: Model, @unchecked Sendable {
    static let schema = "activity_daily"

    @ID(key: .id) var id: UUID?
    @Field(key: "day") var day: String
    @Field(key: "kind") var kind: String
    @Field(key: "member_id") var memberID: UUID
    @OptionalField(key: "group_id") var groupID: UUID?
    @Field(key: "is_staff") var isStaff: Bool
    @Field(key: "is_bot") var isBot: Bool
    @Field(key: "events") var events: Int

    init() {}
}

final class RollupStateRecord: Model, @unchecked Sendable {
    static let schema = "rollup_state"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "through_day") var throughDay: String
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// Daily rollups of the activity log: for each calendar day (in the community's time zone), kind,
/// member and group, how many events there were. A background job keeps them up to date; rolling a
/// day up again replaces it, so the job is idempotent and catches up after downtime. Days are only
/// rolled up once they are over; the metrics read today (and anything not yet rolled up) from the log.
public struct ActivityRollups: Sendable {
    let database: any Database
    let clock: KringClock

    static let name = "activity_daily"

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    static func dayFormatter(_ timeZone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }

    /// Day keys back to day starts, each distinct key parsed once: a parse costs microseconds,
    /// which over a hundred thousand rows of a few hundred days added up to seconds. Its
    /// `formatter` writes day keys.
    struct DayKeyParser {
        let formatter: DateFormatter
        private var starts: [String: Date] = [:]

        init(_ timeZone: TimeZone) { formatter = ActivityRollups.dayFormatter(timeZone) }

        mutating func date(_ key: String) -> Date? {
            if let start = starts[key] { return start }
            let start = LocalDay.start(of: key, in: formatter.timeZone)
            starts[key] = start
            return start
        }
    }

    /// Rolls up every finished day not rolled up yet (all of them again after the community's time
    /// zone changed). Returns how many days it rolled up; `progress` hears (done, total).
    @discardableResult
    public func catchUp(timeZone: TimeZone, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Int {
        let calendar = MetricPeriod.calendar(timeZone)
        let days = Self.dayFormatter(timeZone)
        let today = calendar.startOfDay(for: clock.now())
        var start: Date
        if let through = try await rolledThrough(timeZone: timeZone) {
            start = calendar.date(byAdding: .day, value: 1, to: through)!
        } else {
            try await reset()
            guard let first = try await ActivityEventRecord.query(on: database).sort(\.$occurredAt).first() else { return 0 }
            start = calendar.startOfDay(for: first.occurredAt)
        }
        let total = max(0, calendar.dateComponents([.day], from: start, to: today).day ?? 0)
        var done = 0
        while start < today {
            try await rollUp(day: start, key: days.string(from: start), calendar: calendar, timeZone: timeZone)
            done += 1
            progress?(done, total)
            start = calendar.date(byAdding: .day, value: 1, to: start)!
        }
        try await catchUpFirstDays(timeZone: timeZone)
        try await catchUpVisitors(timeZone: timeZone)
        if done > 0, let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" {
            // Fresh statistics once a day: without them SQLite's planner took the index on
            // `hidden_at` (nearly every post is NULL there) over the one on the date range.
            // PostgreSQL's autovacuum keeps its own.
            try await sql.raw("ANALYZE").run()
        }
        return done
    }

    /// Forgets every rollup (after an import rewrote history); the next catch-up starts over.
    public func reset() async throws {
        try await RollupStateRecord.query(on: database).filter(\.$name ~~ [Self.name, Self.firstDaysName, Self.visitorsName]).delete()
        try await ActivityDailyRecord.query(on: database).delete()
        for table in ["member_first_days", "visitors_daily"] {
            try await (database as? any SQLDatabase)?.raw("DELETE FROM \(ident: table)").run()
        }
    }

    /// The start of the last day rolled up, if the rollups were cut in this time zone.
    public func rolledThrough(timeZone: TimeZone) async throws -> Date? {
        try await through(Self.name, timeZone: timeZone)
    }

    /// The start of the last day the rollup called `name` covers, if its days were cut in this time zone.
    func through(_ name: String, timeZone: TimeZone) async throws -> Date? {
        guard let state = try await RollupStateRecord.query(on: database).filter(\.$name == name).first(),
            state.timeZone == timeZone.identifier
        else { return nil }
        return LocalDay.start(of: state.throughDay, in: timeZone)
    }

    /// Records that the rollup called `name` covers the day `dayKey`, in the transaction that rolled it.
    static func markRolled(_ name: String, through dayKey: String, timeZone: TimeZone, at now: Date, on database: any Database) async throws
    {
        let state = try await RollupStateRecord.query(on: database).filter(\.$name == name).first() ?? RollupStateRecord()
        state.name = name
        state.throughDay = dayKey
        state.timeZone = timeZone.identifier
        state.updatedAt = now
        try await state.save(on: database)
    }

    /// Replaces one day's rows and moves the state on, in one transaction.
    private func rollUp(day: Date, key dayKey: String, calendar: Calendar, timeZone: TimeZone) async throws {
        let end = calendar.date(byAdding: .day, value: 1, to: day)!
        let now = clock.now()
        try await database.writeTransaction { tx in
            try await ActivityDailyRecord.query(on: tx).filter(\.$day == dayKey).delete()
            // The database groups, counts and writes the rows itself: one row per member, kind and
            // group, none of them read into Swift (a generated year of five million events rolled up
            // in half the time).
            guard let sql = tx as? any SQLDatabase else { return }
            try await sql.raw(
                """
                INSERT INTO activity_daily (id, day, kind, member_id, group_id, is_staff, is_bot, events)
                SELECT \(sql.newUUIDExpression), \(bind: dayKey), kind, actor_id, group_id, actor_is_staff, actor_is_bot, COUNT(*) FROM activity_events
                WHERE occurred_at >= \(bind: day) AND occurred_at < \(bind: end) AND actor_id IS NOT NULL
                GROUP BY kind, actor_id, group_id, actor_is_staff, actor_is_bot
                """
            ).run()
            try await Self.markRolled(Self.name, through: dayKey, timeZone: timeZone, at: now, on: tx)
        }
    }
}
