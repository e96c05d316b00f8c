import FluentKit
import Foundation
import KringCore
import SQLKit

/// In-app notifications and each member's preferences. A notification is created only for a
/// recipient who may read what it points at, and shown only while they still may.
public struct NotificationRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    // MARK: Creating

    /// Notifies one member, unless it is the actor themselves, they switched the kind off, or they
    /// may not read the group it happens in.
    func notify(
        _ recipientID: UUID, kind: NotificationKind, actorID: UUID?, groupID: UUID?, topicID: UUID?, postID: UUID?, eventID: UUID? = nil,
        ideaID: UUID? = nil
    ) async throws {
        guard recipientID != actorID else { return }
        guard let recipient = try await MemberRecord.find(recipientID, on: database), recipient.status == MemberStatus.active.rawValue
        else { return }
        let preference = try await preference(of: recipientID, kind: kind)
        guard preference.inApp || preference.email != .never else { return }
        if let groupID, kind != .invitation, kind != .joinDeclined, kind != .joinRequest,
            let group = try await GroupRecord.find(groupID, on: database)?.domain()
        {
            let viewer = try await Viewer.load(try recipient.domain().actor, on: database)
            guard viewer.canRead(group) else { return }
        }
        let record = NotificationRecord()
        record.recipientID = recipientID
        record.kind = kind.rawValue
        record.actorID = actorID
        record.groupID = groupID
        record.topicID = topicID
        record.postID = postID
        record.eventID = eventID
        record.ideaID = ideaID
        record.createdAt = clock.now()
        try await record.create(on: database)
    }

    /// Tells the team member who watches a term that a new post mentions it (if they may read it).
    public func watchedTermMentioned(to recipientID: UUID, topicID: UUID, postID: UUID, groupID: UUID?, authorID: UUID) async throws {
        try await notify(recipientID, kind: .watchedTerm, actorID: authorID, groupID: groupID, topicID: topicID, postID: postID)
    }

    func reply(topicAuthorID: UUID, repliedToAuthorID: UUID?, by author: Member, topicID: UUID, postID: UUID, groupID: UUID?) async throws {
        var recipients = [topicAuthorID]
        if let repliedToAuthorID, repliedToAuthorID != topicAuthorID { recipients.append(repliedToAuthorID) }
        for recipient in recipients {
            try await notify(recipient, kind: .reply, actorID: author.id, groupID: groupID, topicID: topicID, postID: postID)
        }
    }

    func mentions(in body: String, by author: Member, topicID: UUID, postID: UUID, groupID: UUID?) async throws {
        let handles = Array(PostRules.mentions(in: body).prefix(20))
        guard !handles.isEmpty else { return }
        let people = try await MemberRecord.query(on: database).filter(\.$handle ~~ handles).all()
        for person in people {
            try await notify(try person.requireID(), kind: .mention, actorID: author.id, groupID: groupID, topicID: topicID, postID: postID)
        }
    }

    /// Notifies about a group event (join requests, outcomes, invitations).
    public func group(_ kind: NotificationKind, to recipientID: UUID, actorID: UUID?, groupID: UUID) async throws {
        try await notify(recipientID, kind: kind, actorID: actorID, groupID: groupID, topicID: nil, postID: nil)
    }

    /// Notifies about an event (an invitation from the team); dropped for a recipient who may not read its group.
    public func event(_ kind: NotificationKind, to recipientID: UUID, actorID: UUID?, eventID: UUID, groupID: UUID?) async throws {
        try await notify(recipientID, kind: kind, actorID: actorID, groupID: groupID, topicID: nil, postID: nil, eventID: eventID)
    }

    // MARK: Reading

    /// The member's notifications, newest first, leaving out what they may no longer read.
    public func list(for viewer: Viewer, limit: Int = 50, unreadOnly: Bool = false) async throws -> [NotificationItem] {
        guard let memberID = viewer.actor.memberID else { return [] }
        var query = NotificationRecord.query(on: database).filter(\.$recipientID == memberID)
        if unreadOnly { query = query.filter(\.$readAt == nil) }
        let records = try await query.sort(\.$createdAt, .descending).limit(limit * 2).all()
        let preferences = try await preferences(of: memberID)
        let topicIDs = Array(Set(records.compactMap(\.topicID)))
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        let topics =
            topicIDs.isEmpty
            ? []
            : try await VisibilityFilter.topics(
                TopicRecord.query(on: database).filter(\.$id ~~ topicIDs), viewer: viewer, readable: readable
            ).all()
        let liveTopics = Dictionary(uniqueKeysWithValues: try topics.map { (try $0.requireID(), $0) })
        let postIDs = Array(Set(records.compactMap(\.postID)))
        var postQuery = PostRecord.query(on: database).filter(\.$id ~~ postIDs).filter(\.$deletedAt == nil)
        if !viewer.actor.has(.moderator) { postQuery = postQuery.filter(\.$hiddenAt == nil) }
        let posts = postIDs.isEmpty ? [] : try await postQuery.all()
        let postNumbers = Dictionary(uniqueKeysWithValues: try posts.map { (try $0.requireID(), $0.postNumber) })
        let groups = try await GroupRepository(database: database, clock: clock).find(ids: Array(Set(records.compactMap(\.groupID))))
        let actors = try await TopicRepository.authors(Array(Set(records.compactMap(\.actorID))), on: database)
        let events = try await EventRepository(database: database, clock: clock).titles(
            of: Array(Set(records.compactMap(\.eventID))), for: viewer)
        let ideas = try await IdeaRepository(database: database, clock: clock).titles(of: Array(Set(records.compactMap(\.ideaID))))
        var items: [NotificationItem] = []
        for record in records {
            guard let kind = NotificationKind(rawValue: record.kind), preferences[kind]?.inApp ?? true else { continue }
            if let topicID = record.topicID, liveTopics[topicID] == nil { continue }
            if let postID = record.postID, postNumbers[postID] == nil { continue }
            let group = record.groupID.flatMap { groups[$0] }
            if let group, record.topicID == nil, !viewer.canSee(group) { continue }
            let actor = record.actorID.flatMap { actors[$0] }
            var eventTitle: String?
            if let eventID = record.eventID {
                // Event notifications stay only while the event exists for the reader.
                guard let event = events[eventID] else { continue }
                eventTitle = event
            }
            var item = NotificationItem(
                id: try record.requireID(), kind: kind, actorName: actor?.displayName, actorHandle: actor?.handle,
                topicID: record.topicID,
                topicTitle: record.topicID.flatMap { liveTopics[$0]?.title }, postNumber: record.postID.flatMap { postNumbers[$0] },
                groupSlug: group?.slug, groupName: group?.name, createdAt: record.createdAt, isRead: record.readAt != nil)
            item.eventID = record.eventID
            item.eventTitle = eventTitle
            item.ideaID = record.ideaID
            item.ideaTitle = record.ideaID.flatMap { ideas[$0] }
            items.append(item)
            if items.count == limit { break }
        }
        return items
    }

    /// Unread notifications the member may still read (what the header badge shows). Costs one
    /// count query when there are none, which is most of the time.
    public func visibleUnreadCount(for viewer: Viewer) async throws -> Int {
        guard let memberID = viewer.actor.memberID else { return 0 }
        let raw = try await NotificationRecord.query(on: database).filter(\.$recipientID == memberID).filter(\.$readAt == nil).count()
        guard raw > 0 else { return 0 }
        return try await list(for: viewer, limit: 99, unreadOnly: true).count
    }

    /// How many unread notifications the member has and when the newest came, in one cheap query:
    /// while this and the content stay the same, so does `visibleUnreadCount` (a notification read
    /// lowers the count; a new one moves the newest).
    public func unreadFingerprint(of memberID: UUID) async throws -> UnreadFingerprint {
        let sql = database as! any SQLDatabase
        guard
            let row = try await sql.raw(
                "SELECT COUNT(*) AS n, MAX(created_at) AS newest FROM notifications WHERE recipient_id = \(bind: memberID) AND read_at IS NULL"
            ).first()
        else { return UnreadFingerprint(count: 0, newest: nil) }
        return UnreadFingerprint(count: try row.decode(column: "n", as: Int.self), newest: try row.decode(column: "newest", as: Date?.self))
    }

    /// Marks one notification (or, with nil, all) read.
    public func markRead(_ id: UUID?, for memberID: UUID) async throws {
        var query = NotificationRecord.query(on: database).filter(\.$recipientID == memberID).filter(\.$readAt == nil)
        if let id { query = query.filter(\.$id == id) }
        try await query.set(\.$readAt, to: clock.now()).update()
    }

    // MARK: Preferences

    public func preferences(of memberID: UUID) async throws -> [NotificationKind: NotificationPreference] {
        var result = Dictionary(uniqueKeysWithValues: NotificationKind.allCases.map { ($0, NotificationPreference.standard($0)) })
        for record in try await NotificationPreferenceRecord.query(on: database).filter(\.$memberID == memberID).all() {
            guard let kind = NotificationKind(rawValue: record.kind) else { continue }
            result[kind] = NotificationPreference(
                kind: kind, inApp: record.inApp, email: EmailFrequency(rawValue: record.email) ?? kind.defaultEmail)
        }
        return result
    }

    func preference(of memberID: UUID, kind: NotificationKind) async throws -> NotificationPreference {
        try await preferences(of: memberID)[kind] ?? .standard(kind)
    }

    public func setPreferences(_ preferences: [NotificationPreference], for memberID: UUID) async throws {
        try await database.writeTransaction { tx in
            try await NotificationPreferenceRecord.query(on: tx).filter(\.$memberID == memberID).delete()
            for preference in preferences {
                let record = NotificationPreferenceRecord()
                record.memberID = memberID
                record.kind = preference.kind.rawValue
                record.inApp = preference.inApp
                record.email = preference.email.rawValue
                try await record.create(on: tx)
            }
        }
    }

    // MARK: E-mail

    /// A notification waiting to be mailed, with what the mail needs.
    public struct Pending: Sendable {
        public let id: UUID
        public let recipient: Member
        public let item: NotificationItem
    }

    /// Notifications not yet mailed whose kind the recipient wants mailed at `frequency`, still readable.
    public func pendingEmail(_ frequency: EmailFrequency, limit: Int = 500) async throws -> [Pending] {
        let records = try await NotificationRecord.query(on: database).filter(\.$emailedAt == nil).filter(\.$readAt == nil)
            .sort(\.$createdAt).limit(limit).all()
        var byRecipient: [UUID: [NotificationRecord]] = [:]
        for record in records { byRecipient[record.recipientID, default: []].append(record) }
        var result: [Pending] = []
        for (recipientID, list) in byRecipient {
            guard let member = try await MemberRepository(database: database, clock: clock).find(id: recipientID), member.status == .active
            else { continue }
            let preferences = try await preferences(of: recipientID)
            let wanted = Set(list.compactMap { NotificationKind(rawValue: $0.kind) }.filter { preferences[$0]?.email == frequency })
            guard !wanted.isEmpty else { continue }
            let viewer = try await Viewer.load(member.actor, on: database)
            let items = try await self.list(for: viewer, limit: 200, unreadOnly: true)
            let ids = Set(list.compactMap(\.id))
            for item in items where ids.contains(item.id) && wanted.contains(item.kind) {
                result.append(Pending(id: item.id, recipient: member, item: item))
            }
        }
        return result
    }

    public func markEmailed(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await NotificationRecord.query(on: database).filter(\.$id ~~ ids).set(\.$emailedAt, to: clock.now()).update()
    }
}

/// The member's unread notifications in brief (see `NotificationRepository.unreadFingerprint`).
public struct UnreadFingerprint: Equatable, Sendable {
    public let count: Int
    public let newest: Date?
}
