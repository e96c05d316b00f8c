import Foundation

/// Who is asking: an anonymous visitor or a signed-in member with a role.
public struct Actor: Sendable, Equatable {
    public let memberID: UUID?
    public let role: Role?
    public let isStaff: Bool
    /// An automated account: its actions are logged as a bot's, so member figures leave them out.
    public let isBot: Bool
    /// Granted by an admin: may read the cockpit, goals and reports without being a manager.
    public let cockpitAccess: Bool

    public static let anonymous = Actor(memberID: nil, role: nil, isStaff: false)

    public init(memberID: UUID?, role: Role?, isStaff: Bool, isBot: Bool = false, cockpitAccess: Bool = false) {
        self.memberID = memberID
        self.role = role
        self.isStaff = isStaff
        self.isBot = isBot
        self.cockpitAccess = cockpitAccess
    }

    public var isSignedIn: Bool { memberID != nil }

    /// True when the actor holds at least the given role.
    public func has(_ minimum: Role) -> Bool {
        guard let role else { return false }
        return role >= minimum
    }
}

/// Something an actor wants to do. Resources that belong to someone carry the owner's id.
public enum Action: Sendable, Equatable {
    /// Read pages and profiles of the community.
    case readCommunity
    case editCommunitySettings
    case assignRoles
    case viewMailLog
    case approveMembers
    case inviteMembers
    case viewMemberList
    /// The community management team's tools: set goals, write and publish reports, work the
    /// action inbox, assess maturity, route ideas.
    case viewCockpit
    /// Read the cockpit's figures, goals, published reports and the success log: the team, and
    /// members an admin granted it (stakeholders).
    case readCockpit
    /// Read the strategy canvas, which its managers opened to this role and up.
    case readStrategy(readers: Role)
    case moderateContent
    /// Edit a member's profile.
    case editProfile(of: UUID)
    /// See a member's e-mail address and account details.
    case viewPrivateProfile(of: UUID)
    case manageAccessTokens(of: UUID)
}

/// The outcome of a permission check.
public enum Decision: Sendable, Equatable {
    case allow
    /// Denied because the actor must sign in first.
    case signInRequired
    /// Denied to a signed-in actor.
    case forbidden

    public var isAllowed: Bool { self == .allow }
}

/// The one permission policy: every page, API call and job asks it, so a rule lives in one place.
public enum Policy {
    public static func decide(_ actor: Actor, _ action: Action, readAccess: ReadAccess) -> Decision {
        switch action {
        case .readCommunity:
            return readAccess == .public || actor.isSignedIn ? .allow : .signInRequired
        case .viewMemberList:
            return requireSignedIn(actor) { _ in true }
        case .editCommunitySettings, .assignRoles, .viewMailLog:
            return requireSignedIn(actor) { $0.has(.admin) }
        case .approveMembers, .inviteMembers, .viewCockpit:
            return requireSignedIn(actor) { $0.has(.manager) }
        case .readCockpit:
            return requireSignedIn(actor) { $0.has(.manager) || $0.cockpitAccess }
        case .readStrategy(let readers):
            return requireSignedIn(actor) { $0.has(.manager) || $0.has(readers) }
        case .moderateContent:
            return requireSignedIn(actor) { $0.has(.moderator) }
        case .editProfile(let owner), .manageAccessTokens(let owner):
            return requireSignedIn(actor) { $0.memberID == owner }
        case .viewPrivateProfile(let owner):
            return requireSignedIn(actor) { $0.memberID == owner || $0.has(.admin) }
        }
    }

    private static func requireSignedIn(_ actor: Actor, _ rule: (Actor) -> Bool) -> Decision {
        guard actor.isSignedIn else { return .signInRequired }
        return rule(actor) ? .allow : .forbidden
    }
}
