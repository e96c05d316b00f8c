import KringCore
import KringStore
import Vapor

/// The member's settings pages, with a shared side navigation.
enum SettingsViews {
    static func frame(
        _ request: Request, title: String, current: String, status: HTTPStatus, @HTMLBuilder content: () -> [HTMLNode]
    ) -> Response {
        let t = request.context.localizer
        let sections = [
            ("/settings/profile", t("settings.profile")), ("/settings/password", t("settings.password")),
            ("/settings/tokens", t("settings.tokens")), ("/settings/notifications", t("notifications.preferences")),
            ("/settings/calendar", t("events.my_calendar")), ("/settings/standing", t("standing.title")),
            ("/settings/privacy", t("privacy.title")),
        ]
        return Layout.page(request, title: title, status: status) {
            H.div(.class("with-sidebar")) {
                H.nav(.class("side-nav"), .aria(.label, t("settings.title"))) {
                    H.h2(.class("side-nav-title")) { t("settings.title") }
                    H.ul {
                        for (path, label) in sections {
                            H.li {
                                if path == current { H.a(.to(path), .aria(.current, "page")) { label } } else { H.a(.to(path)) { label } }
                            }
                        }
                    }
                }
                H.section(.class("with-sidebar-main")) { content() }
            }
        }
    }

    static func profile(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let languages = [(value: "", label: t("settings.language.automatic"))] + Language.allCases.map { ($0.rawValue, $0.nativeName) }
        return frame(request, title: t("settings.profile"), current: "/settings/profile", status: status) {
            H.h1 { t("settings.profile") }
            if let member = request.context.member {
                H.p(.class("lead")) {
                    t("settings.profile.lead")
                    " "
                    H.a(.to("/members/\(member.handle)"), .id("view-profile")) { t("settings.profile.view") }
                }
            }
            Forms.errorSummary(state, t)
            H.form(action: .to("/settings/profile"), .id("profile-form"), .class("stack-form")) {
                Forms.csrf(request)
                Forms.field(
                    "display_name", label: t("field.display_name"), state: state, t: t, autocomplete: "name", required: true,
                    maxLength: MemberRules.displayNameMaxLength)
                Forms.textarea(
                    "bio", label: t("field.bio"), state: state, t: t, rows: 6, hint: t("field.bio.hint"),
                    maxLength: MemberRules.bioMaxLength)
                Forms.field(
                    "organisation", label: t("field.organisation"), state: state, t: t, autocomplete: "organization",
                    hint: t("field.organisation.hint"), maxLength: MemberRules.organisationMaxLength)
                Forms.field("interests", label: t("field.interests"), state: state, t: t, hint: t("field.tags.hint"))
                Forms.field("expertise", label: t("field.expertise"), state: state, t: t, hint: t("field.tags.hint"))
                Forms.select("preferred_language", label: t("field.preferred_language"), options: languages, state: state, t: t)
                Forms.submit(t("settings.save"), id: "profile-submit")
            }
        }
    }

    static func password(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return frame(request, title: t("settings.password"), current: "/settings/password", status: status) {
            H.h1 { t("settings.password") }
            H.p(.class("lead")) { t("settings.password.lead") }
            Forms.errorSummary(state, t)
            H.form(action: .to("/settings/password"), .id("password-form"), .class("stack-form")) {
                Forms.csrf(request)
                Forms.field(
                    "current_password", label: t("field.current_password"), state: state, t: t, type: "password",
                    autocomplete: "current-password", required: true)
                Forms.field(
                    "new_password", label: t("field.new_password"), state: state, t: t, type: "password", autocomplete: "new-password",
                    required: true, hint: t("field.password.hint"))
                Forms.submit(t("settings.password.submit"), id: "password-submit")
            }
        }
    }

    static func tokens(
        _ request: Request, tokens: [AccessTokenSummary], newToken: String?, state: FormState, status: HTTPStatus = .ok
    ) -> Response {
        let t = request.context.localizer
        return frame(request, title: t("settings.tokens"), current: "/settings/tokens", status: status) {
            H.h1 { t("settings.tokens") }
            H.p(.class("lead")) { t("settings.tokens.lead") }
            if let newToken {
                H.div(.class("notice notice-success"), .role("status")) {
                    H.p { t("settings.tokens.created") }
                    H.p { H.code(.id("new-token"), .class("token-value")) { newToken } }
                }
            }
            Forms.errorSummary(state, t)
            H.form(action: .to("/settings/tokens"), .id("token-form"), .class("stack-form inline-fields")) {
                Forms.csrf(request)
                Forms.field("name", label: t("field.token_name"), state: state, t: t, required: true, hint: t("field.token_name.hint"))
                Forms.submit(t("settings.tokens.create"), id: "token-submit")
            }
            if tokens.isEmpty {
                H.p(.class("empty-state")) { t("settings.tokens.empty") }
            } else {
                H.table(.class("data-table"), .id("token-table")) {
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { t("field.token_name") }
                            H.th(.scope("col")) { t("settings.tokens.prefix") }
                            H.th(.scope("col")) { t("settings.tokens.created_at") }
                            H.th(.scope("col")) { t("settings.tokens.last_used") }
                            H.th(.scope("col")) { H.span(.class("visually-hidden")) { t("settings.tokens.actions") } }
                        }
                    }
                    H.tbody {
                        for token in tokens {
                            H.tr {
                                H.td { token.name }
                                H.td { H.code { token.prefix + "…" } }
                                H.td { t.dateTime(token.createdAt) }
                                H.td { token.lastUsedAt.map(t.dateTime) ?? t("settings.tokens.never") }
                                H.td {
                                    H.form(action: .to("/settings/tokens/\(token.id.uuidString)/revoke"), .class("inline-form")) {
                                        Forms.csrf(request)
                                        H.button(.type("submit"), .class("button button-small button-danger")) {
                                            t("settings.tokens.revoke")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
