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

/// A tag as tag pages show it.
public struct TagInfo: Sendable, Equatable {
    public let id: UUID
    public let slug: String
    public let name: String
    public let description: String?
}

extension TagRepository {
    public func find(slug: String) async throws -> TagInfo? {
        guard let record = try await TagRecord.query(on: database).filter(\.$slug == slug.lowercased()).first(), let id = record.id else {
            return nil
        }
        return TagInfo(id: id, slug: record.slug, name: record.name, description: record.about)
    }

    /// Renames (the slug follows the name) and describes a tag.
    public func update(_ id: UUID, name: String, description: String, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await TagRecord.find(id, on: tx) else { throw StoreError.notFound }
            if name != record.slug, try await TagRecord.query(on: tx).filter(\.$slug == name).count() > 0 {
                throw ValidationFailure(field: "name", code: "tag.exists")
            }
            record.slug = name
            record.name = name
            record.about = description.isEmpty ? nil : description
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(.tagChanged, by: actor, subjectType: "tag", subjectID: id)
        }
    }

    /// Moves every topic and member of `source` to `target` and removes `source`.
    public func merge(_ source: UUID, into target: UUID, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            for link in try await TopicTagRecord.query(on: tx).filter(\.$tagID == source).all() {
                let exists =
                    try await TopicTagRecord.query(on: tx).filter(\.$topicID == link.topicID).filter(\.$tagID == target).count() > 0
                if exists {
                    try await link.delete(on: tx)
                } else {
                    link.tagID = target
                    try await link.save(on: tx)
                }
            }
            for link in try await MemberTagRecord.query(on: tx).filter(\.$tagID == source).all() {
                let exists =
                    try await MemberTagRecord.query(on: tx).filter(\.$memberID == link.memberID).filter(\.$tagID == target)
                    .filter(\.$kind == link.kind).count() > 0
                if exists {
                    try await link.delete(on: tx)
                } else {
                    link.tagID = target
                    try await link.save(on: tx)
                }
            }
            try await TagRecord.query(on: tx).filter(\.$id == source).delete()
            try await ActivityLog(database: tx, clock: clock).record(.tagChanged, by: actor, subjectType: "tag", subjectID: target)
        }
    }
}
