import KringCore
import KringStore
import Vapor

/// The welcome a newcomer gets (on the home page and in the welcome mail), written by the team and
/// signed by a member they choose.
struct WelcomeMessage: Sendable, Equatable {
    static let textSetting = "onboarding.welcome_text"
    static let fromSetting = "onboarding.welcome_from"
    static let maxLength = 2_000

    let text: String
    /// Who signs it; nil signs it with the community's name.
    let sender: Member?
}

extension Repositories {
    public var onboarding: OnboardingRepository { OnboardingRepository(database: database, clock: clock) }

    /// The team's welcome message, if they wrote one.
    func welcomeMessage() async throws -> WelcomeMessage? {
        guard let text = try await strategy.setting(WelcomeMessage.textSetting), !text.isEmpty else { return nil }
        let handle = try await strategy.setting(WelcomeMessage.fromSetting) ?? ""
        let sender = handle.isEmpty ? nil : try await members.find(handle: handle)
        return WelcomeMessage(text: text, sender: sender?.status == .active ? sender : nil)
    }
}

/// Onboarding in the cockpit: the funnel of newcomers' first steps, the newcomers whose first
/// topic nobody answered yet, and the welcome message.
struct OnboardingController: RouteCollection {
    /// Newcomers of the last 90 days make the funnel.
    static let funnelDays = 90

    func boot(routes: any RoutesBuilder) throws {
        routes.get("cockpit", "onboarding", use: index)
        routes.post("cockpit", "onboarding", "welcome", use: saveWelcome)
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return try await page(request, state: FormState())
    }

    func page(_ request: Request, state: FormState, status: HTTPStatus = .ok) async throws -> Response {
        let repositories = request.repositories
        let now = repositories.clock.now()
        let funnel = try await repositories.onboarding.funnel(
            joinedFrom: now.addingTimeInterval(-Double(Self.funnelDays) * 86_400), to: now)
        var shown = state
        if shown.values.isEmpty {
            shown.values["welcome_text"] = try await repositories.strategy.setting(WelcomeMessage.textSetting) ?? ""
            shown.values["welcome_from"] = try await repositories.strategy.setting(WelcomeMessage.fromSetting) ?? ""
        }
        return OnboardingViews.index(
            request, funnel: funnel, unanswered: try await repositories.onboarding.unansweredFirstPosts(), state: shown, status: status)
    }

    struct WelcomeForm: Content {
        var welcome_text: String?
        var welcome_from: String?
    }

    /// The welcome text (plain text, at most 2,000 characters; empty turns it off) and who signs it
    /// (an active member's handle; empty signs with the community's name).
    @Sendable func saveWelcome(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(WelcomeForm.self)
        let text = (form.welcome_text ?? "").replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let handle = (form.welcome_from ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "@ ")).lowercased()
        var errors = FieldErrorCollector()
        if text.count > WelcomeMessage.maxLength { errors.add("welcome_text", "too_long") }
        if !handle.isEmpty {
            let sender = try await request.repositories.members.find(handle: handle)
            if sender?.status != .active { errors.add("welcome_from", "invitee.unknown") }
        }
        guard errors.errors.isEmpty else {
            return try await page(
                request, state: FormState(values: ["welcome_text": text, "welcome_from": handle], errors: errors.errors),
                status: .unprocessableEntity)
        }
        try await request.repositories.strategy.setSettings([WelcomeMessage.textSetting: text, WelcomeMessage.fromSetting: handle])
        try await request.audit("onboarding.welcome", subjectType: "community", label: "welcome message")
        return request.redirect(to: "/cockpit/onboarding", flash: "flash.welcome_saved")
    }
}

enum OnboardingViews {
    static func index(
        _ request: Request, funnel: OnboardingFunnel, unanswered: [UnansweredFirstPost], state: FormState, status: HTTPStatus
    ) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("onboarding.title"), status: status) {
            CockpitNav.bar(request, current: "/cockpit/onboarding")
            H.h1 { t("onboarding.title") }
            H.p(.class("lead")) { t("onboarding.lead") }
            H.section(.class("cockpit-section"), .id("section-funnel"), .aria(.labelledby, "heading-funnel")) {
                H.h2(.id("heading-funnel")) { t("onboarding.funnel", ["days": t.number(OnboardingController.funnelDays)]) }
                if funnel.joined == 0 {
                    H.p(.class("empty-state"), .id("funnel-empty")) { t("onboarding.no_newcomers") }
                } else {
                    H.p(.id("funnel-joined")) { t.plural("onboarding.joined", count: funnel.joined) }
                    Charts.bars(
                        id: "chart-onboarding", title: t("onboarding.funnel_chart"), description: t("onboarding.funnel_chart_desc"),
                        labels: [t("onboarding.joined_label")] + OnboardingStep.allCases.map { t("onboarding.step.\($0.rawValue)") },
                        values: [Double(funnel.joined)] + OnboardingStep.allCases.map { Double(funnel.completed[$0] ?? 0) },
                        name: t("onboarding.members"), t: t)
                    H.table(.class("data-table"), .id("funnel-table")) {
                        H.caption(.class("visually-hidden")) { t("onboarding.funnel_chart") }
                        H.thead {
                            H.tr {
                                H.th(.scope("col")) { t("onboarding.column.step") }
                                H.th(.scope("col")) { t("onboarding.members") }
                                H.th(.scope("col")) { t("onboarding.column.share") }
                            }
                        }
                        H.tbody {
                            for step in OnboardingStep.allCases {
                                H.tr(.id("step-\(step.rawValue)")) {
                                    H.th(.scope("row"), .class("row-name")) { t("onboarding.step.\(step.rawValue)") }
                                    H.td(.class("number")) { t.number(funnel.completed[step] ?? 0) }
                                    H.td(.class("number")) { funnel.share(step).map { t.percent($0) } ?? "—" }
                                }
                            }
                        }
                    }
                }
                H.details(.class("how")) {
                    H.summary { t("cockpit.how") }
                    H.p { t("onboarding.how") }
                }
            }
            H.section(.class("cockpit-section"), .id("section-care"), .aria(.labelledby, "heading-care")) {
                H.h2(.id("heading-care")) { t("onboarding.care") }
                H.p(.class("muted")) { t("onboarding.care_lead") }
                if unanswered.isEmpty {
                    H.p(.class("empty-state"), .id("care-empty")) { t("onboarding.care_empty") }
                } else {
                    H.ul(.class("care-list"), .id("care-list")) {
                        for post in unanswered {
                            H.li {
                                H.a(.to("/t/\(post.topicID.uuidString.lowercased())")) { post.title }
                                " — " + post.author.displayName + " (@" + post.author.handle + "), " + t.dateTime(post.postedAt)
                            }
                        }
                    }
                }
            }
            H.section(.class("cockpit-section"), .id("section-welcome"), .aria(.labelledby, "heading-welcome")) {
                H.h2(.id("heading-welcome")) { t("onboarding.welcome") }
                H.p(.class("muted")) { t("onboarding.welcome_lead") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/cockpit/onboarding/welcome"), .class("stack-form"), .id("welcome-form")) {
                    Forms.csrf(request)
                    Forms.textarea(
                        "welcome_text", label: t("field.welcome_text"), state: state, t: t, rows: 6, hint: t("onboarding.welcome_hint"),
                        maxLength: WelcomeMessage.maxLength)
                    Forms.field("welcome_from", label: t("field.welcome_from"), state: state, t: t, hint: t("onboarding.welcome_from_hint"))
                    Forms.submit(t("settings.save"), id: "welcome-submit")
                }
            }
        }
    }
}
