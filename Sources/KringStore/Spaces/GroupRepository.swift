import FluentKit
import Foundation
import KringCore

/// A new group, validated.
public struct NewGroup: Sendable {
    public var name: String
    public var description: String
    public var welcomeMessage: String
    public var visibility: GroupVisibility

    public init(name: String, description: String, welcomeMessage: String, visibility: GroupVisibility) {
        self.name = name
        self.description = description
        self.welcomeMessage = welcomeMessage
        self.visibility = visibility
    }
}

/// A member of a group, for member lists and management.
public struct GroupMemberEntry: Sendable, Equatable {
    public let member: Member
    public let membership: Membership
}

/// Groups and memberships.
public struct GroupRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    private var log: ActivityLog { ActivityLog(database: database, clock: clock) }

    // MARK: Reading

    public func find(slug: String) async throws -> Group? {
        try await GroupRecord.query(on: database).filter(\.$slug == slug.lowercased()).first()?.domain()
    }

    public func find(id: UUID) async throws -> Group? {
        try await GroupRecord.find(id, on: database)?.domain()
    }

    public func find(ids: [UUID]) async throws -> [UUID: Group] {
        guard !ids.isEmpty else { return [:] }
        let groups = try await GroupRecord.query(on: database).filter(\.$id ~~ ids).all().map { try $0.domain() }
        return Dictionary(uniqueKeysWithValues: groups.map { ($0.id, $0) })
    }

    /// The groups the viewer may see listed, most recently active first. Archived groups only when asked.
    public func list(for viewer: Viewer, archived: Bool = false, limit: Int = 100) async throws -> [Group] {
        let query = GroupRecord.query(on: database).filter(\.$isArchived == archived)
        return try await VisibilityFilter.listedGroups(query, viewer: viewer)
            .sort(\.$lastActivityAt, .descending).sort(\.$name).limit(limit).all().map { try $0.domain() }
    }

    /// The groups a member belongs to (active), by name.
    public func groups(of memberID: UUID) async throws -> [Group] {
        let ids = try await MembershipRecord.query(on: database).filter(\.$memberID == memberID)
            .filter(\.$status == MembershipStatus.active.rawValue).all(\.$groupID)
        guard !ids.isEmpty else { return [] }
        return try await GroupRecord.query(on: database).filter(\.$id ~~ ids).sort(\.$name).all().map { try $0.domain() }
    }

    public func membership(of memberID: UUID, in groupID: UUID) async throws -> Membership? {
        try await MembershipRecord.query(on: database).filter(\.$groupID == groupID).filter(\.$memberID == memberID).first()?.domain()
    }

    /// The group's members with a given status, managers first, then by name.
    public func members(of groupID: UUID, status: MembershipStatus = .active, limit: Int = 200) async throws -> [GroupMemberEntry] {
        // "manager" sorts before "member", so managers are never cut off by the limit.
        let memberships = try await MembershipRecord.query(on: database).filter(\.$groupID == groupID)
            .filter(\.$status == status.rawValue).sort(\.$role).sort(\.$createdAt).limit(limit).all()
        guard !memberships.isEmpty else { return [] }
        let people = try await MemberRecord.query(on: database).filter(\.$id ~~ memberships.map(\.memberID)).all()
        let byID = Dictionary(uniqueKeysWithValues: try people.map { (try $0.requireID(), try $0.domain()) })
        return memberships.compactMap { membership in
            byID[membership.memberID].map { GroupMemberEntry(member: $0, membership: membership.domain()) }
        }.sorted { lhs, rhs in
            if lhs.membership.role != rhs.membership.role { return lhs.membership.role == .manager }
            return lhs.member.displayName.localizedCaseInsensitiveCompare(rhs.member.displayName) == .orderedAscending
        }
    }

    // MARK: Writing groups

    /// Creates a group; its creator becomes its first manager.
    public func create(_ new: NewGroup, by creator: Actor) async throws -> Group {
        guard let creatorID = creator.memberID else { throw StoreError.notFound }
        return try await database.writeTransaction { tx in
            let repository = GroupRepository(database: tx, clock: clock)
            let now = clock.now()
            let record = GroupRecord()
            record.id = UUID()
            record.slug = try await repository.freeSlug(GroupRules.slug(from: new.name))
            record.name = new.name
            record.description = new.description
            record.welcomeMessage = new.welcomeMessage
            record.visibility = new.visibility.rawValue
            record.isArchived = false
            record.createdByID = creatorID
            record.memberCount = 0
            record.topicCount = 0
            record.createdAt = now
            record.updatedAt = now
            record.lastActivityAt = now
            try await record.create(on: tx)
            let group = try record.domain()
            try await repository.log.record(.groupCreated, by: creator, subjectType: "group", subjectID: group.id, groupID: group.id)
            try await repository.setMembership(group.id, memberID: creatorID, role: .manager, status: .active, invitedBy: nil)
            try await SearchIndex(database: tx, clock: clock).index(group: try await repository.find(id: group.id) ?? group)
            return try await repository.find(id: group.id) ?? group
        }
    }

    public func update(
        _ groupID: UUID, name: String, description: String, welcomeMessage: String, visibility: GroupVisibility, by actor: Actor
    ) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await GroupRecord.find(groupID, on: tx) else { throw StoreError.notFound }
            record.name = name
            record.description = description
            record.welcomeMessage = welcomeMessage
            record.visibility = visibility.rawValue
            record.updatedAt = clock.now()
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .groupUpdated, by: actor, subjectType: "group", subjectID: groupID, groupID: groupID)
            try await SearchIndex(database: tx, clock: clock).index(group: try record.domain())
        }
    }

    /// Archives (read-only, unlisted, still searchable by its readers) or restores a group.
    public func setArchived(_ groupID: UUID, _ archived: Bool, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await GroupRecord.find(groupID, on: tx) else { throw StoreError.notFound }
            record.isArchived = archived
            record.updatedAt = clock.now()
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                archived ? .groupArchived : .groupRestored, by: actor, subjectType: "group", subjectID: groupID, groupID: groupID)
        }
    }

    // MARK: Memberships

    /// Puts a member in a group with a role and status (creating or changing the membership) and
    /// keeps the group's member count right.
    public func setMembership(_ groupID: UUID, memberID: UUID, role: GroupRole, status: MembershipStatus, invitedBy: UUID?) async throws {
        try await database.writeTransaction { tx in
            let existing = try await MembershipRecord.query(on: tx).filter(\.$groupID == groupID).filter(\.$memberID == memberID).first()
            let record = existing ?? MembershipRecord()
            if existing == nil {
                record.groupID = groupID
                record.memberID = memberID
                record.createdAt = clock.now()
            }
            record.role = role.rawValue
            record.status = status.rawValue
            if invitedBy != nil { record.invitedByID = invitedBy }
            try await record.save(on: tx)
            try await GroupRepository(database: tx, clock: clock).recount(groupID)
        }
    }

    /// Ends a membership (leave, decline, reject or remove).
    public func removeMembership(_ groupID: UUID, memberID: UUID) async throws {
        try await database.writeTransaction { tx in
            try await MembershipRecord.query(on: tx).filter(\.$groupID == groupID).filter(\.$memberID == memberID).delete()
            try await GroupRepository(database: tx, clock: clock).recount(groupID)
        }
    }

    /// How many active managers a group has (the last one may not leave).
    public func managerCount(_ groupID: UUID) async throws -> Int {
        try await MembershipRecord.query(on: database).filter(\.$groupID == groupID).filter(\.$role == GroupRole.manager.rawValue)
            .filter(\.$status == MembershipStatus.active.rawValue).count()
    }

    func recount(_ groupID: UUID) async throws {
        let count = try await MembershipRecord.query(on: database).filter(\.$groupID == groupID)
            .filter(\.$status == MembershipStatus.active.rawValue).count()
        try await GroupRecord.query(on: database).filter(\.$id == groupID).set(\.$memberCount, to: count).update()
    }

    /// Notes activity in a group (a new topic or reply) for "most active" ordering.
    func touch(_ groupID: UUID, topicDelta: Int = 0) async throws {
        guard let record = try await GroupRecord.find(groupID, on: database) else { return }
        record.lastActivityAt = clock.now()
        record.topicCount += topicDelta
        try await record.save(on: database)
    }

    private func freeSlug(_ base: String) async throws -> String {
        var candidate = base
        var suffix = 2
        while try await GroupRecord.query(on: database).filter(\.$slug == candidate).count() > 0 {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        return candidate
    }
}
