import FluentKit
import Foundation
import KringCore

final class FlagRecord: Model, @unchecked Sendable {
    static let schema = "flags"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "post_id") var postID: UUID?
    /// Set for flags on a member's profile.
    @OptionalField(key: "member_id") var memberID: UUID?
    /// Set for flags on an event or a document.
    @OptionalField(key: "event_id") var eventID: UUID?
    @OptionalField(key: "document_id") var documentID: UUID?
    /// nil when Kring raised the flag itself (a watched word, a spam heuristic); the note says why.
    @OptionalField(key: "flagger_id") var flaggerID: UUID?
    @Field(key: "reason") var reason: String
    @Field(key: "note") var note: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    @OptionalField(key: "resolution") var resolution: String?
    @OptionalField(key: "resolved_by_id") var resolvedByID: UUID?

    init() {}
}

final class SanctionRecord: Model, @unchecked Sendable {
    static let schema = "sanctions"

    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "reason") var reason: String
    @Field(key: "starts_at") var startsAt: Date
    @OptionalField(key: "ends_at") var endsAt: Date?
    @OptionalField(key: "created_by_id") var createdByID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "lifted_at") var liftedAt: Date?
    @OptionalField(key: "lifted_by_id") var liftedByID: UUID?

    init() {}

    func domain() throws -> Sanction {
        Sanction(
            id: try requireID(), memberID: memberID, kind: SanctionKind(rawValue: kind) ?? .warning, reason: reason, startsAt: startsAt,
            endsAt: endsAt, createdByID: createdByID, liftedAt: liftedAt)
    }
}

final class BlockedIdentityRecord: Model, @unchecked Sendable {
    static let schema = "blocked_identities"

    @ID(key: .id) var id: UUID?
    /// "email" or "handle".
    @Field(key: "kind") var kind: String
    @Field(key: "value") var value: String
    @OptionalField(key: "sanction_id") var sanctionID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class StaffActionRecord: Model, @unchecked Sendable {
    static let schema = "staff_actions"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_handle") var actorHandle: String
    @Field(key: "action") var action: String
    @Field(key: "subject_type") var subjectType: String
    @OptionalField(key: "subject_id") var subjectID: UUID?
    @Field(key: "subject_label") var subjectLabel: String
    @Field(key: "reason") var reason: String
    @Field(key: "before_value") var before: String
    @Field(key: "after_value") var after: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class WatchedWordRecord: Model, @unchecked Sendable {
    static let schema = "watched_words"

    @ID(key: .id) var id: UUID?
    @Field(key: "pattern") var pattern: String
    @Field(key: "action") var action: String
    @Field(key: "case_sensitive") var caseSensitive: Bool
    @Field(key: "replacement") var replacement: String
    @Field(key: "tag") var tag: String
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func domain() throws -> WatchedWord {
        WatchedWord(
            id: try requireID(), pattern: pattern, action: WatchedWordAction(rawValue: action) ?? .flag, caseSensitive: caseSensitive,
            replacement: replacement, tag: tag, enabled: enabled)
    }
}
