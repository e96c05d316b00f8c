import KringCore
import Vapor

/// The frame of every page: header with navigation and account menu, main content, footer with
/// the language switch. Views fill the main content only.
enum Layout {
    /// `liveTopic`: the topic a page shows, whose new replies appear live.
    static func page(
        _ request: Request, title: String, status: HTTPStatus = .ok, liveTopic: UUID? = nil, @HTMLBuilder content: () -> [HTMLNode]
    ) -> Response {
        let context = request.context
        let t = context.localizer
        let communityName = context.community?.name ?? "Kring"
        // Signed-in members get live updates everywhere (their notification count); anyone on a topic's replies.
        let live = context.member != nil || liveTopic != nil
        var bodyAttributes: [HTMLAttribute] = []
        if live {
            bodyAttributes = [.data(.live, "1"), .data(.liveReplyText, t("live.new_reply"))]
            if let liveTopic { bodyAttributes.append(.data(.liveTopic, liveTopic.uuidString.lowercased())) }
        }
        let document = H.element("html", [.lang(t.language.rawValue)]) {
            H.element("head", []) {
                H.meta(.charset("utf-8"))
                H.meta(.name("viewport"), .content("width=device-width, initial-scale=1"))
                H.element("title", []) { title == communityName ? title : "\(title) · \(communityName)" }
                H.link(rel: "stylesheet", href: .to("/css/kring.css"))
                H.link(rel: "icon", href: .to("/favicon.svg"))
                if live { H.script(src: .to("/js/live.js")) }
            }
            H.element("body", bodyAttributes) {
                H.a(.fragment("main"), .class("skip-link")) { t("nav.skip") }
                header(request)
                H.main(.id("main"), .tabindex(-1)) {
                    if let sanction = context.restriction.sanction { SanctionText.banner(sanction, t: t) }
                    if context.mustAcceptRules {
                        H.div(.class("notice"), .role("status"), .id("rules-banner")) {
                            H.p { t("rules.banner") + " " }
                            H.a(.to("/rules"), .class("button button-small")) { t("rules.read") }
                        }
                    }
                    if let flash = context.flash, flash.hasPrefix("flash.") {
                        H.div(.class("flash"), .role("status")) { Self.flashMessage(flash, t) }
                    }
                    content()
                    if live { H.div(.class("visually-hidden"), .id("live-status"), .role("status"), .aria(.live, "polite")) {} }
                }
                footer(request)
            }
        }
        let response = Response(status: status)
        response.headers.contentType = .html
        var body = ByteBufferAllocator().buffer(capacity: 64 << 10)
        body.writeStaticString("<!doctype html>")
        document.render(into: &body)
        response.body = .init(buffer: body)
        return response
    }

    private static func header(_ request: Request) -> HTMLNode {
        let context = request.context
        let t = context.localizer
        let path = request.url.path
        func navLink(_ target: String, _ label: String) -> HTMLNode {
            let isCurrent = target == "/" ? path == "/" : path.hasPrefix(target)
            return H.li {
                if isCurrent {
                    H.a(.to(target), .aria(.current, "page")) { label }
                } else {
                    H.a(.to(target)) { label }
                }
            }
        }
        return H.header(.class("site-header")) {
            H.div(.class("site-header-inner")) {
                H.a(.to("/"), .class("brand")) {
                    H.span(.class("brand-mark"), .aria(.hidden, "true")) { "◎" }
                    context.community?.name ?? "Kring"
                }
                H.nav(.class("main-nav"), .aria(.label, t("nav.main"))) {
                    H.ul {
                        navLink("/", t("nav.home"))
                        if context.community != nil, request.decide(.readCommunity).isAllowed {
                            navLink("/topics", t("nav.topics"))
                            navLink("/groups", t("nav.groups"))
                            navLink("/events", t("nav.events"))
                            navLink("/polls", t("nav.polls"))
                            navLink("/ideas", t("nav.ideas"))
                            navLink("/search", t("nav.search"))
                        }
                        if context.community != nil, request.decide(.viewMemberList).isAllowed {
                            navLink("/members", t("nav.members"))
                        }
                        for item in context.menu {
                            if let url = SafeURL(path: item.path) {
                                navLink(url.value, item.label(in: t.language))
                            } else if let url = SafeURL(external: item.path) {
                                H.li { H.a(url, .rel("noopener")) { item.label(in: t.language) } }
                            }
                        }
                        if request.decide(.readCockpit).isAllowed {
                            navLink("/cockpit", t("nav.cockpit"))
                            navLink("/goals", t("nav.goals"))
                        }
                        if request.decide(.moderateContent).isAllowed {
                            navLink("/moderation", t("nav.moderation"))
                        }
                        if request.decide(.approveMembers).isAllowed {
                            navLink("/admin", t("nav.admin"))
                        }
                    }
                }
                H.div(.class("account-menu")) {
                    if let member = context.member {
                        H.a(.to("/notifications"), .class("notifications-link"), .id("notifications-link")) {
                            t("nav.notifications")
                            if context.unreadNotifications > 0 {
                                H.span(.class("count-badge"), .id("unread-count")) { t.number(context.unreadNotifications) }
                                H.span(.class("visually-hidden")) { " " + t("nav.unread") }
                            }
                        }
                        H.a(.to("/members/\(member.handle)"), .id("current-member"), .class("current-member")) {
                            member.displayName
                        }
                        if member.isStaff { Badges.staff(t) }
                        H.a(.to("/settings/profile"), .class("nav-settings"), .id("settings-link")) { t("nav.settings") }
                        H.form(action: .to("/logout"), .id("logout-form"), .class("inline-form")) {
                            Forms.csrf(request)
                            H.button(.type("submit"), .id("logout-button"), .class("link-button")) { t("nav.logout") }
                        }
                    } else if context.community != nil {
                        H.a(.to("/login"), .id("login-link")) { t("nav.login") }
                        if context.community?.registrationMode != .invite {
                            H.a(.to("/register"), .id("register-link"), .class("button button-small")) { t("nav.register") }
                        }
                    }
                }
            }
        }
    }

    private static func footer(_ request: Request) -> HTMLNode {
        let t = request.context.localizer
        return H.footer(.class("site-footer")) {
            H.div(.class("site-footer-inner")) {
                H.form(action: .to("/language"), .id("language-form"), .class("language-form")) {
                    Forms.csrf(request)
                    H.input(.type("hidden"), .name("return_to"), .value(request.url.path))
                    H.span(.id("language-label")) { t("footer.language") }
                    for language in Language.allCases {
                        H.element(
                            "button",
                            [
                                .type("submit"), .name("language"), .value(language.rawValue), .id("lang-\(language.rawValue)"),
                                .lang(language.rawValue), .class(language == t.language ? "link-button is-current" : "link-button"),
                                .aria(.describedby, "language-label"),
                            ]
                        ) { language.nativeName }
                    }
                }
                H.p(.class("powered-by")) { t("footer.powered") }
            }
        }
    }
}

/// Small reusable marks.
enum Badges {
    static func staff(_ t: Localizer) -> HTMLNode {
        H.span(.class("badge badge-staff"), .title(t("badge.staff.title"))) { t("badge.staff") }
    }

    static func bot(_ t: Localizer) -> HTMLNode {
        H.span(.class("badge badge-bot"), .title(t("badge.bot.title"))) { t("badge.bot") }
    }

    static func role(_ role: Role, _ t: Localizer) -> HTMLNode {
        guard role != .member else { return .empty }
        return H.span(.class("badge badge-role badge-\(role.rawValue)")) { t("role.\(role.rawValue)") }
    }
}

extension Layout {
    /// A flash key with its numbers (`flash.key|count=3`), in the reader's language.
    static func flashMessage(_ flash: String, _ t: Localizer) -> String {
        let parts = flash.split(separator: "|").map(String.init)
        var values: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2, let number = Int(pair[1]) { values[pair[0]] = t.number(number) }
        }
        return t(parts.first ?? flash, values)
    }
}
