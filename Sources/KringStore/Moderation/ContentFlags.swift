import FluentKit
import Foundation
import KringCore

/// Content besides posts and profiles that members can flag.
public enum FlaggableContent: Sendable, Hashable {
    case event(UUID)
    case document(UUID)

    public var id: UUID {
        switch self {
        case .event(let id), .document(let id): id
        }
    }

    /// The activity log's subject type.
    public var subjectType: String {
        switch self {
        case .event: "event"
        case .document: "document"
        }
    }
}

/// A flagged event or document in the review queue.
public struct ContentReviewItem: Sendable, Identifiable {
    public var id: UUID { content.id }
    public let content: FlaggableContent
    public let title: String
    public let author: AuthorView
    public let excerpt: String
    public let isHidden: Bool
    public let flags: [FlagInfo]
    public let since: Date
}

/// The part of a flaggable record moderation needs, whichever table it lives in.
private struct FlaggedRecord {
    let title: String
    let authorID: UUID
    let excerpt: String
    let groupID: UUID?
    let hiddenAt: Date?
    let setHidden: (Date?, any Database) async throws -> Void
}

extension ModerationRepository {
    private func record(_ content: FlaggableContent, on database: any Database) async throws -> FlaggedRecord? {
        switch content {
        case .event(let id):
            guard let event = try await EventRecord.find(id, on: database) else { return nil }
            return FlaggedRecord(
                title: event.title, authorID: event.organiserID, excerpt: event.about, groupID: event.groupID, hiddenAt: event.hiddenAt,
                setHidden: { date, db in
                    event.hiddenAt = date
                    try await event.save(on: db)
                })
        case .document(let id):
            guard let document = try await DocumentRecord.find(id, on: database), document.deletedAt == nil else { return nil }
            return FlaggedRecord(
                title: document.title, authorID: document.authorID, excerpt: document.about, groupID: document.groupID,
                hiddenAt: document.hiddenAt,
                setHidden: { date, db in
                    document.hiddenAt = date
                    try await document.save(on: db)
                })
        }
    }

    private func openFlags(on content: FlaggableContent, on database: any Database) -> QueryBuilder<FlagRecord> {
        let query = FlagRecord.query(on: database).filter(\.$resolvedAt == nil)
        switch content {
        case .event(let id): return query.filter(\.$eventID == id)
        case .document(let id): return query.filter(\.$documentID == id)
        }
    }

    /// Records a member's flag (a second flag by the same member updates the first) and hides the
    /// content once `threshold` distinct members flagged it. Returns whether it is now hidden.
    @discardableResult
    public func flag(_ content: FlaggableContent, by flagger: Member, reason: FlagReason, note: String, threshold: Int) async throws -> Bool
    {
        try await database.writeTransaction { tx in
            guard let target = try await record(content, on: tx) else { throw StoreError.notFound }
            let open = try await openFlags(on: content, on: tx).all()
            let flag = open.first { $0.flaggerID == flagger.id } ?? FlagRecord()
            if flag.id == nil {
                switch content {
                case .event(let id): flag.eventID = id
                case .document(let id): flag.documentID = id
                }
                flag.flaggerID = flagger.id
                flag.createdAt = clock.now()
            }
            flag.reason = reason.rawValue
            flag.note = note
            try await flag.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .flagCreated, by: flagger.actor, subjectType: content.subjectType, subjectID: content.id, groupID: target.groupID)
            let flaggers = Set(open.compactMap(\.flaggerID)).union([flagger.id])
            guard target.hiddenAt == nil, flaggers.count >= threshold else { return target.hiddenAt != nil }
            try await target.setHidden(clock.now(), tx)
            return true
        }
    }

    /// Flagged events and documents, oldest flag first.
    public func contentQueue() async throws -> [ContentReviewItem] {
        let open = try await FlagRecord.query(on: database).filter(\.$resolvedAt == nil).group(.or) { group in
            group.filter(\.$eventID != nil).filter(\.$documentID != nil)
        }.all()
        var byContent: [FlaggableContent: [FlagRecord]] = [:]
        for flag in open {
            if let id = flag.eventID { byContent[.event(id), default: []].append(flag) }
            if let id = flag.documentID { byContent[.document(id), default: []].append(flag) }
        }
        guard !byContent.isEmpty else { return [] }
        var targets: [FlaggableContent: FlaggedRecord] = [:]
        for content in byContent.keys { targets[content] = try await record(content, on: database) }
        let people = try await TopicRepository.authors(
            Array(Set(targets.values.map(\.authorID)).union(open.compactMap(\.flaggerID))), on: database)
        let reliability = try await reliability(of: Array(Set(open.compactMap(\.flaggerID))))
        return byContent.compactMap { content, flags -> ContentReviewItem? in
            guard let target = targets[content], let author = people[target.authorID] else { return nil }
            let infos = flagInfos(flags, people: people, reliability: reliability)
            return ContentReviewItem(
                content: content, title: target.title, author: author, excerpt: String(target.excerpt.prefix(400)),
                isHidden: target.hiddenAt != nil, flags: infos, since: infos.first?.createdAt ?? target.hiddenAt ?? clock.now())
        }.sorted { $0.since < $1.since }
    }

    /// Settles the flags on an event or document: `hide` keeps it hidden (flags upheld) or shows it
    /// again (flags dismissed). Tells the flaggers and, when it was taken down, the author.
    public func decide(_ content: FlaggableContent, hide: Bool, by moderator: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let target = try await record(content, on: tx) else { throw StoreError.notFound }
            let open = try await openFlags(on: content, on: tx).all()
            let resolution: FlagResolution = hide ? .agreed : .disagreed
            try await Self.settle(open, resolution, by: moderator, on: tx, clock: clock)
            if hide != (target.hiddenAt != nil) { try await target.setHidden(hide ? clock.now() : nil, tx) }
            let notifications = NotificationRepository(database: tx, clock: clock)
            for flaggerID in Set(open.compactMap(\.flaggerID)) {
                try await notifications.notify(
                    flaggerID, kind: hide ? .flagUpheld : .flagDismissed, actorID: nil, groupID: nil, topicID: nil, postID: nil)
            }
            if hide {
                try await notifications.notify(
                    target.authorID, kind: .contentRemoved, actorID: nil, groupID: nil, topicID: nil, postID: nil)
            }
            try await ActivityLog(database: tx, clock: clock).record(
                .flagResolved, by: moderator, subjectType: content.subjectType, subjectID: content.id, groupID: target.groupID)
        }
    }
}
