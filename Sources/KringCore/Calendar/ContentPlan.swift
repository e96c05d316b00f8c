import Foundation

/// What a content-calendar item becomes when it is published.
public enum ContentItemKind: String, CaseIterable, Codable, Sendable {
    /// A topic in the target group (or community-wide).
    case post
    /// A topic pinned at the top of its list.
    case announcement
    /// An event on the events page.
    case event
}

/// Where an item is on its way from idea to the community.
public enum ContentItemStatus: String, CaseIterable, Codable, Sendable {
    case idea, draft, scheduled, published

    /// The statuses a person may choose; "published" is reached by publishing.
    public static let choosable: [ContentItemStatus] = [.idea, .draft, .scheduled]
}

/// One planned piece of content: a post, announcement or event with its owner, target group and
/// moment. Scheduled items publish themselves at `scheduledAt` (the job), as their owner.
public struct ContentItem: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var title: String
    public var kind: ContentItemKind
    public var status: ContentItemStatus
    public var ownerID: UUID
    /// The target group; nil is the whole community.
    public var groupID: UUID?
    /// When it is planned (for an event: when it is announced); ideas may have none yet.
    public var scheduledAt: Date?
    /// The text of the post or announcement, or the event's description (Markdown).
    public var body: String
    /// Events only: when the event itself takes place, and where.
    public var eventStartsAt: Date?
    public var eventEndsAt: Date?
    public var location: String
    /// The team's own notes, never published.
    public var notes: String
    /// What publishing made: "topic:<id>" or "event:<id>".
    public var publishedAs: String?
    public var publishedAt: Date?
    /// A failure the job met while publishing (the item stays scheduled).
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID = UUID(), title: String, kind: ContentItemKind, status: ContentItemStatus, ownerID: UUID, groupID: UUID?,
        scheduledAt: Date?, body: String, eventStartsAt: Date? = nil, eventEndsAt: Date? = nil, location: String = "", notes: String = "",
        publishedAs: String? = nil, publishedAt: Date? = nil, lastError: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.title = title
        self.kind = kind
        self.status = status
        self.ownerID = ownerID
        self.groupID = groupID
        self.scheduledAt = scheduledAt
        self.body = body
        self.eventStartsAt = eventStartsAt
        self.eventEndsAt = eventEndsAt
        self.location = location
        self.notes = notes
        self.publishedAs = publishedAs
        self.publishedAt = publishedAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The checks an item must pass, field by field, so a form shows every problem at once.
public enum ContentPlanRules {
    public static let titleMaxLength = 150
    public static let bodyMaxLength = 20_000
    public static let notesMaxLength = 2_000

    /// Checks the whole item: a title always; a moment once it is scheduled; a text for posts and
    /// announcements that will publish; an event's own time after it is announced.
    public static func validate(_ item: ContentItem, now: Date, isNew: Bool) throws(ValidationFailure) {
        var errors = FieldErrorCollector()
        if item.title.isEmpty {
            errors.add("title", "required")
        } else if item.title.count > titleMaxLength {
            errors.add("title", "too_long")
        }
        if item.body.count > bodyMaxLength { errors.add("body", "too_long") }
        if item.notes.count > notesMaxLength { errors.add("notes", "too_long") }
        if item.location.count > 200 { errors.add("location", "too_long") }
        if item.status == .scheduled {
            if item.scheduledAt == nil { errors.add("scheduled_at", "required") }
            // It will become a topic: a topic's title rules apply.
            if item.kind != .event, !item.title.isEmpty, item.title.count < PostRules.titleLength.lowerBound {
                errors.add("title", "title.short")
            }
            if item.kind != .event, item.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.add("body", "required") }
        }
        if item.kind == .event, item.status == .scheduled {
            if let start = item.eventStartsAt, let end = item.eventEndsAt {
                if end <= start { errors.add("event_ends_at", "event.end_before_start") }
                if let announced = item.scheduledAt, start < announced {
                    errors.add("event_starts_at", "calendar.event_before_announcement")
                }
            } else {
                if item.eventStartsAt == nil { errors.add("event_starts_at", "required") }
                if item.eventEndsAt == nil { errors.add("event_ends_at", "required") }
            }
        }
        try errors.throwIfAny()
    }

    /// Whether the job should publish the item now.
    public static func isDue(_ item: ContentItem, now: Date) -> Bool {
        item.status == .scheduled && (item.scheduledAt.map { $0 <= now } ?? false)
    }
}

/// A month or ISO week of the calendar in the community's time zone, with its weeks (Monday first)
/// and which of them have nothing planned — the gaps the team should fill.
public struct CalendarSpan: Sendable, Equatable {
    public enum Scope: String, Sendable { case month, week }

    public let scope: Scope
    public let start: Date
    public let end: Date
    /// "2026-12" or "2026-W49".
    public let key: String
    /// The Mondays of the weeks shown (a month grid starts on the Monday on or before the 1st).
    public let weekStarts: [Date]

    /// Reads "2026-12" (a month) or "2026-W49" (an ISO week); nil when it is neither.
    public static func parse(_ key: String, in timeZone: TimeZone) -> CalendarSpan? {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let parts = key.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), year >= 1970, year <= 9999 else { return nil }
        if parts[1].hasPrefix("W") {
            guard parts[1].count == 3, let week = Int(parts[1].dropFirst()), (1...53).contains(week),
                let start = calendar.date(from: DateComponents(weekday: 2, weekOfYear: week, yearForWeekOfYear: year)),
                calendar.component(.weekOfYear, from: start) == week,
                let end = calendar.date(byAdding: .day, value: 7, to: start)
            else { return nil }
            return CalendarSpan(scope: .week, start: start, end: end, key: key, weekStarts: [start])
        }
        guard parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month),
            let start = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
            let end = calendar.date(byAdding: .month, value: 1, to: start),
            let firstMonday = calendar.dateInterval(of: .weekOfYear, for: start)?.start
        else { return nil }
        var weeks: [Date] = []
        var monday = firstMonday
        while monday < end {
            weeks.append(monday)
            guard let next = calendar.date(byAdding: .day, value: 7, to: monday) else { break }
            monday = next
        }
        return CalendarSpan(scope: .month, start: start, end: end, key: key, weekStarts: weeks)
    }

    /// The key of the month or week `date` falls in.
    public static func key(_ scope: Scope, containing date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        switch scope {
        case .month:
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
        case .week:
            let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            return String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
        }
    }

    /// The span before or after this one.
    public func neighbour(_ offset: Int, in timeZone: TimeZone) -> CalendarSpan? {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let moved = calendar.date(byAdding: scope == .month ? .month : .weekOfYear, value: offset, to: start) ?? start
        return Self.parse(Self.key(scope, containing: moved, in: timeZone), in: timeZone)
    }

    /// The weeks (by their Monday) in which nothing is planned or happening, from `today` on: past
    /// weeks are history, not gaps.
    public func gaps(plannedAt dates: [Date], today: Date, in timeZone: TimeZone) -> [Date] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        return weekStarts.filter { monday in
            guard let sunday = calendar.date(byAdding: .day, value: 7, to: monday), sunday > today else { return false }
            return !dates.contains { $0 >= monday && $0 < sunday }
        }
    }
}
