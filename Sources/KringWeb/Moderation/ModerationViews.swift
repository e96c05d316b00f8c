import KringCore
import KringStore
import Vapor

enum ModerationViews {
    struct QueueData {
        let items: [ReviewItem]
        let profiles: [ProfileReviewItem]
        let content: [ContentReviewItem]
        let pendingMembers: [Member]
        let sanctions: [Sanction]
        let handles: [UUID: String]
        let settings: ModerationSettings
        let health: ModerationHealth
    }

    static func queue(_ request: Request, data: QueueData) -> Response {
        let t = request.context.localizer
        let total = data.items.count + data.profiles.count + data.content.count + data.pendingMembers.count
        return Layout.page(request, title: t("moderation.title")) {
            H.div(.class("page-header")) {
                H.h1 { t("moderation.title") }
                H.div(.class("group-actions")) {
                    H.a(.to("/moderation/words"), .class("button button-secondary")) { t("words.title") }
                    H.a(.to("/moderation/archive"), .class("button button-secondary")) { t("archive.title") }
                    if request.decide(.viewCockpit).isAllowed {
                        H.a(.to("/admin/audit"), .class("button button-secondary")) { t("audit.title") }
                    }
                }
            }
            healthSection(data.health, t: t)
            H.h2 { t.plural("moderation.queue", count: total) }
            if total == 0 {
                H.p(.class("empty-state"), .id("queue-empty")) { t("moderation.queue.empty") }
            }
            if !data.items.isEmpty {
                H.ol(.class("review-queue"), .id("review-queue")) {
                    for item in data.items { reviewItem(request, item) }
                }
            }
            if !data.profiles.isEmpty {
                H.h3 { t("moderation.profiles") }
                H.ol(.class("review-queue"), .id("profile-queue")) {
                    for item in data.profiles { profileItem(request, item) }
                }
            }
            if !data.content.isEmpty {
                H.h3 { t("moderation.content") }
                H.ol(.class("review-queue"), .id("content-queue")) {
                    for item in data.content { contentItem(request, item) }
                }
            }
            if !data.pendingMembers.isEmpty {
                H.h3 { t("moderation.pending_members") }
                H.ul(.class("plain-list"), .id("pending-members")) {
                    for member in data.pendingMembers {
                        H.li {
                            H.strong { member.displayName }
                            " @" + member.handle + " · " + member.email
                            if let reason = member.pendingReason {
                                H.span(.class("badge badge-invited")) { t("moderation.pending.\(reason)") }
                            }
                            " "
                            GroupViews.actionButton(
                                request, "/admin/members/\(member.handle)/approve", t("admin.members.approve"),
                                id: "approve-\(member.handle)")
                            GroupViews.actionButton(
                                request, "/admin/members/\(member.handle)/reject", t("admin.members.reject"), id: "reject-\(member.handle)",
                                secondary: true)
                        }
                    }
                }
            }
            H.h2 { t("moderation.in_force") }
            if data.sanctions.isEmpty {
                H.p(.class("empty-state")) { t("moderation.in_force.none") }
            } else {
                H.ul(.class("plain-list"), .id("sanctions-in-force")) {
                    for sanction in data.sanctions {
                        H.li {
                            H.a(.to("/moderation/members/\(data.handles[sanction.memberID] ?? "")")) {
                                "@" + (data.handles[sanction.memberID] ?? "?")
                            }
                            " · " + t("sanctions.kind.\(sanction.kind.rawValue)") + " · " + SanctionText.until(sanction, t: t)
                        }
                    }
                }
            }
            if request.decide(.viewCockpit).isAllowed { settingsSection(request, data.settings) }
        }
    }

    static func healthSection(_ health: ModerationHealth, t: Localizer) -> HTMLNode {
        H.section(.class("stat-grid"), .id("moderation-health"), .aria(.label, t("moderation.health"))) {
            stat(t.number(health.queueSize), t("moderation.health.queue"))
            stat(t.number(health.flagsRaised), t("moderation.health.flags"))
            stat(health.upheldShare.map(t.percent) ?? "–", t("moderation.health.upheld"))
            stat(
                health.medianHoursToResolve.map { t("moderation.health.hours", ["hours": String(format: "%.1f", $0)]) } ?? "–",
                t("moderation.health.resolve"))
            stat(t.number(health.repeatOffenders), t("moderation.health.repeat"))
        }
    }

    private static func stat(_ number: String, _ label: String) -> HTMLNode {
        H.div(.class("stat-card")) {
            H.span(.class("stat-number")) { number }
            H.span(.class("stat-label")) { label }
        }
    }

    static func settingsSection(_ request: Request, _ settings: ModerationSettings) -> HTMLNode {
        let t = request.context.localizer
        let state = FormState(values: [
            "flag_threshold": String(settings.flagThreshold), "newcomer_held_posts": String(settings.newcomerHeldPosts),
            "newcomer_max_links": String(settings.newcomerMaxLinks), "posts_per_minute": String(settings.postsPerMinute),
            "posts_per_hour": String(settings.postsPerHour),
        ])
        return H.section(.class("card"), .id("moderation-settings")) {
            H.h2 { t("moderation.settings") }
            H.form(action: .to("/moderation/settings"), .id("threshold-form"), .class("stack-form")) {
                Forms.csrf(request)
                for field in ["flag_threshold", "newcomer_held_posts", "newcomer_max_links", "posts_per_minute", "posts_per_hour"] {
                    Forms.field(
                        field, label: t("field.\(field)"), state: state, t: t, type: "number", required: true,
                        hint: t("field.\(field).hint"))
                }
                Forms.submit(t("settings.save"), id: "threshold-submit")
            }
            H.h3 { t("rules.title") }
            H.p { t("rules.version", ["version": String(settings.rulesVersion)]) + " " + t("rules.lead") }
            GroupViews.actionButton(request, "/moderation/rules/publish", t("rules.publish"), id: "publish-rules", secondary: true)
        }
    }

    static func flagList(_ flags: [FlagInfo], t: Localizer) -> HTMLNode {
        H.ul(.class("flag-list")) {
            for flag in flags {
                H.li {
                    H.strong { t("flags.reason.\(flag.reason.rawValue)") }
                    " — " + flagger(flag, t: t)
                    if !flag.note.isEmpty { H.div(.class("muted")) { flag.note } }
                }
            }
        }
    }

    private static func flagger(_ flag: FlagInfo, t: Localizer) -> String {
        guard let name = flag.flaggerName else { return t("moderation.automatic") }
        let reliability = flag.reliability.map { t("moderation.reliability", ["share": t.percent($0)]) } ?? t("moderation.reliability.none")
        return "\(name) (\(reliability))"
    }

    static func reviewItem(_ request: Request, _ item: ReviewItem) -> HTMLNode {
        let t = request.context.localizer
        let post = item.postID.uuidString.lowercased()
        return H.li(.class("card review-item"), .id("review-\(post)")) {
            H.p(.class("review-meta")) {
                H.a(.to("/t/\(item.topicID.uuidString.lowercased())#post-\(item.postNumber)")) { item.topicTitle + " #\(item.postNumber)" }
                " · "
                H.a(.to("/moderation/members/\(item.author.handle)")) { item.author.displayName }
                if let reason = item.heldBecause { H.span(.class("badge badge-deleted")) { t("moderation.held.\(reason)") } }
            }
            H.blockquoteText(String(item.body.prefix(600)))
            flagList(item.flags, t: t)
            H.form(action: .to("/moderation/posts/\(post)/keep"), .class("review-actions")) {
                Forms.csrf(request)
                H.label(.for("note-\(post)"), .class("visually-hidden")) { t("field.note") }
                H.input(.type("text"), .id("note-\(post)"), .name("note"), .placeholder(t("moderation.note")))
                H.button(.type("submit"), .class("button button-small"), .id("keep-\(post)")) {
                    item.isHidden && item.flags.isEmpty ? t("moderation.approve") : t("moderation.keep")
                }
            }
            H.div(.class("review-actions")) {
                GroupViews.actionButton(
                    request, "/moderation/posts/\(post)/hide", item.isHidden ? t("moderation.hide") : t("moderation.hide_now"),
                    id: "hide-\(post)", secondary: true)
                GroupViews.actionButton(
                    request, "/moderation/posts/\(post)/delete", t("moderation.delete"), id: "delete-\(post)", secondary: true)
                H.a(.to("/posts/\(post)/edit"), .class("button button-small button-secondary")) { t("topics.edit") }
                H.a(.to("/moderation/members/\(item.author.handle)"), .class("button button-small button-danger"), .id("sanction-\(post)"))
                {
                    t("moderation.sanction_author")
                }
            }
        }
    }

    /// A flagged event or document: show it again (flags dismissed) or keep it hidden (flags upheld).
    static func contentItem(_ request: Request, _ item: ContentReviewItem) -> HTMLNode {
        let t = request.context.localizer
        let id = item.id.uuidString.lowercased()
        let kind = item.content.subjectType
        let base = "/moderation/\(kind)s/\(id)"
        return H.li(.class("card review-item"), .id("review-\(kind)-\(id)")) {
            H.p(.class("review-meta")) {
                H.span(.class("badge")) { t("moderation.kind.\(kind)") }
                " "
                H.a(.to("/\(kind)s/\(id)")) { item.title }
                " · " + item.author.displayName
                if item.isHidden {
                    " "
                    H.span(.class("badge badge-deleted")) { t("moderation.hidden") }
                }
            }
            if !item.excerpt.isEmpty { H.blockquoteText(item.excerpt) }
            flagList(item.flags, t: t)
            H.div(.class("review-actions")) {
                GroupViews.actionButton(request, base + "/keep", t("moderation.keep"), id: "keep-\(kind)-\(id)")
                GroupViews.actionButton(request, base + "/hide", t("moderation.hide"), id: "hide-\(kind)-\(id)", secondary: true)
                H.a(.to("/moderation/members/\(item.author.handle)"), .class("button button-small button-danger")) {
                    t("moderation.sanction_author")
                }
            }
        }
    }

    static func profileItem(_ request: Request, _ item: ProfileReviewItem) -> HTMLNode {
        let t = request.context.localizer
        return H.li(.class("card review-item"), .id("review-profile-\(item.member.handle)")) {
            H.p(.class("review-meta")) {
                H.a(.to("/members/\(item.member.handle)")) { item.member.displayName + " @" + item.member.handle }
            }
            H.blockquoteText(String(item.bio.prefix(600)))
            flagList(item.flags, t: t)
            H.div(.class("review-actions")) {
                GroupViews.actionButton(
                    request, "/moderation/profiles/\(item.member.handle)/keep", t("moderation.keep"),
                    id: "keep-profile-\(item.member.handle)")
                GroupViews.actionButton(
                    request, "/moderation/profiles/\(item.member.handle)/clear", t("moderation.clear_profile"),
                    id: "clear-profile-\(item.member.handle)",
                    secondary: true)
                H.a(.to("/moderation/members/\(item.member.handle)"), .class("button button-small button-danger")) {
                    t("moderation.sanction_author")
                }
            }
        }
    }

    static func member(
        _ request: Request, member: Member, history: [Sanction], reliability: (agreed: Int, disagreed: Int)?, state: FormState,
        status: HTTPStatus = .ok
    ) -> Response {
        let t = request.context.localizer
        let kinds = SanctionKind.allCases.map {
            (value: $0.rawValue, label: t("sanctions.kind.\($0.rawValue)") + " — " + t("sanctions.kind.\($0.rawValue).hint"))
        }
        return Layout.page(request, title: t("moderation.member", ["name": member.displayName]), status: status) {
            H.p(.class("breadcrumb")) { H.a(.to("/moderation")) { "← " + t("moderation.title") } }
            H.h1 { t("moderation.member", ["name": member.displayName]) }
            H.p {
                H.a(.to("/members/\(member.handle)")) { "@" + member.handle }
                if let reliability {
                    " · "
                        + t("moderation.flags_by", ["agreed": t.number(reliability.agreed), "disagreed": t.number(reliability.disagreed)])
                }
            }
            H.h2 { t("moderation.history") }
            if history.isEmpty {
                H.p(.class("empty-state")) { t("moderation.history.none") }
            } else {
                H.ul(.class("plain-list"), .id("sanction-history")) {
                    for sanction in history { sanctionRow(request, sanction, canLift: true) }
                }
            }
            H.section(.class("card")) {
                H.h2 { t("moderation.impose") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/moderation/members/\(member.handle)/sanctions"), .id("sanction-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.select("kind", label: t("field.sanction_kind"), options: kinds, state: state, t: t)
                    Forms.field("days", label: t("field.days"), state: state, t: t, type: "number", hint: t("field.days.hint"))
                    Forms.textarea("reason", label: t("field.reason"), state: state, t: t, rows: 3, hint: t("field.reason.hint"))
                    Forms.submit(t("moderation.impose.submit"), id: "sanction-submit")
                }
            }
        }
    }

    static func sanctionRow(_ request: Request, _ sanction: Sanction, canLift: Bool) -> HTMLNode {
        let t = request.context.localizer
        let now = request.application.kring.clock.now()
        return H.li(.class("sanction")) {
            H.strong { t("sanctions.kind.\(sanction.kind.rawValue)") }
            " · " + t.dateTime(sanction.startsAt) + " · "
            if sanction.liftedAt != nil {
                t("sanctions.lifted")
            } else if sanction.kind == .warning {
                ""
            } else if sanction.isInForce(at: now) {
                SanctionText.until(sanction, t: t)
            } else {
                t("sanctions.ended")
            }
            H.div(.class("muted")) { sanction.reason }
            if canLift, sanction.isInForce(at: now) {
                GroupViews.actionButton(
                    request, "/moderation/sanctions/\(sanction.id.uuidString)/lift", t("sanctions.lift"),
                    id: "lift-\(sanction.id.uuidString)", secondary: true)
            }
        }
    }

    static func audit(
        _ request: Request, entries: [StaffAction], actions: [String], action: String, actor: String, page: Int, hasMore: Bool
    ) -> Response {
        let t = request.context.localizer
        var query: [(String, String)] = []
        if !action.isEmpty { query.append(("action", action)) }
        if !actor.isEmpty { query.append(("actor", actor)) }
        var components = URLComponents()
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let csvQuery = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        return Layout.page(request, title: t("audit.title")) {
            H.div(.class("page-header")) {
                H.h1 { t("audit.title") }
                H.a(.to("/admin/audit.csv" + csvQuery), .class("button button-secondary"), .id("audit-csv")) { t("audit.csv") }
            }
            H.p(.class("lead")) { t("audit.lead") }
            H.element("form", [.action(.to("/admin/audit")), .method("get"), .class("search-form")]) {
                H.label(.for("action"), .class("visually-hidden")) { t("audit.action") }
                H.element("select", [.id("action"), .name("action")]) {
                    H.element("option", action.isEmpty ? [.value(""), .selected] : [.value("")]) { t("admin.members.all") }
                    for option in actions {
                        H.element("option", option == action ? [.value(option), .selected] : [.value(option)]) { option }
                    }
                }
                H.label(.for("actor"), .class("visually-hidden")) { t("audit.actor") }
                H.input(.type("search"), .id("actor"), .name("actor"), .value(actor), .placeholder(t("audit.actor")))
                H.button(.type("submit"), .class("button button-secondary")) { t("members.search.submit") }
            }
            if entries.isEmpty {
                H.p(.class("empty-state")) { t("audit.none") }
            } else {
                H.table(.class("data-table"), .id("audit-log")) {
                    H.thead {
                        H.tr {
                            for column in ["audit.time", "audit.actor", "audit.action", "audit.subject", "audit.reason", "audit.change"] {
                                H.th(.scope("col")) { t(column) }
                            }
                        }
                    }
                    H.tbody {
                        for entry in entries {
                            H.tr {
                                H.td { t.dateTime(entry.createdAt) }
                                H.td { "@" + entry.actorHandle }
                                H.td { H.code { entry.action } }
                                H.td { entry.subjectLabel }
                                H.td { entry.reason }
                                H.td { entry.before.isEmpty && entry.after.isEmpty ? "" : "\(entry.before) → \(entry.after)" }
                            }
                        }
                    }
                }
            }
            MemberViews.pager(basePath: "/admin/audit", query: query, page: page, hasMore: hasMore, t: t)
        }
    }

    static func standing(_ request: Request, history: [Sanction], state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("standing.title"), status: status) {
            H.section(.class("narrow")) {
                H.h1 { t("standing.title") }
                if history.isEmpty {
                    H.p(.class("empty-state"), .id("standing-clean")) { t("standing.clean") }
                } else {
                    H.ul(.class("plain-list"), .id("my-sanctions")) {
                        for sanction in history { sanctionRow(request, sanction, canLift: false) }
                    }
                    H.section(.class("card")) {
                        H.h2 { t("standing.appeal") }
                        H.p { t("standing.appeal.lead") }
                        Forms.errorSummary(state, t)
                        H.form(action: .to("/settings/standing/appeal"), .id("appeal-form"), .class("stack-form")) {
                            Forms.csrf(request)
                            Forms.textarea("text", label: t("field.appeal"), state: state, t: t, rows: 5)
                            Forms.submit(t("standing.appeal.submit"), id: "appeal-submit")
                        }
                    }
                }
            }
        }
    }

    static func appealByLink(_ request: Request, token: String, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("standing.appeal"), status: status) {
            H.section(.class("auth-card")) {
                H.h1 { t("standing.appeal") }
                H.p { t("standing.appeal.lead") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/appeal/\(token)"), .id("appeal-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.textarea("text", label: t("field.appeal"), state: state, t: t, rows: 6)
                    Forms.submit(t("standing.appeal.submit"), id: "appeal-submit")
                }
            }
        }
    }
}

extension H {
    /// A quotation of member text, escaped, line breaks kept.
    static func blockquoteText(_ text: String) -> HTMLNode {
        element("blockquote", [.class("review-body")]) { MemberViews.lines(text) }
    }
}
