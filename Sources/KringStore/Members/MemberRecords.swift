import FluentKit
import Foundation
import KringCore

final class MemberRecord: Model, @unchecked Sendable {
    static let schema = "members"

    @ID(key: .id) var id: UUID?
    @Field(key: "handle") var handle: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "email") var email: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @Field(key: "is_staff") var isStaff: Bool
    @Field(key: "is_bot") var isBot: Bool
    @Field(key: "cockpit_access") var cockpitAccess: Bool
    @Field(key: "status") var status: String
    @Field(key: "bio") var bio: String
    @Field(key: "organisation") var organisation: String
    @OptionalField(key: "preferred_language") var preferredLanguage: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "last_seen_at") var lastSeenAt: Date?
    /// Why an account waits for approval beyond the registration mode (e.g. a registration burst).
    @OptionalField(key: "pending_reason") var pendingReason: String?
    /// The house-rules version the member accepted.
    @OptionalField(key: "accepted_rules_version") var acceptedRulesVersion: Int?
    @OptionalField(key: "registration_ip") var registrationIP: String?
    /// The secret in the member's personal calendar feed URL (read-only, regenerable).
    @OptionalField(key: "calendar_token") var calendarToken: String?

    init() {}

    func domain(interests: [String] = [], expertise: [String] = []) throws -> Member {
        var member = Member(
            id: try requireID(), handle: handle, displayName: displayName, email: email,
            role: Role(rawValue: role) ?? .member, isStaff: isStaff,
            status: MemberStatus(rawValue: status) ?? .pending,
            profile: MemberProfile(
                bio: bio, organisation: organisation, interests: interests, expertise: expertise,
                preferredLanguage: preferredLanguage.flatMap(Language.init(rawValue:))),
            createdAt: createdAt, lastSeenAt: lastSeenAt)
        member.isBot = isBot
        member.cockpitAccess = cockpitAccess
        member.pendingReason = pendingReason
        member.acceptedRulesVersion = acceptedRulesVersion ?? 0
        return member
    }
}

final class TagRecord: Model, @unchecked Sendable {
    static let schema = "tags"

    @ID(key: .id) var id: UUID?
    /// The normalised name, unique: what members type, lower-cased.
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    /// What the tag means, written by a community manager.
    @OptionalField(key: "description") var about: String?

    init() {}
}

final class MemberTagRecord: Model, @unchecked Sendable {
    static let schema = "member_tags"

    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "tag_id") var tagID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "position") var position: Int

    init() {}
}
