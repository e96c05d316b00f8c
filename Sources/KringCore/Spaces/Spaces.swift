import Foundation

/// Who can see a group and how people join it.
public enum GroupVisibility: String, Codable, CaseIterable, Sendable {
    /// Anyone who may read the community reads it and may join.
    case open
    /// Listed for everyone; content for members only; joining is by request that a group manager approves.
    case closed
    /// Invisible to non-members; joining by invitation only.
    case secret
}

/// A member's part in a group.
public enum GroupRole: String, Codable, CaseIterable, Sendable {
    case member
    case manager
}

/// Where a membership stands.
public enum MembershipStatus: String, Codable, CaseIterable, Sendable {
    case active
    /// Asked to join a closed group; a group manager decides.
    case requested
    /// Invited by a group manager; the member accepts or declines.
    case invited
}

/// A group as pages and the API see it.
public struct Group: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var slug: String
    public var name: String
    public var description: String
    public var welcomeMessage: String
    public var visibility: GroupVisibility
    public var isArchived: Bool
    public var memberCount: Int
    public var topicCount: Int
    public var createdAt: Date
    public var lastActivityAt: Date

    public init(
        id: UUID, slug: String, name: String, description: String, welcomeMessage: String, visibility: GroupVisibility,
        isArchived: Bool, memberCount: Int, topicCount: Int, createdAt: Date, lastActivityAt: Date
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.description = description
        self.welcomeMessage = welcomeMessage
        self.visibility = visibility
        self.isArchived = isArchived
        self.memberCount = memberCount
        self.topicCount = topicCount
        self.createdAt = createdAt
        self.lastActivityAt = lastActivityAt
    }
}

/// A member's membership of a group.
public struct Membership: Sendable, Equatable {
    public let groupID: UUID
    public let memberID: UUID
    public var role: GroupRole
    public var status: MembershipStatus
    public var createdAt: Date

    public init(groupID: UUID, memberID: UUID, role: GroupRole, status: MembershipStatus, createdAt: Date) {
        self.groupID = groupID
        self.memberID = memberID
        self.role = role
        self.status = status
        self.createdAt = createdAt
    }

    public var isActive: Bool { status == .active }
    public var isManager: Bool { status == .active && role == .manager }
}

/// The rules of who reads, lists and manages a group. Queries in the store implement the same
/// rules in SQL (`GroupVisibilityFilter`); tests check the two agree.
public enum GroupAccess {
    /// Moderators and administrators read every group: they must be able to moderate anything.
    public static func seesEverything(_ actor: Actor) -> Bool { actor.has(.moderator) }

    /// Whether the actor may read the group's content (topics, replies, member list).
    public static func canRead(_ group: Group, actor: Actor, membership: Membership?) -> Bool {
        if seesEverything(actor) { return true }
        switch group.visibility {
        case .open: return true
        case .closed, .secret: return membership?.isActive == true
        }
    }

    /// Whether the group shows up for the actor at all (its name and description).
    public static func canSee(_ group: Group, actor: Actor, membership: Membership?) -> Bool {
        if seesEverything(actor) { return true }
        switch group.visibility {
        case .open, .closed: return true
        case .secret: return membership != nil && membership?.status != .requested
        }
    }

    /// Whether the actor may post in the group: readers who are active members (or staff); never in an archive.
    public static func canPost(in group: Group, actor: Actor, membership: Membership?) -> Bool {
        guard actor.isSignedIn, !group.isArchived else { return false }
        if seesEverything(actor) { return true }
        return membership?.isActive == true
    }

    /// Whether the actor manages the group: its managers, community managers and administrators.
    public static func canManage(_ group: Group, actor: Actor, membership: Membership?) -> Bool {
        actor.has(.manager) || membership?.isManager == true
    }
}

/// Rules for group input.
public enum GroupRules {
    public static let nameMaxLength = 80
    public static let textMaxLength = 5000

    public static func name(_ raw: String) throws(ValidationFailure) -> String {
        let name = MemberRules.singleLine(raw)
        guard !name.isEmpty else { throw ValidationFailure(field: "name", code: "required") }
        guard name.count <= nameMaxLength else { throw ValidationFailure(field: "name", code: "too_long") }
        return name
    }

    public static func text(_ raw: String, field: String) throws(ValidationFailure) -> String {
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= textMaxLength else { throw ValidationFailure(field: field, code: "too_long") }
        return text
    }

    /// A URL-friendly name made from the group's name: lower-case ASCII letters, digits and dashes.
    public static func slug(from name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en")).lowercased()
        var slug = ""
        for character in folded {
            if character.isASCII && (character.isLetter || character.isNumber) {
                slug.append(character)
            } else if !slug.hasSuffix("-") {
                slug.append("-")
            }
        }
        let trimmed = slug.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "group" : String(trimmed.prefix(60))
    }
}
