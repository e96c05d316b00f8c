import FluentKit
import Foundation
import KringCore
import SQLKit

final class MaturityAssessmentRecord: Model, @unchecked Sendable {
    static let schema = "maturity_assessments"

    @ID(key: .id) var id: UUID?
    /// Criterion id → answer, as JSON.
    @Field(key: "answers") var answers: String
    /// Criterion id → the evidence of an automatic answer, as JSON.
    @Field(key: "evidence") var evidence: String
    @Field(key: "note") var note: String
    @OptionalField(key: "created_by_id") var createdByID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func domain() throws -> MaturityAssessment {
        let decoder = JSONDecoder()
        return MaturityAssessment(
            id: try requireID(), createdAt: createdAt, answers: try decoder.decode([String: Bool].self, from: Data(answers.utf8)),
            evidence: try decoder.decode([String: MaturityEvidence].self, from: Data(evidence.utf8)), note: note)
    }
}

/// Dated maturity assessments, and the answers Kring gives itself from the community's data.
public struct MaturityRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// What only the web layer knows: where the goals stand and whether house rules are published.
    public struct Context: Sendable {
        public let goalStatuses: [GoalStatus]
        public let houseRulesPublished: Bool
        public init(goalStatuses: [GoalStatus], houseRulesPublished: Bool) {
            self.goalStatuses = goalStatuses
            self.houseRulesPublished = houseRulesPublished
        }
    }

    public static let cockpitViewedSetting = "cockpit.last_viewed"

    /// Every check Kring can answer, with the figures behind the answer.
    public func automaticAnswers(_ context: Context) async throws -> [MaturityCheck: MaturityEvidence] {
        guard let sql = database as? any SQLDatabase else { return [:] }
        let now = clock.now()
        let days = { (count: Double) in now.addingTimeInterval(-count * 86_400) }
        func count(_ query: SQLQueryString) async throws -> Int {
            try await sql.raw("SELECT COUNT(*) AS n FROM " + query).first()?.decode(column: "n", as: Int.self) ?? 0
        }
        func counted(_ n: Int, atLeast minimum: Int = 1) -> MaturityEvidence {
            MaturityEvidence(met: n >= minimum, details: ["count": String(n)])
        }
        let format = ISO8601DateFormatter()
        func dated(_ date: Date?, within limit: Double) -> MaturityEvidence {
            guard let date else { return MaturityEvidence(met: false) }
            return MaturityEvidence(met: date >= days(limit), details: ["date": format.string(from: date)])
        }
        var answers: [MaturityCheck: MaturityEvidence] = [:]
        let strategy = try await StrategyRepository(database: database, clock: clock).current()
        answers[.strategyWritten] = MaturityEvidence(
            met: !(strategy?.canvas.purpose.isEmpty ?? true), details: ["version": String(strategy?.version ?? 0)])
        answers[.strategyAudiences] = MaturityEvidence(met: !(strategy?.canvas.audiences.isEmpty ?? true))
        answers[.strategyRecent] = dated(strategy?.createdAt, within: 183)
        answers[.teamNamed] = counted(strategy?.canvas.team.count ?? 0, atLeast: 2)

        answers[.goalsSet] = counted(try await count("goals WHERE archived_at IS NULL"))
        answers[.goalWithBusinessFigure] = counted(try await count("goals WHERE archived_at IS NULL AND metric LIKE 'figure:%'"))
        let onTrack = context.goalStatuses.filter { $0 == .onTrack || $0 == .achieved }.count
        answers[.goalOnTrack] = MaturityEvidence(
            met: onTrack > 0, details: ["count": String(onTrack), "total": String(context.goalStatuses.count)])
        answers[.businessFigures] = counted(try await count("business_figures WHERE updated_at >= \(bind: days(62))"))
        answers[.successLogged] = counted(try await count("success_stories WHERE occurred_on >= \(bind: days(180))"))
        let reports = ReportRepository(database: database, clock: clock)
        answers[.reportPublished] = dated(try await reports.lastPublished(), within: 100)
        answers[.monthlyReport] = dated(try await reports.lastPublished(kind: .monthly), within: 45)
        answers[.departmentResponses] = counted(try await count("ideas WHERE first_response_at >= \(bind: days(180))"))
        answers[.departmentsLinked] = counted(try await count("departments"))

        // Posts of the last 30 days: the share by members rather than staff or bots.
        let posts = try await sql.raw(
            """
            SELECT COUNT(*) AS n, SUM(CASE WHEN m.is_staff = \(bind: false) AND m.is_bot = \(bind: false) THEN 1 ELSE 0 END) AS by_members
            FROM posts p JOIN members m ON m.id = p.author_id WHERE p.created_at >= \(bind: days(30)) AND p.deleted_at IS NULL
            """
        ).first()
        let allPosts = try posts?.decode(column: "n", as: Int.self) ?? 0
        let byMembers = try posts?.decode(column: "by_members", as: Int?.self) ?? 0
        answers[.memberGenerated] = MaturityEvidence(
            met: allPosts > 0 && byMembers * 2 > allPosts, details: ["share": percent(byMembers, allPosts), "count": String(allPosts)])
        let recognition = SQLGroupExpression([ActivityKind.reactionAdded, .solutionAccepted].map { SQLBind($0.rawValue) })
        answers[.peerRecognition] = counted(
            try await count(
                "activity_events WHERE kind IN \(recognition) AND occurred_at >= \(bind: days(30)) AND actor_is_staff = \(bind: false) AND actor_is_bot = \(bind: false)"
            ))

        // Topics of the last 30 days by members: newcomers' answered within a day, and how many are unanswered.
        let topics = try await sql.raw(
            """
            SELECT COUNT(*) AS n, SUM(CASE WHEN t.first_response_at IS NULL THEN 1 ELSE 0 END) AS unanswered,
            SUM(CASE WHEN m.created_at >= \(bind: days(30)) THEN 1 ELSE 0 END) AS newcomers,
            SUM(CASE WHEN m.created_at >= \(bind: days(30)) AND t.first_response_at IS NOT NULL
                AND t.first_response_at <= t.created_at + \(unsafeRaw: sql.dialect.name == "postgresql" ? "interval '1 day'" : "86400") THEN 1 ELSE 0 END) AS newcomers_answered
            FROM topics t JOIN members m ON m.id = t.author_id WHERE t.created_at >= \(bind: days(30)) AND t.deleted_at IS NULL
            AND t.hidden_at IS NULL AND m.is_staff = \(bind: false) AND m.is_bot = \(bind: false)
            """
        ).first()
        let topicCount = try topics?.decode(column: "n", as: Int.self) ?? 0
        let unanswered = try topics?.decode(column: "unanswered", as: Int?.self) ?? 0
        let newcomers = try topics?.decode(column: "newcomers", as: Int?.self) ?? 0
        let welcomed = try topics?.decode(column: "newcomers_answered", as: Int?.self) ?? 0
        answers[.newcomersAnswered] = MaturityEvidence(
            met: newcomers > 0 && welcomed * 2 >= newcomers, details: ["share": percent(welcomed, newcomers), "count": String(newcomers)])
        answers[.unansweredLow] = MaturityEvidence(
            met: topicCount > 0 && unanswered * 5 < topicCount,
            details: ["share": percent(unanswered, topicCount), "count": String(topicCount)])
        answers[.contentExists] = counted(try await count("topics WHERE deleted_at IS NULL AND hidden_at IS NULL"))

        let moderators = SQLGroupExpression([Role.moderator, .manager, .admin].map { SQLBind($0.rawValue) })
        answers[.moderatorsExist] = counted(
            try await count("members WHERE role IN \(moderators) AND status = \(bind: MemberStatus.active.rawValue)"))
        answers[.memberModerators] = counted(
            try await count(
                "members WHERE role = \(bind: Role.moderator.rawValue) AND is_staff = \(bind: false) AND status = \(bind: MemberStatus.active.rawValue)"
            ))
        answers[.moderationInUse] = counted(try await count("flags WHERE resolved_at >= \(bind: days(90))"))
        answers[.houseRules] = MaturityEvidence(met: context.houseRulesPublished)
        answers[.eventsHeld] = counted(
            try await count("events WHERE starts_at >= \(bind: days(90)) AND starts_at < \(bind: now) AND cancelled_at IS NULL"))
        answers[.ownPlatform] = MaturityEvidence(met: true)
        answers[.groupsConfigured] = counted(try await count("groups WHERE is_archived = \(bind: false)"), atLeast: 2)
        answers[.apiInUse] = counted(try await count("access_tokens WHERE revoked_at IS NULL"))
        let viewed = try await StrategyRepository(database: database, clock: clock).setting(Self.cockpitViewedSetting)
        answers[.cockpitReviewed] = dated(viewed.flatMap(format.date(from:)), within: 30)
        let earlier = try await MaturityAssessmentRecord.query(on: database).filter(\.$createdAt >= days(365)).count()
        answers[.assessedBefore] = counted(earlier)
        return answers
    }

    private func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "0" : String(Int((Double(part) / Double(whole) * 100).rounded()))
    }

    /// Notes that a manager looked at the cockpit (at most one write an hour).
    public func noteCockpitViewed() async throws {
        let settings = StrategyRepository(database: database, clock: clock)
        let format = ISO8601DateFormatter()
        let now = clock.now()
        if let last = try await settings.setting(Self.cockpitViewedSetting).flatMap(format.date(from:)), now.timeIntervalSince(last) < 3600
        {
            return
        }
        try await settings.setSettings([Self.cockpitViewedSetting: format.string(from: now)])
    }

    @discardableResult
    public func save(answers: [String: Bool], evidence: [String: MaturityEvidence], note: String, by actor: Actor) async throws -> UUID {
        let encoder = ReportRepository.encoder
        let record = MaturityAssessmentRecord()
        record.answers = String(decoding: try encoder.encode(answers), as: UTF8.self)
        record.evidence = String(decoding: try encoder.encode(evidence), as: UTF8.self)
        record.note = note
        record.createdByID = actor.memberID
        record.createdAt = clock.now()
        try await record.create(on: database)
        return try record.requireID()
    }

    /// Newest first.
    public func history() async throws -> [MaturityAssessment] {
        try await MaturityAssessmentRecord.query(on: database).sort(\.$createdAt, .descending).all().map { try $0.domain() }
    }
}
