import Foundation

/// What earns a member engagement points (METRICS.md, "Engagement score": the Orbit model).
public enum EngagementAction: String, CaseIterable, Codable, Sendable {
    case visit
    case reaction
    /// A vote in a poll or on an idea, or an answer to an event invitation.
    case vote
    case reply
    case topic
    /// One of the member's replies was accepted as the answer.
    case solution
    /// An event the member organised took place.
    case eventHosted = "event_hosted"

    public var defaultWeight: Double {
        switch self {
        case .visit: 0.1
        case .reaction, .vote: 0.5
        case .reply: 1
        case .topic: 1.5
        case .solution, .eventHosted: 3
        }
    }
}

/// Levels 1–4 of the Orbit model: champions at the top, observers at the bottom.
public enum EngagementLevel: String, CaseIterable, Codable, Sendable, Comparable {
    case champion, regular, participant, observer

    /// 1 for champions … 4 for observers, as the Orbit model numbers them.
    public var number: Int {
        switch self {
        case .champion: 1
        case .regular: 2
        case .participant: 3
        case .observer: 4
        }
    }

    public static func < (lhs: EngagementLevel, rhs: EngagementLevel) -> Bool { lhs.number > rhs.number }
}

/// The manager's weights and level thresholds; everything the score needs besides the actions.
public struct EngagementSettings: Sendable, Equatable {
    /// Each month of age multiplies an action's weight by this (METRICS.md: 0.9).
    public static let decayPerMonth = 0.9
    public static let weightRange: ClosedRange<Double> = 0...100
    public static let thresholdRange: ClosedRange<Double> = 0.1...10_000

    public var weights: [EngagementAction: Double]
    /// The lowest score of a champion, a regular and a participant; below that, an observer.
    public var championFrom: Double
    public var regularFrom: Double
    public var participantFrom: Double

    /// The default thresholds in steady state: someone who reads every day collects about 30 points
    /// (3 a month, kept at 0.9 a month) and is a regular; add two replies a week and they pass 100, a
    /// champion; a few visits a month make a participant.
    public init(
        weights: [EngagementAction: Double] = [:], championFrom: Double = 50, regularFrom: Double = 15, participantFrom: Double = 3
    ) {
        self.weights = weights
        self.championFrom = championFrom
        self.regularFrom = regularFrom
        self.participantFrom = participantFrom
    }

    public func weight(_ action: EngagementAction) -> Double { weights[action] ?? action.defaultWeight }

    /// Equal when every weight and threshold is: a weight left at its default equals one set to it.
    public static func == (lhs: EngagementSettings, rhs: EngagementSettings) -> Bool {
        EngagementAction.allCases.allSatisfy { lhs.weight($0) == rhs.weight($0) }
            && (lhs.championFrom, lhs.regularFrom, lhs.participantFrom) == (rhs.championFrom, rhs.regularFrom, rhs.participantFrom)
    }

    public func level(for score: Double) -> EngagementLevel {
        if score >= championFrom { return .champion }
        if score >= regularFrom { return .regular }
        if score >= participantFrom { return .participant }
        return .observer
    }

    /// The thresholds of the levels above observer, highest first.
    public var thresholds: [(level: EngagementLevel, from: Double)] {
        [(.champion, championFrom), (.regular, regularFrom), (.participant, participantFrom)]
    }

    /// Settings from a form's or the API's text: each weight a number from 0 to 100, each threshold
    /// positive and the levels in order. Unknown names are ignored; missing ones keep `base`'s value.
    public static func parse(_ values: [String: String], base: EngagementSettings) throws(ValidationFailure) -> EngagementSettings {
        var settings = base
        var errors: [FieldError] = []
        func number(_ name: String) -> Double?? {
            guard let raw = values[name] else { return .some(nil) }
            let text = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
            guard let value = Double(text), value.isFinite else { return nil }
            return .some(value)
        }
        for action in EngagementAction.allCases {
            switch number("weight_\(action.rawValue)") {
            case .none: errors.append(FieldError(field: "weight_\(action.rawValue)", code: "number.decimal"))
            case .some(.none): break
            case .some(.some(let value)):
                if weightRange.contains(value) {
                    settings.weights[action] = value
                } else {
                    errors.append(FieldError(field: "weight_\(action.rawValue)", code: "engagement.weight_range"))
                }
            }
        }
        for (name, keyPath) in [
            ("champion_from", \EngagementSettings.championFrom), ("regular_from", \.regularFrom), ("participant_from", \.participantFrom),
        ] {
            switch number(name) {
            case .none: errors.append(FieldError(field: name, code: "number.decimal"))
            case .some(.none): break
            case .some(.some(let value)):
                if thresholdRange.contains(value) {
                    settings[keyPath: keyPath] = value
                } else {
                    errors.append(FieldError(field: name, code: "engagement.threshold_range"))
                }
            }
        }
        if errors.isEmpty, !(settings.championFrom > settings.regularFrom && settings.regularFrom > settings.participantFrom) {
            errors.append(FieldError(field: "champion_from", code: "engagement.levels_order"))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return settings
    }
}

/// A calendar month as one number (year × 12 + month − 1), so months subtract.
public struct MonthIndex: Hashable, Comparable, Sendable {
    public let value: Int

    public init(_ value: Int) { self.value = value }

    public init(year: Int, month: Int) { value = year * 12 + month - 1 }

    /// The month of `date` in the calendar's time zone.
    public init(_ date: Date, calendar: Calendar) {
        let parts = calendar.dateComponents([.year, .month], from: date)
        self.init(year: parts.year ?? 1970, month: parts.month ?? 1)
    }

    /// The month a `YYYY-MM…` key names (a day key works too).
    public init?(key: some StringProtocol) {
        let parts = key.prefix(7).split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            return nil
        }
        self.init(year: year, month: month)
    }

    public var year: Int { value / 12 }
    public var month: Int { value % 12 + 1 }
    /// `YYYY-MM`.
    public var key: String { String(format: "%04d-%02d", year, month) }

    public func adding(_ months: Int) -> MonthIndex { MonthIndex(value + months) }

    public static func < (lhs: MonthIndex, rhs: MonthIndex) -> Bool { lhs.value < rhs.value }
}

/// The engagement score ("love"): the sum over a member's actions of the action's weight times 0.9
/// for every whole calendar month since the action (this month's count fully, last month's × 0.9,
/// the month before × 0.81 …).
public enum EngagementModel {
    /// One member's actions, counted per month.
    public typealias MonthlyActions = [MonthIndex: [EngagementAction: Double]]

    /// The score at the end of `month`: actions after it do not count yet.
    public static func score(_ actions: MonthlyActions, asOf month: MonthIndex, settings: EngagementSettings) -> Double {
        var total = 0.0
        for (when, counts) in actions where when <= month {
            let decay = pow(EngagementSettings.decayPerMonth, Double(month.value - when.value))
            for (action, count) in counts { total += settings.weight(action) * count * decay }
        }
        return total
    }
}

/// The lists a community manager acts on (METRICS.md, "Segments"). A member can be in several:
/// a newcomer who only reads is also a lurker.
public enum MemberSegment: String, CaseIterable, Codable, Sendable {
    /// Joined less than 30 days ago.
    case newcomer
    case champion
    case regular
    /// Was a regular or champion a month ago, and has not been seen for 30 days.
    case atRisk = "at_risk"
    /// Visited in the last 30 days without posting in the last 90.
    case lurker

    public static let newcomerDays = 30.0
    public static let quietDays = 30.0
    public static let lurkerPostDays = 90.0

    /// What decides a member's segments.
    public struct Facts: Sendable {
        public var joinedAt: Date
        public var lastSeenAt: Date?
        public var level: EngagementLevel
        /// The level as of the month 30 days ago.
        public var previousLevel: EngagementLevel
        /// Topics and replies in the last 90 days.
        public var recentPosts: Int

        public init(joinedAt: Date, lastSeenAt: Date?, level: EngagementLevel, previousLevel: EngagementLevel, recentPosts: Int) {
            self.joinedAt = joinedAt
            self.lastSeenAt = lastSeenAt
            self.level = level
            self.previousLevel = previousLevel
            self.recentPosts = recentPosts
        }
    }

    public static func segments(of facts: Facts, now: Date) -> [MemberSegment] {
        let day = 86_400.0
        let seenRecently = facts.lastSeenAt.map { now.timeIntervalSince($0) < quietDays * day } ?? false
        var segments: [MemberSegment] = []
        if now.timeIntervalSince(facts.joinedAt) < newcomerDays * day { segments.append(.newcomer) }
        if facts.level == .champion { segments.append(.champion) }
        if facts.level == .regular { segments.append(.regular) }
        if facts.previousLevel >= .regular, !seenRecently { segments.append(.atRisk) }
        if seenRecently, facts.recentPosts == 0 { segments.append(.lurker) }
        return segments
    }
}

/// A custom segment: members who match every filter that is set (METRICS.md, "Segments": every segment
/// is a list the manager can act on). Saved by name; built-in segments are one of its filters.
public struct SegmentFilter: Codable, Sendable, Equatable {
    public var segment: MemberSegment?
    /// This level or a higher one.
    public var minLevel: EngagementLevel?
    /// Seen within this many days.
    public var activeWithinDays: Int?
    /// Not seen for at least this many days (or never).
    public var inactiveForDays: Int?
    /// At least this many topics and replies in the last 90 days.
    public var minRecentPosts: Int?
    /// An active member of this group.
    public var groupID: UUID?
    /// Has this tag (its name, lower-cased, or its slug) among their interests or expertise.
    public var interest: String?
    /// Joined on or after this moment, and before that one.
    public var joinedFrom: Date?
    public var joinedBefore: Date?

    public init(segment: MemberSegment? = nil) { self.segment = segment }

    public static let maxDays = 3_650

    /// The filters of a form: numbers of days from 1 to ten years, post counts from 0, days as
    /// YYYY-MM-DD in `timeZone` (the "joined before" day itself included). Empty fields are no filter;
    /// the group is resolved by the caller.
    public static func parse(_ values: [String: String], timeZone: TimeZone) throws(ValidationFailure) -> SegmentFilter {
        var filter = SegmentFilter()
        var errors = FieldErrorCollector()
        func text(_ name: String) -> String? {
            let value = values[name]?.trimmingCharacters(in: .whitespaces) ?? ""
            return value.isEmpty ? nil : value
        }
        func whole(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            guard let raw = text(name) else { return nil }
            guard let value = Int(raw), range.contains(value) else {
                errors.add(name, "number.range")
                return nil
            }
            return value
        }
        if let raw = text("level") {
            if let level = EngagementLevel(rawValue: raw) { filter.minLevel = level } else { errors.add("level", "choice.invalid") }
        }
        filter.activeWithinDays = whole("active_within_days", 1...maxDays)
        filter.inactiveForDays = whole("inactive_for_days", 1...maxDays)
        filter.minRecentPosts = whole("min_posts", 0...100_000)
        if let raw = text("interest") { filter.interest = MemberRules.singleLine(raw).lowercased() }
        for (name, keyPath) in [("joined_from", \SegmentFilter.joinedFrom), ("joined_before", \.joinedBefore)] {
            guard let raw = text(name) else { continue }
            guard let day = LocalDay.start(of: raw, in: timeZone) else {
                errors.add(name, "date.invalid")
                continue
            }
            // "Joined before" names the last day that counts: the filter ends where the next day starts.
            filter[keyPath: keyPath] =
                name == "joined_before" ? MetricPeriod.calendar(timeZone).date(byAdding: .day, value: 1, to: day) : day
        }
        if let from = filter.joinedFrom, let before = filter.joinedBefore, from >= before { errors.add("joined_before", "dates.order") }
        try errors.throwIfAny()
        return filter
    }

    /// Whether no filter is set: everyone.
    public var isEmpty: Bool { self == SegmentFilter() }
}

/// A custom segment the team saved.
public struct SavedSegment: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var name: String
    public var filter: SegmentFilter
    public var createdAt: Date

    public init(id: UUID, name: String, filter: SegmentFilter, createdAt: Date) {
        self.id = id
        self.name = name
        self.filter = filter
        self.createdAt = createdAt
    }
}
