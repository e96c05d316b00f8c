import Foundation

/// The rules that turn the community's numbers into next steps for the community management team.
public enum AdviceRule: String, CaseIterable, Codable, Sendable {
    case unansweredTopic = "unanswered_topic"
    case newcomerUnanswered = "newcomer_unanswered"
    case regularGoingQuiet = "regular_going_quiet"
    case groupFalling = "group_falling"
    case flagWaiting = "flag_waiting"
    case ideaWaiting = "idea_waiting"
    case goalOffTrack = "goal_off_track"
    case responseTimeRising = "response_time_rising"

    /// The thresholds each rule reads, in the order the settings form shows them.
    public var parameters: [AdviceParameter] {
        switch self {
        case .unansweredTopic: [.unansweredHours]
        case .newcomerUnanswered: [.newcomerHours]
        case .regularGoingQuiet: [.regularDays, .quietDays]
        case .groupFalling: [.fallingPercent, .fallingMinimum]
        case .flagWaiting: [.flagHours]
        case .ideaWaiting: [.ideaDays]
        case .goalOffTrack: []
        case .responseTimeRising: [.risingPercent]
        }
    }
}

/// An editable threshold, with its default and the range a manager may set.
public enum AdviceParameter: String, CaseIterable, Codable, Sendable {
    case unansweredHours = "unanswered_hours"
    case newcomerHours = "newcomer_hours"
    /// Days with activity in the 60 days before the quiet spell that make a member a regular.
    case regularDays = "regular_days"
    case quietDays = "quiet_days"
    case fallingPercent = "falling_percent"
    /// Posts the group had in the earlier 30 days, at least, for a fall to count.
    case fallingMinimum = "falling_minimum"
    case flagHours = "flag_hours"
    case ideaDays = "idea_days"
    case risingPercent = "rising_percent"

    public var defaultValue: Int {
        switch self {
        case .unansweredHours, .newcomerHours: 24
        case .regularDays: 8
        case .quietDays: 14
        case .fallingPercent: 50
        case .fallingMinimum: 10
        case .flagHours: 48
        case .ideaDays: 14
        case .risingPercent: 25
        }
    }

    public var range: ClosedRange<Int> {
        switch self {
        case .unansweredHours, .newcomerHours, .flagHours: 1...720
        case .regularDays: 2...60
        case .quietDays: 3...90
        case .fallingPercent, .risingPercent: 5...95
        case .fallingMinimum: 1...10_000
        case .ideaDays: 1...180
        }
    }
}

/// The thresholds in force: the defaults, with what the managers changed.
public struct AdviceThresholds: Sendable, Equatable {
    public var values: [AdviceParameter: Int]

    public init(_ values: [AdviceParameter: Int] = [:]) { self.values = values }

    public subscript(_ parameter: AdviceParameter) -> Int {
        get { values[parameter].map { min(max($0, parameter.range.lowerBound), parameter.range.upperBound) } ?? parameter.defaultValue }
        set { values[parameter] = newValue }
    }
}

/// What the rules read, gathered by the store: plain values, so each rule can be checked on a fixture.
public struct AdviceFacts: Sendable {
    public struct Topic: Sendable {
        public let id: UUID
        public let title: String
        public let createdAt: Date
        public let answered: Bool
        public init(id: UUID, title: String, createdAt: Date, answered: Bool) {
            self.id = id
            self.title = title
            self.createdAt = createdAt
            self.answered = answered
        }
    }

    /// A member's first post ever, and whether anyone else posted in its topic after it.
    public struct FirstPost: Sendable {
        public let member: UUID
        public let handle: String
        public let topic: UUID
        public let postedAt: Date
        public let answered: Bool
        public init(member: UUID, handle: String, topic: UUID, postedAt: Date, answered: Bool) {
            self.member = member
            self.handle = handle
            self.topic = topic
            self.postedAt = postedAt
            self.answered = answered
        }
    }

    /// A member's active days in the 60 days before the quiet window, and their last active day.
    public struct Regular: Sendable {
        public let member: UUID
        public let handle: String
        public let activeDays: Int
        public let lastActive: Date
        public init(member: UUID, handle: String, activeDays: Int, lastActive: Date) {
            self.member = member
            self.handle = handle
            self.activeDays = activeDays
            self.lastActive = lastActive
        }
    }

    /// Posts in a group in the last 30 days and in the 30 days before.
    public struct GroupActivity: Sendable {
        public let id: UUID
        public let slug: String
        public let name: String
        public let recent: Int
        public let earlier: Int
        public init(id: UUID, slug: String, name: String, recent: Int, earlier: Int) {
            self.id = id
            self.slug = slug
            self.name = name
            self.recent = recent
            self.earlier = earlier
        }
    }

    public struct Flag: Sendable {
        public let id: UUID
        public let createdAt: Date
        public init(id: UUID, createdAt: Date) {
            self.id = id
            self.createdAt = createdAt
        }
    }

    /// An idea routed to a department that has not answered yet.
    public struct RoutedIdea: Sendable {
        public let id: UUID
        public let title: String
        public let department: String
        public let routedAt: Date
        public init(id: UUID, title: String, department: String, routedAt: Date) {
            self.id = id
            self.title = title
            self.department = department
            self.routedAt = routedAt
        }
    }

    public struct OffTrackGoal: Sendable {
        public let id: UUID
        public let title: String
        public init(id: UUID, title: String) {
            self.id = id
            self.title = title
        }
    }

    public var now: Date
    public var topics: [Topic] = []
    public var firstPosts: [FirstPost] = []
    public var regulars: [Regular] = []
    public var groups: [GroupActivity] = []
    public var openFlags: [Flag] = []
    public var waitingIdeas: [RoutedIdea] = []
    public var offTrackGoals: [OffTrackGoal] = []
    /// Median hours to first response over the last 30 days and the 30 days before (nil: no responses).
    public var responseHoursRecent: Double?
    public var responseHoursEarlier: Double?

    public init(now: Date) { self.now = now }
}

/// One piece of advice: the rule, what it is about (a stable key, so the inbox keeps one item per
/// subject), the figures behind it and where to act.
public struct AdviceFinding: Sendable, Equatable {
    public let rule: AdviceRule
    public let subjectKey: String
    /// Values for the rule's sentence ("title", "hours", "handle" …).
    public let details: [String: String]
    public let link: String

    public init(rule: AdviceRule, subjectKey: String, details: [String: String], link: String) {
        self.rule = rule
        self.subjectKey = subjectKey
        self.details = details
        self.link = link
    }
}

/// The rules themselves. Each looks at its own facts; `evaluate` runs them all.
public enum AdviceEngine {
    public static func evaluate(_ facts: AdviceFacts, thresholds: AdviceThresholds, calendar: Calendar) -> [AdviceFinding] {
        let hours = { (date: Date) in Int(facts.now.timeIntervalSince(date) / 3600) }
        var findings: [AdviceFinding] = []
        let unansweredLimit = Double(thresholds[.unansweredHours]) * 3600
        for topic in facts.topics where !topic.answered && facts.now.timeIntervalSince(topic.createdAt) > unansweredLimit {
            findings.append(
                AdviceFinding(
                    rule: .unansweredTopic, subjectKey: "topic:\(key(topic.id))",
                    details: ["title": topic.title, "hours": String(hours(topic.createdAt))], link: "/t/\(key(topic.id))"))
        }
        let newcomerLimit = Double(thresholds[.newcomerHours]) * 3600
        for post in facts.firstPosts where !post.answered && facts.now.timeIntervalSince(post.postedAt) > newcomerLimit {
            findings.append(
                AdviceFinding(
                    rule: .newcomerUnanswered, subjectKey: "member:\(key(post.member))",
                    details: ["handle": post.handle, "hours": String(hours(post.postedAt))], link: "/t/\(key(post.topic))"))
        }
        let quietSince = calendar.date(byAdding: .day, value: -thresholds[.quietDays], to: calendar.startOfDay(for: facts.now))!
        for regular in facts.regulars where regular.activeDays >= thresholds[.regularDays] && regular.lastActive < quietSince {
            let day = ISO8601DateFormatter.string(from: regular.lastActive, timeZone: calendar.timeZone, formatOptions: [.withFullDate])
            findings.append(
                AdviceFinding(
                    rule: .regularGoingQuiet, subjectKey: "member:\(key(regular.member)):\(day)",
                    details: [
                        "handle": regular.handle, "days": String(regular.activeDays),
                        "quiet": String(calendar.dateComponents([.day], from: regular.lastActive, to: facts.now).day ?? 0),
                    ], link: "/members/\(regular.handle)"))
        }
        for group in facts.groups where group.earlier >= thresholds[.fallingMinimum] {
            let fall = Double(group.earlier - group.recent) / Double(group.earlier) * 100
            guard fall >= Double(thresholds[.fallingPercent]) else { continue }
            findings.append(
                AdviceFinding(
                    rule: .groupFalling, subjectKey: "group:\(key(group.id)):\(week(facts.now, calendar))",
                    details: [
                        "name": group.name, "recent": String(group.recent), "earlier": String(group.earlier),
                        "fall": String(Int(fall.rounded())), "suggestion": group.recent == 0 ? "archive" : "revive",
                    ], link: "/g/\(group.slug)"))
        }
        let flagLimit = Double(thresholds[.flagHours]) * 3600
        for flag in facts.openFlags where facts.now.timeIntervalSince(flag.createdAt) > flagLimit {
            findings.append(
                AdviceFinding(
                    rule: .flagWaiting, subjectKey: "flag:\(key(flag.id))", details: ["hours": String(hours(flag.createdAt))],
                    link: "/moderation"))
        }
        let ideaLimit = Double(thresholds[.ideaDays]) * 86_400
        for idea in facts.waitingIdeas where facts.now.timeIntervalSince(idea.routedAt) > ideaLimit {
            findings.append(
                AdviceFinding(
                    rule: .ideaWaiting, subjectKey: "idea:\(key(idea.id))",
                    details: ["title": idea.title, "department": idea.department, "days": String(hours(idea.routedAt) / 24)],
                    link: "/ideas/\(key(idea.id))"))
        }
        for goal in facts.offTrackGoals {
            findings.append(
                AdviceFinding(rule: .goalOffTrack, subjectKey: "goal:\(key(goal.id))", details: ["title": goal.title], link: "/goals"))
        }
        if let recent = facts.responseHoursRecent, let earlier = facts.responseHoursEarlier, earlier > 0,
            (recent - earlier) / earlier * 100 >= Double(thresholds[.risingPercent])
        {
            findings.append(
                AdviceFinding(
                    rule: .responseTimeRising, subjectKey: "community:\(week(facts.now, calendar))",
                    details: [
                        "recent": String(format: "%.1f", recent), "earlier": String(format: "%.1f", earlier),
                        "rise": String(Int(((recent - earlier) / earlier * 100).rounded())),
                    ], link: "/cockpit"))
        }
        return findings
    }

    private static func key(_ id: UUID) -> String { id.uuidString.lowercased() }

    /// The ISO week of a moment (e.g. 2026-W49): community-wide advice recurs at most weekly.
    private static func week(_ date: Date, _ calendar: Calendar) -> String {
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = calendar.timeZone
        let parts = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        return String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
    }
}

/// Where an item of the action inbox stands. `cleared`: the rule no longer fires for it.
public enum AdviceStatus: String, CaseIterable, Codable, Sendable {
    case open, snoozed, done, cleared
}

/// An item of the action inbox: a finding the team works through.
public struct AdviceItem: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let rule: AdviceRule
    public let subjectKey: String
    public let details: [String: String]
    public let link: String
    public let status: AdviceStatus
    public let assigneeID: UUID?
    public let snoozedUntil: Date?
    public let createdAt: Date
    public let updatedAt: Date

    public init(
        id: UUID, rule: AdviceRule, subjectKey: String, details: [String: String], link: String, status: AdviceStatus, assigneeID: UUID?,
        snoozedUntil: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.rule = rule
        self.subjectKey = subjectKey
        self.details = details
        self.link = link
        self.status = status
        self.assigneeID = assigneeID
        self.snoozedUntil = snoozedUntil
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Open, or snoozed until a moment now past.
    public func isDue(now: Date) -> Bool { status == .open || (status == .snoozed && (snoozedUntil ?? .distantPast) <= now) }
}
