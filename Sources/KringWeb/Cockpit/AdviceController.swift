import KringCore
import KringStore
import Vapor

extension Repositories {
    public var advice: AdviceRepository { AdviceRepository(database: database, clock: clock) }
    public var reports: ReportRepository { ReportRepository(database: database, clock: clock) }
    public var strategy: StrategyRepository { StrategyRepository(database: database, clock: clock) }
    public var maturity: MaturityRepository { MaturityRepository(database: database, clock: clock) }

    /// Runs the advice rules on today's figures and brings the action inbox in line. Returns how
    /// many items it opened.
    @discardableResult
    func refreshAdvice(timeZone: TimeZone) async throws -> Int {
        let thresholds = try await advice.thresholds()
        var facts = try await advice.facts(thresholds: thresholds, timeZone: timeZone)
        facts.offTrackGoals = try await goalStandings(timeZone: timeZone).filter { $0.status == .offTrack }.map {
            AdviceFacts.OffTrackGoal(id: $0.goal.id, title: $0.goal.title)
        }
        let findings = AdviceEngine.evaluate(facts, thresholds: thresholds, calendar: MetricPeriod.calendar(timeZone))
        let opened = try await advice.sync(findings)
        try await strategy.setSettings([AdviceController.refreshedSetting: ISO8601DateFormatter().string(from: clock.now())])
        return opened
    }
}

/// The action inbox: the advice rules' findings as a worklist for the community management team.
struct AdviceController: RouteCollection {
    static let refreshedSetting = "advice.refreshed_at"

    func boot(routes: any RoutesBuilder) throws {
        let inbox = routes.grouped("inbox")
        inbox.get(use: index)
        inbox.post("refresh", use: refresh)
        inbox.get("settings", use: settings)
        inbox.post("settings", use: saveSettings)
        inbox.post(":item", ":action", use: work)
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let repositories = request.repositories
        // The first visit evaluates the rules; after that the hourly job and the refresh button do.
        if try await repositories.strategy.setting(Self.refreshedSetting) == nil {
            try await repositories.refreshAdvice(timeZone: request.communityTimeZone)
        }
        let show = request.query[String.self, at: "show"] ?? "due"
        let status: AdviceStatus? = show == "due" || show == "mine" ? nil : AdviceStatus(rawValue: show)
        let mine = show == "mine" ? request.context.member?.id : nil
        let items = try await repositories.advice.items(status, assignee: mine)
        let team = try await repositories.members.team().filter { $0.role >= .manager }
        let refreshed = try await repositories.strategy.setting(Self.refreshedSetting).flatMap { ISO8601DateFormatter().date(from: $0) }
        return AdviceViews.inbox(request, items: items, show: show, team: team, refreshed: refreshed)
    }

    @Sendable func refresh(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        try await request.repositories.refreshAdvice(timeZone: request.communityTimeZone)
        return request.redirect(to: "/inbox", flash: "flash.advice_refreshed")
    }

    struct WorkForm: Content {
        var assignee: String?
        var days: String?
    }

    /// Assign, snooze, done or reopen one item.
    @Sendable func work(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let id = request.parameters.get("item", as: UUID.self), let item = try await request.repositories.advice.item(id) else {
            throw Abort(.notFound)
        }
        let form = try request.content.decode(WorkForm.self)
        let change = try await change(request.parameters.get("action") ?? "", form: form, request: request)
        _ = try await request.repositories.advice.apply(change, to: id)
        try await request.audit(
            "advice.\(request.parameters.get("action") ?? "")", subjectType: "advice", subjectID: id, label: item.rule.rawValue)
        return request.redirect(to: "/inbox", flash: "flash.advice_updated")
    }

    /// The change a form or API call asks for; 400 for an unknown action, 422 for a wrong value.
    func change(_ action: String, form: WorkForm, request: Request) async throws -> AdviceRepository.Change {
        switch action {
        case "assign":
            let handle = (form.assignee ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "@ ")).lowercased()
            if handle.isEmpty { return .assign(nil) }
            guard let member = try await request.repositories.members.find(handle: handle), member.status == .active,
                member.role >= .manager
            else { throw ValidationFailure(field: "assignee", code: "invitee.unknown") }
            return .assign(member.id)
        case "snooze":
            guard let days = Int(form.days ?? ""), (1...90).contains(days) else {
                throw ValidationFailure(field: "days", code: "number.invalid")
            }
            return .snooze(until: request.repositories.clock.now().addingTimeInterval(Double(days) * 86_400))
        case "done": return .done
        case "reopen": return .reopen
        default: throw Abort(.badRequest, reason: "The action is assign, snooze, done or reopen.")
        }
    }

    @Sendable func settings(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return AdviceViews.settings(request, thresholds: try await request.repositories.advice.thresholds(), state: FormState())
    }

    /// Thresholds, each a whole number in its range; nothing is saved when one is wrong.
    @Sendable func saveSettings(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let values = try request.content.decode([String: String].self)
        do {
            let thresholds = try Self.thresholds(from: values)
            try await request.repositories.advice.setThresholds(thresholds)
            try await request.audit("advice.thresholds", subjectType: "community", label: "advice thresholds")
            return request.redirect(to: "/inbox/settings", flash: "flash.settings_saved")
        } catch let failure as ValidationFailure {
            var state = FormState(values: values, errors: failure.errors)
            state.values.removeValue(forKey: "_csrf")
            return AdviceViews.settings(
                request, thresholds: try await request.repositories.advice.thresholds(), state: state, status: .unprocessableEntity)
        }
    }

    static func thresholds(from values: [String: String]) throws(ValidationFailure) -> AdviceThresholds {
        var thresholds = AdviceThresholds()
        var errors = FieldErrorCollector()
        for parameter in AdviceParameter.allCases {
            guard let raw = values[parameter.rawValue] else { continue }
            if let value = Int(raw.trimmingCharacters(in: .whitespaces)), parameter.range.contains(value) {
                thresholds[parameter] = value
            } else {
                errors.add(parameter.rawValue, "number.range")
            }
        }
        if !errors.errors.isEmpty { throw ValidationFailure(errors.errors) }
        return thresholds
    }
}

/// The inbox page and its settings.
enum AdviceViews {
    /// The item's sentence, from its rule and figures.
    static func sentence(_ rule: AdviceRule, _ details: [String: String], _ t: Localizer) -> String {
        t("advice.rule.\(rule.rawValue)", details)
    }

    static func suggestion(_ rule: AdviceRule, _ details: [String: String], _ t: Localizer) -> String {
        rule == .groupFalling
            ? t("advice.suggest.group_falling.\(details["suggestion"] ?? "revive")") : t("advice.suggest.\(rule.rawValue)")
    }

    static func inbox(_ request: Request, items: [AdviceItem], show: String, team: [Member], refreshed: Date?) -> Response {
        let t = request.context.localizer
        let handles = Dictionary(uniqueKeysWithValues: team.map { ($0.id, $0.handle) })
        return Layout.page(request, title: t("advice.title")) {
            CockpitNav.bar(request, current: "/inbox")
            H.div(.class("page-header")) {
                H.div {
                    H.h1 { t("advice.title") }
                    H.p(.class("lead")) { t("advice.lead") }
                }
                H.div(.class("header-actions")) {
                    GroupViews.actionButton(request, "/inbox/refresh", t("advice.refresh"), id: "advice-refresh", secondary: true)
                    H.a(.to("/inbox/settings"), .class("button button-secondary"), .id("advice-settings")) { t("advice.settings") }
                }
            }
            if let refreshed { H.p(.class("muted")) { t("advice.refreshed", ["date": t.dateTime(refreshed)]) } }
            H.nav(.class("filter-tabs"), .aria(.label, t("advice.filter"))) {
                H.ul {
                    for option in ["due", "mine", "snoozed", "done", "cleared"] {
                        H.li {
                            H.a(.to("/inbox?show=\(option)"), .id("show-\(option)"), option == show ? .aria(.current, "page") : .class(""))
                            {
                                t("advice.show.\(option)")
                            }
                        }
                    }
                }
            }
            if items.isEmpty {
                H.p(.class("empty-state"), .id("inbox-empty")) { t(show == "due" ? "advice.empty" : "advice.empty_filter") }
            } else {
                H.ol(.class("advice-list"), .id("advice-items")) {
                    for item in items { row(request, item, handles: handles, team: team, t) }
                }
            }
        }
    }

    private static func row(_ request: Request, _ item: AdviceItem, handles: [UUID: String], team: [Member], _ t: Localizer) -> HTMLNode {
        let id = item.id.uuidString.lowercased()
        let base = "/inbox/\(id)/"
        return H.li(.class("card advice-item advice-\(item.rule.rawValue)"), .id("advice-\(id)")) {
            H.p(.class("advice-rule muted")) {
                t("advice.rule_name.\(item.rule.rawValue)") + " · " + t("advice.since", ["date": t.date(item.createdAt)])
            }
            H.p(.class("advice-sentence")) {
                if let link = SafeURL(path: item.link) {
                    H.a(link) { sentence(item.rule, item.details, t) }
                } else {
                    sentence(item.rule, item.details, t)
                }
            }
            H.p(.class("advice-suggestion")) {
                H.strong { t("advice.suggested") + " " }
                suggestion(item.rule, item.details, t)
            }
            H.p(.class("muted"), .id("advice-state-\(id)")) {
                t("advice.status.\(item.status.rawValue)")
                if item.status == .snoozed, let until = item.snoozedUntil { " " + t("advice.until", ["date": t.date(until)]) }
                if let assignee = item.assigneeID.flatMap({ handles[$0] }) { " · " + t("advice.assigned_to", ["handle": assignee]) }
            }
            H.div(.class("advice-actions")) {
                H.form(action: .to(base + "assign"), .class("inline-form")) {
                    Forms.csrf(request)
                    H.label(.for("assignee-\(id)"), .class("visually-hidden")) { t("advice.assign_to") }
                    H.element("select", [.id("assignee-\(id)"), .name("assignee")]) {
                        H.option(.value("")) { t("advice.nobody") }
                        for member in team {
                            H.element(
                                "option", member.id == item.assigneeID ? [.value(member.handle), .selected] : [.value(member.handle)]
                            ) { "@" + member.handle }
                        }
                    }
                    H.button(.type("submit"), .class("button button-small button-secondary"), .id("assign-\(id)")) { t("advice.assign") }
                }
                if item.status == .open || item.status == .snoozed {
                    H.form(action: .to(base + "snooze"), .class("inline-form")) {
                        Forms.csrf(request)
                        H.label(.for("days-\(id)"), .class("visually-hidden")) { t("advice.snooze_for") }
                        H.element("select", [.id("days-\(id)"), .name("days")]) {
                            for days in [1, 7, 30] {
                                H.option(.value(String(days))) {
                                    days == 1 ? t("advice.one_day") : t("advice.days", ["count": String(days)])
                                }
                            }
                        }
                        H.button(.type("submit"), .class("button button-small button-secondary"), .id("snooze-\(id)")) {
                            t("advice.snooze")
                        }
                    }
                    GroupViews.actionButton(request, base + "done", t("advice.done"), id: "done-\(id)")
                } else {
                    GroupViews.actionButton(request, base + "reopen", t("advice.reopen"), id: "reopen-\(id)", secondary: true)
                }
            }
        }
    }

    static func settings(_ request: Request, thresholds: AdviceThresholds, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        var shown = state
        for parameter in AdviceParameter.allCases where shown.values[parameter.rawValue] == nil {
            shown.values[parameter.rawValue] = String(thresholds[parameter])
        }
        return Layout.page(request, title: t("advice.settings"), status: status) {
            CockpitNav.bar(request, current: "/inbox")
            H.p(.class("breadcrumb")) { H.a(.to("/inbox")) { "← " + t("advice.title") } }
            H.h1 { t("advice.settings") }
            H.p(.class("lead")) { t("advice.settings.lead") }
            Forms.errorSummary(shown, t)
            H.form(action: .to("/inbox/settings"), .class("stack-form"), .id("advice-settings-form")) {
                Forms.csrf(request)
                for rule in AdviceRule.allCases where !rule.parameters.isEmpty {
                    H.fieldset {
                        H.legend { t("advice.rule_name.\(rule.rawValue)") }
                        for parameter in rule.parameters {
                            Forms.field(
                                parameter.rawValue, label: t("advice.parameter.\(parameter.rawValue)"), state: shown, t: t, type: "number",
                                required: true,
                                hint: t(
                                    "advice.parameter.range",
                                    ["min": String(parameter.range.lowerBound), "max": String(parameter.range.upperBound)]))
                        }
                    }
                }
                Forms.submit(t("settings.save"), id: "advice-settings-submit")
            }
        }
    }
}
