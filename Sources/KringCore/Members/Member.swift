import Foundation

/// A member of the community as the rest of the system sees them.
public struct Member: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var handle: String
    public var displayName: String
    public var email: String
    public var role: Role
    public var isStaff: Bool
    /// An automated account (an integration, an importer's stand-in): left out of member figures.
    public var isBot = false
    /// May read the cockpit without being a manager (a stakeholder, say).
    public var cockpitAccess = false
    public var status: MemberStatus
    public var profile: MemberProfile
    public var createdAt: Date
    public var lastSeenAt: Date?
    /// Why the account waits for approval beyond the registration mode (e.g. "registration_burst").
    public var pendingReason: String?
    /// The house-rules version the member last accepted (0: none).
    public var acceptedRulesVersion = 0

    public init(
        id: UUID, handle: String, displayName: String, email: String, role: Role, isStaff: Bool,
        status: MemberStatus, profile: MemberProfile, createdAt: Date, lastSeenAt: Date?
    ) {
        self.id = id
        self.handle = handle
        self.displayName = displayName
        self.email = email
        self.role = role
        self.isStaff = isStaff
        self.status = status
        self.profile = profile
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }

    public var actor: Actor { Actor(memberID: id, role: role, isStaff: isStaff, isBot: isBot, cockpitAccess: cockpitAccess) }
}

/// What a member tells about themselves.
public struct MemberProfile: Sendable, Equatable, Codable {
    public var bio: String
    public var organisation: String
    public var interests: [String]
    public var expertise: [String]
    public var preferredLanguage: Language?

    public init(
        bio: String = "", organisation: String = "", interests: [String] = [], expertise: [String] = [],
        preferredLanguage: Language? = nil
    ) {
        self.bio = bio
        self.organisation = organisation
        self.interests = interests
        self.expertise = expertise
        self.preferredLanguage = preferredLanguage
    }
}

/// What kind of tag ties a member to a subject.
public enum MemberTagKind: String, Codable, CaseIterable, Sendable {
    case interest
    case expertise
}

/// The data a new account starts with, already validated.
public struct NewMember: Sendable {
    public var handle: String
    public var displayName: String
    public var email: String
    public var passwordHash: String
    public var role: Role
    public var isStaff: Bool
    public var isBot: Bool
    public var status: MemberStatus
    public var profile: MemberProfile

    public init(
        handle: String, displayName: String, email: String, passwordHash: String, role: Role = .member,
        isStaff: Bool = false, isBot: Bool = false, status: MemberStatus = .active, profile: MemberProfile = MemberProfile()
    ) {
        self.isBot = isBot
        self.handle = handle
        self.displayName = displayName
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.isStaff = isStaff
        self.status = status
        self.profile = profile
    }
}
