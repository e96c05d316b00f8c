import KringCore
import KringStore
import Vapor

struct ReportSummaryDTO: Content {
    let id: UUID
    let kind: String
    let periodStart: Date
    let periodEnd: Date
    let status: String
    let publishedAt: Date?
}

struct ReportListDTO: Content {
    let reports: [ReportSummaryDTO]
}

struct ReportFigureDTO: Content {
    let id: String
    let value: Double?
    let previousValue: Double?
}

struct ReportDTO: Content {
    let id: UUID
    let kind: String
    let periodStart: Date
    let periodEnd: Date
    let status: String
    let publishedAt: Date?
    let evaluation: String
    let figures: [ReportFigureDTO]
    let goals: [ReportGoalDTO]
    let topTopics: [ReportTopicDTO]
    let champions: [String]
    let nextSteps: [String]
}

struct ReportGoalDTO: Content {
    let title: String
    let status: String
    let latest: Double?
    let target: Double
}

struct ReportTopicDTO: Content {
    let id: UUID
    let title: String
    let replies: Int
    let reactions: Int
}

struct ReportGenerateRequest: Content {
    var kind: String
    /// Any day of the period, `YYYY-MM-DD`.
    var date: String
}

struct ReportPublishRequest: Content {
    var evaluation: String
}

struct AdviceItemDTO: Content {
    let id: UUID
    let rule: String
    let subject: String
    let details: [String: String]
    let link: String
    let status: String
    let assignee: String?
    let snoozedUntil: Date?
    let createdAt: Date
}

struct AdviceListDTO: Content {
    let items: [AdviceItemDTO]
}

struct AdviceChangeRequest: Content {
    /// assign, snooze, done or reopen.
    var action: String
    /// For assign: a manager's handle; empty to unassign.
    var assignee: String?
    /// For snooze: 1 to 90.
    var days: Int?
}

struct AssessmentDTO: Content {
    let id: UUID
    let createdAt: Date
    let stages: [String: Int]
    let answers: [String: Bool]
    let note: String
}

struct AssessmentListDTO: Content {
    let assessments: [AssessmentDTO]
}

struct AssessmentCreateRequest: Content {
    /// The manager's answers by criterion id; Kring's automatic answers win for the criteria it checks.
    var answers: [String: Bool]
    var note: String?
}

/// Reports, the action inbox and maturity assessments in `/api/v1`.
struct ManagementAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("reports", use: reports)
        api.post("reports", use: generate)
        api.get("reports", ":report", use: report)
        api.post("reports", ":report", "publish", use: publish)
        api.get("advice", use: advice)
        api.post("advice", ":item", use: changeAdvice)
        api.get("assessments", use: assessments)
        api.post("assessments", use: assess)
    }

    @Sendable func reports(request: Request) async throws -> ReportListDTO {
        try request.authorize(.readCockpit)
        let list = try await request.repositories.reports.list(publishedOnly: !request.decide(.viewCockpit).isAllowed)
        return ReportListDTO(
            reports: list.map {
                ReportSummaryDTO(
                    id: $0.id, kind: $0.kind.rawValue, periodStart: $0.periodStart, periodEnd: $0.periodEnd, status: $0.status.rawValue,
                    publishedAt: $0.publishedAt)
            })
    }

    static func dto(_ report: Report, _ t: Localizer) -> ReportDTO {
        let content = report.content
        return ReportDTO(
            id: report.id, kind: report.kind.rawValue, periodStart: report.periodStart, periodEnd: report.periodEnd,
            status: report.status.rawValue, publishedAt: report.publishedAt, evaluation: report.evaluation,
            figures: content.figures.map { ReportFigureDTO(id: $0.id, value: $0.value, previousValue: $0.previous) },
            goals: content.goals.map { ReportGoalDTO(title: $0.title, status: $0.status, latest: $0.latest, target: $0.target) },
            topTopics: content.topTopics.map { ReportTopicDTO(id: $0.id, title: $0.title, replies: $0.replies, reactions: $0.reactions) },
            champions: content.champions.map(\.handle),
            nextSteps: content.nextSteps.compactMap { step in
                AdviceRule(rawValue: step.rule).map { AdviceViews.sentence($0, step.details, t) }
            })
    }

    @Sendable func report(request: Request) async throws -> ReportDTO {
        Self.dto(try await ReportController.report(request), request.context.localizer)
    }

    /// Generates (or refreshes the draft of) the report of a kind for the period holding a day.
    @Sendable func generate(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["kind", "date"])
        let body = try request.content.decode(ReportGenerateRequest.self)
        let zone = request.communityTimeZone
        guard let kind = ReportKind(rawValue: body.kind) else {
            throw ValidationFailure(field: "kind", code: "choice.invalid")
        }
        guard let date = LocalDay.start(of: body.date, in: zone) else {
            throw ValidationFailure(field: "date", code: "date.invalid")
        }
        let outcome = try await request.repositories.generateReport(kind: kind, containing: date, timeZone: zone)
        let id: UUID
        let status: HTTPStatus
        switch outcome {
        case .created(let made): (id, status) = (made, .created)
        case .refreshed(let made): (id, status) = (made, .ok)
        case .published: throw Abort(.conflict, reason: "The report of that period is published and stays as it is.")
        }
        guard let report = try await request.repositories.reports.find(id) else { throw Abort(.internalServerError) }
        let response = try await Self.dto(report, request.context.localizer).encodeResponse(status: status, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/reports/\(id.uuidString.lowercased())")
        return response
    }

    @Sendable func publish(request: Request) async throws -> ReportDTO {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["evaluation"])
        let report = try await ReportController.report(request)
        let text = try ReportController.evaluation(try request.content.decode(ReportPublishRequest.self).evaluation)
        guard !text.isEmpty else { throw ValidationFailure(field: "evaluation", code: "report.evaluation_required") }
        guard try await request.repositories.reports.publish(report.id, evaluation: text, by: request.context.actor) else {
            throw Abort(.conflict, reason: "The report is published already.")
        }
        guard let published = try await request.repositories.reports.find(report.id) else { throw Abort(.internalServerError) }
        try await ReportMail.send(published, request: request)
        try await request.audit(
            "report.publish", subjectType: "report", subjectID: report.id, label: ReportViews.title(report, request.context.localizer))
        return Self.dto(published, request.context.localizer)
    }

    static func dto(_ item: AdviceItem, handles: [UUID: String], _ t: Localizer) -> AdviceItemDTO {
        AdviceItemDTO(
            id: item.id, rule: item.rule.rawValue, subject: AdviceViews.sentence(item.rule, item.details, t), details: item.details,
            link: item.link,
            status: item.status.rawValue, assignee: item.assigneeID.flatMap { handles[$0] }, snoozedUntil: item.snoozedUntil,
            createdAt: item.createdAt)
    }

    /// The inbox: `status` due (default), open, snoozed, done or cleared.
    @Sendable func advice(request: Request) async throws -> AdviceListDTO {
        try request.authorize(.viewCockpit)
        let raw = request.query[String.self, at: "status"] ?? "due"
        guard raw == "due" || AdviceStatus(rawValue: raw) != nil else {
            throw Abort(.badRequest, reason: "The status is due, open, snoozed, done or cleared.")
        }
        let items = try await request.repositories.advice.items(AdviceStatus(rawValue: raw))
        let handles = try await request.repositories.members.handles(of: items.compactMap(\.assigneeID))
        return AdviceListDTO(items: items.map { Self.dto($0, handles: handles, request.context.localizer) })
    }

    @Sendable func changeAdvice(request: Request) async throws -> AdviceItemDTO {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["action", "assignee", "days"])
        guard let id = request.parameters.get("item", as: UUID.self), try await request.repositories.advice.item(id) != nil else {
            throw Abort(.notFound, reason: "No such item.")
        }
        let body = try request.content.decode(AdviceChangeRequest.self)
        let change: AdviceRepository.Change
        do {
            // Snoozing without a length waits a week.
            change = try await AdviceController().change(
                body.action, form: AdviceController.WorkForm(assignee: body.assignee, days: String(body.days ?? 7)), request: request)
        } catch let failure as ValidationFailure where failure.errors.contains(where: { $0.field == "assignee" }) {
            // A well-formed handle of someone who is not an active manager: the request conflicts with the team.
            throw Abort(.conflict, reason: "The assignee must be an active member of the community management team.")
        }
        _ = try await request.repositories.advice.apply(change, to: id)
        guard let item = try await request.repositories.advice.item(id) else { throw Abort(.internalServerError) }
        let handles = try await request.repositories.members.handles(of: item.assigneeID.map { [$0] } ?? [])
        return Self.dto(item, handles: handles, request.context.localizer)
    }

    static func dto(_ assessment: MaturityAssessment) -> AssessmentDTO {
        AssessmentDTO(
            id: assessment.id, createdAt: assessment.createdAt,
            stages: Dictionary(uniqueKeysWithValues: assessment.stages.map { ($0.key.rawValue, $0.value) }), answers: assessment.answers,
            note: assessment.note)
    }

    @Sendable func assessments(request: Request) async throws -> AssessmentListDTO {
        try request.authorize(.viewCockpit)
        return AssessmentListDTO(assessments: try await request.repositories.maturity.history().map(Self.dto))
    }

    @Sendable func assess(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["answers", "note"])
        let body = try request.content.decode(AssessmentCreateRequest.self)
        let known = Set(MaturityModel.criteria.map(\.id))
        if let unknown = body.answers.keys.first(where: { !known.contains($0) }) {
            throw Abort(.unprocessableEntity, reason: "Unknown criterion \(unknown).")
        }
        let note = (body.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= StrategyRules.maxSection else { throw ValidationFailure(field: "note", code: "too_long") }
        let automatic = try await request.automaticMaturityAnswers()
        let answers = MaturityViews.answers(form: body.answers.mapValues { $0 ? "1" : "0" }, automatic: automatic)
        let id = try await request.repositories.maturity.save(answers: answers, evidence: automatic, note: note, by: request.context.actor)
        guard let saved = try await request.repositories.maturity.history().first(where: { $0.id == id }) else {
            throw Abort(.internalServerError)
        }
        let response = try await Self.dto(saved).encodeResponse(status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/assessments")
        return response
    }
}
