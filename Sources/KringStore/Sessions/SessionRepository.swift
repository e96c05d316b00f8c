import FluentKit
import Foundation
import KringCore

/// Browser sessions, kept in the database so any Kring process can serve any request.
public struct SessionRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Stores a new session for a member under the hash of its cookie value.
    public func create(tokenHash: String, memberID: UUID, lifetime: TimeInterval, ipAddress: String, userAgent: String) async throws {
        let now = clock.now()
        let session = SessionRecord()
        session.tokenHash = tokenHash
        session.memberID = memberID
        session.createdAt = now
        session.lastSeenAt = now
        session.expiresAt = now.addingTimeInterval(lifetime)
        session.ipAddress = String(ipAddress.prefix(64))
        session.userAgent = String(userAgent.prefix(255))
        try await session.create(on: database)
    }

    /// The active member a live session belongs to; extends the session when half its life has passed.
    public func member(forTokenHash tokenHash: String, lifetime: TimeInterval) async throws -> Member? {
        guard let memberID = try await memberID(forTokenHash: tokenHash, lifetime: lifetime) else { return nil }
        return try await MemberRepository(database: database, clock: clock).findActive(id: memberID)
    }

    /// Whose live session this is (any member status: see `MemberRepository.findActive`); extends the
    /// session when half its life has passed.
    public func memberID(forTokenHash tokenHash: String, lifetime: TimeInterval) async throws -> UUID? {
        let now = clock.now()
        guard let session = try await SessionRecord.query(on: database).filter(\.$tokenHash == tokenHash).first(),
            session.expiresAt > now
        else { return nil }
        if session.expiresAt.timeIntervalSince(now) < lifetime / 2 {
            session.expiresAt = now.addingTimeInterval(lifetime)
            session.lastSeenAt = now
            try await session.save(on: database)
        }
        return session.memberID
    }

    public func delete(tokenHash: String) async throws {
        try await SessionRecord.query(on: database).filter(\.$tokenHash == tokenHash).delete()
    }

    /// Ends every session of a member, except optionally the one in use.
    public func deleteAll(of memberID: UUID, except keptTokenHash: String? = nil) async throws {
        var query = SessionRecord.query(on: database).filter(\.$memberID == memberID)
        if let keptTokenHash { query = query.filter(\.$tokenHash != keptTokenHash) }
        try await query.delete()
    }

    public func count(of memberID: UUID) async throws -> Int {
        try await SessionRecord.query(on: database).filter(\.$memberID == memberID).filter(\.$expiresAt > clock.now()).count()
    }

    /// Removes expired sessions; run by the maintenance job.
    public func purgeExpired() async throws {
        try await SessionRecord.query(on: database).filter(\.$expiresAt < clock.now()).delete()
    }
}

/// A personal access token as its owner sees it in a list (never the secret itself).
public struct AccessTokenSummary: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let prefix: String
    public let createdAt: Date
    public let lastUsedAt: Date?
}

/// Personal access tokens for the API.
public struct AccessTokenRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    public func create(memberID: UUID, name: String, tokenHash: String, prefix: String, actor: Actor) async throws -> AccessTokenSummary {
        try await database.writeTransaction { tx in
            let token = AccessTokenRecord()
            token.id = UUID()
            token.memberID = memberID
            token.name = name
            token.tokenHash = tokenHash
            token.tokenPrefix = prefix
            token.createdAt = clock.now()
            try await token.create(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .tokenCreated, by: actor, subjectType: "access_token", subjectID: token.id)
            return try token.summary()
        }
    }

    /// The live (not revoked) tokens of a member, newest first.
    public func list(of memberID: UUID) async throws -> [AccessTokenSummary] {
        try await AccessTokenRecord.query(on: database).filter(\.$memberID == memberID).filter(\.$revokedAt == nil)
            .sort(\.$createdAt, .descending).all().map { try $0.summary() }
    }

    /// Revokes one of the member's tokens. Returns false when no such live token exists.
    public func revoke(id: UUID, of memberID: UUID, actor: Actor) async throws -> Bool {
        try await database.writeTransaction { tx in
            guard
                let token = try await AccessTokenRecord.query(on: tx).filter(\.$id == id).filter(\.$memberID == memberID)
                    .filter(\.$revokedAt == nil).first()
            else { return false }
            token.revokedAt = clock.now()
            try await token.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(.tokenRevoked, by: actor, subjectType: "access_token", subjectID: id)
            return true
        }
    }

    /// The active member a live token belongs to, noting when it was last used (at most once a minute).
    public func member(forTokenHash tokenHash: String) async throws -> Member? {
        guard
            let token = try await AccessTokenRecord.query(on: database).filter(\.$tokenHash == tokenHash)
                .filter(\.$revokedAt == nil).first(),
            let record = try await MemberRecord.find(token.memberID, on: database),
            record.status == MemberStatus.active.rawValue
        else { return nil }
        let now = clock.now()
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            token.lastUsedAt = now
            try await token.save(on: database)
        }
        return try await MemberRepository(database: database, clock: clock).withTags([record]).first
    }
}

extension AccessTokenRecord {
    func summary() throws -> AccessTokenSummary {
        AccessTokenSummary(id: try requireID(), name: name, prefix: tokenPrefix, createdAt: createdAt, lastUsedAt: lastUsedAt)
    }
}

/// What a one-time e-mailed secret is for.
public enum EmailTokenPurpose: String, Sendable {
    case passwordReset = "password_reset"
    case invitation
    /// Lets a sanctioned member appeal without logging in.
    case appeal
}

/// A redeemed or looked-up one-time e-mail token.
public struct EmailToken: Sendable {
    public let id: UUID
    public let purpose: EmailTokenPurpose
    public let email: String
    public let memberID: UUID?
    public let createdByID: UUID?
    public let expiresAt: Date
    public var groupID: UUID? = nil
}

/// One-time secrets sent by e-mail: password resets and invitations.
public struct EmailTokenRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    public func create(
        _ purpose: EmailTokenPurpose, tokenHash: String, email: String, memberID: UUID?, createdByID: UUID?, lifetime: TimeInterval,
        groupID: UUID? = nil
    ) async throws {
        let token = EmailTokenRecord()
        token.purpose = purpose.rawValue
        token.tokenHash = tokenHash
        token.email = email
        token.memberID = memberID
        token.createdByID = createdByID
        token.createdAt = clock.now()
        token.expiresAt = clock.now().addingTimeInterval(lifetime)
        token.groupID = groupID
        try await token.create(on: database)
    }

    /// The token if it exists, is unused and has not expired.
    public func valid(_ purpose: EmailTokenPurpose, tokenHash: String) async throws -> EmailToken? {
        guard
            let record = try await EmailTokenRecord.query(on: database).filter(\.$tokenHash == tokenHash)
                .filter(\.$purpose == purpose.rawValue).filter(\.$usedAt == nil).first(),
            record.expiresAt > clock.now()
        else { return nil }
        return EmailToken(
            id: try record.requireID(), purpose: purpose, email: record.email, memberID: record.memberID,
            createdByID: record.createdByID, expiresAt: record.expiresAt, groupID: record.groupID)
    }

    /// Marks a token used. Returns false if it was used meanwhile, so a token works exactly once.
    public func consume(id: UUID) async throws -> Bool {
        let before = try await EmailTokenRecord.query(on: database).filter(\.$id == id).filter(\.$usedAt == nil).count()
        guard before == 1 else { return false }
        try await EmailTokenRecord.query(on: database).filter(\.$id == id).filter(\.$usedAt == nil).set(\.$usedAt, to: clock.now()).update()
        return true
    }

    /// Open invitations, newest first.
    public func openInvitations(limit: Int = 100) async throws -> [EmailToken] {
        try await EmailTokenRecord.query(on: database).filter(\.$purpose == EmailTokenPurpose.invitation.rawValue)
            .filter(\.$usedAt == nil).filter(\.$expiresAt > clock.now()).sort(\.$createdAt, .descending).limit(limit).all()
            .map { record in
                EmailToken(
                    id: try record.requireID(), purpose: .invitation, email: record.email, memberID: record.memberID,
                    createdByID: record.createdByID, expiresAt: record.expiresAt)
            }
    }
}
