import FluentKit
import Foundation
import KringCore
import SQLKit

extension ReportRepository {
    /// The topics with the most replies in the period, with the reactions they got in it. Only
    /// topics of open groups (or none): reports go to stakeholders by mail, so nothing from a
    /// closed or secret group may appear.
    public func topTopics(from: Date, to: Date, limit: Int = 5) async throws -> [ReportContent.TopTopic] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let rows = try await sql.raw(
            """
            SELECT t.id AS id, t.title AS title, COUNT(*) AS replies FROM posts p JOIN topics t ON t.id = p.topic_id
            LEFT JOIN groups g ON g.id = t.group_id
            WHERE p.created_at >= \(bind: from) AND p.created_at < \(bind: to) AND p.post_number > 1 AND p.deleted_at IS NULL
            AND p.hidden_at IS NULL AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            AND (t.group_id IS NULL OR g.visibility = \(bind: GroupVisibility.open.rawValue))
            GROUP BY t.id, t.title ORDER BY replies DESC, t.title LIMIT \(bind: limit)
            """
        ).all()
        let topics = try rows.map { row in
            (
                id: try row.decode(column: "id", as: UUID.self), title: try row.decode(column: "title", as: String.self),
                replies: try row.decode(column: "replies", as: Int.self)
            )
        }
        guard !topics.isEmpty else { return [] }
        var reactions: [UUID: Int] = [:]
        for row in try await sql.raw(
            """
            SELECT p.topic_id AS topic_id, COUNT(*) AS n FROM reactions r JOIN posts p ON p.id = r.post_id
            WHERE r.created_at >= \(bind: from) AND r.created_at < \(bind: to) AND p.topic_id IN \(SQLGroupExpression(topics.map { SQLBind($0.id) }))
            GROUP BY p.topic_id
            """
        ).all() {
            reactions[try row.decode(column: "topic_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self)
        }
        return topics.map { ReportContent.TopTopic(id: $0.id, title: $0.title, replies: $0.replies, reactions: reactions[$0.id] ?? 0) }
    }

    /// Members in the top tenth of posters in the period who were not in the previous period's
    /// (`topPosters` of each): the new champions, most posts first (at most ten).
    public static func newChampions(current: [ReportContent.Champion], before: [ReportContent.Champion]) -> [ReportContent.Champion] {
        let earlier = Set(before.map(\.handle))
        return Array(current.filter { !earlier.contains($0.handle) }.prefix(10))
    }

    /// The top tenth of the period's posters (active members, not staff or bots), most posts first.
    /// Posts are counted per author before members are looked up: one lookup per poster, not per post.
    public func topPosters(from: Date, to: Date) async throws -> [ReportContent.Champion] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let rows = try await sql.raw(
            """
            SELECT m.handle AS handle, x.n AS n FROM (SELECT p.author_id AS author_id, COUNT(*) AS n FROM posts p
            WHERE p.created_at >= \(bind: from) AND p.created_at < \(bind: to) AND p.deleted_at IS NULL AND p.hidden_at IS NULL
            GROUP BY p.author_id) x JOIN members m ON m.id = x.author_id
            WHERE m.is_staff = \(bind: false) AND m.is_bot = \(bind: false) AND m.status = \(bind: MemberStatus.active.rawValue)
            ORDER BY n DESC, m.handle
            """
        ).all()
        let posters = try rows.map {
            ReportContent.Champion(
                handle: try $0.decode(column: "handle", as: String.self), posts: try $0.decode(column: "n", as: Int.self))
        }
        let top = max(1, Int((Double(posters.count) * 0.1).rounded(.up)))
        return Array(posters.prefix(top))
    }
}

extension ReportRepository {
    /// Of these topics and group slugs, the ones anyone may read: topics outside groups or in open
    /// groups, and open groups. A report may go to stakeholders outside the team, so advice about a
    /// closed or secret group stays in the inbox.
    public func openSubjects(topics: [UUID], groups: [String]) async throws -> (topics: Set<UUID>, groups: Set<String>) {
        guard let sql = database as? any SQLDatabase else { return ([], []) }
        var openTopics = Set<UUID>()
        var openGroups = Set<String>()
        let open = GroupVisibility.open.rawValue
        if !topics.isEmpty {
            for row in try await sql.raw(
                """
                SELECT t.id AS id FROM topics t LEFT JOIN groups g ON g.id = t.group_id
                WHERE t.id IN \(SQLGroupExpression(topics.map { SQLBind($0) })) AND (t.group_id IS NULL OR g.visibility = \(bind: open))
                """
            ).all() {
                openTopics.insert(try row.decode(column: "id", as: UUID.self))
            }
        }
        if !groups.isEmpty {
            for row in try await sql.raw(
                "SELECT slug FROM groups WHERE slug IN \(SQLGroupExpression(groups.map { SQLBind($0) })) AND visibility = \(bind: open)"
            ).all() {
                openGroups.insert(try row.decode(column: "slug", as: String.self))
            }
        }
        return (openTopics, openGroups)
    }
}
