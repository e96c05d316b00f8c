import KringCore
import KringStore
import Vapor

/// The success log: small successes, recorded with their evidence for the internal lobby (002).
struct SuccessController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("successes", use: index)
        routes.post("successes", use: create)
        routes.post("successes", ":story", "delete", use: delete)
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.readCockpit)
        let zone = request.communityTimeZone
        let today = CockpitSelection.dayFormatter(zone).string(from: request.repositories.clock.now())
        return SuccessViews.index(
            request, stories: try await request.repositories.strategy.stories(), state: FormState(values: ["occurred_on": today]))
    }

    struct StoryForm: Content {
        var title: String?
        var story: String?
        var value: String?
        var evidence: String?
        var occurred_on: String?

        var values: [String: String] {
            [
                "title": title ?? "", "story": story ?? "", "value": value ?? "", "evidence": evidence ?? "",
                "occurred_on": occurred_on ?? "",
            ]
        }
    }

    @Sendable func create(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(StoryForm.self)
        do {
            var errors = FieldErrorCollector()
            let title = MemberRules.singleLine(form.title ?? "")
            if title.isEmpty || title.count > 150 { errors.add("title", "required") }
            let story = (form.story ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if story.isEmpty || story.count > StrategyRules.maxSection { errors.add("story", "required") }
            let value = MemberRules.singleLine(form.value ?? "")
            if value.count > 300 { errors.add("value", "too_long") }
            let evidence = errors.check { () throws(ValidationFailure) in try SuccessStory.evidence(from: form.evidence ?? "") } ?? []
            let occurredOn = LocalDay.start(of: form.occurred_on ?? "", in: request.communityTimeZone)
            if occurredOn == nil { errors.add("occurred_on", "date.invalid") }
            try errors.throwIfAny()
            guard let occurredOn else { throw Abort(.internalServerError) }
            let id = try await request.repositories.strategy.addStory(
                title: title, story: story, value: value, evidence: evidence, occurredOn: occurredOn, by: request.context.actor)
            try await request.audit("success.create", subjectType: "success", subjectID: id, label: title)
            return request.redirect(to: "/successes", flash: "flash.success_saved")
        } catch let failure as ValidationFailure {
            return SuccessViews.index(
                request, stories: try await request.repositories.strategy.stories(),
                state: FormState(values: form.values, errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    @Sendable func delete(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let id = request.parameters.get("story", as: UUID.self), try await request.repositories.strategy.deleteStory(id) else {
            throw Abort(.notFound)
        }
        try await request.audit("success.delete", subjectType: "success", subjectID: id, label: id.uuidString)
        return request.redirect(to: "/successes", flash: "flash.success_deleted")
    }
}

enum SuccessViews {
    static func index(_ request: Request, stories: [SuccessStory], state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let manages = request.decide(.viewCockpit).isAllowed
        return Layout.page(request, title: t("successes.title"), status: status) {
            CockpitNav.bar(request, current: "/successes")
            H.h1 { t("successes.title") }
            H.p(.class("lead")) { t("successes.lead") }
            if stories.isEmpty {
                H.p(.class("empty-state"), .id("no-successes")) { t("successes.none") }
            } else {
                H.ol(.class("success-list"), .id("successes")) {
                    for story in stories {
                        H.li(.class("card success-story"), .id("success-\(story.id.uuidString.lowercased())")) {
                            H.h2 { story.title }
                            H.p(.class("muted")) { t.date(story.occurredOn) + (story.value.isEmpty ? "" : " · " + story.value) }
                            for paragraph in story.story.components(separatedBy: "\n\n") { H.p(.class("preserve-lines")) { paragraph } }
                            if !story.evidence.isEmpty {
                                H.ul(.class("evidence-list")) {
                                    for link in story.evidence {
                                        if let url = SafeURL(path: link) ?? SafeURL(external: link) {
                                            H.li { H.a(url, .rel("noopener")) { link } }
                                        }
                                    }
                                }
                            }
                            if manages {
                                GroupViews.actionButton(
                                    request, "/successes/\(story.id.uuidString.lowercased())/delete", t("successes.delete"),
                                    id: "delete-\(story.id.uuidString.lowercased())", secondary: true)
                            }
                        }
                    }
                }
            }
            if manages {
                H.section(.class("card"), .id("new-success")) {
                    H.h2 { t("successes.new") }
                    Forms.errorSummary(state, t)
                    H.form(action: .to("/successes"), .class("stack-form"), .id("success-form")) {
                        Forms.csrf(request)
                        Forms.field("title", label: t("successes.field.title"), state: state, t: t, required: true, maxLength: 150)
                        Forms.textarea(
                            "story", label: t("successes.field.story"), state: state, t: t, rows: 4, maxLength: StrategyRules.maxSection)
                        Forms.field(
                            "value", label: t("successes.field.value"), state: state, t: t, hint: t("successes.field.value.hint"),
                            maxLength: 300)
                        Forms.textarea(
                            "evidence", label: t("successes.field.evidence"), state: state, t: t, rows: 3,
                            hint: t("successes.field.evidence.hint"))
                        Forms.field("occurred_on", label: t("successes.field.date"), state: state, t: t, type: "date", required: true)
                        Forms.submit(t("successes.save"), id: "success-submit")
                    }
                }
            }
        }
    }
}
