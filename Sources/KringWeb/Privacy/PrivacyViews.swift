import KringCore
import KringStore
import Vapor

/// The privacy pages: the member's own (download, delete) and the admins' (policy, requests).
enum PrivacyViews {
    static func own(_ request: Request, policy: ErasurePolicy, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return SettingsViews.frame(request, title: t("privacy.title"), current: "/settings/privacy", status: status) {
            H.h1 { t("privacy.title") }
            H.p(.class("lead")) { t("privacy.lead") }
            H.section(.aria(.labelledby, "export-heading")) {
                H.h2(.id("export-heading")) { t("privacy.export.title") }
                H.p { t("privacy.export.lead") }
                H.a(.to("/settings/privacy/export"), .class("button"), .id("export-own")) {
                    t("privacy.export.download")
                }
            }
            H.section(.aria(.labelledby, "delete-heading"), .class("danger-zone")) {
                H.h2(.id("delete-heading")) { t("privacy.delete.title") }
                H.p { t("privacy.delete.lead") }
                H.p(.id("erasure-policy")) { t("privacy.policy.\(policy.rawValue).member") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/settings/privacy/delete"), .id("delete-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.field(
                        "password", label: t("field.password"), state: state, t: t, type: "password", autocomplete: "current-password",
                        required: true)
                    Forms.checkbox("confirm", label: t("privacy.delete.confirm"), isChecked: false)
                    if let error = state.error(for: "confirm") { H.p(.class("field-error"), .id("confirm-error")) { t.fieldError(error) } }
                    H.div(.class("form-actions")) {
                        H.button(.type("submit"), .id("delete-submit"), .class("button button-danger")) { t("privacy.delete.submit") }
                    }
                }
            }
        }
    }

    static func admin(
        _ request: Request, policy: ErasurePolicy, requests: [StaffAction], state: FormState, status: HTTPStatus = .ok
    ) -> Response {
        let t = request.context.localizer
        return AdminViews.frame(request, title: t("privacy.admin.title"), current: "/admin/privacy", status: status) {
            H.h1 { t("privacy.admin.title") }
            H.p(.class("lead")) { t("privacy.admin.lead") }
            if let erased = request.query[String.self, at: "erased"], !erased.isEmpty {
                H.div(.class("notice notice-success"), .role("status"), .id("erased-notice")) {
                    t("privacy.admin.erased", ["handle": erased])
                }
            }
            Forms.errorSummary(state, t)
            H.section(.class("page-section"), .aria(.labelledby, "policy-heading")) {
                H.h2(.id("policy-heading")) { t("privacy.policy.title") }
                H.form(action: .to("/admin/privacy"), .id("policy-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    H.fieldset {
                        H.legend { t("privacy.policy.legend") }
                        for option in ErasurePolicy.allCases {
                            H.div(.class("field field-checkbox")) {
                                H.element(
                                    "input",
                                    [.type("radio"), .name("erasure_policy"), .value(option.rawValue), .id("policy-\(option.rawValue)")]
                                        + (option == policy ? [.checked] : [])
                                ) { [] }
                                H.label(.for("policy-\(option.rawValue)")) { t("privacy.policy.\(option.rawValue)") }
                                H.p(.class("field-hint")) { t("privacy.policy.\(option.rawValue).admin") }
                            }
                        }
                    }
                    Forms.submit(t("settings.save"), id: "policy-submit")
                }
            }
            H.section(.class("page-section"), .aria(.labelledby, "requests-heading")) {
                H.h2(.id("requests-heading")) { t("privacy.requests.title") }
                H.p { t("privacy.requests.lead") }
                H.element("form", [.action(.to("/admin/privacy/export")), .method("get"), .id("admin-export-form"), .class("stack-form")]) {
                    Forms.field("member", label: t("privacy.requests.export_handle"), state: state, t: t, required: true)
                    Forms.submit(t("privacy.export.download"), id: "admin-export-submit", secondary: true)
                }
                H.form(action: .to("/admin/privacy/erase"), .id("admin-erase-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.field("handle", label: t("privacy.requests.erase_handle"), state: state, t: t, required: true)
                    Forms.field(
                        "confirm_handle", label: t("privacy.requests.confirm_handle"), state: state, t: t, required: true,
                        hint: t("privacy.requests.confirm_hint"), keepValue: false)
                    Forms.field("reason", label: t("privacy.requests.reason"), state: state, t: t, maxLength: 500)
                    H.div(.class("form-actions")) {
                        H.button(.type("submit"), .id("admin-erase-submit"), .class("button button-danger")) { t("privacy.requests.erase") }
                    }
                }
            }
            H.section(.class("page-section"), .aria(.labelledby, "history-heading")) {
                H.h2(.id("history-heading")) { t("privacy.history.title") }
                if requests.isEmpty {
                    H.p(.class("empty-state")) { t("privacy.history.empty") }
                } else {
                    H.table(.class("data-table"), .id("privacy-history")) {
                        H.thead {
                            H.tr {
                                H.th(.scope("col")) { t("audit.time") }
                                H.th(.scope("col")) { t("audit.actor") }
                                H.th(.scope("col")) { t("audit.action") }
                                H.th(.scope("col")) { t("audit.subject") }
                                H.th(.scope("col")) { t("audit.reason") }
                            }
                        }
                        H.tbody {
                            for entry in requests {
                                H.tr {
                                    H.td { t.dateTime(entry.createdAt) }
                                    H.td { "@" + entry.actorHandle }
                                    H.td { t("privacy.history.\(entry.action)") }
                                    H.td { entry.subjectLabel }
                                    H.td { entry.reason }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
