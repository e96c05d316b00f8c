import FluentKit
import Foundation

final class SessionRecord: Model, @unchecked Sendable {
    static let schema = "sessions"

    @ID(key: .id) var id: UUID?
    /// SHA-256 of the cookie value; the cookie itself is never stored.
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "ip_address") var ipAddress: String
    @Field(key: "user_agent") var userAgent: String

    init() {}
}

final class AccessTokenRecord: Model, @unchecked Sendable {
    static let schema = "access_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    /// The first characters of the token, shown in lists so a member can tell tokens apart.
    @Field(key: "token_prefix") var tokenPrefix: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

/// A one-time secret sent by e-mail: a password reset or an invitation.
final class EmailTokenRecord: Model, @unchecked Sendable {
    static let schema = "email_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "purpose") var purpose: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "email") var email: String
    @OptionalField(key: "member_id") var memberID: UUID?
    @OptionalField(key: "created_by_id") var createdByID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    /// For invitations sent from a group: the group the invitee joins on registering.
    @OptionalField(key: "group_id") var groupID: UUID?

    init() {}
}
