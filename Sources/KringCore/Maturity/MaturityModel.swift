import Foundation

/// The community maturity self-assessment: eight competencies in four stages, with the names of
/// The Community Roundtable's Community Maturity Model. The criteria are Kring's own (the model's
/// text may not be adapted); their sentences live in the catalogs as `maturity.criterion.<id>`.
public enum MaturityCompetency: String, CaseIterable, Codable, Sendable {
    case strategy, leadership, culture
    case communityManagement = "community_management"
    case content, governance, tools, metrics
}

/// Stage 1 hierarchy, 2 emergent community, 3 community, 4 network.
public enum MaturityStage: Int, CaseIterable, Codable, Sendable {
    case hierarchy = 1
    case emergent, community, network
}

/// What Kring can see for itself; the store answers each from data, with its evidence.
public enum MaturityCheck: String, CaseIterable, Codable, Sendable {
    case strategyWritten = "strategy_written"
    case strategyAudiences = "strategy_audiences"
    case strategyRecent = "strategy_recent"
    case goalsSet = "goals_set"
    case goalWithBusinessFigure = "goal_with_business_figure"
    case goalOnTrack = "goal_on_track"
    case businessFigures = "business_figures"
    case successLogged = "success_logged"
    case reportPublished = "report_published"
    case monthlyReport = "monthly_report"
    case departmentResponses = "department_responses"
    case departmentsLinked = "departments_linked"
    case memberGenerated = "member_generated"
    case peerRecognition = "peer_recognition"
    case newcomersAnswered = "newcomers_answered"
    case unansweredLow = "unanswered_low"
    case teamNamed = "team_named"
    case memberModerators = "member_moderators"
    case moderatorsExist = "moderators_exist"
    case moderationInUse = "moderation_in_use"
    case houseRules = "house_rules"
    case contentExists = "content_exists"
    case eventsHeld = "events_held"
    case ownPlatform = "own_platform"
    case groupsConfigured = "groups_configured"
    case apiInUse = "api_in_use"
    case cockpitReviewed = "cockpit_reviewed"
    case assessedBefore = "assessed_before"
}

public struct MaturityCriterion: Sendable, Equatable {
    /// `<competency>.<stage>.<letter>`, e.g. `strategy.2.b`.
    public let id: String
    public let competency: MaturityCompetency
    public let stage: MaturityStage
    /// Set when Kring answers the criterion itself.
    public let check: MaturityCheck?
}

/// An automatic answer with the figures that back it (for `maturity.evidence.<check>`).
public struct MaturityEvidence: Sendable, Equatable, Codable {
    public let met: Bool
    public let details: [String: String]

    public init(met: Bool, details: [String: String] = [:]) {
        self.met = met
        self.details = details
    }
}

public enum MaturityModel {
    /// Two criteria per competency and stage; `nil` means the manager answers.
    private static let table: [MaturityCompetency: [[MaturityCheck?]]] = [
        .strategy: [[.strategyWritten, nil], [.strategyAudiences, .goalsSet], [.strategyRecent, .goalWithBusinessFigure], [nil, nil]],
        .leadership: [[nil, nil], [nil, .successLogged], [nil, .reportPublished], [nil, .departmentResponses]],
        .culture: [[nil, nil], [.memberGenerated, .peerRecognition], [nil, nil], [nil, nil]],
        .communityManagement: [[nil, .newcomersAnswered], [nil, .unansweredLow], [.teamNamed, nil], [nil, .memberModerators]],
        .content: [[.contentExists, nil], [nil, .eventsHeld], [nil, nil], [nil, nil]],
        .governance: [[.houseRules, .moderatorsExist], [.moderationInUse, nil], [nil, .departmentsLinked], [nil, nil]],
        .tools: [[.ownPlatform, nil], [.groupsConfigured, nil], [.apiInUse, nil], [nil, nil]],
        .metrics: [[.cockpitReviewed, nil], [.goalOnTrack, .monthlyReport], [.businessFigures, nil], [nil, .assessedBefore]],
    ]

    public static let criteria: [MaturityCriterion] = MaturityCompetency.allCases.flatMap { competency in
        MaturityStage.allCases.flatMap { stage in
            table[competency]![stage.rawValue - 1].enumerated().map { index, check in
                MaturityCriterion(
                    id: "\(competency.rawValue).\(stage.rawValue).\(index == 0 ? "a" : "b")", competency: competency, stage: stage,
                    check: check)
            }
        }
    }

    /// A competency's stage: the highest stage whose criteria, and those of every stage below it,
    /// are all met (0: not even the first stage yet).
    public static func stage(of competency: MaturityCompetency, answers: [String: Bool]) -> Int {
        var reached = 0
        for stage in MaturityStage.allCases {
            let cell = criteria.filter { $0.competency == competency && $0.stage == stage }
            guard cell.allSatisfy({ answers[$0.id] == true }) else { break }
            reached = stage.rawValue
        }
        return reached
    }

    public static func stages(answers: [String: Bool]) -> [MaturityCompetency: Int] {
        Dictionary(uniqueKeysWithValues: MaturityCompetency.allCases.map { ($0, stage(of: $0, answers: answers)) })
    }

    /// The roadmap: per competency, the criteria still open up to and including the next stage.
    public static func nextSteps(answers: [String: Bool]) -> [MaturityCompetency: [MaturityCriterion]] {
        Dictionary(
            uniqueKeysWithValues: MaturityCompetency.allCases.map { competency in
                let next = stage(of: competency, answers: answers) + 1
                return (competency, criteria.filter { $0.competency == competency && $0.stage.rawValue <= next && answers[$0.id] != true })
            })
    }
}

/// A dated assessment: every criterion's answer, the evidence of those Kring answered, the stages.
public struct MaturityAssessment: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let createdAt: Date
    public let answers: [String: Bool]
    public let evidence: [String: MaturityEvidence]
    public let note: String

    public init(id: UUID, createdAt: Date, answers: [String: Bool], evidence: [String: MaturityEvidence], note: String) {
        self.id = id
        self.createdAt = createdAt
        self.answers = answers
        self.evidence = evidence
        self.note = note
    }

    public var stages: [MaturityCompetency: Int] { MaturityModel.stages(answers: answers) }
}
