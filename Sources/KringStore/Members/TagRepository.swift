import FluentKit
import Foundation
import KringCore
import SQLKit

/// The shared tag vocabulary: member interests and expertise now, topic tags later.
public struct TagRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Returns the ids of the named tags, creating the missing ones; order follows `names`.
    public func ensure(_ names: [String]) async throws -> [UUID] {
        guard !names.isEmpty else { return [] }
        let existing = try await TagRecord.query(on: database).filter(\.$slug ~~ names).all()
        var ids = Dictionary(uniqueKeysWithValues: existing.compactMap { tag in tag.id.map { (tag.slug, $0) } })
        for name in names where ids[name] == nil {
            let tag = TagRecord()
            tag.id = UUID()
            tag.slug = name
            tag.name = name
            tag.createdAt = clock.now()
            try await tag.create(on: database)
            ids[name] = tag.id
        }
        return names.compactMap { ids[$0] }
    }

    /// The most used member tags of a kind, with how many members carry each.
    public func popular(kind: MemberTagKind, limit: Int) async throws -> [(name: String, members: Int)] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let rows = try await sql.raw(
            """
            SELECT t.name AS name, COUNT(*) AS members FROM member_tags mt JOIN tags t ON t.id = mt.tag_id
            WHERE mt.kind = \(bind: kind.rawValue) GROUP BY t.name ORDER BY members DESC, t.name LIMIT \(bind: limit)
            """
        ).all()
        return try rows.map { (try $0.decode(column: "name", as: String.self), try $0.decode(column: "members", as: Int.self)) }
    }
}
