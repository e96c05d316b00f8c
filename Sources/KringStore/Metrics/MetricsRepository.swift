import FluentKit
import Foundation
import KringCore
import SQLKit

/// Computes the cockpit's figures for a period (and optionally a group) from the activity log and
/// the content tables, with the definitions of METRICS.md. Staff are left out of member counts and
/// deleted or hidden content out of content counts, unless a figure says otherwise.
public struct MetricsRepository: Sendable {
    let database: any Database
    let clock: KringClock
    /// Read finished days from the daily rollups (the default); false computes everything from the
    /// raw log, which the tests compare against.
    let usesRollups: Bool

    var rollups: ActivityRollups { ActivityRollups(database: database, clock: clock) }

    public init(database: any Database, clock: KringClock, usesRollups: Bool = true) {
        self.database = database
        self.clock = clock
        self.usesRollups = usesRollups
    }

    /// Kinds that make a member "engaged" on a day (Discourse's daily engaged users, extended).
    public static let engagedKinds: [ActivityKind] = [.reactionAdded, .topicCreated, .replyCreated, .pollVoted, .rsvp, .ideaSubmitted]

    /// How many days before a period the visitor windows reach back (MAU counts 30 days).
    static let visitorLookback = 29

    /// The period's figures. `withCohorts: false` leaves the cohort table out (a comparison with
    /// the previous period shows none of it, and it is the costliest part). The work is split in
    /// two streams of about equal length, which run side by side on `alongside` (a second
    /// connection) when one is given: a million posts take seconds of queries.
    public func figures(
        for period: MetricPeriod, groupID: UUID? = nil, inactiveDays: Int = MetricsSettings.defaultInactiveDays, withCohorts: Bool = true,
        alongside: (any Database)? = nil
    ) async throws -> CommunityFigures {
        let now = clock.now()
        let staff = try await staffAndBotIDs()
        let periodDays = MetricDays(from: period.start, to: period.end, timeZone: period.timeZone)
        let other = alongside.map { MetricsRepository(database: $0, clock: clock, usesRollups: usesRollups) } ?? self
        async let membersAndTopics = other.membersAndTopics(
            of: period, in: periodDays, groupID: groupID, inactiveDays: inactiveDays, staff: staff, now: now)

        // Visitors and engaged members, from the activity log (through its daily rollups).
        // Only the days that have begun: a day still to come would lower MAU, average DAU and stickiness.
        let days = period.dayStarts.filter { $0 <= now }
        let visitors = try await visitors(on: days, of: period, groupID: groupID)
        let engaged = try await engagedCounts(in: periodDays, groupID: groupID)
        // Posts in the period (for volume, member-generated share and participation).
        let posts = try await postCounts(in: periodDays, groupID: groupID)
        var pageViews = 0
        if groupID == nil {
            let days = ActivityRollups.dayFormatter(period.timeZone)
            pageViews = try await PageViewStore(database: database).views(
                from: days.string(from: period.start), to: days.string(from: period.end)
            ).values.reduce(0, +)
        }
        var cohorts = CommunityFigures(period: period, visitors: visitors, participation: .none)
        if withCohorts { try await addCohorts(to: &cohorts, staff: staff, groupID: groupID, now: now) }

        var (figures, everyone) = try await membersAndTopics
        figures.visitors = visitors
        figures.participation = CommunityMaths.participation(everyone: everyone, postCounts: posts.byMember)
        figures.engagedMembers = engaged.members
        figures.engagedByDay = days.indices.map { engaged.byDay[$0] }
        figures.postsByDay = days.indices.map { posts.byDay[$0] }
        figures.postsAll = posts.byDay.reduce(0, +)
        figures.postsByNonStaff = posts.byMember.reduce(0, +)
        figures.content.topics = posts.topics
        figures.content.replies = figures.postsAll - posts.topics
        figures.newContributors = posts.newContributors
        figures.pageViews = pageViews
        figures.cohortUnit = cohorts.cohortUnit
        figures.cohorts = cohorts.cohorts
        try await addSignups(to: &figures, staff: staff, groupID: groupID)
        return figures
    }

    /// The second stream of `figures`: active members (everyone, for participation), inactive
    /// members, responsiveness, other content, events, departments and moderation.
    private func membersAndTopics(
        of period: MetricPeriod, in days: MetricDays, groupID: UUID?, inactiveDays: Int, staff: Set<UUID>, now: Date
    ) async throws -> (figures: CommunityFigures, everyone: Int) {
        let everyone = try await activeMembers(in: days, groupID: groupID)
        var figures = CommunityFigures(period: period, visitors: VisitorSeries(days: [], dau: [], wau: [], mau: []), participation: .none)
        try await addInactive(to: &figures, days: inactiveDays, staff: staff, groupID: groupID, now: now)
        try await addResponsiveness(to: &figures, staff: staff, groupID: groupID)
        try await addOtherContent(to: &figures, groupID: groupID)
        try await addEvents(to: &figures, groupID: groupID)
        if groupID == nil { try await addDepartments(to: &figures) }
        figures.moderation = try await ModerationRepository(database: database, clock: clock).figures(
            from: period.start, to: period.end, groupID: groupID)
        return (figures, everyone)
    }

    // MARK: Pieces

    /// DAU, WAU and MAU on each of the days. The community's
    /// visitors are members with a visit; a group's, members with any event in it. Stored counts
    /// serve the days the visitor rollup covers; the rest (today, say) are counted from the rollups
    /// and the log; without rollups everything comes from every member's visit days.
    private func visitors(on days: [Date], of period: MetricPeriod, groupID: UUID?) async throws -> VisitorSeries {
        let calendar = period.calendar
        let kinds = Self.visitorKinds(groupID)
        let periodDays = MetricDays(from: period.start, to: period.end, timeZone: period.timeZone)
        guard usesRollups, let through = try await rollups.through(ActivityRollups.visitorsName, timeZone: period.timeZone) else {
            let lookback = calendar.date(byAdding: .day, value: -Self.visitorLookback, to: period.start)!
            let visitDays = try await memberDays(
                kinds: kinds, in: MetricDays(from: lookback, to: period.end, timeZone: period.timeZone), groupID: groupID)
            return CommunityMaths.visitors(days: days, lookback: Self.visitorLookback, visitDays: visitDays.values)
        }
        let endKey = ActivityRollups.dayFormatter(period.timeZone).string(from: period.end)
        let stored = try await rollups.storedVisitors(groupID: groupID, from: periodDays.keys[0], to: endKey)
        var dau: [Int] = []
        var wau: [Int] = []
        var mau: [Int] = []
        for (index, day) in days.enumerated() {
            var counts = (dau: 0, wau: 0, mau: 0)
            if day <= through {
                counts = stored[periodDays.keys[index]] ?? counts
            } else {
                let window = MetricDays(
                    from: calendar.date(byAdding: .day, value: -Self.visitorLookback, to: day)!,
                    to: calendar.date(byAdding: .day, value: 1, to: day)!, timeZone: period.timeZone)
                counts = try await windowCounts(kinds: kinds, in: window, groupID: groupID)
            }
            dau.append(counts.dau)
            wau.append(counts.wau)
            mau.append(counts.mau)
        }
        return VisitorSeries(days: days, dau: dau, wau: wau, mau: mau)
    }

    private struct Action {
        let actor: UUID
        /// Staff or bot.
        let isStaff: Bool
        let at: Date
    }

    private func activity(kinds: [ActivityKind], from: Date, to: Date, groupID: UUID?) async throws -> [Action] {
        var query = ActivityEventRecord.query(on: database).filter(\.$occurredAt >= from).filter(\.$occurredAt < to)
            .filter(\.$actorID != nil)
        if kinds.count < ActivityKind.allCases.count { query = query.filter(\.$kind ~~ kinds.map(\.rawValue)) }
        if let groupID { query = query.filter(\.$groupID == groupID) }
        return try await query.field(\.$actorID).field(\.$actorIsStaff).field(\.$actorIsBot).field(\.$occurredAt).all()
            .compactMap { record in
                record.actorID.map { Action(actor: $0, isStaff: record.actorIsStaff || record.actorIsBot, at: record.occurredAt) }
            }
    }

    /// Staff and bots: left out of every member figure.
    /// Plain SQL: Fluent fills a model by reflection per row, 80 ms for the 500 staff and bots of a large community.
    private func staffAndBotIDs() async throws -> Set<UUID> {
        guard let sql = database as? any SQLDatabase else { return [] }
        return Set(
            try await sql.raw("SELECT id FROM members WHERE is_staff = \(bind: true) OR is_bot = \(bind: true)").all().map {
                try $0.decodeUUID(column: "id")
            })
    }

    /// Visible posts (not deleted or hidden, in visible topics of the group) created in the days:
    /// per day, topics among them, each poster's count and how many posted for the first time
    /// (staff and bots left out of the last two). Counted by the database.
    private struct PostCounts {
        var byDay: [Int]
        var topics = 0
        var byMember: [Int] = []
        var newContributors = 0
    }

    /// `FROM …` the visible posts `p` (in visible topics `t`) created in the days, in the group if one is chosen.
    private static func visiblePosts(in days: MetricDays, groupID: UUID?) -> SQLQueryString {
        var visible: SQLQueryString =
            " FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.created_at >= \(bind: days.starts[0]) AND p.created_at < \(bind: days.end) "
            + "AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.deleted_at IS NULL AND t.hidden_at IS NULL"
        if let groupID { visible += " AND t.group_id = \(bind: groupID)" }
        return visible
    }

    /// `column NOT IN (staff and bots)`, as they are now: left out of every member figure.
    private static func notStaff(_ column: String) -> SQLQueryString {
        "\(unsafeRaw: column) NOT IN (SELECT id FROM members WHERE is_staff = \(bind: true) OR is_bot = \(bind: true))"
    }

    /// Whose visits make a visitor: a visit for the community; any event in the group for a group.
    private static func visitorKinds(_ groupID: UUID?) -> [ActivityKind]? { groupID == nil ? [.visit] : nil }

    private func postCounts(in days: MetricDays, groupID: UUID?) async throws -> PostCounts {
        var counts = PostCounts(byDay: Array(repeating: 0, count: days.starts.count))
        guard let sql = database as? any SQLDatabase, !days.starts.isEmpty else { return counts }
        let visible = Self.visiblePosts(in: days, groupID: groupID)
        let byDay: SQLQueryString =
            "SELECT " + days.key(of: "p.created_at")
            + " AS day, COUNT(*) AS n, SUM(CASE WHEN p.post_number = 1 THEN 1 ELSE 0 END) AS topics"
            + visible + " GROUP BY day"
        for row in try await sql.raw(byDay).all() {
            guard let day = days.offset(of: try row.decode(column: "day", as: String.self)) else { continue }
            counts.byDay[day] = try row.decode(column: "n", as: Int.self)
            counts.topics += try row.decode(column: "topics", as: Int.self)
        }
        // With each poster, whether this is their first visible post (in the group, when one is
        // chosen): a NOT EXISTS probe per poster on the author index, which stops at the first earlier
        // post where a join would read every earlier post of the most active members.
        var byMember: SQLQueryString =
            "SELECT COUNT(*) AS n, NOT EXISTS (SELECT 1 FROM posts e JOIN topics s ON s.id = e.topic_id "
            + "WHERE e.author_id = p.author_id AND e.created_at < \(bind: days.starts[0]) "
            + "AND e.deleted_at IS NULL AND e.hidden_at IS NULL AND s.deleted_at IS NULL AND s.hidden_at IS NULL"
        if let groupID { byMember += " AND s.group_id = \(bind: groupID)" }
        byMember += ") AS first" + visible + " AND " + Self.notStaff("p.author_id") + " GROUP BY p.author_id"
        for row in try await sql.raw(byMember).all() {
            counts.byMember.append(try row.decode(column: "n", as: Int.self))
            if try row.decode(column: "first", as: Bool.self) { counts.newContributors += 1 }
        }
        return counts
    }

    /// Members (not staff or bots) active in the days: a visit (any event in the group, with a
    /// group chosen), an engaged action or a visible post. Counted by the database.
    private func activeMembers(in days: MetricDays, groupID: UUID?) async throws -> Int {
        // One pass over the log's rows for visits and engaged actions together (any kind, in a group).
        let kinds = Self.visitorKinds(groupID).map { $0 + Self.engagedKinds }
        guard let sql = database as? any SQLDatabase,
            let actions = try await memberDayRows(kinds: kinds, in: days, groupID: groupID, distinct: false)
        else { return 0 }
        let query: SQLQueryString =
            "SELECT COUNT(*) AS n FROM (SELECT m FROM (" + actions + ") a "
            + "UNION SELECT p.author_id AS m" + Self.visiblePosts(in: days, groupID: groupID) + ") u WHERE " + Self.notStaff("u.m")
        return try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Engaged members on each of the days and in all of them (staff and bots at the time left out).
    private func engagedCounts(in days: MetricDays, groupID: UUID?) async throws -> (byDay: [Int], members: Int) {
        var byDay = [Int](repeating: 0, count: days.starts.count)
        guard let sql = database as? any SQLDatabase,
            let rows = try await memberDayRows(kinds: Self.engagedKinds, in: days, groupID: groupID, distinct: false)
        else { return (byDay, 0) }
        for row in try await sql.raw("SELECT d, COUNT(DISTINCT m) AS n FROM (" + rows + ") u GROUP BY d").all() {
            if let day = days.offset(of: try row.decode(column: "d", as: String.self)) {
                byDay[day] = try row.decode(column: "n", as: Int.self)
            }
        }
        let members = try await sql.raw("SELECT COUNT(DISTINCT m) AS n FROM (" + rows + ") u").first()?.decode(column: "n", as: Int.self)
        return (byDay, members ?? 0)
    }

    private func addSignups(to figures: inout CommunityFigures, staff: Set<UUID>, groupID: UUID?) async throws {
        let period = figures.period
        let joined: [(UUID, Date)]
        if let groupID {
            joined = try await activity(kinds: [.groupJoined], from: period.start, to: period.end, groupID: groupID).map {
                ($0.actor, $0.at)
            }
        } else {
            joined = try await joiners(from: period.start, to: period.end)
        }
        let counted = joined.filter { !staff.contains($0.0) }
        figures.signups = Set(counted.map(\.0)).count
        var byDay: [Date: Int] = [:]
        for (_, at) in counted { byDay[period.dayStart(of: at), default: 0] += 1 }
        figures.signupsByDay = figures.visitors.days.map { byDay[$0] ?? 0 }
    }

    /// Members who joined in [from, to) (all but rejected accounts), with when: plain SQL, because
    /// Fluent fills models by reflection, which took seconds for a month at 100,000 members.
    private func joiners(from: Date, to: Date) async throws -> [(UUID, Date)] {
        guard let sql = database as? any SQLDatabase else { return [] }
        return try await sql.raw(
            """
            SELECT id, created_at FROM members WHERE created_at >= \(bind: from) AND created_at < \(bind: to)
            AND status <> \(bind: MemberStatus.rejected.rawValue)
            """
        ).all().map { row in (try row.decodeUUID(column: "id"), try row.decode(column: "created_at", as: Date.self)) }
    }

    /// Members who joined before the interval (the group's active members, with a group chosen) and
    /// have no event in the interval's days up to the period's end: CHAOSS's inactive members.
    /// Counted by the database (one NOT EXISTS probe per member on the member indexes), so it
    /// stays quick with a hundred thousand members.
    private func addInactive(to figures: inout CommunityFigures, days: Int, staff: Set<UUID>, groupID: UUID?, now: Date) async throws {
        let period = figures.period
        let calendar = period.calendar
        let end = min(period.end, calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: now))!)
        let start = calendar.date(byAdding: .day, value: -days, to: end)!
        figures.inactiveDays = days
        guard let sql = database as? any SQLDatabase else { return }
        var rolledEnd = start
        if usesRollups, let through = try await ActivityRollups(database: database, clock: clock).rolledThrough(timeZone: period.timeZone) {
            rolledEnd = max(start, min(end, calendar.date(byAdding: .day, value: 1, to: through)!))
        }
        let member: SQLQueryString = groupID == nil ? "p.id" : "m.member_id"
        var query: SQLQueryString
        if let groupID {
            query =
                "SELECT COUNT(*) AS n FROM group_memberships m JOIN members p ON p.id = m.member_id WHERE m.group_id = \(bind: groupID) "
                + "AND m.status = \(bind: MembershipStatus.active.rawValue) AND m.created_at < \(bind: start)"
        } else {
            query =
                "SELECT COUNT(*) AS n FROM members p WHERE p.status = \(bind: MemberStatus.active.rawValue) AND p.created_at < \(bind: start)"
        }
        query += " AND p.is_staff = \(bind: false) AND p.is_bot = \(bind: false)"
        let inGroup: SQLQueryString = groupID.map { " AND group_id = \(bind: $0)" } ?? ""
        if rolledEnd > start {
            let days = ActivityRollups.dayFormatter(period.timeZone)
            query +=
                " AND NOT EXISTS (SELECT 1 FROM activity_daily WHERE member_id = " + member
                + " AND day >= \(bind: days.string(from: start)) AND day < \(bind: days.string(from: rolledEnd))" + inGroup + ")"
        }
        if rolledEnd < end {
            query +=
                " AND NOT EXISTS (SELECT 1 FROM activity_events WHERE actor_id = " + member
                + " AND occurred_at >= \(bind: rolledEnd) AND occurred_at < \(bind: end)" + inGroup + ")"
        }
        figures.inactiveMembers = try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Time to first response, unanswered topics, newcomers' first topics and the solved rate, over
    /// the visible topics created in the period by members who are not staff.
    private func addResponsiveness(to figures: inout CommunityFigures, staff: Set<UUID>, groupID: UUID?) async throws {
        let period = figures.period
        guard let sql = database as? any SQLDatabase else { return }
        // One row per topic: its first response (a visible reply by someone other than the author;
        // a bot's reply, an automatic acknowledgement say, answers no one) and whether the author
        // had an earlier visible topic, both probed on the indexes by the database.
        var query: SQLQueryString =
            "SELECT t.id AS id, t.author_id AS author_id, t.title AS title, t.kind AS kind, t.solution_post_id AS solution_post_id, "
            + "t.created_at AS created_at, (SELECT MIN(r.created_at) FROM posts r WHERE r.topic_id = t.id AND r.post_number > 1 "
            + "AND r.author_id <> t.author_id AND r.deleted_at IS NULL AND r.hidden_at IS NULL "
            + "AND r.author_id NOT IN (SELECT b.id FROM members b WHERE b.is_bot = \(bind: true))) AS first_response, "
            + "EXISTS (SELECT 1 FROM topics e WHERE e.author_id = t.author_id AND e.created_at < \(bind: period.start) "
            + "AND e.deleted_at IS NULL AND e.hidden_at IS NULL) AS has_earlier "
            + "FROM topics t WHERE t.created_at >= \(bind: period.start) AND t.created_at < \(bind: period.end) "
            + "AND t.deleted_at IS NULL AND t.hidden_at IS NULL"
        if let groupID { query += " AND t.group_id = \(bind: groupID)" }
        query += " ORDER BY t.created_at"
        struct Row {
            let id: UUID
            let author: UUID
            let title: String
            let isQuestion: Bool
            let solved: Bool
            let createdAt: Date
            let firstResponse: Date?
            let hasEarlier: Bool
        }
        let topics = try await sql.raw(query).all().map { row in
            Row(
                id: try row.decodeUUID(column: "id"), author: try row.decodeUUID(column: "author_id"),
                title: try row.decode(column: "title", as: String.self),
                isQuestion: try row.decode(column: "kind", as: String.self) == TopicKind.question.rawValue,
                solved: try row.decode(column: "solution_post_id", as: UUID?.self) != nil,
                createdAt: try row.decode(column: "created_at", as: Date.self),
                firstResponse: try row.decode(column: "first_response", as: Date?.self),
                hasEarlier: try row.decode(column: "has_earlier", as: Bool.self))
        }.filter { !staff.contains($0.author) }
        figures.topicsCreated = topics.count
        figures.responseHours = topics.compactMap { topic in topic.firstResponse.map { $0.timeIntervalSince(topic.createdAt) / 3600 } }
        figures.unanswered = topics.filter { $0.firstResponse == nil }.map {
            CommunityFigures.OpenTopic(id: $0.id, title: $0.title, createdAt: $0.createdAt)
        }
        let questions = topics.filter(\.isQuestion)
        figures.questions = questions.count
        figures.solvedQuestions = questions.filter(\.solved).count

        // A newcomer's first topic: the author's first visible topic ever.
        var seen = Set<UUID>()
        for topic in topics where !topic.hasEarlier && seen.insert(topic.author).inserted {
            figures.firstTopics += 1
            if let response = topic.firstResponse, response.timeIntervalSince(topic.createdAt) <= 24 * 3600 {
                figures.firstTopicsAnsweredWithin24h += 1
            }
        }
    }

    private func addOtherContent(to figures: inout CommunityFigures, groupID: UUID?) async throws {
        let period = figures.period
        var events = EventRecord.query(on: database).filter(\.$createdAt >= period.start).filter(\.$createdAt < period.end)
            .filter(\.$hiddenAt == nil)
        var documents = DocumentRecord.query(on: database).filter(\.$createdAt >= period.start).filter(\.$createdAt < period.end)
            .filter(\.$deletedAt == nil).filter(\.$hiddenAt == nil)
        if let groupID {
            events = events.filter(\.$groupID == groupID)
            documents = documents.filter(\.$groupID == groupID)
        }
        figures.content.events = try await events.count()
        figures.content.documents = try await documents.count()
        figures.content.ideas =
            groupID == nil
            ? try await IdeaRecord.query(on: database).filter(\.$createdAt >= period.start).filter(\.$createdAt < period.end).count() : 0
    }

    /// Events that started in the period (not cancelled): who said they would come, and who came.
    private func addEvents(to figures: inout CommunityFigures, groupID: UUID?) async throws {
        let period = figures.period
        var query = EventRecord.query(on: database).filter(\.$startsAt >= period.start).filter(\.$startsAt < period.end)
            .filter(\.$cancelledAt == nil).filter(\.$hiddenAt == nil)
        if let groupID { query = query.filter(\.$groupID == groupID) }
        let ids = try await query.all(\.$id).compactMap { $0 }
        figures.eventsHeld = ids.count
        guard !ids.isEmpty else { return }
        let rsvps = try await RSVPRecord.query(on: database).filter(\.$eventID ~~ ids).field(\.$status).field(\.$checkedInAt).all()
        figures.eventsGoing = rsvps.filter { $0.status == RSVPStatus.going.rawValue }.count
        figures.eventsCheckedIn = rsvps.filter { $0.checkedInAt != nil }.count
        figures.eventsGoingCheckedIn = rsvps.filter { $0.checkedInAt != nil && $0.status == RSVPStatus.going.rawValue }.count
    }

    /// Per department: ideas routed in the period, how many got an official response, and the median
    /// hours from routing to that first response.
    private func addDepartments(to figures: inout CommunityFigures) async throws {
        let period = figures.period
        let departments = try await DepartmentRecord.query(on: database).sort(\.$name).all()
        let ideas = try await IdeaRecord.query(on: database).filter(\.$routedAt >= period.start).filter(\.$routedAt < period.end).all()
        figures.departments = departments.map { department in
            let routed = ideas.filter { $0.departmentID == department.id }
            let hours = routed.compactMap { idea -> Double? in
                guard let routedAt = idea.routedAt, let response = idea.firstResponseAt else { return nil }
                return max(0, response.timeIntervalSince(routedAt) / 3600)
            }
            return CommunityFigures.DepartmentResponse(
                name: department.name, routed: routed.count, responded: hours.count, medianHours: Statistics.median(hours),
                responseHours: hours)
        }
    }

    /// Join cohorts of the twelve months (or, for day and week periods, twelve weeks) up to the
    /// period's end, with their returns and posts. Members count as signups do (all but rejected
    /// accounts, no staff or bots); with a group chosen, a cohort is who joined the group then.
    private func addCohorts(to figures: inout CommunityFigures, staff: Set<UUID>, groupID: UUID?, now: Date) async throws {
        let period = figures.period
        let calendar = period.calendar
        let unit: PeriodKind = period.kind == .day || period.kind == .week ? .week : .month
        let component: Calendar.Component = unit == .week ? .weekOfYear : .month
        let lastCohort = calendar.dateInterval(of: component, for: calendar.date(byAdding: .second, value: -1, to: period.end)!)!.start
        let from = calendar.date(byAdding: component, value: -11, to: lastCohort)!
        let horizon = min(now, calendar.date(byAdding: .day, value: 92, to: period.end)!)
        let joinDays = DayIndex(from: from, to: period.end, calendar: calendar)
        var members: [CohortMember]
        // The stored first days, when the rollup job keeps them (the whole community only: a
        // group's cohorts are who joined the group, a far smaller set probed directly).
        if groupID == nil, usesRollups, let through = try await rollups.through(ActivityRollups.firstDaysName, timeZone: period.timeZone) {
            members = try await storedCohortMembers(
                from: from, to: period.end, through: through, horizon: horizon, joinDays: joinDays, timeZone: period.timeZone)
        } else {
            var joins: [(member: UUID, joinedAt: Date)]
            if let groupID {
                var first: [UUID: Date] = [:]
                for join in try await activity(kinds: [.groupJoined], from: from, to: period.end, groupID: groupID) where !join.isStaff {
                    first[join.actor] = min(first[join.actor] ?? join.at, join.at)
                }
                joins = first.map { (member: $0.key, joinedAt: $0.value) }
            } else {
                joins = try await joiners(from: from, to: period.end).map { (member: $0.0, joinedAt: $0.1) }
            }
            joins = joins.filter { !staff.contains($0.member) }
            // Every column asks "did they come back (or post) within N days after the join day", so the
            // first such day per member answers them all.
            let afterJoinDay = joins.compactMap { join in
                joinDays.nextDayStart(after: join.joinedAt).map { (member: join.member, after: $0) }
            }
            let visits = try await firstDays(.visit, after: afterJoinDay, before: horizon, timeZone: period.timeZone)
            let posts = try await firstDays(.post, after: afterJoinDay, before: horizon, timeZone: period.timeZone)
            members = joins.map { CohortMember(joinedAt: $0.joinedAt, firstVisit: visits[$0.member], firstPost: posts[$0.member]) }
        }
        figures.cohortUnit = unit
        figures.cohorts = CommunityMaths.cohorts(members, by: unit, from: from, to: period.end, today: now, calendar: calendar)
    }

    /// Joiners in [from, to) (not rejected, not staff or bots) with their first days as the rollup
    /// job stored them through `through`; for those who joined recently enough that a later day
    /// still counts, the days since are read from the log. Only they need their id read, which at a
    /// hundred thousand joiners saved most of the time.
    private func storedCohortMembers(from: Date, to: Date, through: Date, horizon: Date, joinDays: DayIndex, timeZone: TimeZone)
        async throws -> [CohortMember]
    {
        guard let sql = database as? any SQLDatabase else { return [] }
        let calendar = MetricPeriod.calendar(timeZone)
        let rawFrom = calendar.date(byAdding: .day, value: 1, to: through)!
        let recent = calendar.date(byAdding: .day, value: -93, to: rawFrom)!
        let rows = try await sql.raw(
            """
            SELECT CASE WHEN m.created_at >= \(bind: recent) THEN m.id END AS id, m.created_at AS created_at,
            v.day AS visit_day, p.day AS post_day FROM members m
            LEFT JOIN member_first_days v ON v.member_id = m.id AND v.kind = \(bind: FirstDayKind.visit.rawValue)
            LEFT JOIN member_first_days p ON p.member_id = m.id AND p.kind = \(bind: FirstDayKind.post.rawValue)
            WHERE m.created_at >= \(bind: from) AND m.created_at < \(bind: to) AND m.status <> \(bind: MemberStatus.rejected.rawValue)
            AND m.is_staff = \(bind: false) AND m.is_bot = \(bind: false)
            """
        ).all()
        var keys = ActivityRollups.DayKeyParser(timeZone)
        var members: [CohortMember] = []
        members.reserveCapacity(rows.count)
        var open: [FirstDayKind: [(member: UUID, after: Date, index: Int)]] = [:]
        for row in rows {
            let joinedAt = try row.decode(column: "created_at", as: Date.self)
            let member = CohortMember(
                joinedAt: joinedAt, firstVisit: try row.decode(column: "visit_day", as: String?.self).flatMap { keys.date($0) },
                firstPost: try row.decode(column: "post_day", as: String?.self).flatMap { keys.date($0) })
            if rawFrom < horizon, try !row.decodeNil(column: "id"), let after = joinDays.nextDayStart(after: joinedAt) {
                let id = try row.decodeUUID(column: "id")
                if member.firstVisit == nil { open[.visit, default: []].append((id, after, members.count)) }
                if member.firstPost == nil { open[.post, default: []].append((id, after, members.count)) }
            }
            members.append(member)
        }
        for (kind, waiting) in open {
            let found = try await loggedFirstDays(
                kind, after: waiting.map { ($0.member, $0.after) }, from: rawFrom, before: horizon, timeZone: timeZone)
            for entry in waiting {
                guard let day = found[entry.member] else { continue }
                if kind == .visit { members[entry.index].firstVisit = day } else { members[entry.index].firstPost = day }
            }
        }
        return members
    }
}

// MARK: First returns, for cohorts

extension MetricsRepository {
    /// `WITH j(member_id, after) AS (VALUES (…), …)`: members with a moment each. The queries ask a
    /// `MIN` per member in a scalar subquery, which both databases answer from the member index in
    /// date order, stopping at the first row (a join would read every later row of active members).
    /// Members per probe query: two binds each, well within SQLite's and PostgreSQL's limits.
    static let probeChunk = 2000

    static func pairs(_ rows: [(member: UUID, after: any Encodable & Sendable)]) -> SQLQueryString {
        let values = SQLList(rows.map { SQLGroupExpression([SQLBind($0.member), SQLBind($0.after)]) })
        return "WITH j(member_id, after) AS (VALUES \(values)) "
    }

    /// Each member's first day (its start in `timeZone`) at or after their `after`, before
    /// `horizon`, on which they did `kind` again: probed in the rollups for rolled-up days, in the
    /// log for the rest.
    func firstDays(_ kind: FirstDayKind, after members: [(member: UUID, after: Date)], before horizon: Date, timeZone: TimeZone)
        async throws -> [UUID: Date]
    {
        guard let sql = database as? any SQLDatabase, !members.isEmpty else { return [:] }
        let calendar = MetricPeriod.calendar(timeZone)
        var days = ActivityRollups.DayKeyParser(timeZone)
        var result: [UUID: Date] = [:]
        var rawFrom = Date.distantPast
        if usesRollups, let through = try await rollups.rolledThrough(timeZone: timeZone) {
            let end = min(horizon, calendar.date(byAdding: .day, value: 1, to: through)!)
            for chunk in members.chunked(Self.probeChunk) {
                let query: SQLQueryString =
                    Self.pairs(chunk.map { ($0.member, days.formatter.string(from: $0.after)) })
                    + "SELECT j.member_id AS member_id, (SELECT MIN(d.day) FROM activity_daily d WHERE d.member_id = j.member_id "
                    + "AND d.day >= j.after AND d.day < \(bind: days.formatter.string(from: end)) AND d.kind IN \(Self.kindList(kind)) "
                    + "AND d.is_staff = \(bind: false) AND d.is_bot = \(bind: false)) AS first_day FROM j"
                for row in try await sql.raw(query).all() {
                    if let key = try row.decode(column: "first_day", as: String?.self), let day = days.date(key) {
                        result[try row.decodeUUID(column: "member_id")] = day
                    }
                }
            }
            rawFrom = end
        }
        guard rawFrom < horizon else { return result }
        let open = members.filter { result[$0.member] == nil }.map { (member: $0.member, after: max($0.after, rawFrom)) }
        for chunk in open.chunked(Self.probeChunk) {
            let query: SQLQueryString =
                Self.pairs(chunk.map { ($0.member, $0.after) })
                + "SELECT j.member_id AS member_id, (SELECT MIN(e.occurred_at) FROM activity_events e WHERE e.actor_id = j.member_id "
                + "AND e.occurred_at >= j.after AND e.occurred_at < \(bind: horizon) AND e.kind IN \(Self.kindList(kind)) "
                + "AND e.actor_is_staff = \(bind: false) AND e.actor_is_bot = \(bind: false)) AS first_at FROM j"
            for row in try await sql.raw(query).all() {
                if let first = try row.decode(column: "first_at", as: Date?.self) {
                    result[try row.decodeUUID(column: "member_id")] = calendar.startOfDay(for: first)
                }
            }
        }
        return result
    }

    /// The same for the few days in [from, horizon) after the stored first days: read whole, one
    /// row per member and day, instead of probing every recent joiner.
    func loggedFirstDays(
        _ kind: FirstDayKind, after members: [(member: UUID, after: Date)], from: Date, before horizon: Date, timeZone: TimeZone
    ) async throws -> [UUID: Date] {
        guard let sql = database as? any SQLDatabase, from < horizon, !members.isEmpty else { return [:] }
        let rest = MetricDays(from: from, to: horizon, timeZone: timeZone)
        var daysOf: [UUID: [Int]] = [:]
        let query: SQLQueryString =
            "SELECT DISTINCT actor_id AS member_id, " + rest.key(of: "occurred_at") + " AS d FROM activity_events "
            + "WHERE occurred_at >= \(bind: from) AND occurred_at < \(bind: horizon) AND kind IN \(Self.kindList(kind)) "
            + "AND actor_id IS NOT NULL AND actor_is_staff = \(bind: false) AND actor_is_bot = \(bind: false)"
        for row in try await sql.raw(query).all() {
            if let day = rest.offset(of: try row.decode(column: "d", as: String.self)) {
                daysOf[try row.decodeUUID(column: "member_id"), default: []].append(day)
            }
        }
        var result: [UUID: Date] = [:]
        for member in members {
            if let day = daysOf[member.member]?.map({ rest.starts[$0] }).filter({ $0 >= member.after }).min() {
                result[member.member] = day
            }
        }
        return result
    }

    static func kindList(_ kind: FirstDayKind) -> SQLGroupExpression {
        SQLGroupExpression(kind.activityKinds.map { SQLBind($0.rawValue) })
    }
}

extension Array {
    /// Slices of at most `size` elements, for `IN` lists that stay within the databases' limits.
    public func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
