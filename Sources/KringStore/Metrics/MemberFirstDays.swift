import FluentKit
import Foundation
import KringCore
import SQLKit

/// What a member did again after their join day, for the cohort table: came back (a visit) or posted.
enum FirstDayKind: String, CaseIterable {
    case visit
    case post

    /// The logged kinds that count as doing it.
    var activityKinds: [ActivityKind] { self == .visit ? [.visit] : [.topicCreated, .replyCreated] }
}

extension ActivityRollups {
    static let firstDaysName = "member_first_days"

    /// Where a rollup derived from `activity_daily` goes on: the day after the last it covers or,
    /// when it never ran (or cut its days in another time zone), the first rolled-up day, with
    /// its table emptied. Nil when there is nothing rolled up.
    func resumeDay(of name: String, table: String, timeZone: TimeZone) async throws -> Date? {
        if let through = try await through(name, timeZone: timeZone) {
            return MetricPeriod.calendar(timeZone).date(byAdding: .day, value: 1, to: through)
        }
        guard let sql = database as? any SQLDatabase else { return nil }
        try await sql.raw("DELETE FROM \(ident: table)").run()
        let first = try await sql.raw("SELECT MIN(day) AS day FROM activity_daily").first()?.decode(column: "day", as: String?.self)
        return first.flatMap { $0 }.flatMap { LocalDay.start(of: $0, in: timeZone) }
    }

    /// Brings `member_first_days` up to the daily rollups, a day at a time in date order, so that
    /// a member's row holds the first day after their join day on which they visited (or posted).
    /// Derived from `activity_daily` alone: quick, and after an upgrade it fills in without rolling
    /// the log up again.
    @discardableResult
    func catchUpFirstDays(timeZone: TimeZone) async throws -> Int {
        guard let rolled = try await rolledThrough(timeZone: timeZone),
            var start = try await resumeDay(of: Self.firstDaysName, table: "member_first_days", timeZone: timeZone)
        else { return 0 }
        let calendar = MetricPeriod.calendar(timeZone)
        let days = Self.dayFormatter(timeZone)
        var done = 0
        let now = clock.now()
        while start <= rolled {
            let key = days.string(from: start)
            let dayStart = start
            try await database.writeTransaction { tx in
                guard let sql = tx as? any SQLDatabase else { return }
                try await sql.raw("DELETE FROM member_first_days WHERE day = \(bind: key)").run()
                for kind in FirstDayKind.allCases {
                    // Members with such a row on the day who joined before it and have no first day yet.
                    try await sql.raw(
                        """
                        INSERT INTO member_first_days (member_id, kind, day)
                        SELECT DISTINCT d.member_id, \(bind: kind.rawValue), \(bind: key) FROM activity_daily d
                        JOIN members m ON m.id = d.member_id
                        WHERE d.day = \(bind: key) AND d.kind IN \(SQLGroupExpression(kind.activityKinds.map { SQLBind($0.rawValue) }))
                        AND d.is_staff = \(bind: false) AND d.is_bot = \(bind: false) AND m.created_at < \(bind: dayStart)
                        AND NOT EXISTS (SELECT 1 FROM member_first_days f WHERE f.member_id = d.member_id AND f.kind = \(bind: kind.rawValue))
                        """
                    ).run()
                }
                try await Self.markRolled(Self.firstDaysName, through: key, timeZone: timeZone, at: now, on: tx)
            }
            done += 1
            start = calendar.date(byAdding: .day, value: 1, to: start)!
        }
        return done
    }
}
