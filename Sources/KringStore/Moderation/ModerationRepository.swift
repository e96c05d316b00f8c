import FluentKit
import Foundation
import KringCore

/// A flag as the review queue shows it.
public struct FlagInfo: Sendable {
    /// nil for flags Kring raised itself.
    public let flaggerName: String?
    public let reason: FlagReason
    public let note: String
    public let createdAt: Date
    /// Share of the flagger's earlier flags that were upheld; nil when none was settled yet.
    public let reliability: Double?
}

/// One post in the review queue: flagged, or held for approval, or both.
public struct ReviewItem: Sendable, Identifiable {
    public var id: UUID { postID }
    public let postID: UUID
    public let postNumber: Int
    public let topicID: UUID
    public let topicTitle: String
    public let author: AuthorView
    public let body: String
    public let isHidden: Bool
    /// Why Kring holds it ("flags", "newcomer", "watched_word", "spam_duplicate", "spam_links").
    public let heldBecause: String?
    public let flags: [FlagInfo]
    public let priority: Double
    public let since: Date
}

/// A member profile in the review queue.
public struct ProfileReviewItem: Sendable, Identifiable {
    public var id: UUID { member.id }
    public let member: AuthorView
    public let bio: String
    public let flags: [FlagInfo]
    public let since: Date
}

/// What a moderator decides about a post in the queue.
public enum ReviewDecision: String, Sendable, CaseIterable {
    /// The post stays or is approved (and shown); flags on it were not upheld.
    case keep
    /// The post stays hidden from members; the flags were upheld.
    case hide
    /// The post is (soft) deleted; the flags were upheld.
    case delete
}

/// Figures for the cockpit's moderation-health section.
public struct ModerationHealth: Sendable, Equatable {
    /// The period's flags and sanctions.
    public let figures: ModerationFigures
    /// Items waiting in the review queue now.
    public let queueSize: Int
    /// Members with two or more sanctions ever.
    public let repeatOffenders: Int

    public var flagsRaised: Int { figures.flagsRaised }
    public var flagsSettled: Int { figures.flagsSettled }
    public var upheldShare: Double? { figures.upheldShare }
    public var medianHoursToResolve: Double? { figures.medianHoursToResolve }
    public var sanctionsImposed: Int { figures.sanctionsImposed }
}

/// Flags, held posts, the review queue and its decisions, watched words, archiving suggestions.
public struct ModerationRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    // MARK: Flags

    /// Records a member's flag on a post (a second flag by the same member updates the first) and
    /// hides the post once `threshold` distinct members flagged it. Returns whether it is now hidden.
    @discardableResult
    public func flag(postID: UUID, by flagger: Member, reason: FlagReason, note: String, threshold: Int) async throws -> Bool {
        try await database.writeTransaction { tx in
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
            let flaggers = Set(open.compactMap(\.flaggerID)).union([flagger.id])
            guard post.hiddenAt == nil, flaggers.count >= threshold else { return post.hiddenAt != nil }
            try await ModerationRepository(database: tx, clock: clock).setHidden(post, true, reason: "flags")
            return true
        }
    }

    /// Records a member's flag on another member's profile.
    public func flag(profileOf memberID: UUID, by flagger: Member, reason: FlagReason, note: String) async throws {
        try await database.writeTransaction { tx in
            let existing = try await FlagRecord.query(on: tx).filter(\.$memberID == memberID).filter(\.$flaggerID == flagger.id)
                .filter(\.$resolvedAt == nil).first()
            let record = existing ?? FlagRecord()
            if existing == nil {
                record.memberID = memberID
                record.flaggerID = flagger.id
                record.createdAt = clock.now()
            }
            record.reason = reason.rawValue
            record.note = note
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .flagCreated, by: flagger.actor, subjectType: "member", subjectID: memberID)
        }
    }

    /// A flag raised by Kring itself (a watched word, a spam heuristic), with the reason in the note.
    public func systemFlag(postID: UUID, note: String) async throws {
        let record = FlagRecord()
        record.postID = postID
        record.reason = FlagReason.other.rawValue
        record.note = note
        record.createdAt = clock.now()
        try await record.create(on: database)
    }

    /// Holds a post for approval (newcomer rules, a watched word, a spam heuristic).
    public func hold(postID: UUID, reason: String) async throws {
        guard let post = try await PostRecord.find(postID, on: database) else { throw TopicError.notFound }
        try await setHidden(post, true, reason: reason)
        try await ActivityLog(database: database, clock: clock).record(
            .postHeld, by: Actor(memberID: post.authorID, role: nil, isStaff: false), subjectType: "post", subjectID: postID)
    }

    /// Hides or shows a post (hiding the opening post hides the topic) and keeps search in step.
    func setHidden(_ post: PostRecord, _ hidden: Bool, reason: String? = nil) async throws {
        guard let topic = try await TopicRecord.find(post.topicID, on: database) else { return }
        post.hiddenAt = hidden ? clock.now() : nil
        post.hiddenReason = hidden ? reason : nil
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

    // MARK: The queue

    /// Flagged and held posts, heaviest first.
    public func queue(limit: Int = 100) async throws -> [ReviewItem] {
        let open = try await FlagRecord.query(on: database).filter(\.$resolvedAt == nil).filter(\.$postID != nil).all()
        let held = try await PostRecord.query(on: database).filter(\.$hiddenAt != nil).filter(\.$deletedAt == nil).all()
        var byPost: [UUID: [FlagRecord]] = [:]
        for flag in open { if let postID = flag.postID { byPost[postID, default: []].append(flag) } }
        let postIDs = Set(byPost.keys).union(held.compactMap(\.id))
        guard !postIDs.isEmpty else { return [] }
        let posts = try await PostRecord.query(on: database).filter(\.$id ~~ Array(postIDs)).filter(\.$deletedAt == nil).all()
        let topics = try await TopicRecord.query(on: database).filter(\.$id ~~ Array(Set(posts.map(\.topicID)))).all()
        let topicTitles = Dictionary(uniqueKeysWithValues: try topics.map { (try $0.requireID(), $0.title) })
        let people = try await TopicRepository.authors(Array(Set(posts.map(\.authorID)).union(open.compactMap(\.flaggerID))), on: database)
        let reliability = try await reliability(of: Array(Set(open.compactMap(\.flaggerID))))
        var items: [ReviewItem] = []
        for post in posts {
            let id = try post.requireID()
            guard let author = people[post.authorID] else { continue }
            let infos = flagInfos(byPost[id] ?? [], people: people, reliability: reliability)
            let weight =
                ModerationRules.priority(flaggerReliabilities: infos.filter { $0.flaggerName != nil }.map(\.reliability))
                + Double(infos.filter { $0.flaggerName == nil }.count) + (post.hiddenAt != nil && infos.isEmpty ? 1 : 0)
            items.append(
                ReviewItem(
                    postID: id, postNumber: post.postNumber, topicID: post.topicID, topicTitle: topicTitles[post.topicID] ?? "",
                    author: author,
                    body: post.body, isHidden: post.hiddenAt != nil, heldBecause: post.hiddenReason, flags: infos, priority: weight,
                    since: infos.first?.createdAt ?? post.hiddenAt ?? post.createdAt))
        }
        return Array(items.sorted { $0.priority != $1.priority ? $0.priority > $1.priority : $0.since < $1.since }.prefix(limit))
    }

    /// Flagged profiles, oldest flag first.
    public func profileQueue() async throws -> [ProfileReviewItem] {
        let open = try await FlagRecord.query(on: database).filter(\.$resolvedAt == nil).filter(\.$memberID != nil).all()
        var byMember: [UUID: [FlagRecord]] = [:]
        for flag in open { if let memberID = flag.memberID { byMember[memberID, default: []].append(flag) } }
        guard !byMember.isEmpty else { return [] }
        let people = try await TopicRepository.authors(Array(Set(byMember.keys).union(open.compactMap(\.flaggerID))), on: database)
        let bios = try await MemberRecord.query(on: database).filter(\.$id ~~ Array(byMember.keys)).all()
        let reliability = try await reliability(of: Array(Set(open.compactMap(\.flaggerID))))
        return try bios.compactMap { record -> ProfileReviewItem? in
            let id = try record.requireID()
            guard let member = people[id], let flags = byMember[id] else { return nil }
            let infos = flagInfos(flags, people: people, reliability: reliability)
            return ProfileReviewItem(member: member, bio: record.bio, flags: infos, since: infos.first?.createdAt ?? Date())
        }.sorted { $0.since < $1.since }
    }

    func flagInfos(_ flags: [FlagRecord], people: [UUID: AuthorView], reliability: [UUID: (agreed: Int, disagreed: Int)])
        -> [FlagInfo]
    {
        flags.sorted { $0.createdAt < $1.createdAt }.map { flag in
            FlagInfo(
                flaggerName: flag.flaggerID.flatMap { people[$0]?.displayName }, reason: FlagReason(rawValue: flag.reason) ?? .other,
                note: flag.note, createdAt: flag.createdAt,
                reliability: flag.flaggerID.flatMap { reliability[$0] }.flatMap {
                    ModerationRules.reliability(agreed: $0.agreed, disagreed: $0.disagreed)
                })
        }
    }

    /// How many posts and profiles wait for a moderator.
    public func queueSize() async throws -> Int {
        let flagged = Set(
            try await FlagRecord.query(on: database).filter(\.$resolvedAt == nil).all().compactMap {
                $0.postID ?? $0.memberID ?? $0.eventID ?? $0.documentID
            })
        let held = Set(
            try await PostRecord.query(on: database).filter(\.$hiddenAt != nil).filter(\.$deletedAt == nil).all(\.$id).compactMap { $0 })
        return flagged.union(held).count
    }

    /// Settles a post: approves or keeps it, keeps it hidden, or deletes it; tells the flaggers and,
    /// when it was taken down, the author.
    public func decide(postID: UUID, _ decision: ReviewDecision, by moderator: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let post = try await PostRecord.find(postID, on: tx), let topic = try await TopicRecord.find(post.topicID, on: tx) else {
                throw TopicError.notFound
            }
            let open = try await FlagRecord.query(on: tx).filter(\.$postID == postID).filter(\.$resolvedAt == nil).all()
            let resolution: FlagResolution = decision == .keep ? .disagreed : .agreed
            try await Self.settle(open, resolution, by: moderator, on: tx, clock: clock)
            let moderation = ModerationRepository(database: tx, clock: clock)
            switch decision {
            case .keep: if post.hiddenAt != nil { try await moderation.setHidden(post, false) }
            case .hide: if post.hiddenAt == nil { try await moderation.setHidden(post, true, reason: "flags") }
            case .delete: try await TopicRepository(database: tx, clock: clock).delete(postID: postID, by: moderator)
            }
            let notifications = NotificationRepository(database: tx, clock: clock)
            for flaggerID in Set(open.compactMap(\.flaggerID)) {
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

    /// Settles the flags on a profile: `agreed` clears the bio (the moderator then decides on a sanction).
    public func decide(profileOf memberID: UUID, agreed: Bool, by moderator: Actor) async throws {
        try await database.writeTransaction { tx in
            let open = try await FlagRecord.query(on: tx).filter(\.$memberID == memberID).filter(\.$resolvedAt == nil).all()
            try await Self.settle(open, agreed ? .agreed : .disagreed, by: moderator, on: tx, clock: clock)
            if agreed, let member = try await MemberRecord.find(memberID, on: tx) {
                member.bio = ""
                try await member.save(on: tx)
                try await NotificationRepository(database: tx, clock: clock).notify(
                    memberID, kind: .contentRemoved, actorID: nil, groupID: nil, topicID: nil, postID: nil)
            }
            let notifications = NotificationRepository(database: tx, clock: clock)
            for flaggerID in Set(open.compactMap(\.flaggerID)) {
                try await notifications.notify(
                    flaggerID, kind: agreed ? .flagUpheld : .flagDismissed, actorID: nil, groupID: nil, topicID: nil, postID: nil)
            }
            try await ActivityLog(database: tx, clock: clock).record(
                .flagResolved, by: moderator, subjectType: "member", subjectID: memberID)
        }
    }

    static func settle(
        _ flags: [FlagRecord], _ resolution: FlagResolution, by moderator: Actor, on database: any Database, clock: KringClock
    ) async throws {
        for flag in flags {
            flag.resolvedAt = clock.now()
            flag.resolution = resolution.rawValue
            flag.resolvedByID = moderator.memberID
            try await flag.save(on: database)
        }
    }

    /// Agreed and disagreed flag counts per member.
    public func reliability(of memberIDs: [UUID]) async throws -> [UUID: (agreed: Int, disagreed: Int)] {
        guard !memberIDs.isEmpty else { return [:] }
        let settled = try await FlagRecord.query(on: database).filter(\.$flaggerID ~~ memberIDs).filter(\.$resolvedAt != nil).all()
        var result: [UUID: (agreed: Int, disagreed: Int)] = [:]
        for flag in settled {
            guard let flaggerID = flag.flaggerID else { continue }
            var entry = result[flaggerID] ?? (0, 0)
            if flag.resolution == FlagResolution.agreed.rawValue { entry.agreed += 1 } else { entry.disagreed += 1 }
            result[flaggerID] = entry
        }
        return result
    }

    // MARK: Health

    /// Moderation figures since `start`.
    public func health(since start: Date, until end: Date = .distantFuture) async throws -> ModerationHealth {
        let sanctionMembers = try await SanctionRecord.query(on: database).all(\.$memberID)
        var perMember: [UUID: Int] = [:]
        for id in sanctionMembers { perMember[id, default: 0] += 1 }
        return ModerationHealth(
            figures: try await figures(from: start, to: end), queueSize: try await queueSize(),
            repeatOffenders: perMember.values.filter { $0 >= 2 }.count)
    }

    /// Flags raised and settled in [from, to) — with a group, only flags on its posts, events and
    /// documents — and the sanctions imposed then.
    public func figures(from start: Date, to end: Date, groupID: UUID? = nil) async throws -> ModerationFigures {
        var raised = try await FlagRecord.query(on: database).filter(\.$createdAt >= start).filter(\.$createdAt < end).all()
        var settled = try await FlagRecord.query(on: database).filter(\.$resolvedAt >= start).filter(\.$resolvedAt < end).all()
        if let groupID {
            let inGroup = try await flagsInGroup(raised + settled, groupID: groupID)
            raised = raised.filter { $0.id.map(inGroup.contains) ?? false }
            settled = settled.filter { $0.id.map(inGroup.contains) ?? false }
        }
        var figures = ModerationFigures()
        figures.flagsRaised = raised.count
        figures.flagsSettled = settled.count
        figures.flagsUpheld = settled.filter { $0.resolution == FlagResolution.agreed.rawValue }.count
        figures.hoursToResolve = settled.compactMap { flag in flag.resolvedAt.map { $0.timeIntervalSince(flag.createdAt) / 3600 } }
        figures.sanctionsImposed = try await SanctionRecord.query(on: database).filter(\.$createdAt >= start).filter(\.$createdAt < end)
            .count()
        return figures
    }

    /// Of these flags, the ids of those on a post, event or document in the group (profile flags belong to no group).
    private func flagsInGroup(_ flags: [FlagRecord], groupID: UUID) async throws -> Set<UUID> {
        let postIDs = Array(Set(flags.compactMap(\.postID)))
        var topicOfPost: [UUID: UUID] = [:]
        for chunk in postIDs.chunked(900) {
            for post in try await PostRecord.query(on: database).filter(\.$id ~~ chunk).field(\.$id).field(\.$topicID).all() {
                if let id = post.id { topicOfPost[id] = post.topicID }
            }
        }
        var groupTopics = Set<UUID>()
        for chunk in Array(Set(topicOfPost.values)).chunked(900) {
            groupTopics.formUnion(
                try await TopicRecord.query(on: database).filter(\.$id ~~ chunk).filter(\.$groupID == groupID).all(\.$id).compactMap { $0 })
        }
        let eventIDs = Array(Set(flags.compactMap(\.eventID)))
        let documentIDs = Array(Set(flags.compactMap(\.documentID)))
        let events =
            eventIDs.isEmpty
            ? []
            : Set(
                try await EventRecord.query(on: database).filter(\.$id ~~ eventIDs).filter(\.$groupID == groupID).all(\.$id).compactMap {
                    $0
                })
        let documents =
            documentIDs.isEmpty
            ? []
            : Set(
                try await DocumentRecord.query(on: database).filter(\.$id ~~ documentIDs).filter(\.$groupID == groupID).all(\.$id)
                    .compactMap { $0 })
        return Set(
            flags.filter { flag in
                if let post = flag.postID { return topicOfPost[post].map(groupTopics.contains) ?? false }
                if let event = flag.eventID { return events.contains(event) }
                if let document = flag.documentID { return documents.contains(document) }
                return false
            }.compactMap(\.id))
    }
}
