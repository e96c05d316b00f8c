import KringCore
import Vapor

/// How a sanction is said to the member it concerns: what, why, until when, and how to appeal.
enum SanctionText {
    static func until(_ sanction: Sanction, t: Localizer) -> String {
        sanction.endsAt.map { t("sanctions.until", ["date": t.dateTime($0)]) } ?? t("sanctions.until_lifted")
    }

    static func loginRefused(_ sanction: Sanction, t: Localizer) -> String {
        t(
            "sanctions.login_refused",
            ["kind": t("sanctions.kind.\(sanction.kind.rawValue)"), "until": until(sanction, t: t), "reason": sanction.reason])
    }

    /// The banner a silenced member sees on every page.
    static func banner(_ sanction: Sanction, t: Localizer) -> HTMLNode {
        H.div(.class("notice notice-sanction"), .role("status"), .id("sanction-banner")) {
            H.p { t("sanctions.banner", ["until": until(sanction, t: t), "reason": sanction.reason]) }
            H.p { H.a(.to("/settings/standing")) { t("sanctions.appeal_link") } }
        }
    }
}
