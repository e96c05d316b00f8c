import FluentKit
import Foundation
import KringCore

final class PollRecord: Model, @unchecked Sendable {
    static let schema = "polls"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "topic_id") var topicID: UUID?
    @OptionalField(key: "group_id") var groupID: UUID?
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "question") var question: String
    @Field(key: "allows_multiple") var allowsMultiple: Bool
    @Field(key: "is_anonymous") var isAnonymous: Bool
    @Field(key: "results_visibility") var resultsVisibility: String
    @OptionalField(key: "closes_at") var closesAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class PollOptionRecord: Model, @unchecked Sendable {
    static let schema = "poll_options"

    @ID(key: .id) var id: UUID?
    @Field(key: "poll_id") var pollID: UUID
    @Field(key: "label") var label: String
    @Field(key: "position") var position: Int

    init() {}
}

final class PollVoteRecord: Model, @unchecked Sendable {
    static let schema = "poll_votes"

    @ID(key: .id) var id: UUID?
    @Field(key: "poll_id") var pollID: UUID
    @Field(key: "option_id") var optionID: UUID
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A new poll, validated.
public struct NewPoll: Sendable {
    public var topicID: UUID?
    public var groupID: UUID?
    public var question: String
    public var options: [String]
    public var allowsMultiple: Bool
    public var isAnonymous: Bool
    public var resultsVisibility: PollResultsVisibility
    public var closesAt: Date?

    public init(
        topicID: UUID?, groupID: UUID?, question: String, options: [String], allowsMultiple: Bool, isAnonymous: Bool,
        resultsVisibility: PollResultsVisibility, closesAt: Date?
    ) {
        self.topicID = topicID
        self.groupID = groupID
        self.question = question
        self.options = options
        self.allowsMultiple = allowsMultiple
        self.isAnonymous = isAnonymous
        self.resultsVisibility = resultsVisibility
        self.closesAt = closesAt
    }
}

/// Polls, their votes and results. A poll belongs to a topic (and its group) or to a group or the
/// whole community; reads pass the same group visibility rules as topics.
public struct PollRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    public func create(_ new: NewPoll, by author: Member) async throws -> UUID {
        try await database.writeTransaction { tx in
            let record = PollRecord()
            record.id = UUID()
            record.topicID = new.topicID
            record.groupID = new.groupID
            record.authorID = author.id
            record.question = new.question
            record.allowsMultiple = new.allowsMultiple
            record.isAnonymous = new.isAnonymous
            record.resultsVisibility = new.resultsVisibility.rawValue
            record.closesAt = new.closesAt
            record.createdAt = clock.now()
            try await record.create(on: tx)
            for (position, label) in new.options.enumerated() {
                let option = PollOptionRecord()
                option.pollID = try record.requireID()
                option.label = label
                option.position = position
                try await option.create(on: tx)
            }
            try await ActivityLog(database: tx, clock: clock).record(
                .pollCreated, by: author.actor, subjectType: "poll", subjectID: record.id, groupID: new.groupID)
            return try record.requireID()
        }
    }

    /// Replaces the member's choices (changing a vote is allowed until the poll closes).
    public func vote(_ pollID: UUID, choices: Set<UUID>, by member: Member) async throws {
        try await database.writeTransaction { tx in
            guard let poll = try await PollRecord.find(pollID, on: tx) else { throw StoreError.notFound }
            // Checked here too, inside the vote's transaction: the closing time may pass while the form is open.
            if poll.closedAt != nil || (poll.closesAt.map { $0 <= clock.now() } ?? false) { throw StoreError.closed }
            try await PollVoteRecord.query(on: tx).filter(\.$pollID == pollID).filter(\.$memberID == member.id).delete()
            for optionID in choices {
                let vote = PollVoteRecord()
                vote.pollID = pollID
                vote.optionID = optionID
                vote.memberID = member.id
                vote.createdAt = clock.now()
                try await vote.create(on: tx)
            }
            try await ActivityLog(database: tx, clock: clock).record(
                .pollVoted, by: member.actor, subjectType: "poll", subjectID: pollID, groupID: poll.groupID)
        }
    }

    public func close(_ pollID: UUID) async throws {
        try await PollRecord.query(on: database).filter(\.$id == pollID).set(\.$closedAt, to: clock.now()).update()
    }

    /// The poll for a viewer who may read it, with counts and the viewer's choices.
    public func find(_ pollID: UUID, viewer: Viewer) async throws -> Poll? {
        guard let record = try await PollRecord.find(pollID, on: database) else { return nil }
        return try await build([record], viewer: viewer).first
    }

    /// The polls of a topic.
    public func polls(ofTopic topicID: UUID, viewer: Viewer) async throws -> [Poll] {
        try await build(try await PollRecord.query(on: database).filter(\.$topicID == topicID).sort(\.$createdAt).all(), viewer: viewer)
    }

    /// Standalone polls (not in a topic) the viewer may read, newest first.
    public func standalone(viewer: Viewer, limit: Int = 50) async throws -> [Poll] {
        try await build(
            try await PollRecord.query(on: database).filter(\.$topicID == nil).sort(\.$createdAt, .descending).limit(limit).all(),
            viewer: viewer)
    }

    private func build(_ records: [PollRecord], viewer: Viewer) async throws -> [Poll] {
        guard !records.isEmpty else { return [] }
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        var visible = records.filter { record in
            guard let groupID = record.groupID, let readable else { return true }
            return readable.contains(groupID)
        }
        // A poll in a topic is as visible as the topic.
        let topicIDs = visible.compactMap(\.topicID)
        if !topicIDs.isEmpty {
            let readableTopics = Set(
                try await VisibilityFilter.topics(
                    TopicRecord.query(on: database).filter(\.$id ~~ topicIDs), viewer: viewer, readable: readable
                )
                .all(\.$id).compactMap { $0 })
            visible = visible.filter { $0.topicID.map(readableTopics.contains) ?? true }
        }
        let ids = visible.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let options = try await PollOptionRecord.query(on: database).filter(\.$pollID ~~ ids).sort(\.$position).all()
        let votes = try await PollVoteRecord.query(on: database).filter(\.$pollID ~~ ids).all()
        let names = try await TopicRepository.authors(Array(Set(votes.map(\.memberID))), on: database)
        return try visible.map { record in
            let id = try record.requireID()
            let pollVotes = votes.filter { $0.pollID == id }
            return Poll(
                id: id, topicID: record.topicID, groupID: record.groupID, authorID: record.authorID, question: record.question,
                allowsMultiple: record.allowsMultiple, isAnonymous: record.isAnonymous,
                resultsVisibility: PollResultsVisibility(rawValue: record.resultsVisibility) ?? .afterVote, closesAt: record.closesAt,
                closedAt: record.closedAt,
                options: try options.filter { $0.pollID == id }.map { option in
                    let optionID = try option.requireID()
                    let chosen = pollVotes.filter { $0.optionID == optionID }
                    return Poll.Option(
                        id: optionID, label: option.label, votes: chosen.count,
                        voters: record.isAnonymous ? [] : chosen.compactMap { names[$0.memberID]?.displayName })
                },
                voterCount: Set(pollVotes.map(\.memberID)).count,
                myChoices: Set(pollVotes.filter { $0.memberID == viewer.actor.memberID }.map(\.optionID)), createdAt: record.createdAt)
        }
    }
}
