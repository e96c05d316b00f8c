import KringCore
import KringStore
import Vapor

/// Pages for joining and signing in.
enum AccountViews {
    static func register(
        _ request: Request, state: FormState, invitation: EmailToken?, inviteTokenInvalid: Bool, status: HTTPStatus = .ok
    ) -> Response {
        let t = request.context.localizer
        let community = request.context.community
        let mode = community?.registrationMode ?? .open
        return Layout.page(request, title: t("register.title"), status: status) {
            H.section(.class("auth-card")) {
                H.h1 { t("register.title") }
                if let community { H.p(.class("lead")) { t("register.lead", ["community": community.name]) } }
                if mode == .invite && invitation == nil {
                    H.div(.class("notice"), .id("invite-only")) {
                        H.p { inviteTokenInvalid ? t("register.invite.invalid") : t("register.invite_only") }
                    }
                    H.p { H.a(.to("/login")) { t("register.have_account") } }
                } else {
                    if inviteTokenInvalid { H.div(.class("notice")) { H.p { t("register.invite.invalid") } } }
                    if mode == .approval && invitation == nil {
                        H.p(.class("notice")) { t("register.approval_note") }
                    }
                    Forms.errorSummary(state, t)
                    H.form(action: .to("/register"), .id("register-form"), .class("stack-form")) {
                        Forms.csrf(request)
                        if invitation != nil { H.input(.type("hidden"), .name("invite"), .value(state["invite"])) }
                        Forms.field(
                            "handle", label: t("field.handle"), state: state, t: t, autocomplete: "username", required: true,
                            hint: t("field.handle.hint"), maxLength: MemberRules.handleLength.upperBound)
                        Forms.field(
                            "display_name", label: t("field.display_name"), state: state, t: t, autocomplete: "name", required: true,
                            maxLength: MemberRules.displayNameMaxLength)
                        Forms.field(
                            "email", label: t("field.email"), state: state, t: t, type: "email", autocomplete: "email", required: true)
                        Forms.field(
                            "password", label: t("field.password"), state: state, t: t, type: "password", autocomplete: "new-password",
                            required: true, hint: t("field.password.hint"))
                        if request.context.hasHouseRules {
                            Forms.checkbox(
                                "accept_rules", label: t("register.accept_rules"), isChecked: state["accept_rules"] == "1",
                                hint: t("register.accept_rules.hint"))
                            if let error = state.error(for: "accept_rules") {
                                H.p(.class("field-error"), .id("accept_rules-error")) { t.fieldError(error) }
                            }
                        }
                        Forms.submit(t("register.submit"), id: "register-submit")
                    }
                    H.p(.class("form-footnote")) { H.a(.to("/login")) { t("register.have_account") } }
                }
            }
        }
    }

    static func login(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("login.title"), status: status) {
            H.section(.class("auth-card")) {
                H.h1 { t("login.title") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/login"), .id("login-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    H.input(.type("hidden"), .name("next"), .value(state["next"]))
                    Forms.field("login", label: t("field.login"), state: state, t: t, autocomplete: "username", required: true)
                    Forms.field(
                        "password", label: t("field.password"), state: state, t: t, type: "password", autocomplete: "current-password",
                        required: true)
                    Forms.submit(t("login.submit"), id: "login-submit")
                }
                H.p(.class("form-footnote")) {
                    H.a(.to("/password/forgot"), .id("forgot-link")) { t("login.forgot") }
                    if request.context.community?.registrationMode != .invite {
                        " · "
                        H.a(.to("/register")) { t("login.no_account") }
                    }
                }
            }
        }
    }

    static func forgot(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("reset.title"), status: status) {
            H.section(.class("auth-card")) {
                H.h1 { t("reset.title") }
                H.p(.class("lead")) { t("reset.lead") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/password/forgot"), .id("forgot-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.field("email", label: t("field.email"), state: state, t: t, type: "email", autocomplete: "email", required: true)
                    Forms.submit(t("reset.submit"), id: "forgot-submit")
                }
            }
        }
    }

    static func reset(_ request: Request, token: String, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("reset.new.title"), status: status) {
            H.section(.class("auth-card")) {
                H.h1 { t("reset.new.title") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/password/reset/\(token)"), .id("reset-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.field(
                        "password", label: t("field.new_password"), state: state, t: t, type: "password", autocomplete: "new-password",
                        required: true, hint: t("field.password.hint"))
                    Forms.submit(t("reset.new.submit"), id: "reset-submit")
                }
            }
        }
    }

    static func resetInvalid(_ request: Request) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("reset.invalid.title"), status: .notFound) {
            H.section(.class("auth-card")) {
                H.h1 { t("reset.invalid.title") }
                H.p { t("reset.invalid.body") }
                H.p { H.a(.to("/password/forgot"), .class("button")) { t("reset.invalid.again") } }
            }
        }
    }

    /// A page that only says something: a confirmation or an explanation.
    static func message(_ request: Request, title: String, body: String, id: String) -> Response {
        Layout.page(request, title: title) {
            H.section(.class("auth-card"), .id(id)) {
                H.h1 { title }
                H.p { body }
                H.p { H.a(.to("/"), .class("button button-secondary")) { request.context.localizer("error.page.home") } }
            }
        }
    }
}
