import FluentKit
import Foundation
import KringCore

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
}
