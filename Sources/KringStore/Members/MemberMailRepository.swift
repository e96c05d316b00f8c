import FluentKit
import Foundation
import KringCore
import SQLKit

/// A member's choices for the mail lists (`MailList`); defaults where they chose nothing.
public struct MailChoices: Sendable, Equatable {
    public var memberUpdate: UpdateFrequency
    public var nudges: Bool
    public var announcements: Bool

    public static let standard = MailChoices(memberUpdate: .standard, nudges: true, announcements: true)

    public init(memberUpdate: UpdateFrequency, nudges: Bool, announcements: Bool) {
        self.memberUpdate = memberUpdate
        self.nudges = nudges
        self.announcements = announcements
    }
}

/// A member a list mail goes to, with what the mail needs to speak their language.
public struct ListRecipient: Sendable, Equatable {
    public let id: UUID
    public let handle: String
    public let displayName: String
    public let email: String
    public let preferredLanguage: String?
    public let lastSeenAt: Date?

    public init(id: UUID, handle: String, displayName: String, email: String, preferredLanguage: String?, lastSeenAt: Date?) {
        self.id = id
        self.handle = handle
        self.displayName = displayName
        self.email = email
        self.preferredLanguage = preferredLanguage
        self.lastSeenAt = lastSeenAt
    }
}

/// The mail lists: members' choices, one-click unsubscribes, who is due a member update or a nudge,
/// and the log that keeps every list mail to once per member and period.
public struct MemberMailRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Both supported databases speak SQL.
    private var sql: any SQLDatabase { database as! any SQLDatabase }

    // MARK: Choices

    public func choices(of memberID: UUID) async throws -> MailChoices {
        var choices = MailChoices.standard
        for row in try await sql.raw("SELECT list, choice FROM mail_list_choices WHERE member_id = \(bind: memberID)").all() {
            let choice = try row.decode(column: "choice", as: String.self)
            switch MailList(rawValue: try row.decode(column: "list", as: String.self)) {
            case .memberUpdate: choices.memberUpdate = UpdateFrequency(rawValue: choice) ?? .standard
            case .nudges: choices.nudges = choice != "off"
            case .announcements: choices.announcements = choice != "off"
            case .notifications, nil: break
            }
        }
        return choices
    }

    public func setChoices(_ choices: MailChoices, of memberID: UUID) async throws {
        try await set(.memberUpdate, choices.memberUpdate.rawValue, of: memberID)
        try await set(.nudges, choices.nudges ? "on" : "off", of: memberID)
        try await set(.announcements, choices.announcements ? "on" : "off", of: memberID)
    }

    private func set(_ list: MailList, _ choice: String, of memberID: UUID) async throws {
        try await database.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("DELETE FROM mail_list_choices WHERE member_id = \(bind: memberID) AND list = \(bind: list.rawValue)").run()
            try await sql.raw(
                """
                INSERT INTO mail_list_choices (id, member_id, list, choice, updated_at)
                VALUES (\(bind: UUID()), \(bind: memberID), \(bind: list.rawValue), \(bind: choice), \(bind: clock.now()))
                """
            ).run()
        }
    }

    /// Leaves a list, as the one-click link in its mail asks. Notifications: every kind stays in the app only.
    public func unsubscribe(_ memberID: UUID, from list: MailList) async throws {
        switch list {
        case .notifications:
            let notifications = NotificationRepository(database: database, clock: clock)
            let current = try await notifications.preferences(of: memberID)
            try await notifications.setPreferences(
                current.values.map { NotificationPreference(kind: $0.kind, inApp: $0.inApp, email: .never) }, for: memberID)
        case .memberUpdate: try await set(.memberUpdate, UpdateFrequency.never.rawValue, of: memberID)
        case .nudges: try await set(.nudges, "off", of: memberID)
        case .announcements: try await set(.announcements, "off", of: memberID)
        }
    }

    /// How many members chose each update frequency (members without a choice count as the default).
    public func updateFrequencyCounts() async throws -> [UpdateFrequency: Int] {
        var counts: [UpdateFrequency: Int] = [:]
        var chosen = 0
        for row in try await sql.raw(
            """
            SELECT c.choice, COUNT(*) AS n FROM mail_list_choices c JOIN members m ON m.id = c.member_id
            WHERE c.list = \(bind: MailList.memberUpdate.rawValue) AND m.status = \(bind: MemberStatus.active.rawValue) GROUP BY c.choice
            """
        ).all() {
            let n = try row.decode(column: "n", as: Int.self)
            counts[UpdateFrequency(rawValue: try row.decode(column: "choice", as: String.self)) ?? .standard, default: 0] += n
            chosen += n
        }
        let active = try await MemberRepository(database: database, clock: clock).count(status: .active)
        counts[.standard, default: 0] += max(0, active - chosen)
        return counts
    }

    // MARK: Who gets what

    /// Active members who want the update at `frequency` and have not had `period`'s yet.
    public func updateRecipients(_ frequency: UpdateFrequency, period: String) async throws -> [ListRecipient] {
        let choice = "(SELECT c.choice FROM mail_list_choices c WHERE c.member_id = m.id AND c.list = 'member_update')"
        let wanted: SQLQueryString =
            frequency == .standard
            ? "AND (\(unsafeRaw: choice) IS NULL OR \(unsafeRaw: choice) = \(bind: frequency.rawValue))"
            : "AND \(unsafeRaw: choice) = \(bind: frequency.rawValue)"
        return try await recipients(
            """
            \(wanted) AND NOT EXISTS (SELECT 1 FROM mail_list_sends s WHERE s.member_id = m.id AND s.list = 'member_update'
                                      AND s.period = \(bind: period))
            """)
    }

    /// Members the engagement job put at risk who did not turn nudges off.
    public func nudgeCandidates() async throws -> [ListRecipient] {
        try await recipients(
            """
            AND EXISTS (SELECT 1 FROM member_engagement e WHERE e.member_id = m.id AND e.segments LIKE '%,at_risk,%')
            AND NOT EXISTS (SELECT 1 FROM mail_list_choices c WHERE c.member_id = m.id AND c.list = 'nudges' AND c.choice = 'off')
            """)
    }

    /// Whether the member left the announcements list (the team's messages to segments).
    public func announcementsOff(_ memberIDs: [UUID]) async throws -> Set<UUID> {
        var off = Set<UUID>()
        for chunk in memberIDs.chunked(500) {
            let rows = try await sql.raw(
                """
                SELECT member_id FROM mail_list_choices WHERE list = 'announcements' AND choice = 'off'
                AND member_id IN (\(SQLList(chunk.map { SQLBind($0) })))
                """
            ).all()
            for row in rows { off.insert(try row.decodeUUID(column: "member_id")) }
        }
        return off
    }

    private func recipients(_ condition: SQLQueryString) async throws -> [ListRecipient] {
        try await sql.raw(
            """
            SELECT m.id, m.handle, m.display_name, m.email, m.preferred_language, m.last_seen_at FROM members m
            WHERE m.status = \(bind: MemberStatus.active.rawValue) AND m.is_bot = \(bind: false) AND m.email <> '' \(condition)
            ORDER BY m.created_at
            """
        ).all().map { row in
            ListRecipient(
                id: try row.decodeUUID(column: "id"), handle: try row.decode(column: "handle", as: String.self),
                displayName: try row.decode(column: "display_name", as: String.self),
                email: try row.decode(column: "email", as: String.self),
                preferredLanguage: try row.decode(column: "preferred_language", as: String?.self),
                lastSeenAt: try row.decode(column: "last_seen_at", as: Date?.self))
        }
    }

    /// When each member was sent mail from `list` (nudges' frequency caps).
    public func sends(_ list: MailList, to memberIDs: [UUID]) async throws -> [UUID: [Date]] {
        var result: [UUID: [Date]] = [:]
        for chunk in memberIDs.chunked(500) {
            let rows = try await sql.raw(
                """
                SELECT member_id, sent_at FROM mail_list_sends WHERE list = \(bind: list.rawValue)
                AND member_id IN (\(SQLList(chunk.map { SQLBind($0) })))
                """
            ).all()
            for row in rows {
                result[try row.decodeUUID(column: "member_id"), default: []].append(try row.decode(column: "sent_at", as: Date.self))
            }
        }
        return result
    }

    public func sentCount(_ list: MailList, period: String? = nil, since: Date? = nil) async throws -> Int {
        var condition: SQLQueryString = ""
        if let period { condition = "AND period = \(bind: period)" }
        if let since { condition = "\(condition) AND sent_at >= \(bind: since)" }
        return try await sql.raw("SELECT COUNT(*) AS n FROM mail_list_sends WHERE list = \(bind: list.rawValue) \(condition)").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    /// Records that `list`'s mail for `period` goes to the member. False when it already went: run
    /// it in the transaction that queues the mail, and the mail is queued once.
    public func claimSend(_ list: MailList, period: String, to memberID: UUID) async throws -> Bool {
        try await sql.raw(
            """
            INSERT INTO mail_list_sends (id, member_id, list, period, sent_at)
            VALUES (\(bind: UUID()), \(bind: memberID), \(bind: list.rawValue), \(bind: period), \(bind: clock.now()))
            ON CONFLICT DO NOTHING RETURNING id
            """
        ).first() != nil
    }

    // MARK: What the update holds

    /// The period's busiest topics, the next month's events and the period's newcomers, before each
    /// member's visibility cuts them down.
    public func digestCandidates(from start: Date, to end: Date) async throws -> DigestCandidates {
        let now = clock.now()
        let topics = try await sql.raw(
            """
            SELECT t.id, t.title, t.group_id, t.reply_count FROM topics t LEFT JOIN groups g ON g.id = t.group_id
            WHERE t.created_at >= \(bind: start) AND t.created_at < \(bind: end) AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            AND t.archived_at IS NULL AND (g.id IS NULL OR g.is_archived = \(bind: false))
            ORDER BY t.reply_count DESC, t.created_at DESC LIMIT 200
            """
        ).all().map { row in
            DigestCandidates.Topic(
                id: try row.decodeUUID(column: "id"), title: try row.decode(column: "title", as: String.self),
                groupID: try row.decode(column: "group_id", as: UUID?.self), replies: try row.decode(column: "reply_count", as: Int.self))
        }
        let events = try await sql.raw(
            """
            SELECT e.id, e.title, e.group_id, e.starts_at FROM events e LEFT JOIN groups g ON g.id = e.group_id
            WHERE e.starts_at >= \(bind: now) AND e.starts_at < \(bind: now.addingTimeInterval(31 * 86_400))
            AND e.cancelled_at IS NULL AND e.hidden_at IS NULL AND (g.id IS NULL OR g.is_archived = \(bind: false))
            ORDER BY e.starts_at LIMIT 200
            """
        ).all().map { row in
            DigestCandidates.Event(
                id: try row.decodeUUID(column: "id"), title: try row.decode(column: "title", as: String.self),
                groupID: try row.decode(column: "group_id", as: UUID?.self), startsAt: try row.decode(column: "starts_at", as: Date.self))
        }
        let newcomers = try await sql.raw(
            """
            SELECT id, handle, display_name FROM members WHERE status = \(bind: MemberStatus.active.rawValue) AND is_bot = \(bind: false)
            AND is_staff = \(bind: false) AND role = \(bind: Role.member.rawValue)
            AND created_at >= \(bind: start) AND created_at < \(bind: end) ORDER BY created_at DESC LIMIT 50
            """
        ).all().map { row in
            DigestCandidates.Newcomer(
                id: try row.decodeUUID(column: "id"), handle: try row.decode(column: "handle", as: String.self),
                displayName: try row.decode(column: "display_name", as: String.self))
        }
        let open = try await sql.raw("SELECT id FROM groups WHERE visibility = \(bind: GroupVisibility.open.rawValue)").all()
            .map { try $0.decodeUUID(column: "id") }
        return DigestCandidates(topics: topics, events: events, newcomers: newcomers, openGroupIDs: Set(open))
    }

    /// Every member's active groups, read once for a whole mailing.
    public func activeGroups(of memberIDs: [UUID]) async throws -> [UUID: Set<UUID>] {
        var result: [UUID: Set<UUID>] = [:]
        for chunk in memberIDs.chunked(500) {
            let rows = try await sql.raw(
                """
                SELECT member_id, group_id FROM group_memberships WHERE status = \(bind: MembershipStatus.active.rawValue)
                AND member_id IN (\(SQLList(chunk.map { SQLBind($0) })))
                """
            ).all()
            for row in rows { result[try row.decodeUUID(column: "member_id"), default: []].insert(try row.decodeUUID(column: "group_id")) }
        }
        return result
    }
}
