import Foundation

/// How much a badge takes to earn (Stack Exchange's classes 1–3; Kring's own badges use the same).
public enum BadgeLevel: String, Codable, CaseIterable, Sendable, Comparable {
    case gold, silver, bronze

    /// Stack Exchange's `Class` attribute: 1 gold, 2 silver, 3 bronze.
    public init?(stackExchangeClass: String) {
        switch stackExchangeClass {
        case "1": self = .gold
        case "2": self = .silver
        case "3": self = .bronze
        default: return nil
        }
    }

    public static func < (lhs: BadgeLevel, rhs: BadgeLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One badge on a member's profile: how often they earned it, and when first.
public struct BadgeSummary: Sendable, Equatable {
    public let name: String
    public let level: BadgeLevel
    public let count: Int
    public let firstAwardedAt: Date

    public init(name: String, level: BadgeLevel, count: Int, firstAwardedAt: Date) {
        self.name = name
        self.level = level
        self.count = count
        self.firstAwardedAt = firstAwardedAt
    }
}

/// What a badge rule counts, over a member's whole history.
public enum BadgeMetric: String, CaseIterable, Codable, Sendable {
    case topics
    case replies
    case acceptedAnswers = "accepted_answers"
    /// Reactions from others on the member's posts.
    case reactionsReceived = "reactions_received"
    /// Events the member was checked in at.
    case eventsAttended = "events_attended"
}

/// A badge the job awards by itself to every member who reaches `threshold` on `metric` — once each.
public struct BadgeRule: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var name: String
    public var level: BadgeLevel
    public var metric: BadgeMetric
    public var threshold: Int

    public static let thresholdRange = 1...100_000

    public init(id: UUID = UUID(), name: String, level: BadgeLevel, metric: BadgeMetric, threshold: Int) {
        self.id = id
        self.name = name
        self.level = level
        self.metric = metric
        self.threshold = threshold
    }

    /// The badge's name as stored: one line, 2 to 60 characters.
    public static func name(_ raw: String, field: String = "badge_name") throws(ValidationFailure) -> String {
        let name = MemberRules.singleLine(raw)
        guard name.count >= 2 else { throw ValidationFailure(field: field, code: "required") }
        guard name.count <= 60 else { throw ValidationFailure(field: field, code: "too_long") }
        return name
    }

    /// The source recorded on the badges this rule awards.
    public var source: String { "rule:" + id.uuidString.lowercased() }
}
