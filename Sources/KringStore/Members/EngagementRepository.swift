import FluentKit
import Foundation
import KringCore
import SQLKit

/// A member as the members and champions pages name them.
public struct MemberRef: Sendable, Equatable, Hashable {
    public let id: UUID
    public let handle: String
    public let displayName: String
}

/// One member's engagement as the job last computed it.
public struct MemberStanding: Sendable, Equatable {
    public let member: MemberRef
    public let joinedAt: Date
    public let lastSeenAt: Date?
    public let score: Double
    public let level: EngagementLevel
    public let previousScore: Double
    public let previousLevel: EngagementLevel
    public let segments: [MemberSegment]
    /// Topics and replies in the last 90 days.
    public let recentPosts: Int
}

/// Engagement scores, levels, segments and the level funnel (METRICS.md, "Members"): computed from
/// the activity log's daily rollups by `refresh` (the job runs it hourly) and read by the pages.
public struct EngagementRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    static let settingPrefix = "engagement."
    static let computedSetting = "engagement.computed_at"
    /// How many months the funnel shows.
    public static let funnelMonths = 12

    /// The activity kinds that earn points, and the action each one is.
    static let actionOfKind: [ActivityKind: EngagementAction] = [
        .visit: .visit, .reactionAdded: .reaction, .pollVoted: .vote, .ideaVoted: .vote, .rsvp: .vote, .replyCreated: .reply,
        .topicCreated: .topic,
    ]

    var strategy: StrategyRepository { StrategyRepository(database: database, clock: clock) }

    // MARK: Settings

    public func settings() async throws -> EngagementSettings {
        let stored = try await strategy.settings(prefix: Self.settingPrefix)
        var values: [String: String] = [:]
        for (key, value) in stored { values[String(key.dropFirst(Self.settingPrefix.count))] = value }
        return (try? EngagementSettings.parse(values, base: EngagementSettings())) ?? EngagementSettings()
    }

    public func setSettings(_ settings: EngagementSettings) async throws {
        var values: [String: String] = [:]
        for action in EngagementAction.allCases {
            values[Self.settingPrefix + "weight_\(action.rawValue)"] = String(settings.weight(action))
        }
        values[Self.settingPrefix + "champion_from"] = String(settings.championFrom)
        values[Self.settingPrefix + "regular_from"] = String(settings.regularFrom)
        values[Self.settingPrefix + "participant_from"] = String(settings.participantFrom)
        try await strategy.setSettings(values)
    }

    /// When `refresh` last ran, if ever.
    public func computedAt() async throws -> Date? {
        try await strategy.setting(Self.computedSetting).flatMap { ISO8601DateFormatter().date(from: $0) }
    }

    // MARK: Computing

    /// Scores every active member (staff and bots left out), sorts them into levels and segments, and
    /// counts the levels at the end of each of the last twelve months. Returns how many members it scored.
    @discardableResult
    public func refresh(timeZone: TimeZone) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { return 0 }
        let settings = try await settings()
        let now = clock.now()
        let calendar = MetricPeriod.calendar(timeZone)
        let thisMonth = MonthIndex(now, calendar: calendar)
        let previousMonth = MonthIndex(now.addingTimeInterval(-MemberSegment.quietDays * 86_400), calendar: calendar)
        let members = try await sql.raw(
            """
            SELECT id, created_at, last_seen_at FROM members
            WHERE status = \(bind: MemberStatus.active.rawValue) AND is_staff = \(bind: false) AND is_bot = \(bind: false)
            """
        ).all().map { row in
            (
                id: try row.decodeUUID(column: "id"), joinedAt: try row.decode(column: "created_at", as: Date.self),
                lastSeenAt: try row.decode(column: "last_seen_at", as: Date?.self)
            )
        }
        let actions = try await monthlyActions(timeZone: timeZone, now: now)
        let recentPosts = try await postCounts(since: now.addingTimeInterval(-MemberSegment.lurkerPostDays * 86_400))
        let funnelStart = thisMonth.adding(1 - Self.funnelMonths)
        var funnel: [MonthIndex: [EngagementLevel: Int]] = [:]
        var rows: [Scored] = []
        rows.reserveCapacity(members.count)
        for member in members {
            let history = actions[member.id] ?? [:]
            let score = EngagementModel.score(history, asOf: thisMonth, settings: settings)
            let previous = EngagementModel.score(history, asOf: previousMonth, settings: settings)
            let level = settings.level(for: score)
            let previousLevel = settings.level(for: previous)
            let posts = recentPosts[member.id] ?? 0
            let segments = MemberSegment.segments(
                of: .init(
                    joinedAt: member.joinedAt, lastSeenAt: member.lastSeenAt, level: level, previousLevel: previousLevel, recentPosts: posts
                ),
                now: now)
            rows.append((member.id, score, level, previous, previousLevel, segments, posts))
            let joined = MonthIndex(member.joinedAt, calendar: calendar)
            var month = max(funnelStart, joined)
            while month <= thisMonth {
                let level =
                    month == thisMonth ? level : settings.level(for: EngagementModel.score(history, asOf: month, settings: settings))
                funnel[month, default: [:]][level, default: 0] += 1
                month = month.adding(1)
            }
        }
        let computedAt = now
        let scored = rows
        let funnelRows = (0..<Self.funnelMonths).map { funnelStart.adding($0) }.flatMap { month in
            EngagementLevel.allCases.map { (month.key, $0.rawValue, funnel[month]?[$0] ?? 0) }
        }
        // A thousand members per short write transaction, so posting never waits long behind a
        // recomputation; each member's row is whole at any moment. Rows of members no longer scored
        // (gone, erased, made staff or a bot) go at the end.
        for chunk in stride(from: 0, to: scored.count, by: 1_000).map({ Array(scored[$0..<min($0 + 1_000, scored.count)]) }) {
            try await database.writeTransaction { tx in
                guard let sql = tx as? any SQLDatabase else { return }
                try await sql.raw("DELETE FROM member_engagement WHERE member_id IN \(SQLBind.group(chunk.map(\.0)))").run()
                for part in stride(from: 0, to: chunk.count, by: 200).map({ chunk[$0..<min($0 + 200, chunk.count)] }) {
                    var insert = sql.insert(into: "member_engagement").columns(
                        "id", "member_id", "score", "level", "previous_score", "previous_level", "segments", "recent_posts", "computed_at")
                    for row in part {
                        insert = insert.values(
                            SQLBind(UUID()), SQLBind(row.0), SQLBind(row.1), SQLBind(row.2.rawValue), SQLBind(row.3),
                            SQLBind(row.4.rawValue), SQLBind("," + row.5.map(\.rawValue).joined(separator: ",") + ","), SQLBind(row.6),
                            SQLBind(computedAt))
                    }
                    try await insert.run()
                }
            }
        }
        try await database.writeTransaction { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            try await sql.raw(
                """
                DELETE FROM member_engagement WHERE member_id IN (SELECT id FROM members
                WHERE status <> \(bind: MemberStatus.active.rawValue) OR is_staff = \(bind: true) OR is_bot = \(bind: true))
                """
            ).run()
            try await sql.raw("DELETE FROM engagement_funnel").run()
            var insert = sql.insert(into: "engagement_funnel").columns("id", "month", "level", "members")
            for row in funnelRows { insert = insert.values(SQLBind(UUID()), SQLBind(row.0), SQLBind(row.1), SQLBind(row.2)) }
            try await insert.run()
        }
        try await strategy.setSettings([Self.computedSetting: ISO8601DateFormatter().string(from: computedAt)])
        return rows.count
    }

    typealias Scored = (UUID, Double, EngagementLevel, Double, EngagementLevel, [MemberSegment], Int)

    /// Each member's point-earning actions per month: rolled-up days from `activity_daily`, the days
    /// since from the log itself, accepted answers credited to their authors and events to their organisers.
    func monthlyActions(timeZone: TimeZone, now: Date) async throws -> [UUID: EngagementModel.MonthlyActions] {
        guard let sql = database as? any SQLDatabase else { return [:] }
        let calendar = MetricPeriod.calendar(timeZone)
        let kinds = SQLGroupExpression(Self.actionOfKind.keys.map { SQLBind($0.rawValue) })
        var result: [UUID: EngagementModel.MonthlyActions] = [:]
        var logFrom = Date.distantPast
        if let through = try await ActivityRollups(database: database, clock: clock).rolledThrough(timeZone: timeZone) {
            logFrom = calendar.date(byAdding: .day, value: 1, to: through)!
            let rows = try await sql.raw(
                """
                SELECT member_id, substr(day, 1, 7) AS month, kind, CAST(SUM(events) AS BIGINT) AS n FROM activity_daily
                WHERE kind IN \(kinds) AND is_staff = \(bind: false) AND is_bot = \(bind: false)
                GROUP BY member_id, substr(day, 1, 7), kind
                """
            ).all()
            for row in rows {
                guard let kind = ActivityKind(rawValue: try row.decode(column: "kind", as: String.self)),
                    let action = Self.actionOfKind[kind], let month = MonthIndex(key: try row.decode(column: "month", as: String.self))
                else { continue }
                result[try row.decodeUUID(column: "member_id"), default: [:]][month, default: [:]][action, default: 0] +=
                    Double(try row.decode(column: "n", as: Int.self))
            }
        }
        let logged = try await sql.raw(
            """
            SELECT actor_id, kind, occurred_at FROM activity_events
            WHERE occurred_at >= \(bind: logFrom) AND kind IN \(kinds) AND actor_id IS NOT NULL
            AND actor_is_staff = \(bind: false) AND actor_is_bot = \(bind: false)
            """
        ).all()
        for row in logged {
            guard let kind = ActivityKind(rawValue: try row.decode(column: "kind", as: String.self)), let action = Self.actionOfKind[kind]
            else { continue }
            let month = MonthIndex(try row.decode(column: "occurred_at", as: Date.self), calendar: calendar)
            result[try row.decodeUUID(column: "actor_id"), default: [:]][month, default: [:]][action, default: 0] += 1
        }
        // An accepted answer counts for its author, once, when it was (last) accepted; not one's own question.
        let solutions = try await sql.raw(
            """
            SELECT p.author_id AS member_id, MAX(e.occurred_at) AS at FROM activity_events e
            JOIN topics t ON t.solution_post_id = e.subject_id JOIN posts p ON p.id = e.subject_id
            WHERE e.kind = \(bind: ActivityKind.solutionAccepted.rawValue) AND p.deleted_at IS NULL AND t.deleted_at IS NULL
            AND p.author_id <> t.author_id
            GROUP BY p.id, p.author_id
            """
        ).all()
        let hosted = try await sql.raw(
            "SELECT organiser_id AS member_id, starts_at AS at FROM events WHERE cancelled_at IS NULL AND starts_at <= \(bind: now)"
        ).all()
        for (rows, action) in [(solutions, EngagementAction.solution), (hosted, .eventHosted)] {
            for row in rows {
                guard let at = try row.decode(column: "at", as: Date?.self) else { continue }
                result[try row.decodeUUID(column: "member_id"), default: [:]][MonthIndex(at, calendar: calendar), default: [:]][
                    action, default: 0] += 1
            }
        }
        return result
    }

    /// Topics and replies per author since a moment (deleted ones left out).
    func postCounts(since: Date) async throws -> [UUID: Int] {
        guard let sql = database as? any SQLDatabase else { return [:] }
        var counts: [UUID: Int] = [:]
        for row in try await sql.raw(
            "SELECT author_id, COUNT(*) AS n FROM posts WHERE created_at >= \(bind: since) AND deleted_at IS NULL GROUP BY author_id"
        ).all() {
            counts[try row.decodeUUID(column: "author_id")] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    // MARK: Reading

    public enum Order: String, Sendable, CaseIterable {
        /// Highest score first.
        case score
        /// Biggest rise since a month ago first.
        case rising
    }

    /// A page of the standings of the members a filter selects, and how many it selects in all.
    public func standings(_ filter: SegmentFilter = SegmentFilter(), order: Order = .score, limit: Int = 50, offset: Int = 0) async throws
        -> (rows: [MemberStanding], total: Int)
    {
        guard let sql = database as? any SQLDatabase else { return ([], 0) }
        let conditions = Self.conditions(filter, now: clock.now())
        let orderBy: SQLQueryString =
            order == .score ? "ORDER BY e.score DESC, m.handle" : "ORDER BY e.score - e.previous_score DESC, e.score DESC, m.handle"
        let rows = try await sql.raw(
            """
            SELECT e.member_id, e.score, e.level, e.previous_score, e.previous_level, e.segments, e.recent_posts,
            m.handle, m.display_name, m.email, m.created_at, m.last_seen_at
            FROM member_engagement e JOIN members m ON m.id = e.member_id
            WHERE m.status = \(bind: MemberStatus.active.rawValue) \(conditions)
            \(orderBy) LIMIT \(bind: limit) OFFSET \(bind: offset)
            """
        ).all().map(Self.standing)
        let total =
            try await sql.raw(
                """
                SELECT COUNT(*) AS n FROM member_engagement e JOIN members m ON m.id = e.member_id
                WHERE m.status = \(bind: MemberStatus.active.rawValue) \(conditions)
                """
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        return (rows, total)
    }

    /// Shorthand for a built-in segment's standings.
    public func standings(segment: MemberSegment?, order: Order = .score, limit: Int = 50, offset: Int = 0) async throws -> (
        rows: [MemberStanding], total: Int
    ) {
        try await standings(SegmentFilter(segment: segment), order: order, limit: limit, offset: offset)
    }

    /// The SQL that a filter adds to `WHERE` (on `member_engagement e` joined with `members m`).
    static func conditions(_ filter: SegmentFilter, now: Date) -> SQLQueryString {
        var sql: SQLQueryString = ""
        if let segment = filter.segment { sql = sql + " AND e.segments LIKE \(bind: "%,\(segment.rawValue),%")" }
        if let level = filter.minLevel {
            let levels = EngagementLevel.allCases.filter { $0 >= level }.map { SQLBind($0.rawValue) }
            sql = sql + " AND e.level IN \(SQLGroupExpression(levels))"
        }
        if let days = filter.activeWithinDays {
            sql = sql + " AND m.last_seen_at >= \(bind: now.addingTimeInterval(-Double(days) * 86_400))"
        }
        if let days = filter.inactiveForDays {
            sql = sql + " AND (m.last_seen_at IS NULL OR m.last_seen_at < \(bind: now.addingTimeInterval(-Double(days) * 86_400)))"
        }
        if let posts = filter.minRecentPosts { sql = sql + " AND e.recent_posts >= \(bind: posts)" }
        if let group = filter.groupID {
            sql =
                sql
                + " AND EXISTS (SELECT 1 FROM group_memberships gm WHERE gm.member_id = m.id AND gm.group_id = \(bind: group) "
                + "AND gm.status = \(bind: MembershipStatus.active.rawValue))"
        }
        if let interest = filter.interest {
            sql =
                sql
                + " AND EXISTS (SELECT 1 FROM member_tags mt JOIN tags g ON g.id = mt.tag_id WHERE mt.member_id = m.id "
                + "AND (g.name = \(bind: interest) OR g.slug = \(bind: interest)))"
        }
        if let from = filter.joinedFrom { sql = sql + " AND m.created_at >= \(bind: from)" }
        if let before = filter.joinedBefore { sql = sql + " AND m.created_at < \(bind: before)" }
        return sql
    }

    /// Every member a filter selects with their address, for a message or an invitation.
    public func recipients(_ filter: SegmentFilter) async throws -> [(member: MemberRef, email: String)] {
        guard let sql = database as? any SQLDatabase else { return [] }
        return try await sql.raw(
            """
            SELECT m.id, m.handle, m.display_name, m.email FROM member_engagement e JOIN members m ON m.id = e.member_id
            WHERE m.status = \(bind: MemberStatus.active.rawValue) \(Self.conditions(filter, now: clock.now())) ORDER BY m.handle
            """
        ).all().map { row in
            (
                MemberRef(
                    id: try row.decodeUUID(column: "id"), handle: try row.decode(column: "handle", as: String.self),
                    displayName: try row.decode(column: "display_name", as: String.self)),
                try row.decode(column: "email", as: String.self)
            )
        }
    }

    // MARK: Saved segments

    public func savedSegments() async throws -> [SavedSegment] {
        guard let sql = database as? any SQLDatabase else { return [] }
        return try await sql.raw("SELECT id, name, filters, created_at FROM saved_segments ORDER BY name").all().compactMap(Self.saved)
    }

    public func savedSegment(_ id: UUID) async throws -> SavedSegment? {
        guard let sql = database as? any SQLDatabase else { return nil }
        return try await sql.raw("SELECT id, name, filters, created_at FROM saved_segments WHERE id = \(bind: id)").first().flatMap(
            Self.saved)
    }

    static func saved(_ row: any SQLRow) throws -> SavedSegment? {
        guard
            let filter = try? JSONDecoder().decode(SegmentFilter.self, from: Data(try row.decode(column: "filters", as: String.self).utf8))
        else { return nil }
        return SavedSegment(
            id: try row.decodeUUID(column: "id"), name: try row.decode(column: "name", as: String.self), filter: filter,
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    public func saveSegment(name: String, filter: SegmentFilter, by actor: Actor) async throws -> UUID {
        let id = UUID()
        let filters = String(decoding: try JSONEncoder().encode(filter), as: UTF8.self)
        let now = clock.now()
        try await database.writeTransaction { tx in
            try await (tx as? any SQLDatabase)?.insert(into: "saved_segments").columns(
                "id", "name", "filters", "created_by_id", "created_at"
            )
            .values(SQLBind(id), SQLBind(name), SQLBind(filters), SQLBind(actor.memberID), SQLBind(now)).run()
        }
        return id
    }

    /// Removes a saved segment; false when there was none.
    public func deleteSegment(_ id: UUID) async throws -> Bool {
        guard try await savedSegment(id) != nil else { return false }
        try await database.writeTransaction { tx in
            try await (tx as? any SQLDatabase)?.raw("DELETE FROM saved_segments WHERE id = \(bind: id)").run()
        }
        return true
    }

    /// One member's standing, if the job has scored them.
    public func standing(of memberID: UUID) async throws -> MemberStanding? {
        guard let sql = database as? any SQLDatabase else { return nil }
        return try await sql.raw(
            """
            SELECT e.member_id, e.score, e.level, e.previous_score, e.previous_level, e.segments, e.recent_posts,
            m.handle, m.display_name, m.created_at, m.last_seen_at
            FROM member_engagement e JOIN members m ON m.id = e.member_id WHERE e.member_id = \(bind: memberID)
            """
        ).first().map(Self.standing)
    }

    static func standing(_ row: any SQLRow) throws -> MemberStanding {
        MemberStanding(
            member: MemberRef(
                id: try row.decodeUUID(column: "member_id"), handle: try row.decode(column: "handle", as: String.self),
                displayName: try row.decode(column: "display_name", as: String.self)),
            joinedAt: try row.decode(column: "created_at", as: Date.self),
            lastSeenAt: try row.decode(column: "last_seen_at", as: Date?.self),
            score: try row.decode(column: "score", as: Double.self),
            level: EngagementLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .observer,
            previousScore: try row.decode(column: "previous_score", as: Double.self),
            previousLevel: EngagementLevel(rawValue: try row.decode(column: "previous_level", as: String.self)) ?? .observer,
            segments: try row.decode(column: "segments", as: String.self).split(separator: ",").compactMap {
                MemberSegment(rawValue: String($0))
            },
            recentPosts: try row.decode(column: "recent_posts", as: Int.self))
    }

    /// How many scored members each level and each segment holds now.
    public func sizes() async throws -> (levels: [EngagementLevel: Int], segments: [MemberSegment: Int]) {
        guard let sql = database as? any SQLDatabase else { return ([:], [:]) }
        var levels: [EngagementLevel: Int] = [:]
        var segments: [MemberSegment: Int] = [:]
        let rows = try await sql.raw(
            """
            SELECT e.level, e.segments, COUNT(*) AS n FROM member_engagement e JOIN members m ON m.id = e.member_id
            WHERE m.status = \(bind: MemberStatus.active.rawValue) GROUP BY e.level, e.segments
            """
        ).all()
        for row in rows {
            let count = try row.decode(column: "n", as: Int.self)
            if let level = EngagementLevel(rawValue: try row.decode(column: "level", as: String.self)) {
                levels[level, default: 0] += count
            }
            for name in try row.decode(column: "segments", as: String.self).split(separator: ",") {
                if let segment = MemberSegment(rawValue: String(name)) { segments[segment, default: 0] += count }
            }
        }
        return (levels, segments)
    }

    /// The level funnel: members per level at the end of each of the last twelve months, oldest first.
    public func funnel() async throws -> [(month: String, levels: [EngagementLevel: Int])] {
        guard let sql = database as? any SQLDatabase else { return [] }
        var months: [String: [EngagementLevel: Int]] = [:]
        for row in try await sql.raw("SELECT month, level, members FROM engagement_funnel").all() {
            guard let level = EngagementLevel(rawValue: try row.decode(column: "level", as: String.self)) else { continue }
            months[try row.decode(column: "month", as: String.self), default: [:]][level] = try row.decode(column: "members", as: Int.self)
        }
        return months.keys.sorted().map { ($0, months[$0] ?? [:]) }
    }
}
