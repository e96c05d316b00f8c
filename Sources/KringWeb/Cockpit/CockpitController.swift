import KringCore
import KringStore
import SQLKit
import Vapor

extension Repositories {
    /// Figures from the analytics connection (`side` 1 for a second computation alongside).
    public var metrics: MetricsRepository { metrics(side: 0) }
    func metrics(side: Int) -> MetricsRepository { MetricsRepository(database: analyticsDatabase(side: side), clock: clock) }

    /// A period's figures, led on analytics side `side` with the other side's connection alongside.
    func figures(
        for period: MetricPeriod, groupID: UUID? = nil, inactiveDays: Int = MetricsSettings.defaultInactiveDays, withCohorts: Bool,
        side: Int = 0
    ) async throws -> CommunityFigures {
        try await metrics(side: side).figures(
            for: period, groupID: groupID, inactiveDays: inactiveDays, withCohorts: withCohorts,
            alongside: analyticsDatabase(side: side + 1))
    }
    public var rollups: ActivityRollups { ActivityRollups(database: database, clock: clock) }
}

/// What the cockpit shows: a period (and optionally a group), chosen in the query string.
struct CockpitSelection: Sendable {
    let period: MetricPeriod
    let group: Group?
    /// The interval behind "inactive members".
    var inactiveDays = MetricsSettings.defaultInactiveDays

    /// The query string that selects `period` with the same group, for links.
    func query(for period: MetricPeriod) -> String {
        var parts = ["period=\(period.kind.rawValue)"]
        let day = Self.dayFormatter(period.timeZone)
        if period.kind == .custom {
            parts.append("from=\(day.string(from: period.start))")
            parts.append("to=\(day.string(from: period.calendar.date(byAdding: .day, value: -1, to: period.end)!))")
        } else {
            parts.append("date=\(day.string(from: period.start))")
        }
        if let group { parts.append("group=\(group.slug)") }
        if inactiveDays != MetricsSettings.defaultInactiveDays { parts.append("inactive_days=\(inactiveDays)") }
        return parts.joined(separator: "&")
    }

    static func dayFormatter(_ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }
}

/// Both periods' figures and the moderation health, as the dashboard, the CSV and the API use them.
struct CockpitData: Sendable {
    let selection: CockpitSelection
    let current: CommunityFigures
    let previous: CommunityFigures
    let moderation: ModerationHealth
}

extension Request {
    /// Reads `period` (day, week, month, quarter, custom; default month), `date` (a day in the
    /// period, default today), `from`/`to` (custom periods; reversed ones are swapped, longer ones
    /// shortened to two years) and `group` (a slug) — malformed values are a 400, unknown groups a 404.
    /// The dashboard's form sends the days it does not use empty; the API (`strict`) refuses that.
    func cockpitSelection(strict: Bool = false) async throws -> CockpitSelection {
        let zone = TimeZone(identifier: context.community?.timeZone ?? "") ?? .gmt
        let today = repositories.clock.now()
        let raw = query[String.self, at: "period"] ?? "month"
        guard let kind = PeriodKind(rawValue: raw) else {
            throw Abort(.badRequest, reason: "The period is one of day, week, month, quarter or custom.")
        }
        func day(_ name: String) throws -> Date? {
            guard let text = query[String.self, at: name], !text.isEmpty || strict else { return nil }
            guard let date = LocalDay.start(of: text, in: zone) else {
                throw Abort(.badRequest, reason: "The \(name) is a day as YYYY-MM-DD.")
            }
            return date
        }
        // The API checks every day it is given, used or not.
        if strict { for name in ["date", "from", "to"] { _ = try day(name) } }
        let period: MetricPeriod
        if kind == .custom {
            let calendar = MetricPeriod.containing(today, kind: .day, timeZone: zone).calendar
            var first = try day("from") ?? calendar.date(byAdding: .day, value: -29, to: today)!
            var last = try day("to") ?? today
            if first > last { swap(&first, &last) }
            let earliest = calendar.date(byAdding: .day, value: -(MetricPeriod.longestCustomDays - 1), to: last)!
            period = MetricPeriod.custom(from: max(first, earliest), through: last, timeZone: zone)!
        } else {
            period = .containing(try day("date") ?? today, kind: kind, timeZone: zone)
        }
        var group: Group?
        if let slug = query[String.self, at: "group"], !slug.isEmpty {
            // A secret group is unknown to whoever may not see it, cockpit access or not.
            guard let found = try await repositories.groups.find(slug: slug), try await viewer().canSee(found) else {
                throw Abort(.notFound, reason: "No such group.")
            }
            group = found
        }
        var selection = CockpitSelection(period: period, group: group)
        if let text = query[String.self, at: "inactive_days"], !text.isEmpty || strict {
            guard let days = Int(text), MetricsSettings.inactiveDayChoices.contains(days) else {
                throw Abort(
                    .badRequest,
                    reason: "inactive_days is one of \(MetricsSettings.inactiveDayChoices.map(String.init).joined(separator: ", ")).")
            }
            selection.inactiveDays = days
        }
        return selection
    }

    /// Where the database's writes stand, from any process: PostgreSQL's current snapshot (which
    /// transactions are visible: the write-ahead log's position moves before a commit is seen),
    /// SQLite's `data_version` (with this process's own writes); nil when unknown. Equal positions
    /// mean nothing was committed in between.
    func databaseWritePosition() async -> String? {
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            return try? await sql.raw("SELECT pg_current_snapshot()::text AS position").first()?.decode(
                column: "position", as: String.self)
        }
        return await contentStamp().map { "\($0.generation)/\($0.database)" }
    }

    func cockpitData(strict: Bool = false) async throws -> CockpitData {
        try authorize(.readCockpit)
        let selection = try await cockpitSelection(strict: strict)
        let repositories = repositories
        let cache = application.kring.finishedPeriods
        let now = application.kring.clock.now()
        let position = await databaseWritePosition()
        // Side by side on two analytics connections (on SQLite; PostgreSQL's pool has room for both).
        async let currentFigures = cache.figures(
            for: selection.period, groupID: selection.group?.id, inactiveDays: selection.inactiveDays, withCohorts: true,
            keeps: false, position: position, now: now
        ) {
            try await repositories.figures(
                for: selection.period, groupID: selection.group?.id, inactiveDays: selection.inactiveDays, withCohorts: true)
        }
        async let previousFigures = cache.figures(
            for: selection.period.previous, groupID: selection.group?.id, inactiveDays: selection.inactiveDays, now: now
        ) {
            try await repositories.figures(
                for: selection.period.previous, groupID: selection.group?.id, inactiveDays: selection.inactiveDays, withCohorts: false,
                side: 1)
        }
        var current = try await currentFigures
        let previous = try await previousFigures
        // The figures count everything; the titles they list are only for those who may read the topics
        // (a member given cockpit access reads figures, not secret groups' conversations).
        let viewer = try await viewer()
        if !viewer.seesEverything {
            let readable = try await repositories.topics.readable(current.unanswered.map(\.id), viewer: viewer)
            current.unanswered.removeAll { !readable.contains($0.id) }
        }
        let moderation = try await repositories.moderation.health(since: selection.period.start, until: selection.period.end)
        return CockpitData(selection: selection, current: current, previous: previous, moderation: moderation)
        // (The period's flag figures come with `current` and `previous`, per group; the queue and repeat offenders are as now.)
    }
}

/// The analytics cockpit for community managers: the dashboard, its CSV exports.
struct CockpitController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("cockpit", use: dashboard)
        routes.get("cockpit.csv", use: csv)
    }

    @Sendable func dashboard(request: Request) async throws -> Response {
        let data = try await request.cockpitData()
        let groups = try await request.repositories.groups.list(for: try await request.viewer())
        // "The dashboard was reviewed in the last 30 days" is one of the maturity criteria.
        if request.decide(.viewCockpit).isAllowed { try await request.repositories.maturity.noteCockpitViewed() }
        return CockpitViews.dashboard(request, data: data, groups: groups)
    }

    /// One table of the dashboard as CSV: `table` is one of `CockpitCSV.tables` (default summary).
    @Sendable func csv(request: Request) async throws -> Response {
        let data = try await request.cockpitData()
        let table = request.query[String.self, at: "table"] ?? "summary"
        guard let rows = CockpitCSV.rows(table, data: data, now: request.repositories.clock.now()) else {
            throw Abort(.badRequest, reason: "The table is one of \(CockpitCSV.tables.joined(separator: ", ")).")
        }
        let name =
            "kring-\(table)-\(data.selection.query(for: data.selection.period).replacingOccurrences(of: "&", with: "_").replacingOccurrences(of: "=", with: "-")).csv"
        return CSV.response(rows, filename: name)
    }
}

/// The cockpit's tables as CSV rows: plain numbers (a dot for decimals), ISO dates, one header row.
enum CockpitCSV {
    static let tables = ["summary", "daily", "cohorts", "lorenz", "events", "departments", "moderation", "unanswered"]

    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.4f", value)
    }

    /// How many of the period's days have begun by `now`.
    static func elapsedDays(_ period: MetricPeriod, now: Date) -> Int { period.dayStarts.filter { $0 <= now }.count }

    static func rows(_ table: String, data: CockpitData, now: Date) -> [[String]]? {
        let current = data.current
        let day = CockpitSelection.dayFormatter(current.period.timeZone)
        switch table {
        case "summary":
            return [["metric", "section", "unit", "value", "previous_value"]]
                + MetricCatalog.all.map { metric in
                    [
                        metric.id, metric.section.rawValue, metric.unit.rawValue, number(metric.value(current)),
                        number(metric.value(data.previous)),
                    ]
                }
        case "daily":
            return [["date", "dau", "wau", "mau", "engaged_members", "signups", "posts"]]
                + current.period.dayStarts.prefix(elapsedDays(current.period, now: now)).enumerated().map { index, date in
                    [
                        day.string(from: date), String(current.visitors.dau[index]), String(current.visitors.wau[index]),
                        String(current.visitors.mau[index]), String(current.engagedByDay[index]), String(current.signupsByDay[index]),
                        String(current.postsByDay[index]),
                    ]
                }
        case "cohorts":
            return [
                [
                    "cohort", "members", "returned_day_1", "returned_within_7", "returned_within_30", "returned_within_90",
                    "posted_within_30",
                ]
            ]
                + current.cohorts.map { cohort in
                    [day.string(from: cohort.start), String(cohort.size)] + cohort.columns.map { $0.map(String.init) ?? "" }
                }
        case "lorenz":
            return [["share_of_posters", "share_of_posts"]]
                + current.participation.lorenz.map { [number($0.people), number($0.share)] }
        case "events":
            return [["events_held", "said_going", "checked_in", "attendance_rate"]]
                + [
                    [
                        String(current.eventsHeld), String(current.eventsGoing), String(current.eventsCheckedIn),
                        number(current.attendanceRate),
                    ]
                ]
        case "moderation":
            return [["flags_raised", "flags_settled", "flags_upheld", "median_hours_to_resolve", "sanctions_imposed", "queue_now"]]
                + [
                    [
                        String(current.moderation.flagsRaised), String(current.moderation.flagsSettled),
                        String(current.moderation.flagsUpheld),
                        number(current.moderation.medianHoursToResolve), String(current.moderation.sanctionsImposed),
                        String(data.moderation.queueSize),
                    ]
                ]
        case "departments":
            return [["department", "ideas_routed", "responded", "median_hours_to_response"]]
                + current.departments.map { [$0.name, String($0.routed), String($0.responded), number($0.medianHours)] }
        case "unanswered":
            return [["topic_id", "title", "created_at"]]
                + current.unanswered.map { [$0.id.uuidString.lowercased(), $0.title, ISO8601DateFormatter().string(from: $0.createdAt)] }
        default:
            return nil
        }
    }
}
