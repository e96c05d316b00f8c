import FluentKit
import Foundation
import KringCore

final class ImportItemRecord: Model, @unchecked Sendable {
    static let schema = "import_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "source") var source: String
    @Field(key: "kind") var kind: String
    @Field(key: "external_id") var externalID: String
    @Field(key: "local_id") var localID: UUID

    init() {}
}

/// A reaction as an import brings it in: historical, so it notifies no one.
public struct ImportedReaction: Sendable {
    public let postID: UUID
    public let memberID: UUID
    public let memberIsBot: Bool
    public let groupID: UUID?
    public let kind: ReactionKind
    public let at: Date

    public init(postID: UUID, memberID: UUID, memberIsBot: Bool, groupID: UUID?, kind: ReactionKind, at: Date) {
        self.postID = postID
        self.memberID = memberID
        self.memberIsBot = memberIsBot
        self.groupID = groupID
        self.kind = kind
        self.at = at
    }
}

/// Bookkeeping for imports from other platforms: which source items are in already, bulk writes of
/// history that the live code paths would turn into notifications.
public struct ImportRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// The items of a kind imported from `source` before, by their id there.
    public func known(source: String, kind: String) async throws -> [String: UUID] {
        let records = try await ImportItemRecord.query(on: database).filter(\.$source == source).filter(\.$kind == kind).all()
        return Dictionary(records.map { ($0.externalID, $0.localID) }, uniquingKeysWith: { first, _ in first })
    }

    public func remember(source: String, kind: String, _ items: [(external: String, local: UUID)]) async throws {
        for batch in items.chunked(500) {
            try await batch.map { item -> ImportItemRecord in
                let record = ImportItemRecord()
                record.source = source
                record.kind = kind
                record.externalID = item.external
                record.localID = item.local
                return record
            }.create(on: database)
        }
    }

    /// Adds reactions with their activity events, in batches, without notifications.
    public func addReactions(_ reactions: [ImportedReaction]) async throws {
        for batch in reactions.chunked(500) {
            try await database.writeTransaction { tx in
                try await batch.map { item -> ReactionRecord in
                    let record = ReactionRecord()
                    record.postID = item.postID
                    record.memberID = item.memberID
                    record.kind = item.kind.rawValue
                    record.createdAt = item.at
                    return record
                }.create(on: tx)
                try await ActivityLog(database: tx, clock: clock).recordBatch(
                    batch.map {
                        NewActivityEvent(
                            kind: .reactionAdded, actorID: $0.memberID, actorIsStaff: false, actorIsBot: $0.memberIsBot,
                            subjectType: "post",
                            subjectID: $0.postID,
                            groupID: $0.groupID, occurredAt: $0.at)
                    })
            }
        }
    }

    public func reactionCount(postID: UUID, kind: ReactionKind) async throws -> Int {
        try await ReactionRecord.query(on: database).filter(\.$postID == postID).filter(\.$kind == kind.rawValue).count()
    }

    /// Removes the notifications these members got while their history was written: they are about
    /// the past, and imported accounts have no mailbox.
    public func clearNotifications(of memberIDs: [UUID]) async throws {
        for batch in memberIDs.chunked(500) {
            try await NotificationRecord.query(on: database).filter(\.$recipientID ~~ batch).delete()
        }
    }
}
