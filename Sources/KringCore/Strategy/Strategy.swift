import Foundation

/// How the organisation takes part: its own community, sponsoring one, or joining one elsewhere.
public enum StrategyApproach: String, CaseIterable, Codable, Sendable {
    case own, sponsor, join
}

/// The roles in the community management team (000): who explores, who builds, who translates
/// the community's value for the organisation, and the liaisons of departments.
public enum TeamRole: String, CaseIterable, Codable, Sendable {
    case explorer, builder, translator, liaison
}

public struct StrategyTeamMember: Codable, Sendable, Equatable {
    public let handle: String
    public let role: TeamRole
    /// For liaisons: the department they speak for.
    public let department: String?

    public init(handle: String, role: TeamRole, department: String?) {
        self.handle = handle
        self.role = role
        self.department = department
    }
}

/// The strategy canvas: one living document per community; each save is a new dated version.
public struct StrategyCanvas: Codable, Sendable, Equatable {
    public var purpose = ""
    public var audiences = ""
    public var valueProposition = ""
    public var approach = StrategyApproach.own
    public var contentStrategy = ""
    public var activationStrategy = ""
    public var successMeasures = ""
    public var team: [StrategyTeamMember] = []
    /// The lowest role that may read it; managers always may, and only they edit.
    public var readers = Role.manager

    public init() {}

    /// The text sections in the canvas's order, by their catalog names.
    public var sections: [(key: String, text: String)] {
        [
            ("purpose", purpose), ("audiences", audiences), ("value_proposition", valueProposition),
            ("content_strategy", contentStrategy), ("activation_strategy", activationStrategy), ("success_measures", successMeasures),
        ]
    }
}

public struct StrategyVersion: Sendable, Equatable {
    public let version: Int
    public let canvas: StrategyCanvas
    public let editorID: UUID?
    public let createdAt: Date

    public init(version: Int, canvas: StrategyCanvas, editorID: UUID?, createdAt: Date) {
        self.version = version
        self.canvas = canvas
        self.editorID = editorID
        self.createdAt = createdAt
    }
}

public enum StrategyRules {
    /// Each section at most this long.
    public static let maxSection = 5_000

    /// The team typed one person a line: `@handle role [department]`, e.g. `@sam liaison Support`.
    /// Throws naming the field `team` on the first line that does not read.
    public static func parseTeam(_ text: String) throws(ValidationFailure) -> [StrategyTeamMember] {
        var team: [StrategyTeamMember] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard !words.isEmpty else { continue }
            let handle = words[0].trimmingCharacters(in: CharacterSet(charactersIn: "@")).lowercased()
            guard words.count >= 2, !handle.isEmpty, let role = TeamRole(rawValue: words[1].lowercased()) else {
                throw ValidationFailure(field: "team", code: "strategy.team_line")
            }
            let department = words.count > 2 ? MemberRules.singleLine(words[2...].joined(separator: " ")) : nil
            team.append(StrategyTeamMember(handle: handle, role: role, department: department))
        }
        return team
    }

    /// The team as the form shows it again.
    public static func teamText(_ team: [StrategyTeamMember]) -> String {
        team.map { ["@" + $0.handle, $0.role.rawValue, $0.department].compactMap { $0 }.joined(separator: " ") }.joined(separator: "\n")
    }
}
