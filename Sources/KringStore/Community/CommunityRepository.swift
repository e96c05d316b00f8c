import FluentKit
import Foundation
import KringCore

/// The community's single settings row and the installation's own secrets.
public struct CommunityRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// The settings, or nil before setup has run.
    public func settings() async throws -> CommunitySettings? {
        try await CommunityRecord.query(on: database).first()?.settings
    }

    /// The settings and the moderation settings in one read (every request needs both).
    /// When the community was set up (nil before setup).
    public func createdAt() async throws -> Date? {
        try await CommunityRecord.query(on: database).first()?.createdAt
    }

    public func settingsWithModeration() async throws -> (CommunitySettings, ModerationSettings)? {
        guard let record = try await CommunityRecord.query(on: database).first() else { return nil }
        return (record.settings, record.moderation)
    }

    /// Creates the community and its first administrator in one transaction.
    /// - Throws: `SetupError.alreadyDone` when a community exists, `ValidationFailure` for a taken handle or e-mail.
    public func setUp(_ settings: CommunitySettings, administrator: NewMember) async throws -> Member {
        try await database.writeTransaction { tx in
            guard try await CommunityRecord.query(on: tx).count() == 0 else { throw SetupError.alreadyDone }
            let now = clock.now()
            let record = CommunityRecord()
            record.apply(settings)
            record.createdAt = now
            record.updatedAt = now
            record.moderation = ModerationSettings()
            record.documents = DocumentSettings()
            record.erasurePolicy = ErasurePolicy.anonymise.rawValue
            try await record.create(on: tx)
            var admin = administrator
            admin.role = .admin
            admin.status = .active
            let member = try await MemberRepository(database: tx, clock: clock).create(admin)
            try await ActivityLog(database: tx, clock: clock).record(
                .communitySetup, by: member.actor, subjectType: "community", subjectID: record.id)
            return member
        }
    }

    public func update(_ settings: CommunitySettings, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await CommunityRecord.query(on: tx).first() else { throw StoreError.notFound }
            record.apply(settings)
            record.updatedAt = clock.now()
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .settingsChange, by: actor, subjectType: "community", subjectID: record.id)
        }
    }

    /// The community's moderation settings (defaults before setup).
    public func moderationSettings() async throws -> ModerationSettings {
        try await CommunityRecord.query(on: database).first()?.moderation ?? ModerationSettings()
    }

    public func setModerationSettings(_ settings: ModerationSettings) async throws {
        guard let record = try await CommunityRecord.query(on: database).first() else { throw StoreError.notFound }
        record.moderation = settings
        try await record.save(on: database)
    }

    /// What admins allow into document libraries (defaults before setup).
    public func documentSettings() async throws -> DocumentSettings {
        try await CommunityRecord.query(on: database).first()?.documents ?? DocumentSettings()
    }

    public func setDocumentSettings(_ settings: DocumentSettings, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await CommunityRecord.query(on: tx).first() else { throw StoreError.notFound }
            record.documents = settings
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .settingsChange, by: actor, subjectType: "community", subjectID: record.id)
        }
    }

    /// What erasing an account does with the member's posts (anonymise before setup).
    public func erasurePolicy() async throws -> ErasurePolicy {
        try await CommunityRecord.query(on: database).first().flatMap { ErasurePolicy(rawValue: $0.erasurePolicy) } ?? .anonymise
    }

    public func setErasurePolicy(_ policy: ErasurePolicy, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await CommunityRecord.query(on: tx).first() else { throw StoreError.notFound }
            record.erasurePolicy = policy.rawValue
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .settingsChange, by: actor, subjectType: "community", subjectID: record.id)
        }
    }

    /// The installation secret with this name, created with `generate` on first use. When two processes
    /// race, the unique index keeps one and both read it back.
    public func secret(named name: String, generate: @Sendable () -> String) async throws -> String {
        if let existing = try await InstanceSecretRecord.query(on: database).filter(\.$name == name).first() {
            return existing.value
        }
        let record = InstanceSecretRecord()
        record.name = name
        record.value = generate()
        do {
            try await record.create(on: database)
            return record.value
        } catch {
            guard (error as? any DatabaseError)?.isConstraintFailure == true,
                let existing = try await InstanceSecretRecord.query(on: database).filter(\.$name == name).first()
            else { throw error }
            return existing.value
        }
    }
}

public enum SetupError: Error, Sendable {
    case alreadyDone
}

extension CommunityRecord {
    var moderation: ModerationSettings {
        get {
            ModerationSettings(
                flagThreshold: flagThreshold, newcomerHeldPosts: newcomerHeldPosts, newcomerMaxLinks: newcomerMaxLinks,
                postsPerMinute: postsPerMinute, postsPerHour: postsPerHour, rulesVersion: rulesVersion)
        }
        set {
            flagThreshold = newValue.flagThreshold
            newcomerHeldPosts = newValue.newcomerHeldPosts
            newcomerMaxLinks = newValue.newcomerMaxLinks
            postsPerMinute = newValue.postsPerMinute
            postsPerHour = newValue.postsPerHour
            rulesVersion = newValue.rulesVersion
        }
    }
}

extension CommunityRecord {
    var documents: DocumentSettings {
        get {
            DocumentSettings(
                maxUploadBytes: uploadMaxBytes,
                allowedKinds: Set(uploadKinds.split(separator: ",").compactMap { FileKind(rawValue: String($0)) }))
        }
        set {
            uploadMaxBytes = newValue.maxUploadBytes
            uploadKinds = FileKind.allCases.filter(newValue.allowedKinds.contains).map(\.rawValue).joined(separator: ",")
        }
    }
}
