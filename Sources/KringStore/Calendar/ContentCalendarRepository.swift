import FluentKit
import Foundation
import KringCore

final class ContentItemRecord: Model, @unchecked Sendable {
    static let schema = "content_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "group_id") var groupID: UUID?
    @OptionalField(key: "scheduled_at") var scheduledAt: Date?
    @Field(key: "body") var body: String
    @OptionalField(key: "event_starts_at") var eventStartsAt: Date?
    @OptionalField(key: "event_ends_at") var eventEndsAt: Date?
    @Field(key: "location") var location: String
    @Field(key: "notes") var notes: String
    @OptionalField(key: "published_as") var publishedAs: String?
    @OptionalField(key: "published_at") var publishedAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    func item() throws -> ContentItem {
        ContentItem(
            id: try requireID(), title: title, kind: ContentItemKind(rawValue: kind) ?? .post,
            status: ContentItemStatus(rawValue: status) ?? .idea, ownerID: ownerID, groupID: groupID, scheduledAt: scheduledAt, body: body,
            eventStartsAt: eventStartsAt, eventEndsAt: eventEndsAt, location: location, notes: notes, publishedAs: publishedAs,
            publishedAt: publishedAt, lastError: lastError, createdAt: createdAt, updatedAt: updatedAt)
    }

    func apply(_ item: ContentItem) {
        title = item.title
        kind = item.kind.rawValue
        status = item.status.rawValue
        ownerID = item.ownerID
        groupID = item.groupID
        scheduledAt = item.scheduledAt
        body = item.body
        eventStartsAt = item.eventStartsAt
        eventEndsAt = item.eventEndsAt
        location = item.location
        notes = item.notes
        publishedAs = item.publishedAs
        publishedAt = item.publishedAt
        lastError = item.lastError
        createdAt = item.createdAt
        updatedAt = item.updatedAt
    }
}

/// The content calendar's items.
public struct ContentCalendarRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Items planned (or published) within `from..<to`, by their moment.
    public func items(from: Date, to: Date) async throws -> [ContentItem] {
        try await ContentItemRecord.query(on: database).group(.or) { either in
            either.group(.and) { $0.filter(\.$scheduledAt >= from).filter(\.$scheduledAt < to) }
            either.group(.and) { $0.filter(\.$scheduledAt == nil).filter(\.$publishedAt >= from).filter(\.$publishedAt < to) }
        }.sort(\.$scheduledAt).sort(\.$createdAt).all().map { try $0.item() }
    }

    /// Ideas and drafts without a moment yet: the backlog beside the calendar.
    public func unscheduled(limit: Int = 100) async throws -> [ContentItem] {
        try await ContentItemRecord.query(on: database).filter(\.$scheduledAt == nil)
            .filter(\.$status != ContentItemStatus.published.rawValue).sort(\.$createdAt, .descending).limit(limit).all().map {
                try $0.item()
            }
    }

    public func find(_ id: UUID) async throws -> ContentItem? {
        try await ContentItemRecord.find(id, on: database)?.item()
    }

    /// Creates or updates the item.
    public func save(_ item: ContentItem) async throws {
        try await database.writeTransaction { tx in
            let record = try await ContentItemRecord.find(item.id, on: tx) ?? ContentItemRecord()
            if record.id == nil { record.id = item.id }
            record.apply(item)
            try await record.save(on: tx)
        }
    }

    @discardableResult
    public func delete(_ id: UUID) async throws -> Bool {
        guard let record = try await ContentItemRecord.find(id, on: database) else { return false }
        try await record.delete(on: database)
        return true
    }

    /// Scheduled items whose moment has come, oldest first.
    public func due(limit: Int = 50) async throws -> [ContentItem] {
        try await ContentItemRecord.query(on: database).filter(\.$status == ContentItemStatus.scheduled.rawValue)
            .filter(\.$scheduledAt <= clock.now()).sort(\.$scheduledAt).limit(limit).all().map { try $0.item() }
    }

    public func count(status: ContentItemStatus) async throws -> Int {
        try await ContentItemRecord.query(on: database).filter(\.$status == status.rawValue).count()
    }
}
