import KringCore
import KringStore
import Vapor

/// The strategy canvas: one living document, each save a dated version, edited by managers and
/// readable by the roles they choose.
struct StrategyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let strategy = routes.grouped("strategy")
        strategy.get(use: show)
        strategy.post(use: save)
        strategy.get("edit", use: edit)
        strategy.get("history", use: history)
        strategy.get("versions", ":version", use: version)
    }

    /// The current version, after checking that the reader is among its readers.
    static func readable(_ request: Request, _ version: StrategyVersion?) throws {
        try request.authorize(.readStrategy(readers: version?.canvas.readers ?? .manager))
    }

    @Sendable func show(request: Request) async throws -> Response {
        let current = try await request.repositories.strategy.current()
        try Self.readable(request, current)
        return try await StrategyViews.show(request, version: current, isCurrent: true)
    }

    @Sendable func version(request: Request) async throws -> Response {
        let current = try await request.repositories.strategy.current()
        try Self.readable(request, current)
        guard let number = request.parameters.get("version", as: Int.self),
            let version = try await request.repositories.strategy.version(number)
        else { throw Abort(.notFound) }
        return try await StrategyViews.show(request, version: version, isCurrent: version.version == current?.version)
    }

    @Sendable func history(request: Request) async throws -> Response {
        let versions = try await request.repositories.strategy.history()
        try Self.readable(request, versions.first)
        let editors = try await request.repositories.members.handles(of: versions.compactMap(\.editorID))
        return StrategyViews.history(request, versions: versions, editors: editors)
    }

    @Sendable func edit(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let canvas = try await request.repositories.strategy.current()?.canvas ?? StrategyCanvas()
        return StrategyViews.edit(request, state: StrategyForm.state(of: canvas))
    }

    @Sendable func save(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(StrategyForm.self)
        do {
            let canvas = try await form.canvas(request)
            let number = try await request.repositories.strategy.save(canvas, by: request.context.actor)
            try await request.audit("strategy.save", subjectType: "community", label: "strategy", after: "version \(number)")
            return request.redirect(to: "/strategy", flash: "flash.strategy_saved")
        } catch let failure as ValidationFailure {
            return StrategyViews.edit(request, state: FormState(values: form.values, errors: failure.errors), status: .unprocessableEntity)
        }
    }
}

/// The canvas as a form: every section, the team one person a line, who may read it.
struct StrategyForm: Content {
    var purpose: String?
    var audiences: String?
    var value_proposition: String?
    var approach: String?
    var content_strategy: String?
    var activation_strategy: String?
    var success_measures: String?
    var team: String?
    var readers: String?

    var values: [String: String] {
        [
            "purpose": purpose ?? "", "audiences": audiences ?? "", "value_proposition": value_proposition ?? "",
            "approach": approach ?? "", "content_strategy": content_strategy ?? "", "activation_strategy": activation_strategy ?? "",
            "success_measures": success_measures ?? "", "team": team ?? "", "readers": readers ?? "",
        ]
    }

    static func state(of canvas: StrategyCanvas) -> FormState {
        var values = Dictionary(uniqueKeysWithValues: canvas.sections.map { ($0.key, $0.text) })
        values["approach"] = canvas.approach.rawValue
        values["team"] = StrategyRules.teamText(canvas.team)
        values["readers"] = canvas.readers.rawValue
        return FormState(values: values)
    }

    /// The canvas, checked: sections within their length, a known approach and readers, and a
    /// team of active members.
    func canvas(_ request: Request) async throws -> StrategyCanvas {
        var errors = FieldErrorCollector()
        func section(_ name: String, _ raw: String?) -> String {
            let text = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if text.count > StrategyRules.maxSection { errors.add(name, "too_long") }
            return text
        }
        var canvas = StrategyCanvas()
        canvas.purpose = section("purpose", purpose)
        if canvas.purpose.isEmpty { errors.add("purpose", "required") }
        canvas.audiences = section("audiences", audiences)
        canvas.valueProposition = section("value_proposition", value_proposition)
        canvas.contentStrategy = section("content_strategy", content_strategy)
        canvas.activationStrategy = section("activation_strategy", activation_strategy)
        canvas.successMeasures = section("success_measures", success_measures)
        if let approach = StrategyApproach(rawValue: approach ?? "") {
            canvas.approach = approach
        } else {
            errors.add("approach", "choice.invalid")
        }
        if let readers = Role(rawValue: readers ?? "") { canvas.readers = readers } else { errors.add("readers", "choice.invalid") }
        do {
            let team = try StrategyRules.parseTeam(team ?? "")
            for person in team {
                guard let member = try await request.repositories.members.find(handle: person.handle), member.status == .active else {
                    errors.add("team", "invitee.unknown")
                    break
                }
            }
            canvas.team = team
        } catch let failure as ValidationFailure {
            for error in failure.errors { errors.add(error.field, error.code) }
        }
        try errors.throwIfAny()
        return canvas
    }
}

enum StrategyViews {
    static func show(_ request: Request, version: StrategyVersion?, isCurrent: Bool) async throws -> Response {
        let t = request.context.localizer
        let manages = request.decide(.viewCockpit).isAllowed
        let editors = try await request.repositories.members.handles(of: version?.editorID.map { [$0] } ?? [])
        let editor = version?.editorID.flatMap { editors[$0] }
        return Layout.page(request, title: t("strategy.title")) {
            CockpitNav.bar(request, current: "/strategy")
            H.div(.class("page-header")) {
                H.div {
                    H.h1 { t("strategy.title") }
                    H.p(.class("lead")) { t("strategy.lead") }
                }
                H.div(.class("header-actions")) {
                    if version != nil {
                        H.a(.to("/strategy/history"), .class("button button-secondary"), .id("strategy-history")) { t("strategy.history") }
                    }
                    if manages {
                        H.a(.to("/strategy/edit"), .class("button"), .id("strategy-edit")) {
                            t(version == nil ? "strategy.write" : "strategy.edit")
                        }
                    }
                }
            }
            if let version {
                H.p(.class("muted"), .id("strategy-version")) {
                    t("strategy.version", ["version": String(version.version), "date": t.dateTime(version.createdAt)])
                    if let editor { " · @" + editor }
                    if !isCurrent { " · " + t("strategy.not_current") }
                }
                let canvas = version.canvas
                H.div(.class("strategy-canvas"), .id("strategy-canvas")) {
                    for section in canvas.sections {
                        H.section(.class("card strategy-section"), .id("strategy-\(section.key)")) {
                            H.h2 { t("strategy.section.\(section.key)") }
                            if section.text.isEmpty {
                                H.p(.class("muted")) { t("strategy.empty_section") }
                            } else {
                                for paragraph in section.text.components(separatedBy: "\n\n") {
                                    H.p(.class("preserve-lines")) { paragraph }
                                }
                            }
                        }
                        if section.key == "value_proposition" {
                            H.section(.class("card strategy-section"), .id("strategy-approach")) {
                                H.h2 { t("strategy.section.approach") }
                                H.p { t("strategy.approach.\(canvas.approach.rawValue)") }
                            }
                        }
                    }
                    H.section(.class("card strategy-section"), .id("strategy-team")) {
                        H.h2 { t("strategy.section.team") }
                        if canvas.team.isEmpty {
                            H.p(.class("muted")) { t("strategy.empty_section") }
                        } else {
                            H.ul {
                                for person in canvas.team {
                                    H.li {
                                        H.a(.to("/members/\(person.handle)")) { "@" + person.handle }
                                        " — " + t("strategy.role.\(person.role.rawValue)")
                                        if let department = person.department { " (" + department + ")" }
                                    }
                                }
                            }
                        }
                    }
                }
                H.p(.class("muted")) { t("strategy.readers", ["role": t("role.\(canvas.readers.rawValue)")]) }
            } else {
                H.p(.class("empty-state"), .id("no-strategy")) { t(manages ? "strategy.none" : "strategy.none_reader") }
            }
        }
    }

    static func history(_ request: Request, versions: [StrategyVersion], editors: [UUID: String]) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("strategy.history")) {
            CockpitNav.bar(request, current: "/strategy")
            H.p(.class("breadcrumb")) { H.a(.to("/strategy")) { "← " + t("strategy.title") } }
            H.h1 { t("strategy.history") }
            if versions.isEmpty {
                H.p(.class("empty-state")) { t("strategy.none_reader") }
            } else {
                H.ol(.class("version-list"), .id("strategy-versions")) {
                    for version in versions {
                        H.li {
                            H.a(.to("/strategy/versions/\(version.version)")) {
                                t("strategy.version", ["version": String(version.version), "date": t.dateTime(version.createdAt)])
                            }
                            if let editor = version.editorID.flatMap({ editors[$0] }) { " · @" + editor }
                        }
                    }
                }
            }
        }
    }

    static func edit(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("strategy.edit"), status: status) {
            CockpitNav.bar(request, current: "/strategy")
            H.p(.class("breadcrumb")) { H.a(.to("/strategy")) { "← " + t("strategy.title") } }
            H.h1 { t("strategy.edit") }
            H.p(.class("lead")) { t("strategy.edit.lead") }
            Forms.errorSummary(state, t)
            H.form(action: .to("/strategy"), .class("stack-form"), .id("strategy-form")) {
                Forms.csrf(request)
                for key in ["purpose", "audiences", "value_proposition"] {
                    Forms.textarea(
                        key, label: t("strategy.section.\(key)"), state: state, t: t, rows: 4, hint: t("strategy.hint.\(key)"),
                        maxLength: StrategyRules.maxSection)
                }
                Forms.select(
                    "approach", label: t("strategy.section.approach"),
                    options: StrategyApproach.allCases.map { (value: $0.rawValue, label: t("strategy.approach.\($0.rawValue)")) },
                    state: state, t: t)
                for key in ["content_strategy", "activation_strategy", "success_measures"] {
                    Forms.textarea(
                        key, label: t("strategy.section.\(key)"), state: state, t: t, rows: 4, hint: t("strategy.hint.\(key)"),
                        maxLength: StrategyRules.maxSection)
                }
                Forms.textarea("team", label: t("strategy.section.team"), state: state, t: t, rows: 4, hint: t("strategy.hint.team"))
                Forms.select(
                    "readers", label: t("strategy.readers_field"),
                    options: [Role.manager, .moderator, .member].map { (value: $0.rawValue, label: t("strategy.readers.\($0.rawValue)")) },
                    state: state, t: t)
                Forms.submit(t("strategy.save"), id: "strategy-submit")
            }
        }
    }
}
