import FluentKit
import Foundation
import KringCore
import SQLKit

/// DAU, WAU and MAU per finished day, for the whole community and for each group, kept by the
/// rollup job so that the cockpit reads a row per day instead of every member's visits over the
/// sixty days its windows reach (most of a month's figures at a hundred thousand members).
///
/// A day's counts come from that day's visitors alone: with each member's last visit day kept as
/// the days go by, the members whose last visit is among the window's days are the window's
/// distinct visitors. So rolling a day reads one day of rows, plus the 29 days before the first
/// day of a run to start the state.
extension ActivityRollups {
    static let visitorsName = "visitors_daily"
    /// The scope of the whole community's rows (groups use their id).
    static let communityScope = "community"

    @discardableResult
    func catchUpVisitors(timeZone: TimeZone) async throws -> Int {
        guard let rolled = try await rolledThrough(timeZone: timeZone),
            let start = try await resumeDay(of: Self.visitorsName, table: "visitors_daily", timeZone: timeZone)
        else { return 0 }
        let calendar = MetricPeriod.calendar(timeZone)
        var keys = DayKeyParser(timeZone)
        guard start <= rolled else { return 0 }
        let days = DayIndex(
            from: calendar.date(byAdding: .day, value: -29, to: start)!, to: calendar.date(byAdding: .day, value: 1, to: rolled)!,
            calendar: calendar)
        var windows = VisitorWindows()
        // The state at the start: each member's last visit (per scope) in the 29 days before.
        let before = try await visitorRows(from: days.starts[0], to: start, keys: &keys)
        for row in before { if let day = days.index(of: row.day) { windows.visit(row.scope, row.member, on: day) } }
        var done = 0
        let now = clock.now()
        var day = start
        while day <= rolled {
            guard let index = days.index(of: day) else { break }
            for row in try await visitorRows(from: day, to: days.nextDayStart(after: day)!, keys: &keys) {
                windows.visit(row.scope, row.member, on: index)
            }
            let key = keys.formatter.string(from: day)
            let counts = windows.counts(on: index)
            try await database.writeTransaction { tx in
                guard let sql = tx as? any SQLDatabase else { return }
                try await sql.raw("DELETE FROM visitors_daily WHERE day = \(bind: key)").run()
                let rows = counts.map { scope, count in
                    SQLGroupExpression([SQLBind(key), SQLBind(scope), SQLBind(count.dau), SQLBind(count.wau), SQLBind(count.mau)])
                }
                for batch in rows.chunked(200) {
                    try await sql.raw("INSERT INTO visitors_daily (day, scope, dau, wau, mau) VALUES \(SQLList(batch))").run()
                }
                try await Self.markRolled(Self.visitorsName, through: key, timeZone: timeZone, at: now, on: tx)
            }
            done += 1
            day = days.nextDayStart(after: day)!
        }
        return done
    }

    /// Distinct (scope, member, day) in [from, to) from the rollups, staff and bots left out: the
    /// community's visitors are members with a visit, a group's are members with any event in it.
    private func visitorRows(from: Date, to: Date, keys: inout DayKeyParser) async throws -> [(scope: String, member: UUID, day: Date)] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let range: SQLQueryString =
            "day >= \(bind: keys.formatter.string(from: from)) AND day < \(bind: keys.formatter.string(from: to)) "
            + "AND is_staff = \(bind: false) AND is_bot = \(bind: false)"
        let query: SQLQueryString =
            "SELECT DISTINCT \(bind: Self.communityScope) AS scope, member_id, day FROM activity_daily WHERE kind = "
            + "\(bind: ActivityKind.visit.rawValue) AND " + range
            + " UNION SELECT DISTINCT CAST(group_id AS TEXT) AS scope, member_id, day FROM activity_daily WHERE group_id IS NOT NULL AND "
            + range
        var result: [(scope: String, member: UUID, day: Date)] = []
        for row in try await sql.raw(query).all() {
            let scope = try row.decode(column: "scope", as: String.self)
            guard let day = keys.date(try row.decode(column: "day", as: String.self)) else { continue }
            result.append(
                (
                    scope: scope == Self.communityScope ? scope : scope.uppercased(), member: try row.decodeUUID(column: "member_id"),
                    day: day
                ))
        }
        return result
    }

    /// The stored DAU, WAU and MAU of the scope (nil: the community) on the days in [from, to), by day key.
    func storedVisitors(groupID: UUID?, from: String, to: String) async throws -> [String: (dau: Int, wau: Int, mau: Int)] {
        guard let sql = database as? any SQLDatabase else { return [:] }
        var result: [String: (dau: Int, wau: Int, mau: Int)] = [:]
        let rows = try await sql.raw(
            """
            SELECT day, dau, wau, mau FROM visitors_daily WHERE scope = \(bind: groupID.map { $0.uuidString } ?? Self.communityScope)
            AND day >= \(bind: from) AND day < \(bind: to)
            """
        ).all()
        for row in rows {
            result[try row.decode(column: "day", as: String.self)] = (
                try row.decode(column: "dau", as: Int.self), try row.decode(column: "wau", as: Int.self),
                try row.decode(column: "mau", as: Int.self)
            )
        }
        return result
    }
}

/// Distinct visitors in the windows ending on each day, from visits fed in day order: each
/// member's last visit day per scope, and per scope how many members have their last visit on
/// each day. A window's distinct visitors are those whose last visit falls in it.
struct VisitorWindows {
    private var lastVisit: [String: [UUID: Int]] = [:]
    private var lastOn: [String: [Int: Int]] = [:]

    mutating func visit(_ scope: String, _ member: UUID, on day: Int) {
        if let previous = lastVisit[scope]?[member] {
            guard previous < day else { return }
            lastOn[scope]?[previous]? -= 1
        }
        lastVisit[scope, default: [:]][member] = day
        lastOn[scope, default: [:]][day, default: 0] += 1
    }

    /// Every scope's DAU, WAU and MAU on `day` (scopes with nobody in the month leave out).
    func counts(on day: Int) -> [(String, (dau: Int, wau: Int, mau: Int))] {
        lastOn.keys.sorted().compactMap { scope in
            let onDay = lastOn[scope] ?? [:]
            func window(_ length: Int) -> Int { (day - length + 1...day).reduce(0) { $0 + (onDay[$1] ?? 0) } }
            let mau = window(30)
            return mau > 0 ? (scope, (dau: window(1), wau: window(7), mau: mau)) : nil
        }
    }
}
