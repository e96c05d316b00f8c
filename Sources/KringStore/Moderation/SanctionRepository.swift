import FluentKit
import Foundation
import KringCore

/// Sanctions and the identities a ban blocks.
public struct SanctionRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Imposes a sanction. Suspensions and bans end the member's sessions and API tokens at once;
    /// a ban also blocks their e-mail address and handle from registering again. The member is told.
    @discardableResult
    public func impose(_ kind: SanctionKind, on member: Member, reason: String, days: Int?, by moderator: Actor) async throws -> Sanction {
        try await database.writeTransaction { tx in
            let now = clock.now()
            let record = SanctionRecord()
            record.id = UUID()
            record.memberID = member.id
            record.kind = kind.rawValue
            record.reason = reason
            record.startsAt = now
            record.endsAt = days.map { now.addingTimeInterval(Double($0) * 86_400) }
            record.createdByID = moderator.memberID
            record.createdAt = now
            try await record.create(on: tx)
            if !kind.allowsLogin {
                try await SessionRecord.query(on: tx).filter(\.$memberID == member.id).delete()
                try await AccessTokenRecord.query(on: tx).filter(\.$memberID == member.id).filter(\.$revokedAt == nil).set(
                    \.$revokedAt, to: now
                ).update()
            }
            if kind == .ban {
                for (identity, value) in [("email", member.email), ("handle", member.handle)]
                where try await BlockedIdentityRecord.query(on: tx).filter(\.$kind == identity).filter(\.$value == value).count() == 0 {
                    let block = BlockedIdentityRecord()
                    block.kind = identity
                    block.value = value
                    block.sanctionID = record.id
                    block.createdAt = now
                    try await block.create(on: tx)
                }
            }
            try await ActivityLog(database: tx, clock: clock).record(
                .sanctionImposed, by: moderator, subjectType: "member", subjectID: member.id)
            try await NotificationRepository(database: tx, clock: clock).notify(
                member.id, kind: .sanction, actorID: nil, groupID: nil, topicID: nil, postID: nil)
            return try record.domain()
        }
    }

    /// Ends a sanction early; lifting a ban unblocks its identities.
    public func lift(_ id: UUID, by moderator: Actor) async throws -> Sanction {
        try await database.writeTransaction { tx in
            guard let record = try await SanctionRecord.find(id, on: tx) else { throw StoreError.notFound }
            record.liftedAt = clock.now()
            record.liftedByID = moderator.memberID
            try await record.save(on: tx)
            try await BlockedIdentityRecord.query(on: tx).filter(\.$sanctionID == id).delete()
            try await ActivityLog(database: tx, clock: clock).record(
                .sanctionLifted, by: moderator, subjectType: "member", subjectID: record.memberID)
            return try record.domain()
        }
    }

    /// Every sanction of a member, newest first.
    public func history(of memberID: UUID) async throws -> [Sanction] {
        try await SanctionRecord.query(on: database).filter(\.$memberID == memberID).sort(\.$createdAt, .descending).all().map {
            try $0.domain()
        }
    }

    /// What the member may do now; a sanction past its end no longer counts, so none needs lifting by a job.
    public func restriction(of memberID: UUID) async throws -> Restriction {
        Restriction.from(try await unlifted(of: memberID), at: clock.now())
    }

    /// The member's sanctions that were not lifted (warnings aside), in force or not (yet): what
    /// `Restriction.from(_:at:)` chooses from at any moment.
    public func unlifted(of memberID: UUID) async throws -> [Sanction] {
        try await SanctionRecord.query(on: database).filter(\.$memberID == memberID).filter(\.$liftedAt == nil)
            .filter(\.$kind != SanctionKind.warning.rawValue).all().map { try $0.domain() }
    }

    /// Sanctions in force now, across the community, for the moderators' overview.
    public func inForce(limit: Int = 200) async throws -> [Sanction] {
        let now = clock.now()
        return try await SanctionRecord.query(on: database).filter(\.$liftedAt == nil).filter(\.$kind != SanctionKind.warning.rawValue)
            .sort(\.$createdAt, .descending).limit(limit * 2).all().map { try $0.domain() }.filter { $0.isInForce(at: now) }.prefix(limit)
            .map { $0 }
    }

    /// Whether a ban blocks this e-mail address or handle.
    public func isBlocked(email: String, handle: String) async throws -> Bool {
        try await BlockedIdentityRecord.query(on: database).group(.or) { group in
            group.group(.and) { $0.filter(\.$kind == "email").filter(\.$value == email.lowercased()) }
            group.group(.and) { $0.filter(\.$kind == "handle").filter(\.$value == handle.lowercased()) }
        }.count() > 0
    }
}

/// An entry of the staff action log.
public struct StaffAction: Sendable, Equatable {
    public let actorHandle: String
    public let action: String
    public let subjectType: String
    public let subjectLabel: String
    public let reason: String
    public let before: String
    public let after: String
    public let createdAt: Date
}

/// The append-only log of what moderators, managers and administrators did: who, what, when,
/// why, and before/after where it matters. Nothing here updates or deletes an entry; only erasing
/// an account (PersonalDataRepository) replaces its handle in the log with the placeholder's.
public struct StaffAuditLog: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    public func record(
        _ action: String, by actor: Member, subjectType: String, subjectID: UUID? = nil, label: String, reason: String = "",
        before: String = "", after: String = ""
    ) async throws {
        let record = StaffActionRecord()
        record.actorID = actor.id
        record.actorHandle = actor.handle
        record.action = action
        record.subjectType = subjectType
        record.subjectID = subjectID
        record.subjectLabel = String(label.prefix(200))
        record.reason = reason
        record.before = String(before.prefix(2000))
        record.after = String(after.prefix(2000))
        record.createdAt = clock.now()
        try await record.create(on: database)
    }

    /// Entries newest first, optionally for one action or one actor.
    public func list(action: String? = nil, actorHandle: String? = nil, limit: Int = 100, offset: Int = 0) async throws -> [StaffAction] {
        var query = StaffActionRecord.query(on: database)
        if let action, !action.isEmpty { query = query.filter(\.$action == action) }
        if let actorHandle, !actorHandle.isEmpty { query = query.filter(\.$actorHandle == actorHandle.lowercased()) }
        return try await query.sort(\.$createdAt, .descending).range(offset..<(offset + limit)).all().map {
            StaffAction(
                actorHandle: $0.actorHandle, action: $0.action, subjectType: $0.subjectType, subjectLabel: $0.subjectLabel,
                reason: $0.reason,
                before: $0.before, after: $0.after, createdAt: $0.createdAt)
        }
    }

    /// The distinct actions recorded, for the filter.
    public func actions() async throws -> [String] {
        Array(Set(try await StaffActionRecord.query(on: database).all(\.$action))).sorted()
    }
}
