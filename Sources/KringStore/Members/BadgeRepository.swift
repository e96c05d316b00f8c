import FluentKit
import Foundation
import KringCore
import SQLKit

final class MemberBadgeRecord: Model, @unchecked Sendable {
    static let schema = "member_badges"

    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "name") var name: String
    @Field(key: "level") var level: String
    @Field(key: "awarded_at") var awardedAt: Date
    /// Where it was earned: "kring", or the import source (e.g. "stackexchange:…").
    @Field(key: "source") var source: String

    init() {}
}

/// A badge to award.
public struct NewBadge: Sendable {
    public let id: UUID
    public let memberID: UUID
    public let name: String
    public let level: BadgeLevel
    public let awardedAt: Date
    public let source: String

    public init(id: UUID = UUID(), memberID: UUID, name: String, level: BadgeLevel, awardedAt: Date, source: String) {
        self.id = id
        self.memberID = memberID
        self.name = name
        self.level = level
        self.awardedAt = awardedAt
        self.source = source
    }
}

/// Members' badges.
public struct BadgeRepository: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Awards badges in bulk (an import's history).
    public func award(_ badges: [NewBadge]) async throws {
        for batch in badges.chunked(500) {
            try await batch.map { badge -> MemberBadgeRecord in
                let record = MemberBadgeRecord()
                record.id = badge.id
                record.memberID = badge.memberID
                record.name = String(badge.name.prefix(60))
                record.level = badge.level.rawValue
                record.awardedAt = badge.awardedAt
                record.source = badge.source
                return record
            }.create(on: database)
        }
    }

    /// A member's badges, one line per badge: gold first, then by how often.
    public func summary(of memberID: UUID) async throws -> [BadgeSummary] {
        var grouped: [String: (level: BadgeLevel, count: Int, first: Date)] = [:]
        for record in try await MemberBadgeRecord.query(on: database).filter(\.$memberID == memberID).all() {
            let level = BadgeLevel(rawValue: record.level) ?? .bronze
            let key = record.name + "|" + level.rawValue
            let entry = grouped[key] ?? (level, 0, record.awardedAt)
            grouped[key] = (level, entry.count + 1, min(entry.first, record.awardedAt))
        }
        return grouped.map { key, value in
            BadgeSummary(
                name: String(key.split(separator: "|").first ?? ""), level: value.level, count: value.count, firstAwardedAt: value.first)
        }.sorted { ($0.level, -$0.count, $0.name) < ($1.level, -$1.count, $1.name) }
    }

    public func count(memberID: UUID? = nil) async throws -> Int {
        var query = MemberBadgeRecord.query(on: database)
        if let memberID { query = query.filter(\.$memberID == memberID) }
        return try await query.count()
    }

    // MARK: Rules

    private var sql: any SQLDatabase { database as! any SQLDatabase }

    public func rules() async throws -> [BadgeRule] {
        try await sql.raw("SELECT id, name, level, metric, threshold FROM badge_rules ORDER BY created_at").all().map { row in
            BadgeRule(
                id: try row.decodeUUID(column: "id"), name: try row.decode(column: "name", as: String.self),
                level: BadgeLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .bronze,
                metric: BadgeMetric(rawValue: try row.decode(column: "metric", as: String.self)) ?? .replies,
                threshold: try row.decode(column: "threshold", as: Int.self))
        }
    }

    public func add(_ rule: BadgeRule, at date: Date) async throws {
        try await sql.raw(
            """
            INSERT INTO badge_rules (id, name, level, metric, threshold, created_at)
            VALUES (\(bind: rule.id), \(bind: rule.name), \(bind: rule.level.rawValue), \(bind: rule.metric.rawValue),
                    \(bind: rule.threshold), \(bind: date))
            """
        ).run()
    }

    /// Removes a rule; the badges it awarded stay with their members.
    @discardableResult
    public func delete(rule id: UUID) async throws -> Bool {
        guard try await sql.raw("SELECT id FROM badge_rules WHERE id = \(bind: id)").first() != nil else { return false }
        try await sql.raw("DELETE FROM badge_rules WHERE id = \(bind: id)").run()
        return true
    }

    /// Awards each rule's badge to the active members who reached it and do not have it yet.
    /// Returns how many badges were awarded.
    @discardableResult
    public func applyRules(at date: Date) async throws -> Int {
        var awarded = 0
        for rule in try await rules() {
            let counts: SQLQueryString
            switch rule.metric {
            case .topics:
                counts =
                    "SELECT author_id AS member_id, COUNT(*) AS n FROM topics WHERE deleted_at IS NULL AND hidden_at IS NULL GROUP BY author_id"
            case .replies:
                counts =
                    "SELECT author_id AS member_id, COUNT(*) AS n FROM posts WHERE post_number > 1 AND deleted_at IS NULL AND hidden_at IS NULL GROUP BY author_id"
            case .acceptedAnswers:
                counts =
                    "SELECT p.author_id AS member_id, COUNT(*) AS n FROM topics t JOIN posts p ON p.id = t.solution_post_id WHERE t.deleted_at IS NULL AND p.deleted_at IS NULL GROUP BY p.author_id"
            case .reactionsReceived:
                counts =
                    "SELECT p.author_id AS member_id, COUNT(*) AS n FROM reactions r JOIN posts p ON p.id = r.post_id WHERE r.member_id <> p.author_id AND p.deleted_at IS NULL GROUP BY p.author_id"
            case .eventsAttended:
                counts = "SELECT member_id, COUNT(*) AS n FROM rsvps WHERE checked_in_at IS NOT NULL GROUP BY member_id"
            }
            let due = try await sql.raw(
                """
                SELECT c.member_id FROM (\(counts)) c JOIN members m ON m.id = c.member_id
                WHERE c.n >= \(bind: rule.threshold) AND m.status = \(bind: MemberStatus.active.rawValue) AND m.is_bot = \(bind: false)
                AND NOT EXISTS (SELECT 1 FROM member_badges b WHERE b.member_id = c.member_id AND b.source = \(bind: rule.source))
                """
            ).all().map { try $0.decodeUUID(column: "member_id") }
            try await award(
                due.map { NewBadge(memberID: $0, name: rule.name, level: rule.level, awardedAt: date, source: rule.source) })
            awarded += due.count
        }
        return awarded
    }

    /// The members who hold a badge awarded under `source` ("rule:…"), for the rules' table.
    public func holders(source: String) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM member_badges WHERE source = \(bind: source)").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    /// Badges the team granted by hand lately, newest first.
    public func recentGrants(limit: Int = 20) async throws -> [(member: MemberRef, name: String, level: BadgeLevel, at: Date)] {
        try await sql.raw(
            """
            SELECT b.name, b.level, b.awarded_at, m.id, m.handle, m.display_name FROM member_badges b JOIN members m ON m.id = b.member_id
            WHERE b.source LIKE 'hand:%' ORDER BY b.awarded_at DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            (
                MemberRef(
                    id: try row.decodeUUID(column: "id"), handle: try row.decode(column: "handle", as: String.self),
                    displayName: try row.decode(column: "display_name", as: String.self)),
                try row.decode(column: "name", as: String.self),
                BadgeLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .bronze,
                try row.decode(column: "awarded_at", as: Date.self)
            )
        }
    }
}
