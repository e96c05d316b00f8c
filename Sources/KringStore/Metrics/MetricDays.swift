import FluentKit
import Foundation
import KringCore
import SQLKit

/// Consecutive calendar days in the community's time zone, [from, to), with their keys
/// ("yyyy-MM-dd", as the rollups store them), so that the database can sort rows into local days.
struct MetricDays {
    let starts: [Date]
    let keys: [String]
    let end: Date
    let timeZone: TimeZone
    private let offsets: [String: Int]
    /// The same positions keyed by the day as a number (20261202), for reading joined keys fast.
    private let numericOffsets: [Int: Int]

    init(from: Date, to: Date, timeZone: TimeZone) {
        let calendar = MetricPeriod.calendar(timeZone)
        let format = ActivityRollups.dayFormatter(timeZone)
        var starts: [Date] = []
        var day = calendar.startOfDay(for: from)
        while day < to {
            starts.append(day)
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        self.starts = starts
        self.keys = starts.map(format.string(from:))
        self.end = to
        self.timeZone = timeZone
        self.offsets = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        self.numericOffsets = Dictionary(
            uniqueKeysWithValues: keys.enumerated().compactMap { index, key in
                Self.number(of: Array(key.utf8)[...]).map { ($0, index) }
            })
    }

    /// `yyyy-MM-dd` as the number yyyyMMdd, read byte by byte (nil when it is not a day key).
    static func number(of bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count == 10 else { return nil }
        var value = 0
        for (index, byte) in zip(bytes.indices, bytes) where index - bytes.startIndex != 4 && index - bytes.startIndex != 7 {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    /// The positions of the days in a comma-joined list of keys, as the database aggregates them.
    /// Read as bytes: splitting a String by characters was most of the time at a hundred thousand members.
    func offsets(ofJoined joined: String) -> [Int] {
        let bytes = Array(joined.utf8)
        var result: [Int] = []
        result.reserveCapacity(bytes.count / 11 + 1)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 44 { end += 1 }
            if let number = Self.number(of: bytes[start..<end]), let offset = numericOffsets[number] { result.append(offset) }
            start = end + 1
        }
        return result.sorted()
    }

    /// The day's position in the range, from its key.
    func offset(of key: some StringProtocol) -> Int? { offsets[String(key)] }

    /// The key of the day holding the timestamp in `column` (which the query keeps in [from, to)):
    /// a CASE over the day bounds, because neither database knows the time zone's rules as
    /// Foundation does.
    func key(of column: String) -> SQLQueryString {
        var expression: SQLQueryString = "CASE"
        for (index, key) in keys.enumerated() {
            let next = index + 1 < starts.count ? starts[index + 1] : end
            expression += " WHEN \(unsafeRaw: column) < \(bind: next) THEN \(bind: key)"
        }
        return expression + " END"
    }

    /// The days from `index` on.
    func suffix(from index: Int) -> MetricDays { MetricDays(from: starts[index], to: end, timeZone: timeZone) }
}

extension SQLDatabase {
    /// `string_agg` on PostgreSQL, `group_concat` on SQLite: a group's strings joined by commas.
    func joinedStrings(_ column: String) -> SQLQueryString {
        dialect.name == "postgresql" ? "string_agg(\(unsafeRaw: column), ',')" : "group_concat(\(unsafeRaw: column), ',')"
    }
}

extension MetricsRepository {
    /// Each member's days with an event of these kinds (nil: any), as positions in `days`, staff and
    /// bots left out. The database returns one row per member with the days joined, not a row per
    /// member and day, which at a hundred thousand members was most of the cockpit's time.
    func memberDays(kinds: [ActivityKind]?, in days: MetricDays, groupID: UUID?) async throws -> [UUID: [Int]] {
        guard let sql = database as? any SQLDatabase, let rows = try await memberDayRows(kinds: kinds, in: days, groupID: groupID) else {
            return [:]
        }
        let query: SQLQueryString = "SELECT m AS member_id, " + sql.joinedStrings("d") + " AS days FROM (" + rows + ") u GROUP BY m"
        var result: [UUID: [Int]] = [:]
        for row in try await sql.raw(query).all() {
            let joined = try row.decode(column: "days", as: String.self)
            result[try row.decodeUUID(column: "member_id")] = days.offsets(ofJoined: joined)
        }
        return result
    }

    /// Distinct members with an event of these kinds on the last day of `days`, in its last 7 and
    /// in all of them (30 for MAU), counted by the database.
    func windowCounts(kinds: [ActivityKind]?, in days: MetricDays, groupID: UUID?) async throws -> (dau: Int, wau: Int, mau: Int) {
        guard let sql = database as? any SQLDatabase,
            let rows = try await memberDayRows(kinds: kinds, in: days, groupID: groupID, distinct: false)
        else {
            return (0, 0, 0)
        }
        let last = days.keys[days.keys.count - 1]
        let week = days.keys[max(0, days.keys.count - 7)]
        let query: SQLQueryString =
            "SELECT COUNT(DISTINCT m) AS mau, COUNT(DISTINCT CASE WHEN d >= \(bind: week) THEN m END) AS wau, "
            + "COUNT(DISTINCT CASE WHEN d >= \(bind: last) THEN m END) AS dau FROM (" + rows + ") u"
        guard let row = try await sql.raw(query).first() else { return (0, 0, 0) }
        return (
            try row.decode(column: "dau", as: Int.self), try row.decode(column: "wau", as: Int.self),
            try row.decode(column: "mau", as: Int.self)
        )
    }

    /// (member `m`, day key `d`) pairs with an event of these kinds, staff and bots left out: from
    /// the rollups for the days they cover, from the log for the rest (nil: no days). `distinct:
    /// false` may repeat a pair, for counts that tell members apart themselves (`COUNT(DISTINCT m)`,
    /// `UNION`): sorting out a month's half million pairs first took more than half their time.
    func memberDayRows(kinds: [ActivityKind]?, in days: MetricDays, groupID: UUID?, distinct: Bool = true) async throws
        -> SQLQueryString?
    {
        guard !days.starts.isEmpty else { return nil }
        var rolled = 0
        if usesRollups, let through = try await rollups.rolledThrough(timeZone: days.timeZone) {
            rolled = days.starts.prefix { $0 <= through }.count
        }
        let kindList = kinds.map { SQLGroupExpression($0.map { SQLBind($0.rawValue) }) }
        var parts: [SQLQueryString] = []
        let select: SQLQueryString = distinct ? "DISTINCT " : ""
        if rolled > 0 {
            let rolledEnd =
                rolled < days.keys.count ? days.keys[rolled] : ActivityRollups.dayFormatter(days.timeZone).string(from: days.end)
            var part: SQLQueryString =
                "SELECT " + select
                + "member_id AS m, day AS d FROM activity_daily WHERE day >= \(bind: days.keys[0]) AND day < \(bind: rolledEnd) "
                + "AND is_staff = \(bind: false) AND is_bot = \(bind: false)"
            if let kindList { part += " AND kind IN \(kindList)" }
            if let groupID { part += " AND group_id = \(bind: groupID)" }
            parts.append(part)
        }
        if rolled < days.starts.count {
            let raw = days.suffix(from: rolled)
            var part: SQLQueryString =
                "SELECT " + select + "actor_id AS m, " + raw.key(of: "occurred_at") + " AS d FROM activity_events "
                + "WHERE occurred_at >= \(bind: raw.starts[0]) AND occurred_at < \(bind: raw.end) AND actor_id IS NOT NULL "
                + "AND actor_is_staff = \(bind: false) AND actor_is_bot = \(bind: false)"
            if let kindList { part += " AND kind IN \(kindList)" }
            if let groupID { part += " AND group_id = \(bind: groupID)" }
            parts.append(part)
        }
        var union = parts[0]
        for part in parts.dropFirst() { union += " UNION " + part }
        return union
    }
}
