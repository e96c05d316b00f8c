import FluentKit
import Foundation
import KringCore

/// One item in the review queue: a post with its open flags.
public struct ReviewItem: Sendable, Identifiable {
    public struct FlagInfo: Sendable {
        public let flaggerName: String
        public let flaggerHandle: String
        public let reason: FlagReason
        public let note: String
        public let createdAt: Date
        /// Share of the flagger's earlier flags that were upheld; nil when none was settled yet.
        public let reliability: Double?
    }

    public var id: UUID { postID }
    public let postID: UUID
    public let postNumber: Int
    public let topicID: UUID
    public let topicTitle: String
    public let author: AuthorView
    public let body: String
    public let isHidden: Bool
    public let flags: [FlagInfo]
    public let priority: Double
    public let firstFlaggedAt: Date
}

/// What a moderator decides about a flagged post.
public enum ReviewDecision: String, Sendable, CaseIterable {
    /// The post stays (and is shown again if flags hid it); the flags were not upheld.
    case keep
    /// The post stays hidden from members; the flags were upheld.
    case hide
    /// The post is (soft) deleted; the flags were upheld.
    case delete
}

/// Flags, hiding by threshold, the review queue and its decisions.
public struct ModerationRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Records a member's flag on a post (a second flag by the same member updates the first) and
    /// hides the post once `threshold` distinct members flagged it. Returns whether it is now hidden.
    @discardableResult
    public func flag(postID: UUID, by flagger: Member, reason: FlagReason, note: String, threshold: Int) async throws -> Bool {
        try await database.transaction { tx in
            guard let post = try await PostRecord.find(postID, on: tx), post.deletedAt == nil else { throw TopicError.notFound }
            let open = try await FlagRecord.query(on: tx).filter(\.$postID == postID).filter(\.$resolvedAt == nil).all()
            let record = open.first { $0.flaggerID == flagger.id } ?? FlagRecord()
            if record.id == nil {
                record.postID = postID
                record.flaggerID = flagger.id
                record.createdAt = clock.now()
            }
            record.reason = reason.rawValue
            record.note = note
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .flagCreated, by: flagger.actor, subjectType: "post", subjectID: postID)
            let flaggers = Set(open.map(\.flaggerID)).union([flagger.id])
            guard post.hiddenAt == nil, flaggers.count >= threshold else { return post.hiddenAt != nil }
            try await ModerationRepository(database: tx, clock: clock).setHidden(post, true)
            return true
        }
    }

    /// Hides or shows a post (hiding the opening post hides the topic) and keeps search in step.
    func setHidden(_ post: PostRecord, _ hidden: Bool) async throws {
        guard let topic = try await TopicRecord.find(post.topicID, on: database) else { return }
        post.hiddenAt = hidden ? clock.now() : nil
        try await post.save(on: database)
        let search = SearchIndex(database: database, clock: clock)
        let postID = try post.requireID()
        if post.postNumber == 1 {
            topic.hiddenAt = post.hiddenAt
            try await topic.save(on: database)
            if hidden {
                try await search.removeTopic(post.topicID)
            } else if topic.deletedAt == nil {
                try await TopicRepository(database: database, clock: clock).reindex(topicID: post.topicID)
            }
        } else if hidden {
            try await search.remove(kind: .post, refID: postID)
        } else if post.deletedAt == nil, topic.deletedAt == nil {
            try await search.index(postID: postID, topicID: post.topicID, groupID: topic.groupID, title: nil, body: post.body)
        }
    }

    /// Open flags by how much they weigh, heaviest first.
    public func queue(limit: Int = 100) async throws -> [ReviewItem] {
        let open = try await FlagRecord.query(on: database).filter(\.$resolvedAt == nil).all()
        let byPost = Dictionary(grouping: open, by: \.postID)
        guard !byPost.isEmpty else { return [] }
        let posts = try await PostRecord.query(on: database).filter(\.$id ~~ Array(byPost.keys)).all()
        let topics = try await TopicRecord.query(on: database).filter(\.$id ~~ Array(Set(posts.map(\.topicID)))).all()
        let topicTitles = Dictionary(uniqueKeysWithValues: try topics.map { (try $0.requireID(), $0.title) })
        let people = try await TopicRepository.authors(Array(Set(posts.map(\.authorID)).union(open.map(\.flaggerID))), on: database)
        let reliability = try await reliability(of: Array(Set(open.map(\.flaggerID))))
        var items: [ReviewItem] = []
        for post in posts {
            let id = try post.requireID()
            guard let flags = byPost[id], let author = people[post.authorID] else { continue }
            let infos = flags.sorted { $0.createdAt < $1.createdAt }.map { flag in
                ReviewItem.FlagInfo(
                    flaggerName: people[flag.flaggerID]?.displayName ?? "?", flaggerHandle: people[flag.flaggerID]?.handle ?? "",
                    reason: FlagReason(rawValue: flag.reason) ?? .other, note: flag.note, createdAt: flag.createdAt,
                    reliability: reliability[flag.flaggerID].flatMap {
                        ModerationRules.reliability(agreed: $0.agreed, disagreed: $0.disagreed)
                    })
            }
            items.append(
                ReviewItem(
                    postID: id, postNumber: post.postNumber, topicID: post.topicID, topicTitle: topicTitles[post.topicID] ?? "",
                    author: author,
                    body: post.body, isHidden: post.hiddenAt != nil, flags: infos,
                    priority: ModerationRules.priority(flaggerReliabilities: infos.map(\.reliability)),
                    firstFlaggedAt: infos.first?.createdAt ?? post.createdAt))
        }
        return Array(
            items.sorted { $0.priority != $1.priority ? $0.priority > $1.priority : $0.firstFlaggedAt < $1.firstFlaggedAt }.prefix(limit))
    }

    /// How many posts wait for a moderator.
    public func queueSize() async throws -> Int {
        Set(try await FlagRecord.query(on: database).filter(\.$resolvedAt == nil).all(\.$postID)).count
    }

    /// Settles the open flags on a post and tells the flaggers and, when it was taken down, the author.
    /// Returns the flaggers and the author, for the caller's audit record.
    public func decide(postID: UUID, _ decision: ReviewDecision, by moderator: Actor) async throws {
        try await database.transaction { tx in
            guard let post = try await PostRecord.find(postID, on: tx), let topic = try await TopicRecord.find(post.topicID, on: tx) else {
                throw TopicError.notFound
            }
            let open = try await FlagRecord.query(on: tx).filter(\.$postID == postID).filter(\.$resolvedAt == nil).all()
            let resolution: FlagResolution = decision == .keep ? .disagreed : .agreed
            for flag in open {
                flag.resolvedAt = clock.now()
                flag.resolution = resolution.rawValue
                flag.resolvedByID = moderator.memberID
                try await flag.save(on: tx)
            }
            let moderation = ModerationRepository(database: tx, clock: clock)
            switch decision {
            case .keep: if post.hiddenAt != nil { try await moderation.setHidden(post, false) }
            case .hide: if post.hiddenAt == nil { try await moderation.setHidden(post, true) }
            case .delete: try await TopicRepository(database: tx, clock: clock).delete(postID: postID, by: moderator)
            }
            let notifications = NotificationRepository(database: tx, clock: clock)
            for flaggerID in Set(open.map(\.flaggerID)) {
                try await notifications.notify(
                    flaggerID, kind: resolution == .agreed ? .flagUpheld : .flagDismissed, actorID: nil, groupID: nil, topicID: nil,
                    postID: nil)
            }
            if decision != .keep {
                try await notifications.notify(post.authorID, kind: .contentRemoved, actorID: nil, groupID: nil, topicID: nil, postID: nil)
            }
            try await ActivityLog(database: tx, clock: clock).record(
                .flagResolved, by: moderator, subjectType: "post", subjectID: postID, groupID: topic.groupID)
        }
    }

    /// Agreed and disagreed flag counts per member.
    public func reliability(of memberIDs: [UUID]) async throws -> [UUID: (agreed: Int, disagreed: Int)] {
        guard !memberIDs.isEmpty else { return [:] }
        let settled = try await FlagRecord.query(on: database).filter(\.$flaggerID ~~ memberIDs).filter(\.$resolvedAt != nil).all()
        var result: [UUID: (agreed: Int, disagreed: Int)] = [:]
        for flag in settled {
            var entry = result[flag.flaggerID] ?? (0, 0)
            if flag.resolution == FlagResolution.agreed.rawValue { entry.agreed += 1 } else { entry.disagreed += 1 }
            result[flag.flaggerID] = entry
        }
        return result
    }
}
