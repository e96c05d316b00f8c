import Foundation

/// Mail a member receives without asking for each message, and can turn off with one click from
/// the mail itself (RFC 8058) or on their notification settings.
public enum MailList: String, CaseIterable, Codable, Sendable {
    /// E-mailed notifications (replies, mentions, …); turning it off sets every kind to "in the app only".
    case notifications
    /// The monthly member update, or the weekly digest for members who chose it.
    case memberUpdate = "member_update"
    /// The friendly "we miss you" mail to members at risk of dropping out.
    case nudges
    /// Messages the team sends to a segment of members.
    case announcements
}

/// How often a member wants the member update.
public enum UpdateFrequency: String, CaseIterable, Codable, Sendable {
    case monthly, weekly, never

    public static let standard = UpdateFrequency.monthly
}

/// The period a member update covers: a calendar month, or an ISO week (Monday to Sunday), in the
/// community's time zone. Its key ("2026-11", "2026-W48") makes sending it idempotent.
public struct UpdatePeriod: Sendable, Equatable {
    public let frequency: UpdateFrequency
    public let start: Date
    public let end: Date
    public let key: String

    /// The period `now` falls in, up to now: what the next update will hold so far (the cockpit's preview).
    public static func current(_ frequency: UpdateFrequency, at now: Date, in timeZone: TimeZone) -> UpdatePeriod? {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let unit: Calendar.Component = frequency == .weekly ? .weekOfYear : .month
        guard frequency != .never, let interval = calendar.dateInterval(of: unit, for: now),
            let whole = previous(frequency, before: interval.end.addingTimeInterval(1), in: timeZone)
        else { return nil }
        // A minute past now, so what was posted this very moment is in.
        return UpdatePeriod(frequency: frequency, start: interval.start, end: now.addingTimeInterval(60), key: whole.key)
    }

    /// The last whole period before `now`: last month for the monthly update, last week for the weekly digest.
    public static func previous(_ frequency: UpdateFrequency, before now: Date, in timeZone: TimeZone) -> UpdatePeriod? {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        switch frequency {
        case .never:
            return nil
        case .monthly:
            guard let thisMonth = calendar.dateInterval(of: .month, for: now),
                let last = calendar.dateInterval(of: .month, for: thisMonth.start.addingTimeInterval(-1))
            else { return nil }
            let parts = calendar.dateComponents([.year, .month], from: last.start)
            return UpdatePeriod(
                frequency: .monthly, start: last.start, end: last.end,
                key: String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0))
        case .weekly:
            guard let thisWeek = calendar.dateInterval(of: .weekOfYear, for: now),
                let last = calendar.dateInterval(of: .weekOfYear, for: thisWeek.start.addingTimeInterval(-1))
            else { return nil }
            let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: last.start)
            return UpdatePeriod(
                frequency: .weekly, start: last.start, end: last.end,
                key: String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0))
        }
    }
}

/// When the nudge job may mail a member at risk: only when the team turned nudges on, never twice
/// within `minimumDaysBetween`, and at most `maximumUnanswered` times in a row while the member
/// stays away — a member who does not come back after a few friendly mails is left in peace.
public struct NudgePolicy: Sendable, Equatable, Codable {
    public var enabled: Bool
    public var minimumDaysBetween: Int
    public var maximumUnanswered: Int

    public static let standard = NudgePolicy(enabled: false, minimumDaysBetween: 30, maximumUnanswered: 2)
    public static let daysRange = 7...365
    public static let unansweredRange = 1...12

    public init(enabled: Bool, minimumDaysBetween: Int, maximumUnanswered: Int) {
        self.enabled = enabled
        self.minimumDaysBetween = minimumDaysBetween
        self.maximumUnanswered = maximumUnanswered
    }

    /// Whether a nudge may go out now, given the nudges already sent and when the member was last seen.
    public func allows(sentAt nudges: [Date], lastSeen: Date?, now: Date) -> Bool {
        guard enabled else { return false }
        if let latest = nudges.max(), now.timeIntervalSince(latest) < Double(minimumDaysBetween) * 86_400 { return false }
        // Nudges since the member's last visit went unanswered.
        let unanswered = nudges.filter { sent in lastSeen.map { sent > $0 } ?? true }.count
        return unanswered < maximumUnanswered
    }
}

/// What the member update may hold before it is cut to one member's view: the period's busiest
/// topics, the coming month's events and the period's new members, each with the group it lives in.
public struct DigestCandidates: Sendable, Equatable {
    public struct Topic: Sendable, Equatable {
        public let id: UUID
        public let title: String
        public let groupID: UUID?
        public let replies: Int

        public init(id: UUID, title: String, groupID: UUID?, replies: Int) {
            self.id = id
            self.title = title
            self.groupID = groupID
            self.replies = replies
        }
    }

    public struct Event: Sendable, Equatable {
        public let id: UUID
        public let title: String
        public let groupID: UUID?
        public let startsAt: Date

        public init(id: UUID, title: String, groupID: UUID?, startsAt: Date) {
            self.id = id
            self.title = title
            self.groupID = groupID
            self.startsAt = startsAt
        }
    }

    public struct Newcomer: Sendable, Equatable {
        public let id: UUID
        public let handle: String
        public let displayName: String

        public init(id: UUID, handle: String, displayName: String) {
            self.id = id
            self.handle = handle
            self.displayName = displayName
        }
    }

    public var topics: [Topic]
    public var events: [Event]
    public var newcomers: [Newcomer]
    /// Open groups: anyone may read them. Other groups' content reaches only their active members.
    public var openGroupIDs: Set<UUID>

    public init(topics: [Topic], events: [Event], newcomers: [Newcomer], openGroupIDs: Set<UUID>) {
        self.topics = topics
        self.events = events
        self.newcomers = newcomers
        self.openGroupIDs = openGroupIDs
    }

    /// The part one member may see: community-wide items, open groups' and their own groups'.
    public func visible(to memberID: UUID, activeGroups: Set<UUID>, topicLimit: Int = 5, eventLimit: Int = 5, newcomerLimit: Int = 8)
        -> DigestCandidates
    {
        func readable(_ groupID: UUID?) -> Bool {
            guard let groupID else { return true }
            return openGroupIDs.contains(groupID) || activeGroups.contains(groupID)
        }
        return DigestCandidates(
            topics: Array(topics.filter { readable($0.groupID) }.prefix(topicLimit)),
            events: Array(events.filter { readable($0.groupID) }.prefix(eventLimit)),
            newcomers: Array(newcomers.filter { $0.id != memberID }.prefix(newcomerLimit)), openGroupIDs: openGroupIDs)
    }

    public var isEmpty: Bool { topics.isEmpty && events.isEmpty && newcomers.isEmpty }
}
