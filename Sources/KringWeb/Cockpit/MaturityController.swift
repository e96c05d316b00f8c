import KringCore
import KringStore
import Vapor

extension Request {
    /// The criteria Kring answers itself, from today's data, by criterion id.
    func automaticMaturityAnswers() async throws -> [String: MaturityEvidence] {
        let context = MaturityRepository.Context(
            goalStatuses: try await goalStandings().map(\.status), houseRulesPublished: try await HouseRules.page(repositories) != nil)
        let checks = try await repositories.maturity.automaticAnswers(context)
        var answers: [String: MaturityEvidence] = [:]
        for criterion in MaturityModel.criteria {
            if let check = criterion.check, let evidence = checks[check] { answers[criterion.id] = evidence }
        }
        return answers
    }
}

/// The maturity self-assessment: eight competencies in four stages (after The Community
/// Roundtable's model), partly answered by Kring, dated so progress shows.
struct MaturityController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("maturity", use: index)
        routes.get("maturity", "new", use: form)
        routes.post("maturity", use: create)
        routes.get("maturity", ":assessment", use: show)
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let history = try await request.repositories.maturity.history()
        return MaturityViews.result(request, assessment: history.first, previous: history.dropFirst().first, history: history)
    }

    @Sendable func show(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let history = try await request.repositories.maturity.history()
        guard let id = request.parameters.get("assessment", as: UUID.self), let index = history.firstIndex(where: { $0.id == id }) else {
            throw Abort(.notFound)
        }
        return MaturityViews.result(
            request, assessment: history[index], previous: history.indices.contains(index + 1) ? history[index + 1] : nil, history: history)
    }

    @Sendable func form(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let last = try await request.repositories.maturity.history().first
        return MaturityViews.form(request, automatic: try await request.automaticMaturityAnswers(), previous: last?.answers ?? [:])
    }

    /// Saves an assessment: the manager's answers for the criteria Kring cannot check, Kring's own
    /// (computed again now, whatever the form said) for the rest.
    @Sendable func create(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let values = try request.content.decode([String: String].self)
        let automatic = try await request.automaticMaturityAnswers()
        let note = (values["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= StrategyRules.maxSection else { throw ValidationFailure(field: "note", code: "too_long") }
        let answers = MaturityViews.answers(form: values, automatic: automatic)
        let id = try await request.repositories.maturity.save(answers: answers, evidence: automatic, note: note, by: request.context.actor)
        try await request.audit("maturity.assess", subjectType: "community", subjectID: id, label: "maturity assessment")
        return request.redirect(to: "/maturity/\(id.uuidString.lowercased())", flash: "flash.assessment_saved")
    }
}

enum MaturityViews {
    /// Every criterion answered: automatic ones from the evidence, the others ticked or not.
    static func answers(form: [String: String], automatic: [String: MaturityEvidence]) -> [String: Bool] {
        Dictionary(
            uniqueKeysWithValues: MaturityModel.criteria.map { criterion in
                (criterion.id, automatic[criterion.id]?.met ?? (form[criterion.id] == "1"))
            })
    }

    static func stageName(_ stage: Int, _ t: Localizer) -> String { t("maturity.stage.\(stage)") }

    static func result(_ request: Request, assessment: MaturityAssessment?, previous: MaturityAssessment?, history: [MaturityAssessment])
        -> Response
    {
        let t = request.context.localizer
        return Layout.page(request, title: t("maturity.title")) {
            CockpitNav.bar(request, current: "/maturity")
            H.div(.class("page-header")) {
                H.div {
                    H.h1 { t("maturity.title") }
                    H.p(.class("lead")) { t("maturity.lead") }
                }
                H.a(.to("/maturity/new"), .class("button"), .id("new-assessment")) { t("maturity.assess") }
            }
            if let assessment {
                let stages = assessment.stages
                H.p(.class("muted"), .id("assessment-date")) { t("maturity.assessed_on", ["date": t.dateTime(assessment.createdAt)]) }
                Charts.radar(
                    id: "maturity-radar", title: t("maturity.chart"), description: t("maturity.chart_desc"),
                    labels: MaturityCompetency.allCases.map { t("maturity.competency.\($0.rawValue)") }, maximum: 4,
                    series: [assessment, previous].compactMap { $0 }.enumerated().map { index, entry in
                        let stages = entry.stages
                        return Charts.Series(
                            name: t.date(entry.createdAt), values: MaturityCompetency.allCases.map { Double(stages[$0] ?? 0) },
                            styleClass: "series-\(index + 1)")
                    }, t: t)
                if !assessment.note.isEmpty { H.p(.class("preserve-lines")) { assessment.note } }
                H.section(.class("card"), .id("roadmap")) {
                    H.h2 { t("maturity.roadmap") }
                    let steps = MaturityModel.nextSteps(answers: assessment.answers)
                    H.div(.class("roadmap")) {
                        for competency in MaturityCompetency.allCases {
                            let stage = stages[competency] ?? 0
                            H.section(.class("roadmap-competency"), .id("stage-\(competency.rawValue)")) {
                                H.h3 { t("maturity.competency.\(competency.rawValue)") }
                                H.p(.class("muted")) { t("maturity.at_stage", ["stage": String(stage), "name": stageName(stage, t)]) }
                                let open = steps[competency] ?? []
                                if open.isEmpty {
                                    H.p { t("maturity.top_stage") }
                                } else {
                                    H.ul {
                                        for criterion in open {
                                            H.li(.id("step-\(criterion.id)")) { t("maturity.criterion.\(criterion.id)") }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            } else {
                H.p(.class("empty-state"), .id("no-assessment")) { t("maturity.none") }
            }
            if history.count > 1 {
                H.section(.class("card"), .id("assessment-history")) {
                    H.h2 { t("maturity.history") }
                    H.table(.class("data-table")) {
                        H.thead {
                            H.tr {
                                H.th(.scope("col")) { t("maturity.date") }
                                for competency in MaturityCompetency.allCases {
                                    H.th(.scope("col")) { t("maturity.competency.\(competency.rawValue)") }
                                }
                            }
                        }
                        H.tbody {
                            for entry in history {
                                let stages = entry.stages
                                H.tr {
                                    H.th(.scope("row")) {
                                        H.a(.to("/maturity/\(entry.id.uuidString.lowercased())")) { t.date(entry.createdAt) }
                                    }
                                    for competency in MaturityCompetency.allCases { H.td { String(stages[competency] ?? 0) } }
                                }
                            }
                        }
                    }
                }
            }
            H.p(.class("muted credit")) { t("maturity.credit") }
        }
    }

    static func form(_ request: Request, automatic: [String: MaturityEvidence], previous: [String: Bool]) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("maturity.assess")) {
            CockpitNav.bar(request, current: "/maturity")
            H.p(.class("breadcrumb")) { H.a(.to("/maturity")) { "← " + t("maturity.title") } }
            H.h1 { t("maturity.assess") }
            H.p(.class("lead")) { t("maturity.form.lead") }
            H.form(action: .to("/maturity"), .class("stack-form maturity-form"), .id("maturity-form")) {
                Forms.csrf(request)
                for competency in MaturityCompetency.allCases {
                    H.fieldset(.id("competency-\(competency.rawValue)")) {
                        H.legend { t("maturity.competency.\(competency.rawValue)") }
                        for stage in MaturityStage.allCases {
                            H.p(.class("maturity-stage")) {
                                t("maturity.stage_heading", ["stage": String(stage.rawValue), "name": stageName(stage.rawValue, t)])
                            }
                            for criterion in MaturityModel.criteria where criterion.competency == competency && criterion.stage == stage {
                                if let evidence = automatic[criterion.id], let check = criterion.check {
                                    H.div(.class("field criterion-automatic"), .id("criterion-\(criterion.id)")) {
                                        H.p {
                                            H.span(.class(evidence.met ? "criterion-met" : "criterion-unmet")) {
                                                evidence.met ? "✓ " + t("maturity.met") : "✗ " + t("maturity.not_met")
                                            }
                                            " " + t("maturity.criterion.\(criterion.id)")
                                        }
                                        H.p(.class("muted")) { t("maturity.evidence.\(check.rawValue)", evidence.details) }
                                    }
                                } else {
                                    // No hidden "0" twin: an unticked box sends nothing, which reads as "no".
                                    H.div(.class("field field-checkbox"), .id("criterion-\(criterion.id)")) {
                                        H.element(
                                            "input",
                                            [.type("checkbox"), .id("answer-\(criterion.id)"), .name(criterion.id), .value("1")]
                                                + (previous[criterion.id] == true ? [.checked] : [])
                                        ) { [] }
                                        H.label(.for("answer-\(criterion.id)")) { t("maturity.criterion.\(criterion.id)") }
                                    }
                                }
                            }
                        }
                    }
                }
                Forms.textarea("note", label: t("maturity.note"), state: FormState(), t: t, rows: 3, maxLength: StrategyRules.maxSection)
                Forms.submit(t("maturity.save"), id: "maturity-submit")
            }
            H.p(.class("muted credit")) { t("maturity.credit") }
        }
    }
}
