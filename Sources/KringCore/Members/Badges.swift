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
