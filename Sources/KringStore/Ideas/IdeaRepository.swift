import FluentKit
import Foundation
import KringCore

final class DepartmentRecord: Model, @unchecked Sendable {
    static let schema = "departments"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "description") var about: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class LiaisonRecord: Model, @unchecked Sendable {
    static let schema = "department_liaisons"

    @ID(key: .id) var id: UUID?
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "member_id") var memberID: UUID

    init() {}
}

final class IdeaRecord: Model, @unchecked Sendable {
    static let schema = "ideas"

    @ID(key: .id) var id: UUID?
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "title") var title: String
    @Field(key: "description") var about: String
    @Field(key: "status") var status: String
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "vote_count") var voteCount: Int
    @Field(key: "comment_count") var commentCount: Int
    @OptionalField(key: "routed_at") var routedAt: Date?
    @OptionalField(key: "first_response_at") var firstResponseAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class IdeaVoteRecord: Model, @unchecked Sendable {
    static let schema = "idea_votes"

    @ID(key: .id) var id: UUID?
    @Field(key: "idea_id") var ideaID: UUID
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class IdeaTagRecord: Model, @unchecked Sendable {
    static let schema = "idea_tags"

    @ID(key: .id) var id: UUID?
    @Field(key: "idea_id") var ideaID: UUID
    @Field(key: "tag_id") var tagID: UUID

    init() {}
}

final class IdeaCommentRecord: Model, @unchecked Sendable {
    static let schema = "idea_comments"

    @ID(key: .id) var id: UUID?
    @Field(key: "idea_id") var ideaID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "body") var body: String
    @Field(key: "body_html") var bodyHTML: String
    /// An official response from the organisation (shown prominently), possibly with a new status.
    @Field(key: "is_official") var isOfficial: Bool
    @OptionalField(key: "status") var status: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A comment or official response under an idea.
public struct IdeaComment: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let author: AuthorView
    public let body: String
    public let bodyHTML: String
    public let isOfficial: Bool
    public let status: IdeaStatus?
    public let createdAt: Date
}

/// Ideas, votes, comments and the organisation's responses; departments and their liaisons.
public struct IdeaRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    // MARK: Departments

    public func departments() async throws -> [Department] {
        let records = try await DepartmentRecord.query(on: database).sort(\.$name).all()
        let liaisons = try await LiaisonRecord.query(on: database).all()
        return try records.map { record in
            let id = try record.requireID()
            return Department(
                id: id, name: record.name, description: record.about, liaisonIDs: liaisons.filter { $0.departmentID == id }.map(\.memberID))
        }
    }

    public func saveDepartment(name: String, description: String) async throws {
        let record = try await DepartmentRecord.query(on: database).filter(\.$name == name).first() ?? DepartmentRecord()
        if record.id == nil { record.createdAt = clock.now() }
        record.name = name
        record.about = description
        try await record.save(on: database)
    }

    public func setLiaison(_ memberID: UUID, of departmentID: UUID, _ on: Bool) async throws {
        try await LiaisonRecord.query(on: database).filter(\.$departmentID == departmentID).filter(\.$memberID == memberID).delete()
        guard on else { return }
        let record = LiaisonRecord()
        record.departmentID = departmentID
        record.memberID = memberID
        try await record.create(on: database)
    }

    // MARK: Ideas

    public func submit(title: String, description: String, tags: [String], by author: Member) async throws -> UUID {
        try await database.writeTransaction { tx in
            let now = clock.now()
            let record = IdeaRecord()
            record.id = UUID()
            record.authorID = author.id
            record.title = title
            record.about = description
            record.status = IdeaStatus.new.rawValue
            record.voteCount = 0
            record.commentCount = 0
            record.createdAt = now
            record.updatedAt = now
            try await record.create(on: tx)
            let id = try record.requireID()
            for tagID in try await TagRepository(database: tx, clock: clock).ensure(tags) {
                let link = IdeaTagRecord()
                link.ideaID = id
                link.tagID = tagID
                try await link.create(on: tx)
            }
            try await ActivityLog(database: tx, clock: clock).record(.ideaSubmitted, by: author.actor, subjectType: "idea", subjectID: id)
            return id
        }
    }

    public func find(_ id: UUID) async throws -> Idea? {
        guard let record = try await IdeaRecord.find(id, on: database) else { return nil }
        return try await build([record]).first
    }

    /// Ideas, most votes first or newest first, optionally one status or department.
    public func list(status: IdeaStatus? = nil, departmentID: UUID? = nil, newestFirst: Bool = false, limit: Int = 100) async throws
        -> [Idea]
    {
        var query = IdeaRecord.query(on: database)
        if let status { query = query.filter(\.$status == status.rawValue) }
        if let departmentID { query = query.filter(\.$departmentID == departmentID) }
        query = newestFirst ? query.sort(\.$createdAt, .descending) : query.sort(\.$voteCount, .descending).sort(\.$createdAt, .descending)
        return try await build(try await query.limit(limit).all())
    }

    private func build(_ records: [IdeaRecord]) async throws -> [Idea] {
        let ids = records.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let links = try await IdeaTagRecord.query(on: database).filter(\.$ideaID ~~ ids).all()
        let tags = links.isEmpty ? [] : try await TagRecord.query(on: database).filter(\.$id ~~ Array(Set(links.map(\.tagID)))).all()
        let names = Dictionary(uniqueKeysWithValues: tags.compactMap { tag in tag.id.map { ($0, tag.name) } })
        return try records.map { record in
            let id = try record.requireID()
            return Idea(
                id: id, authorID: record.authorID, title: record.title, description: record.about,
                status: IdeaStatus(rawValue: record.status) ?? .new,
                departmentID: record.departmentID, tags: links.filter { $0.ideaID == id }.compactMap { names[$0.tagID] }.sorted(),
                voteCount: record.voteCount, commentCount: record.commentCount, createdAt: record.createdAt, routedAt: record.routedAt,
                firstResponseAt: record.firstResponseAt)
        }
    }

    /// Adds or takes back the member's vote.
    public func vote(_ ideaID: UUID, by member: Member, _ on: Bool) async throws {
        try await database.writeTransaction { tx in
            guard let idea = try await IdeaRecord.find(ideaID, on: tx) else { throw StoreError.notFound }
            let existing = try await IdeaVoteRecord.query(on: tx).filter(\.$ideaID == ideaID).filter(\.$memberID == member.id).first()
            if on, existing == nil {
                let vote = IdeaVoteRecord()
                vote.ideaID = ideaID
                vote.memberID = member.id
                vote.createdAt = clock.now()
                try await vote.create(on: tx)
                try await ActivityLog(database: tx, clock: clock).record(
                    .ideaVoted, by: member.actor, subjectType: "idea", subjectID: ideaID)
            } else if !on, let existing {
                try await existing.delete(on: tx)
            }
            idea.voteCount = try await IdeaVoteRecord.query(on: tx).filter(\.$ideaID == ideaID).count()
            try await idea.save(on: tx)
        }
    }

    /// Which of these ideas the member voted for, in one query (for lists).
    public func voted(among ideaIDs: [UUID], memberID: UUID) async throws -> Set<UUID> {
        guard !ideaIDs.isEmpty else { return [] }
        return Set(
            try await IdeaVoteRecord.query(on: database).filter(\.$ideaID ~~ ideaIDs).filter(\.$memberID == memberID).all().map(\.ideaID))
    }

    public func hasVoted(_ ideaID: UUID, memberID: UUID) async throws -> Bool {
        try await IdeaVoteRecord.query(on: database).filter(\.$ideaID == ideaID).filter(\.$memberID == memberID).count() > 0
    }

    /// Routes an idea to a department: the clock for that department's response time starts, so
    /// a response given before (or by the department it came from) does not count for it.
    public func route(_ ideaID: UUID, to departmentID: UUID, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let idea = try await IdeaRecord.find(ideaID, on: tx) else { throw StoreError.notFound }
            guard idea.departmentID != departmentID else { return }
            idea.departmentID = departmentID
            idea.routedAt = clock.now()
            idea.firstResponseAt = nil
            idea.updatedAt = clock.now()
            try await idea.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(.ideaRouted, by: actor, subjectType: "idea", subjectID: ideaID)
        }
    }

    /// A comment, or an official response that may move the idea to a new status; an official
    /// response tells the submitter and everyone who voted.
    public func comment(_ ideaID: UUID, body: String, html: String, official: Bool, status: IdeaStatus?, by author: Member) async throws {
        try await database.writeTransaction { tx in
            guard let idea = try await IdeaRecord.find(ideaID, on: tx) else { throw StoreError.notFound }
            let current = IdeaStatus(rawValue: idea.status) ?? .new
            if official { try current.check(moveTo: status) }
            let now = clock.now()
            let record = IdeaCommentRecord()
            record.ideaID = ideaID
            record.authorID = author.id
            record.body = body
            record.bodyHTML = html
            record.isOfficial = official
            record.status = official ? status?.rawValue : nil
            record.createdAt = now
            try await record.create(on: tx)
            idea.commentCount += 1
            if official {
                if idea.firstResponseAt == nil, idea.routedAt != nil { idea.firstResponseAt = now }
                let log = ActivityLog(database: tx, clock: clock)
                try await log.record(.ideaResponded, by: author.actor, subjectType: "idea", subjectID: ideaID)
                if let status, status != current {
                    idea.status = status.rawValue
                    try await log.record(.ideaStatusChanged, by: author.actor, subjectType: "idea", subjectID: ideaID)
                }
                let voters = try await IdeaVoteRecord.query(on: tx).filter(\.$ideaID == ideaID).all(\.$memberID)
                for recipient in Set(voters + [idea.authorID]) {
                    try await NotificationRepository(database: tx, clock: clock).notify(
                        recipient, kind: .ideaResponse, actorID: author.id, groupID: nil, topicID: nil, postID: nil, ideaID: ideaID)
                }
            }
            idea.updatedAt = now
            try await idea.save(on: tx)
        }
    }

    public func comments(of ideaID: UUID) async throws -> [IdeaComment] {
        let records = try await IdeaCommentRecord.query(on: database).filter(\.$ideaID == ideaID).sort(\.$createdAt).all()
        let authors = try await TopicRepository.authors(Array(Set(records.map(\.authorID))), on: database)
        return try records.compactMap { record in
            guard let author = authors[record.authorID] else { return nil }
            return IdeaComment(
                id: try record.requireID(), author: author, body: record.body, bodyHTML: record.bodyHTML, isOfficial: record.isOfficial,
                status: record.status.flatMap(IdeaStatus.init(rawValue:)), createdAt: record.createdAt)
        }
    }

    /// Titles of ideas, for notifications.
    public func titles(of ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(
            uniqueKeysWithValues: try await IdeaRecord.query(on: database).filter(\.$id ~~ ids).all().compactMap { record in
                record.id.map { ($0, record.title) }
            })
    }
}
