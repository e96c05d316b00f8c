import KringCore
import KringStore
import Vapor

/// The administration pages.
enum AdminViews {
    struct Figures {
        let members: Int
        let pending: Int
        let mailPending: Int
        let mailFailed: Int
    }

    static func frame(
        _ request: Request, title: String, current: String, status: HTTPStatus = .ok, @HTMLBuilder content: () -> [HTMLNode]
    ) -> Response {
        let t = request.context.localizer
        var sections: [(String, String)] = [("/admin", t("admin.overview")), ("/admin/members", t("admin.members"))]
        if request.decide(.inviteMembers).isAllowed { sections.append(("/admin/invites", t("admin.invites"))) }
        if request.decide(.editCommunitySettings).isAllowed {
            sections.append(("/admin/settings", t("admin.settings")))
            sections.append(("/admin/uploads", t("documents.limits")))
            sections.append(("/admin/privacy", t("privacy.admin.title")))
        }
        if request.decide(.viewMailLog).isAllowed {
            sections.append(("/admin/mail", t("admin.mail")))
            sections.append(("/admin/jobs", t("admin.jobs")))
        }
        if request.decide(.viewCockpit).isAllowed {
            sections.append(("/admin/menu", t("menu.title")))
            sections.append(("/admin/pages", t("pages.title")))
            sections.append(("/admin/departments", t("ideas.departments")))
        }
        return Layout.page(request, title: title, status: status) {
            H.div(.class("with-sidebar")) {
                H.nav(.class("side-nav"), .aria(.label, t("nav.admin"))) {
                    H.h2(.class("side-nav-title")) { t("nav.admin") }
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

    static func overview(_ request: Request, figures: Figures) -> Response {
        let t = request.context.localizer
        return frame(request, title: t("admin.overview"), current: "/admin") {
            H.h1 { t("admin.overview") }
            H.div(.class("stat-grid")) {
                stat(t.number(figures.members), t.plural("home.members", count: figures.members), link: "/admin/members")
                stat(t.number(figures.pending), t("admin.pending"), link: "/admin/members?status=pending", id: "pending-count")
                if request.decide(.viewMailLog).isAllowed {
                    stat(t.number(figures.mailPending), t("admin.mail.pending"), link: "/admin/mail?status=pending")
                    stat(t.number(figures.mailFailed), t("admin.mail.failed"), link: "/admin/mail?status=failed")
                }
            }
        }
    }

    private static func stat(_ number: String, _ label: String, link: String, id: String? = nil) -> HTMLNode {
        H.a(.to(link), .class("stat-card")) {
            H.element("span", [.class("stat-number")] + (id.map { [HTMLAttribute.id($0)] } ?? [])) { number }
            H.span(.class("stat-label")) { label }
        }
    }

    static func settings(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let languages = Language.allCases.map { (value: $0.rawValue, label: $0.nativeName) }
        let modes = RegistrationMode.allCases.map { (value: $0.rawValue, label: t("registration_mode.\($0.rawValue)")) }
        let access = ReadAccess.allCases.map { (value: $0.rawValue, label: t("read_access.\($0.rawValue)")) }
        return frame(request, title: t("admin.settings"), current: "/admin/settings", status: status) {
            H.h1 { t("admin.settings") }
            Forms.errorSummary(state, t)
            H.form(action: .to("/admin/settings"), .id("settings-form"), .class("stack-form")) {
                Forms.csrf(request)
                Forms.field("community_name", label: t("field.community_name"), state: state, t: t, required: true)
                Forms.field("tagline", label: t("field.tagline"), state: state, t: t, hint: t("field.tagline.hint"))
                Forms.select("default_language", label: t("field.default_language"), options: languages, state: state, t: t)
                Forms.select(
                    "registration_mode", label: t("field.registration_mode"), options: modes, state: state, t: t,
                    hint: t("field.registration_mode.hint"))
                Forms.select(
                    "read_access", label: t("field.read_access"), options: access, state: state, t: t, hint: t("field.read_access.hint"))
                Forms.field("time_zone", label: t("field.time_zone"), state: state, t: t, hint: t("field.time_zone.hint"))
                Forms.submit(t("settings.save"), id: "settings-submit")
            }
        }
    }

    static func members(
        _ request: Request, members: [Member], status: MemberStatus?, search: String, page: Int, hasMore: Bool
    ) -> Response {
        let t = request.context.localizer
        let canAssign = request.decide(.assignRoles).isAllowed
        var query: [(String, String)] = []
        if let status { query.append(("status", status.rawValue)) }
        if !search.isEmpty { query.append(("q", search)) }
        return frame(request, title: t("admin.members"), current: "/admin/members") {
            H.h1 { t("admin.members") }
            H.element("form", [.action(.to("/admin/members")), .method("get"), .class("search-form"), .role("search")]) {
                H.label(.for("q"), .class("visually-hidden")) { t("members.search") }
                H.input(.type("search"), .id("q"), .name("q"), .value(search), .placeholder(t("members.search")))
                H.label(.for("status"), .class("visually-hidden")) { t("admin.members.status") }
                H.element("select", [.id("status"), .name("status")]) {
                    H.element("option", status == nil ? [.value(""), .selected] : [.value("")]) { t("admin.members.all") }
                    for option in MemberStatus.allCases {
                        H.element("option", status == option ? [.value(option.rawValue), .selected] : [.value(option.rawValue)]) {
                            t("status.\(option.rawValue)")
                        }
                    }
                }
                H.button(.type("submit"), .class("button button-secondary")) { t("members.search.submit") }
            }
            if members.isEmpty {
                H.p(.class("empty-state")) { status == .pending ? t("admin.members.no_pending") : t("members.empty") }
            } else {
                H.table(.class("data-table"), .id("admin-members")) {
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { t("admin.members.member") }
                            H.th(.scope("col")) { t("field.email") }
                            H.th(.scope("col")) { t("admin.members.joined") }
                            H.th(.scope("col")) { t("admin.members.status") }
                            H.th(.scope("col")) { t("admin.members.access") }
                        }
                    }
                    H.tbody {
                        for member in members { memberRow(request, member: member, canAssign: canAssign) }
                    }
                }
            }
            MemberViews.pager(basePath: "/admin/members", query: query, page: page, hasMore: hasMore, t: t)
        }
    }

    private static func memberRow(_ request: Request, member: Member, canAssign: Bool) -> HTMLNode {
        let t = request.context.localizer
        return H.tr(.id("member-\(member.handle)")) {
            H.td {
                H.a(.to("/members/\(member.handle)")) { member.displayName }
                " "
                H.span(.class("handle")) { "@" + member.handle }
            }
            H.td { member.email }
            H.td { t.date(member.createdAt) }
            H.td { H.span(.class("status status-\(member.status.rawValue)")) { t("status.\(member.status.rawValue)") } }
            H.td {
                if member.status == .pending {
                    H.form(action: .to("/admin/members/\(member.handle)/approve"), .class("inline-form")) {
                        Forms.csrf(request)
                        H.button(.type("submit"), .class("button button-small"), .id("approve-\(member.handle)")) {
                            t("admin.members.approve")
                        }
                    }
                    H.form(action: .to("/admin/members/\(member.handle)/reject"), .class("inline-form")) {
                        Forms.csrf(request)
                        H.button(.type("submit"), .class("button button-small button-danger")) { t("admin.members.reject") }
                    }
                } else if canAssign {
                    H.form(action: .to("/admin/members/\(member.handle)"), .class("inline-form role-form")) {
                        Forms.csrf(request)
                        H.label(.for("role-\(member.handle)"), .class("visually-hidden")) { t("admin.members.role") }
                        H.element("select", [.id("role-\(member.handle)"), .name("role")]) {
                            for role in Role.allCases {
                                H.element("option", role == member.role ? [.value(role.rawValue), .selected] : [.value(role.rawValue)]) {
                                    t("role.\(role.rawValue)")
                                }
                            }
                        }
                        flagBox("is_staff", id: "staff-\(member.handle)", checked: member.isStaff, label: t("badge.staff"))
                        flagBox("is_bot", id: "bot-\(member.handle)", checked: member.isBot, label: t("badge.bot"))
                        flagBox(
                            "cockpit_access", id: "cockpit-\(member.handle)", checked: member.cockpitAccess,
                            label: t("admin.members.cockpit_access"))
                        H.button(.type("submit"), .class("button button-small")) { t("settings.save") }
                    }
                } else {
                    Badges.role(member.role, t)
                    if member.isStaff { Badges.staff(t) }
                    if member.isBot { Badges.bot(t) }
                }
            }
        }
    }

    /// A checkbox that always submits: "0" from the hidden field unless ticked.
    private static func flagBox(_ name: String, id: String, checked: Bool, label: String) -> HTMLNode {
        H.fragment {
            H.input(.type("hidden"), .name(name), .value("0"))
            H.element("input", [.type("checkbox"), .id(id), .name(name), .value("1")] + (checked ? [.checked] : [])) { [] }
            H.label(.for(id)) { label }
        }
    }

    static func invites(_ request: Request, open: [EmailToken], state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return frame(request, title: t("admin.invites"), current: "/admin/invites", status: status) {
            H.h1 { t("admin.invites") }
            H.p(.class("lead")) { t("admin.invites.lead") }
            Forms.errorSummary(state, t)
            H.form(action: .to("/admin/invites"), .id("invite-form"), .class("stack-form")) {
                Forms.csrf(request)
                Forms.textarea("emails", label: t("field.emails"), state: state, t: t, rows: 3, hint: t("field.emails.hint"))
                Forms.textarea("note", label: t("field.note"), state: state, t: t, rows: 3, maxLength: 500)
                Forms.submit(t("admin.invites.send"), id: "invite-submit")
            }
            H.h2 { t("admin.invites.open") }
            if open.isEmpty {
                H.p(.class("empty-state")) { t("admin.invites.none") }
            } else {
                H.ul(.class("plain-list"), .id("open-invites")) {
                    for invitation in open {
                        H.li { invitation.email + " · " + t("admin.invites.expires", ["date": t.date(invitation.expiresAt)]) }
                    }
                }
            }
        }
    }

    static func mailLog(_ request: Request, messages: [OutboxMessage], status: OutboxMessage.Status?, page: Int, hasMore: Bool) -> Response
    {
        let t = request.context.localizer
        return frame(request, title: t("admin.mail"), current: "/admin/mail") {
            H.h1 { t("admin.mail") }
            H.p(.class("lead")) { t("admin.mail.lead") }
            H.nav(.class("filter-tabs"), .aria(.label, t("admin.mail.filter"))) {
                H.a(.to("/admin/mail"), .class(status == nil ? "is-current" : "")) { t("admin.members.all") }
                for option in OutboxMessage.Status.allCases {
                    H.a(.to("/admin/mail?status=\(option.rawValue)"), .class(status == option ? "is-current" : "")) {
                        t("mail.status.\(option.rawValue)")
                    }
                }
            }
            if messages.isEmpty {
                H.p(.class("empty-state")) { t("admin.mail.empty") }
            } else {
                H.table(.class("data-table"), .id("mail-log")) {
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { t("admin.mail.created") }
                            H.th(.scope("col")) { t("admin.mail.recipient") }
                            H.th(.scope("col")) { t("admin.mail.subject") }
                            H.th(.scope("col")) { t("admin.mail.status") }
                            H.th(.scope("col")) { t("admin.mail.attempts") }
                        }
                    }
                    H.tbody {
                        for message in messages {
                            H.tr {
                                H.td { t.dateTime(message.createdAt) }
                                H.td { message.recipient }
                                H.td { H.a(.to("/admin/mail/\(message.id.uuidString)")) { message.subject } }
                                H.td {
                                    H.span(.class("status status-\(message.status.rawValue)")) {
                                        t("mail.status.\(message.status.rawValue)")
                                    }
                                }
                                H.td { t.number(message.attempts) }
                            }
                        }
                    }
                }
            }
            MemberViews.pager(
                basePath: "/admin/mail", query: status.map { [("status", $0.rawValue)] } ?? [], page: page, hasMore: hasMore, t: t)
        }
    }

    static func mailMessage(_ request: Request, message: OutboxMessage) -> Response {
        let t = request.context.localizer
        return frame(request, title: message.subject, current: "/admin/mail") {
            H.h1 { message.subject }
            H.dl(.class("meta-list")) {
                H.dt { t("admin.mail.recipient") }
                H.dd { "\(message.recipientName) <\(message.recipient)>" }
                H.dt { t("admin.mail.status") }
                H.dd { t("mail.status.\(message.status.rawValue)") }
                H.dt { t("admin.mail.attempts") }
                H.dd { t.number(message.attempts) }
                H.dt { t("admin.mail.created") }
                H.dd { t.dateTime(message.createdAt) }
                if let sent = message.sentAt {
                    H.dt { t("admin.mail.sent") }
                    H.dd { t.dateTime(sent) }
                }
                if let error = message.lastError {
                    H.dt { t("admin.mail.error") }
                    H.dd { H.code { error } }
                }
            }
            H.pre(.class("mail-body")) { MailLogRedaction.redact(message.bodyText) }
            if message.status == .failed {
                H.form(action: .to("/admin/mail/\(message.id.uuidString)/retry")) {
                    Forms.csrf(request)
                    H.button(.type("submit"), .class("button")) { t("admin.mail.retry") }
                }
            }
        }
    }

    static func jobs(_ request: Request, counts: [String: [QueuedJob.Status: Int]], depth: Int, failed: [QueuedJob], latest: [QueuedJob])
        -> Response
    {
        let t = request.context.localizer
        return frame(request, title: t("admin.jobs"), current: "/admin/jobs") {
            H.h1 { t("admin.jobs") }
            H.p(.class("lead")) { t("jobs.lead") }
            H.p(.id("jobs-depth")) { t.plural("jobs.depth", count: depth) }
            H.table(.class("data-table"), .id("jobs-counts")) {
                H.caption(.class("visually-hidden")) { t("admin.jobs") }
                H.thead {
                    H.tr {
                        H.th(.scope("col")) { t("jobs.column.kind") }
                        for status in QueuedJob.Status.allCases { H.th(.scope("col")) { t("jobs.status.\(status.rawValue)") } }
                    }
                }
                H.tbody {
                    for kind in counts.keys.sorted() {
                        H.tr(.id("jobs-\(kind)")) {
                            H.th(.scope("row")) { t("jobs.kind.\(kind)") }
                            for status in QueuedJob.Status.allCases { H.td(.class("number")) { t.number(counts[kind]?[status] ?? 0) } }
                        }
                    }
                }
            }
            H.h2 { t("jobs.failed") }
            if failed.isEmpty {
                H.p(.class("empty-state"), .id("jobs-no-failures")) { t("jobs.no_failures") }
            } else {
                H.ul(.id("jobs-failed")) {
                    for job in failed {
                        H.li {
                            t("jobs.kind.\(job.kind)") + " · " + t.dateTime(job.runAt) + " · " + (job.lastError ?? "")
                            H.form(action: .to("/admin/jobs/\(job.id.uuidString.lowercased())/retry"), .class("inline-form")) {
                                Forms.csrf(request)
                                H.button(.type("submit"), .class("link-button")) { t("jobs.retry") }
                            }
                        }
                    }
                }
            }
            H.h2 { t("jobs.latest") }
            H.table(.class("data-table"), .id("jobs-latest")) {
                H.thead {
                    H.tr {
                        for key in ["kind", "run_at", "status", "attempts", "worker"] { H.th(.scope("col")) { t("jobs.column.\(key)") } }
                    }
                }
                H.tbody {
                    for job in latest {
                        H.tr {
                            H.td { t("jobs.kind.\(job.kind)") }
                            H.td { t.dateTime(job.runAt) }
                            H.td { t("jobs.status.\(job.status.rawValue)") }
                            H.td(.class("number")) { t.number(job.attempts) }
                            H.td { job.lockedBy ?? "—" }
                        }
                    }
                }
            }
        }
    }
}

/// Hides live secrets (password reset links) from the mail log, so reading the log never lets
/// anyone take over an account.
enum MailLogRedaction {
    static func redact(_ body: String) -> String {
        body.replacingOccurrences(of: #"/password/reset/[A-Za-z0-9_-]+"#, with: "/password/reset/…", options: .regularExpression)
    }

}
