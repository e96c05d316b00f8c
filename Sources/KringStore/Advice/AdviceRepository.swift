import FluentKit
import Foundation
import KringCore
import SQLKit

final class AdviceItemRecord: Model, @unchecked Sendable {
    static let schema = "advice_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "rule") var rule: String
    @Field(key: "subject_key") var subjectKey: String
    /// The finding's details as JSON.
    @Field(key: "details") var details: String
    @Field(key: "link") var link: String
    @Field(key: "status") var status: String
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    @OptionalField(key: "snoozed_until") var snoozedUntil: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?

    init() {}

    func domain() throws -> AdviceItem? {
        guard let rule = AdviceRule(rawValue: rule), let status = AdviceStatus(rawValue: status) else { return nil }
        return AdviceItem(
            id: try requireID(), rule: rule, subjectKey: subjectKey,
            details: (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:], link: link, status: status,
            assigneeID: assigneeID, snoozedUntil: snoozedUntil, createdAt: createdAt, updatedAt: updatedAt)
    }
}

/// The action inbox: the facts the advice rules read, and the items they leave for the team.
public struct AdviceRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    static let settingPrefix = "advice."

    public func thresholds() async throws -> AdviceThresholds {
        let stored = try await StrategyRepository(database: database, clock: clock).settings(prefix: Self.settingPrefix)
        var thresholds = AdviceThresholds()
        for parameter in AdviceParameter.allCases {
            if let value = stored[Self.settingPrefix + parameter.rawValue].flatMap(Int.init) { thresholds[parameter] = value }
        }
        return thresholds
    }

    public func setThresholds(_ thresholds: AdviceThresholds) async throws {
        try await StrategyRepository(database: database, clock: clock).setSettings(
            Dictionary(uniqueKeysWithValues: AdviceParameter.allCases.map { (Self.settingPrefix + $0.rawValue, String(thresholds[$0])) }))
    }

    // MARK: Facts

    /// Everything the rules read except the goals (the web layer knows where goals stand).
    public func facts(thresholds: AdviceThresholds, timeZone: TimeZone) async throws -> AdviceFacts {
        let now = clock.now()
        var facts = AdviceFacts(now: now)
        guard let sql = database as? any SQLDatabase else { return facts }
        let calendar = MetricPeriod.calendar(timeZone)
        let monthAgo = now.addingTimeInterval(-30 * 86_400)
        let twoMonthsAgo = now.addingTimeInterval(-60 * 86_400)

        // Topics of the last 30 days by members (not staff or bots) that nobody else answered, as the
        // cockpit counts it: a deleted or hidden reply, or a bot's, answers no one.
        facts.topics = try await sql.raw(
            """
            SELECT t.id AS id, t.title AS title, t.created_at AS created_at FROM topics t JOIN members m ON m.id = t.author_id
            WHERE t.created_at >= \(bind: monthAgo) AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            AND t.archived_at IS NULL AND m.is_staff = \(bind: false) AND m.is_bot = \(bind: false)
            AND NOT EXISTS (SELECT 1 FROM posts r JOIN members a ON a.id = r.author_id WHERE r.topic_id = t.id AND r.post_number > 1
              AND r.author_id <> t.author_id AND r.deleted_at IS NULL AND r.hidden_at IS NULL AND a.is_bot = \(bind: false))
            ORDER BY t.created_at LIMIT 200
            """
        ).all().map { row in
            AdviceFacts.Topic(
                id: try row.decode(column: "id", as: UUID.self), title: try row.decode(column: "title", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Date.self), answered: false)
        }

        // Newcomers (joined in the last 30 days): their first post, and whether anyone else posted after it.
        facts.firstPosts = try await sql.raw(
            """
            SELECT p.author_id AS author_id, m.handle AS handle, p.topic_id AS topic_id, p.created_at AS created_at,
            EXISTS (SELECT 1 FROM posts r JOIN members a ON a.id = r.author_id WHERE r.topic_id = p.topic_id AND r.created_at > p.created_at
              AND r.author_id <> p.author_id AND r.deleted_at IS NULL AND r.hidden_at IS NULL AND a.is_bot = \(bind: false)) AS answered
            FROM posts p JOIN members m ON m.id = p.author_id
            WHERE m.created_at >= \(bind: monthAgo) AND p.created_at >= \(bind: monthAgo) AND p.deleted_at IS NULL AND p.hidden_at IS NULL
            AND m.is_staff = \(bind: false) AND m.is_bot = \(bind: false)
            AND NOT EXISTS (SELECT 1 FROM posts e WHERE e.author_id = p.author_id AND e.created_at < p.created_at)
            ORDER BY p.created_at LIMIT 200
            """
        ).all().map { row in
            AdviceFacts.FirstPost(
                member: try row.decode(column: "author_id", as: UUID.self), handle: try row.decode(column: "handle", as: String.self),
                topic: try row.decode(column: "topic_id", as: UUID.self), postedAt: try row.decode(column: "created_at", as: Date.self),
                answered: try row.decode(column: "answered", as: Bool.self))
        }

        facts.regulars = try await regulars(thresholds: thresholds, timeZone: timeZone, calendar: calendar)

        // Posts per group (not archived) in the last 30 days and the 30 before.
        facts.groups = try await sql.raw(
            """
            SELECT g.id AS id, g.slug AS slug, g.name AS name,
            SUM(CASE WHEN p.created_at >= \(bind: monthAgo) THEN 1 ELSE 0 END) AS recent,
            SUM(CASE WHEN p.created_at < \(bind: monthAgo) THEN 1 ELSE 0 END) AS earlier
            FROM groups g JOIN topics t ON t.group_id = g.id JOIN posts p ON p.topic_id = t.id
            WHERE p.created_at >= \(bind: twoMonthsAgo) AND p.created_at < \(bind: now) AND p.deleted_at IS NULL AND g.is_archived = \(bind: false)
            GROUP BY g.id, g.slug, g.name
            """
        ).all().map { row in
            AdviceFacts.GroupActivity(
                id: try row.decode(column: "id", as: UUID.self), slug: try row.decode(column: "slug", as: String.self),
                name: try row.decode(column: "name", as: String.self), recent: try row.decode(column: "recent", as: Int.self),
                earlier: try row.decode(column: "earlier", as: Int.self))
        }

        facts.openFlags = try await sql.raw(
            "SELECT id, created_at FROM flags WHERE resolved_at IS NULL ORDER BY created_at LIMIT 200"
        ).all().map { row in
            AdviceFacts.Flag(
                id: try row.decode(column: "id", as: UUID.self), createdAt: try row.decode(column: "created_at", as: Date.self))
        }

        let closed = SQLGroupExpression([IdeaStatus.done, .declined].map { SQLBind($0.rawValue) })
        facts.waitingIdeas = try await sql.raw(
            """
            SELECT i.id AS id, i.title AS title, d.name AS department, i.routed_at AS routed_at FROM ideas i JOIN departments d ON d.id = i.department_id
            WHERE i.routed_at IS NOT NULL AND i.first_response_at IS NULL AND i.status NOT IN \(closed) ORDER BY i.routed_at LIMIT 200
            """
        ).all().map { row in
            AdviceFacts.RoutedIdea(
                id: try row.decode(column: "id", as: UUID.self), title: try row.decode(column: "title", as: String.self),
                department: try row.decode(column: "department", as: String.self),
                routedAt: try row.decode(column: "routed_at", as: Date.self))
        }

        // Hours to first response of members' topics: the last 30 days against the 30 before.
        var recent: [Double] = []
        var earlier: [Double] = []
        for row in try await sql.raw(
            """
            SELECT t.created_at AS created_at, (SELECT MIN(r.created_at) FROM posts r JOIN members a ON a.id = r.author_id
              WHERE r.topic_id = t.id AND r.post_number > 1 AND r.author_id <> t.author_id AND r.deleted_at IS NULL
              AND r.hidden_at IS NULL AND a.is_bot = \(bind: false)) AS first_response_at
            FROM topics t JOIN members m ON m.id = t.author_id
            WHERE t.created_at >= \(bind: twoMonthsAgo) AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            AND m.is_staff = \(bind: false) AND m.is_bot = \(bind: false)
            """
        ).all() {
            let created = try row.decode(column: "created_at", as: Date.self)
            guard let first = try row.decode(column: "first_response_at", as: Date?.self) else { continue }
            let hours = max(0, first.timeIntervalSince(created) / 3600)
            if created >= monthAgo { recent.append(hours) } else { earlier.append(hours) }
        }
        facts.responseHoursRecent = Statistics.median(recent)
        facts.responseHoursEarlier = Statistics.median(earlier)
        return facts
    }

    /// Members active on many days in the 60 days before the quiet window and on none since, from
    /// the rollups (and the log for what is not rolled up yet).
    private func regulars(thresholds: AdviceThresholds, timeZone: TimeZone, calendar: Calendar) async throws -> [AdviceFacts.Regular] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let days = ActivityRollups.dayFormatter(timeZone)
        let today = calendar.startOfDay(for: clock.now())
        let quietStart = calendar.date(byAdding: .day, value: -thresholds[.quietDays], to: today)!
        let windowStart = calendar.date(byAdding: .day, value: -60, to: quietStart)!
        let through = try await ActivityRollups(database: database, clock: clock).rolledThrough(timeZone: timeZone)
        let rawFrom = through.map { calendar.date(byAdding: .day, value: 1, to: $0)! } ?? windowStart
        let active = try await sql.raw(
            """
            SELECT g.member_id AS member_id, m.handle AS handle, g.days AS days, g.last_day AS last_day FROM (
              SELECT member_id, COUNT(DISTINCT day) AS days, MAX(day) AS last_day FROM activity_daily
              WHERE day >= \(bind: days.string(from: windowStart)) AND day < \(bind: days.string(from: quietStart))
              AND is_staff = \(bind: false) AND is_bot = \(bind: false)
              GROUP BY member_id HAVING COUNT(DISTINCT day) >= \(bind: thresholds[.regularDays])
            ) g JOIN members m ON m.id = g.member_id
            WHERE m.status = \(bind: MemberStatus.active.rawValue)
            AND NOT EXISTS (SELECT 1 FROM activity_daily x WHERE x.member_id = g.member_id AND x.day >= \(bind: days.string(from: quietStart)))
            AND NOT EXISTS (SELECT 1 FROM activity_events e WHERE e.actor_id = g.member_id AND e.occurred_at >= \(bind: max(rawFrom, quietStart)))
            ORDER BY g.days DESC LIMIT 100
            """
        ).all()
        return try active.compactMap { row in
            guard let last = days.date(from: try row.decode(column: "last_day", as: String.self)) else { return nil }
            return AdviceFacts.Regular(
                member: try row.decode(column: "member_id", as: UUID.self), handle: try row.decode(column: "handle", as: String.self),
                activeDays: try row.decode(column: "days", as: Int.self), lastActive: last)
        }
    }

    // MARK: Items

    /// Brings the inbox in line with the findings: new findings become open items, known ones get
    /// their figures updated (done items stay done), and open items whose rule no longer fires are
    /// cleared. Returns how many items were opened.
    @discardableResult
    public func sync(_ findings: [AdviceFinding]) async throws -> Int {
        let now = clock.now()
        return try await database.writeTransaction { tx in
            var opened = 0
            let items = try await AdviceItemRecord.query(on: tx).all()
            var byKey: [String: AdviceItemRecord] = [:]
            for item in items { byKey[item.rule + "|" + item.subjectKey] = item }
            var seen = Set<String>()
            for finding in findings {
                let key = finding.rule.rawValue + "|" + finding.subjectKey
                guard seen.insert(key).inserted else { continue }
                let details = String(decoding: try ReportRepository.encoder.encode(finding.details), as: UTF8.self)
                if let item = byKey[key] {
                    // Done stays done; what cleared by itself and fires again opens again.
                    guard item.status != AdviceStatus.done.rawValue else { continue }
                    var changed = item.details != details || item.link != finding.link
                    if item.status == AdviceStatus.cleared.rawValue {
                        item.status = AdviceStatus.open.rawValue
                        item.closedAt = nil
                        opened += 1
                        changed = true
                    }
                    if changed {
                        item.details = details
                        item.link = finding.link
                        item.updatedAt = now
                        try await item.save(on: tx)
                    }
                } else {
                    let item = AdviceItemRecord()
                    item.rule = finding.rule.rawValue
                    item.subjectKey = finding.subjectKey
                    item.details = details
                    item.link = finding.link
                    item.status = AdviceStatus.open.rawValue
                    item.createdAt = now
                    item.updatedAt = now
                    try await item.create(on: tx)
                    opened += 1
                }
            }
            for item in items
            where !seen.contains(item.rule + "|" + item.subjectKey)
                && [AdviceStatus.open.rawValue, AdviceStatus.snoozed.rawValue].contains(item.status)
            {
                item.status = AdviceStatus.cleared.rawValue
                item.closedAt = now
                item.updatedAt = now
                try await item.save(on: tx)
            }
            return opened
        }
    }

    /// Items by status (`nil`: the due ones — open, or snoozed until a moment now past), oldest first.
    public func items(_ status: AdviceStatus? = nil, assignee: UUID? = nil, limit: Int = 200) async throws -> [AdviceItem] {
        var query = AdviceItemRecord.query(on: database)
        if let status {
            query = query.filter(\.$status == status.rawValue)
        } else {
            query = query.filter(\.$status ~~ [AdviceStatus.open.rawValue, AdviceStatus.snoozed.rawValue])
        }
        if let assignee { query = query.filter(\.$assigneeID == assignee) }
        let now = clock.now()
        let items = try await query.sort(\.$createdAt).sort(\.$id).all().compactMap { try $0.domain() }
        return Array((status == nil ? items.filter { $0.isDue(now: now) } : items).prefix(limit))
    }

    public func item(_ id: UUID) async throws -> AdviceItem? { try await AdviceItemRecord.find(id, on: database)?.domain() }

    public enum Change: Sendable {
        case assign(UUID?)
        case snooze(until: Date)
        case done
        case reopen
    }

    /// Works an item; false when there is no such item.
    public func apply(_ change: Change, to id: UUID) async throws -> Bool {
        guard let item = try await AdviceItemRecord.find(id, on: database) else { return false }
        let now = clock.now()
        switch change {
        case .assign(let member): item.assigneeID = member
        case .snooze(let until):
            item.status = AdviceStatus.snoozed.rawValue
            item.snoozedUntil = until
        case .done:
            item.status = AdviceStatus.done.rawValue
            item.closedAt = now
        case .reopen:
            item.status = AdviceStatus.open.rawValue
            item.snoozedUntil = nil
            item.closedAt = nil
        }
        item.updatedAt = now
        try await item.save(on: database)
        return true
    }

    /// How many items are due, for the navigation's count.
    public func dueCount() async throws -> Int { try await items().count }
}
