import Foundation

/// What a notification is about. Raw values are stored; never rename one.
public enum NotificationKind: String, Codable, CaseIterable, Sendable {
    /// A reply to my topic or to my post.
    case reply
    case mention
    case reaction
    /// My reply was accepted as the answer.
    case solution
    /// Someone asks to join a group I manage.
    case joinRequest = "join_request"
    /// My request to join was approved.
    case joinApproved = "join_approved"
    /// My request to join was declined.
    case joinDeclined = "join_declined"
    /// I was invited to a group.
    case invitation
    /// A moderator upheld my flag.
    case flagUpheld = "flag_upheld"
    /// A moderator did not uphold my flag.
    case flagDismissed = "flag_dismissed"
    /// A moderator hid or removed something I wrote.
    case contentRemoved = "content_removed"
    /// A moderator gave me a warning or another sanction.
    case sanction
    /// A place freed up at an event I was waiting for.
    case eventPromoted = "event_promoted"
    /// An event I answered is about to start.
    case eventReminder = "event_reminder"
    /// An idea I submitted or voted for got an official response.
    case ideaResponse = "idea_response"
    /// The community management team invites me to an event.
    case eventInvitation = "event_invitation"
    /// A term I watch (listening, for the team) was mentioned in a new post.
    case watchedTerm = "watched_term"

    /// Whether mail goes out for this kind when the member has not chosen.
    public var defaultEmail: EmailFrequency {
        switch self {
        case .mention, .solution, .invitation, .joinApproved, .joinRequest, .contentRemoved, .sanction, .eventPromoted, .eventReminder,
            .ideaResponse, .eventInvitation:
            .immediately
        case .reply, .watchedTerm: .daily
        case .reaction, .joinDeclined, .flagUpheld, .flagDismissed: .never
        }
    }
}

/// How often a member wants mail about a kind of notification.
public enum EmailFrequency: String, Codable, CaseIterable, Sendable {
    case never
    case immediately
    /// Collected into one summary a day.
    case daily
}

/// A member's choice for one kind of notification.
public struct NotificationPreference: Sendable, Equatable {
    public let kind: NotificationKind
    public var inApp: Bool
    public var email: EmailFrequency

    public init(kind: NotificationKind, inApp: Bool, email: EmailFrequency) {
        self.kind = kind
        self.inApp = inApp
        self.email = email
    }

    public static func standard(_ kind: NotificationKind) -> NotificationPreference {
        NotificationPreference(kind: kind, inApp: true, email: kind.defaultEmail)
    }
}

/// A notification as the member sees it.
public struct NotificationItem: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let kind: NotificationKind
    public let actorName: String?
    public let actorHandle: String?
    public let topicID: UUID?
    public let topicTitle: String?
    public let postNumber: Int?
    public let groupSlug: String?
    public let groupName: String?
    public let createdAt: Date
    public let isRead: Bool
    /// For event notifications: the event and its title.
    public var eventID: UUID?
    public var eventTitle: String?
    /// For idea notifications: the idea and its title.
    public var ideaID: UUID?
    public var ideaTitle: String?

    public init(
        id: UUID, kind: NotificationKind, actorName: String?, actorHandle: String?, topicID: UUID?, topicTitle: String?, postNumber: Int?,
        groupSlug: String?, groupName: String?, createdAt: Date, isRead: Bool
    ) {
        self.id = id
        self.kind = kind
        self.actorName = actorName
        self.actorHandle = actorHandle
        self.topicID = topicID
        self.topicTitle = topicTitle
        self.postNumber = postNumber
        self.groupSlug = groupSlug
        self.groupName = groupName
        self.createdAt = createdAt
        self.isRead = isRead
    }
}
