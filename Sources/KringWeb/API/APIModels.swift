import KringCore
import Vapor

/// A member as the API shows them. Private fields are present only for the member themselves and admins.
struct MemberDTO: Content {
    let handle: String
    let displayName: String
    let role: String
    let isStaff: Bool
    let isBot: Bool
    let bio: String
    let organisation: String
    let interests: [String]
    let expertise: [String]
    let memberSince: Date
    let email: String?
    let preferredLanguage: String?
    let lastSeenAt: Date?

    init(_ member: Member, showsPrivate: Bool) {
        handle = member.handle
        displayName = member.displayName
        role = member.role.rawValue
        isStaff = member.isStaff
        isBot = member.isBot
        bio = member.profile.bio
        organisation = member.profile.organisation
        interests = member.profile.interests
        expertise = member.profile.expertise
        memberSince = member.createdAt
        email = showsPrivate ? member.email : nil
        preferredLanguage = showsPrivate ? member.profile.preferredLanguage?.rawValue : nil
        lastSeenAt = showsPrivate ? member.lastSeenAt : nil
    }
}

struct CommunityDTO: Content {
    let name: String
    let tagline: String
    let defaultLanguage: String
    let registrationMode: String
    let readAccess: String
    let timeZone: String

    init(_ settings: CommunitySettings) {
        name = settings.name
        tagline = settings.tagline
        defaultLanguage = settings.defaultLanguage.rawValue
        registrationMode = settings.registrationMode.rawValue
        readAccess = settings.readAccess.rawValue
        timeZone = settings.timeZone
    }
}

struct CommunityPatch: Content {
    var name: String?
    var tagline: String?
    var defaultLanguage: String?
    var registrationMode: String?
    var readAccess: String?
    var timeZone: String?
}

struct ProfilePatch: Content {
    var displayName: String?
    var bio: String?
    var organisation: String?
    var interests: [String]?
    var expertise: [String]?
    /// An empty string clears the choice (the language then follows the browser).
    var preferredLanguage: String?
}

struct TokenRequest: Content {
    var login: String
    var password: String
    var name: String?
}

struct TokenDTO: Content {
    let id: UUID
    let name: String
    let prefix: String
    let createdAt: Date
    let lastUsedAt: Date?
}

struct NewTokenDTO: Content {
    let id: UUID
    let name: String
    /// The secret itself, shown once.
    let token: String
    let createdAt: Date
    let member: MemberDTO
}

struct TokenListDTO: Content {
    let tokens: [TokenDTO]
}
