import FluentKit
import Foundation
import KringCore
import SQLKit

/// Reads and writes members, their profiles and their tags.
public struct MemberRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    // MARK: Reading

    public func count(status: MemberStatus? = nil) async throws -> Int {
        var query = MemberRecord.query(on: database)
        if let status { query = query.filter(\.$status == status.rawValue) }
        return try await query.count()
    }

    public func countAdmins() async throws -> Int {
        try await MemberRecord.query(on: database).filter(\.$role == Role.admin.rawValue)
            .filter(\.$status == MemberStatus.active.rawValue).count()
    }

    public func find(id: UUID) async throws -> Member? {
        guard let record = try await MemberRecord.find(id, on: database) else { return nil }
        return try await withTags([record]).first
    }

    /// The member with `id` if their account is active (not pending, rejected or erased).
    public func findActive(id: UUID) async throws -> Member? {
        guard let record = try await MemberRecord.find(id, on: database), record.status == MemberStatus.active.rawValue else { return nil }
        return try await withTags([record]).first
    }

    /// Several members at once, in the order of `ids` (unknown ids left out).
    public func find(ids: [UUID]) async throws -> [Member] {
        guard !ids.isEmpty else { return [] }
        let byID = Dictionary(
            uniqueKeysWithValues: try await withTags(try await MemberRecord.query(on: database).filter(\.$id ~~ ids).all()).map {
                ($0.id, $0)
            })
        return ids.compactMap { byID[$0] }
    }

    public func find(handle: String) async throws -> Member? {
        guard let record = try await MemberRecord.query(on: database).filter(\.$handle == handle.lowercased()).first()
        else { return nil }
        return try await withTags([record]).first
    }

    /// The member a login name (handle or e-mail address) belongs to, with their password hash.
    public func credentials(login: String) async throws -> (member: Member, passwordHash: String)? {
        let key = login.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !key.isEmpty else { return nil }
        let field: KeyPath<MemberRecord, FieldProperty<MemberRecord, String>> = key.contains("@") ? \.$email : \.$handle
        guard let record = try await MemberRecord.query(on: database).filter(field == key).first() else { return nil }
        return (try record.domain(), record.passwordHash)
    }

    public func passwordHash(of memberID: UUID) async throws -> String? {
        try await MemberRecord.find(memberID, on: database)?.passwordHash
    }

    public func find(email: String) async throws -> Member? {
        guard let record = try await MemberRecord.query(on: database).filter(\.$email == email.lowercased()).first()
        else { return nil }
        return try record.domain()
    }

    /// A page of members, newest first, with their tags loaded in one extra query.
    public func list(status: MemberStatus? = nil, search: String? = nil, limit: Int = 50, offset: Int = 0) async throws -> [Member] {
        var query = MemberRecord.query(on: database)
        if let status { query = query.filter(\.$status == status.rawValue) }
        if let search = search?.trimmingCharacters(in: .whitespaces).lowercased(), !search.isEmpty {
            let pattern = search.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
            query = query.group(.or) { group in
                group.filter(\.$handle, .custom("LIKE"), "%\(pattern)%")
                    .filter(\.$email, .custom("LIKE"), "%\(pattern)%")
                    .filter(\.$displayName, .custom("LIKE"), "%\(pattern)%")
            }
        }
        let records = try await query.sort(\.$createdAt, .descending).sort(\.$handle).range(offset..<(offset + limit)).all()
        return try await withTags(records)
    }

    /// Handles by member id, for linking many members at once.
    public func handles(of ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let records = try await MemberRecord.query(on: database).filter(\.$id ~~ ids).all()
        return Dictionary(uniqueKeysWithValues: try records.map { (try $0.requireID(), $0.handle) })
    }

    /// Members who hold one of the given roles or the staff flag: the team page.
    public func team() async throws -> [Member] {
        let records = try await MemberRecord.query(on: database)
            .filter(\.$status == MemberStatus.active.rawValue)
            .group(.or) { $0.filter(\.$role != Role.member.rawValue).filter(\.$isStaff == true) }
            .sort(\.$displayName).all()
        return try await withTags(records)
    }

    // MARK: Writing

    /// Creates a member and their tags and logs the signup, all in one transaction.
    /// - Throws: `ValidationFailure` naming `handle` or `email` when either is taken.
    @discardableResult
    public func create(_ new: NewMember, at date: Date? = nil) async throws -> Member {
        try await database.writeTransaction { tx in
            let repository = MemberRepository(database: tx, clock: clock)
            try await repository.ensureUnique(handle: new.handle, email: new.email, excluding: nil)
            let now = date ?? clock.now()
            let record = MemberRecord()
            record.id = UUID()
            record.handle = new.handle
            record.displayName = new.displayName
            record.email = new.email
            record.passwordHash = new.passwordHash
            record.role = new.role.rawValue
            record.isStaff = new.isStaff
            record.isBot = new.isBot
            record.cockpitAccess = false
            record.status = new.status.rawValue
            record.bio = new.profile.bio
            record.organisation = new.profile.organisation
            record.preferredLanguage = new.profile.preferredLanguage?.rawValue
            record.createdAt = now
            record.updatedAt = now
            do {
                try await record.create(on: tx)
            } catch  where (error as? any DatabaseError)?.isConstraintFailure == true {
                // Lost a race with a concurrent registration of the same handle or address.
                throw ValidationFailure(field: "handle", code: "handle.taken")
            }
            let id = try record.requireID()
            try await repository.replaceTags(of: id, kind: .interest, with: new.profile.interests)
            try await repository.replaceTags(of: id, kind: .expertise, with: new.profile.expertise)
            let member = try record.domain(interests: new.profile.interests, expertise: new.profile.expertise)
            try await ActivityLog(database: tx, clock: clock).record(
                .signup, by: member.actor, subjectType: "member", subjectID: id, at: now)
            return member
        }
    }

    /// Saves a member's display name and profile, and logs it.
    public func updateProfile(of memberID: UUID, displayName: String, profile: MemberProfile) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await MemberRecord.find(memberID, on: tx) else { throw StoreError.notFound }
            record.displayName = displayName
            record.bio = profile.bio
            record.organisation = profile.organisation
            record.preferredLanguage = profile.preferredLanguage?.rawValue
            record.updatedAt = clock.now()
            try await record.save(on: tx)
            let repository = MemberRepository(database: tx, clock: clock)
            try await repository.replaceTags(of: memberID, kind: .interest, with: profile.interests)
            try await repository.replaceTags(of: memberID, kind: .expertise, with: profile.expertise)
            try await ActivityLog(database: tx, clock: clock).record(
                .profileUpdate, by: try record.domain().actor, subjectType: "member", subjectID: memberID)
            if record.status == MemberStatus.active.rawValue {
                try await SearchIndex(database: tx, clock: clock).index(
                    member: try record.domain(interests: profile.interests, expertise: profile.expertise))
            }
        }
    }

    public func setPreferredLanguage(of memberID: UUID, to language: Language?) async throws {
        guard let record = try await MemberRecord.find(memberID, on: database) else { throw StoreError.notFound }
        record.preferredLanguage = language?.rawValue
        record.updatedAt = clock.now()
        try await record.save(on: database)
    }

    /// Replaces the password hash and logs the change as `kind` (a change or a reset).
    public func setPasswordHash(of memberID: UUID, to hash: String, kind: ActivityKind, by actor: Actor?) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await MemberRecord.find(memberID, on: tx) else { throw StoreError.notFound }
            record.passwordHash = hash
            record.updatedAt = clock.now()
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(kind, by: actor, subjectType: "member", subjectID: memberID)
        }
    }

    /// Changes what an administrator controls: role, staff and bot flags, the cockpit grant and account status.
    public func setAccount(
        of memberID: UUID, role: Role? = nil, isStaff: Bool? = nil, isBot: Bool? = nil, cockpitAccess: Bool? = nil,
        status: MemberStatus? = nil, by actor: Actor
    ) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await MemberRecord.find(memberID, on: tx) else { throw StoreError.notFound }
            let log = ActivityLog(database: tx, clock: clock)
            if let role, role.rawValue != record.role {
                record.role = role.rawValue
                try await log.record(.roleChange, by: actor, subjectType: "member", subjectID: memberID)
            }
            if let isStaff, isStaff != record.isStaff {
                record.isStaff = isStaff
                try await log.record(.staffChange, by: actor, subjectType: "member", subjectID: memberID)
            }
            if let isBot, isBot != record.isBot {
                record.isBot = isBot
                try await log.record(.staffChange, by: actor, subjectType: "member", subjectID: memberID)
            }
            if let cockpitAccess, cockpitAccess != record.cockpitAccess {
                record.cockpitAccess = cockpitAccess
                try await log.record(.roleChange, by: actor, subjectType: "member", subjectID: memberID)
            }
            if let status, status.rawValue != record.status {
                record.status = status.rawValue
                let kind: ActivityKind = status == .active ? .memberApproved : .memberRejected
                try await log.record(kind, by: actor, subjectType: "member", subjectID: memberID)
            }
            record.updatedAt = clock.now()
            try await record.save(on: tx)
            let search = SearchIndex(database: tx, clock: clock)
            if record.status == MemberStatus.active.rawValue {
                if let member = try await MemberRepository(database: tx, clock: clock).withTags([record]).first {
                    try await search.index(member: member)
                }
            } else {
                try await search.remove(kind: .member, refID: memberID)
            }
        }
    }

    /// Notes that a member was seen, at most once a minute per member to spare the database.
    /// Notes that the member is here now; their first request of a calendar day (starting at
    /// `dayStart`, in the community's time zone) is recorded as a visit, which DAU/WAU/MAU count.
    public func touchLastSeen(of member: Member, dayStart: Date) async throws {
        let now = clock.now()
        if let previous = member.lastSeenAt, now.timeIntervalSince(previous) < 60, previous >= dayStart { return }
        try await database.writeTransaction { tx in
            try await MemberRecord.query(on: tx).filter(\.$id == member.id).set(\.$lastSeenAt, to: now).update()
            if member.lastSeenAt.map({ $0 < dayStart }) ?? true {
                try await ActivityLog(database: tx, clock: clock).record(.visit, by: member.actor)
            }
        }
    }

    /// Sets each member's "last seen" to their latest activity where it was never recorded (history
    /// written after the fact, as by the demo): segments and the member list read it.
    public func fillLastSeenFromActivity() async throws {
        try await database.writeTransaction { tx in
            try await (tx as? any SQLDatabase)?.raw(
                """
                UPDATE members SET last_seen_at = (SELECT MAX(e.occurred_at) FROM activity_events e WHERE e.actor_id = members.id)
                WHERE last_seen_at IS NULL
                """
            ).run()
        }
    }

    // MARK: Helpers

    func ensureUnique(handle: String, email: String, excluding memberID: UUID?) async throws {
        var errors = FieldErrorCollector()
        var handleQuery = MemberRecord.query(on: database).filter(\.$handle == handle)
        var emailQuery = MemberRecord.query(on: database).filter(\.$email == email)
        if let memberID {
            handleQuery = handleQuery.filter(\.$id != memberID)
            emailQuery = emailQuery.filter(\.$id != memberID)
        }
        if try await handleQuery.count() > 0 { errors.add("handle", "handle.taken") }
        if try await emailQuery.count() > 0 { errors.add("email", "email.taken") }
        try errors.throwIfAny()
    }

    /// Loads interests and expertise for many members in one query.
    func withTags(_ records: [MemberRecord]) async throws -> [Member] {
        let ids = records.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let links = try await MemberTagRecord.query(on: database).filter(\.$memberID ~~ ids).sort(\.$position).all()
        let tagIDs = Set(links.map(\.tagID))
        let tags = tagIDs.isEmpty ? [] : try await TagRecord.query(on: database).filter(\.$id ~~ Array(tagIDs)).all()
        let names = Dictionary(uniqueKeysWithValues: tags.compactMap { tag in tag.id.map { ($0, tag.name) } })
        var byMember: [UUID: (interests: [String], expertise: [String])] = [:]
        for link in links {
            guard let name = names[link.tagID] else { continue }
            if link.kind == MemberTagKind.interest.rawValue {
                byMember[link.memberID, default: ([], [])].interests.append(name)
            } else {
                byMember[link.memberID, default: ([], [])].expertise.append(name)
            }
        }
        return try records.map { record in
            let tags = byMember[try record.requireID()] ?? ([], [])
            return try record.domain(interests: tags.interests, expertise: tags.expertise)
        }
    }

    func replaceTags(of memberID: UUID, kind: MemberTagKind, with names: [String]) async throws {
        try await MemberTagRecord.query(on: database).filter(\.$memberID == memberID).filter(\.$kind == kind.rawValue).delete()
        let tagIDs = try await TagRepository(database: database, clock: clock).ensure(names)
        for (position, tagID) in tagIDs.enumerated() {
            let link = MemberTagRecord()
            link.memberID = memberID
            link.tagID = tagID
            link.kind = kind.rawValue
            link.position = position
            try await link.create(on: database)
        }
    }
}

/// Errors from the store that the web layer turns into pages and problem documents.
public enum StoreError: Error, Sendable {
    case notFound
    /// The thing is closed to this change now (a poll past its closing time, say).
    case closed
}

extension MemberRepository {
    /// Records that a member accepted the house rules of a version.
    public func acceptRules(of memberID: UUID, version: Int) async throws {
        try await MemberRecord.query(on: database).filter(\.$id == memberID).set(\.$acceptedRulesVersion, to: version).update()
    }

    /// Marks why an account waits for approval and where it registered from.
    public func setRegistrationDetails(of memberID: UUID, ip: String, pendingReason: String?) async throws {
        try await MemberRecord.query(on: database).filter(\.$id == memberID).set(\.$registrationIP, to: ip)
            .set(\.$pendingReason, to: pendingReason).update()
    }
}
