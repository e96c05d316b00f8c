import KringCore
import KringStore
import Vapor

/// The members page (levels, funnel, segments, the list) and the champions page.
enum EngagementViews {
    struct MembersPage {
        let choice: EngagementController.ListChoice
        let order: EngagementRepository.Order
        let page: Int
        let standings: [MemberStanding]
        let total: Int
        let sizes: (levels: [EngagementLevel: Int], segments: [MemberSegment: Int])
        let funnel: [(month: String, levels: [EngagementLevel: Int])]
        let settings: EngagementSettings
        let computedAt: Date?
        let saved: [SavedSegment]
        let groups: [Group]
        let events: [Event]
        /// The form that failed ("segment", "message", "invite-group", "invite-event"), opened with its state.
        var form: String?
        var state: FormState

        /// The list's address with another order or page.
        func link(order: EngagementRepository.Order? = nil, page: Int? = nil) -> String {
            var parts: [String] = choice.query.isEmpty ? [] : [choice.query]
            let sorted = order ?? self.order
            if sorted != .score { parts.append("order=\(sorted.rawValue)") }
            let shown = page ?? 1
            if shown > 1 { parts.append("page=\(shown)") }
            return "/cockpit/members" + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
        }

        func state(for form: String) -> FormState { self.form == form ? state : FormState() }
    }

    static func score(_ value: Double, _ t: Localizer) -> String { t.decimal(value, digits: 1) }

    static func index(_ request: Request, _ page: MembersPage, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let segment = page.choice.saved == nil ? page.choice.segment : nil
        return Layout.page(request, title: t("engagement.title"), status: status) {
            CockpitNav.bar(request, current: "/cockpit/members")
            H.div(.class("page-header")) {
                H.div {
                    H.h1 { t("engagement.title") }
                    H.p(.class("lead")) { t("engagement.lead") }
                }
                H.div(.class("header-actions")) {
                    GroupViews.actionButton(
                        request, "/cockpit/members/refresh", t("engagement.refresh"), id: "engagement-refresh", secondary: true)
                    H.a(.to("/cockpit/members/settings"), .class("button button-secondary"), .id("engagement-settings")) {
                        t("engagement.settings")
                    }
                }
            }
            if let computed = page.computedAt { H.p(.class("muted")) { t("engagement.computed", ["date": t.dateTime(computed)]) } }
            H.section(.class("cockpit-section"), .id("section-levels"), .aria(.labelledby, "heading-levels")) {
                H.h2(.id("heading-levels")) { t("engagement.levels") }
                H.div(.class("stat-grid")) {
                    for level in EngagementLevel.allCases {
                        H.div(.class("stat-card"), .id("level-\(level.rawValue)")) {
                            H.span(.class("stat-number")) { t.number(page.sizes.levels[level] ?? 0) }
                            H.span(.class("stat-label")) { t("engagement.level.\(level.rawValue)") }
                            H.span(.class("muted")) { threshold(level, page.settings, t) }
                        }
                    }
                }
                let zone = request.communityTimeZone
                Charts.line(
                    id: "chart-funnel", title: t("engagement.funnel"), description: t("engagement.funnel_desc"),
                    labels: page.funnel.map { LocalDay.start(of: $0.month + "-01", in: zone).map(t.month) ?? $0.month },
                    series: EngagementLevel.allCases.enumerated().map { index, level in
                        Charts.Series(
                            name: t("engagement.level.\(level.rawValue)"), values: page.funnel.map { Double($0.levels[level] ?? 0) },
                            styleClass: "series-\(index + 1)")
                    }, format: { t.number(Int($0.rounded())) }, t: t)
                how(page.settings, t)
            }
            H.section(.class("cockpit-section"), .id("section-segments"), .aria(.labelledby, "heading-segments")) {
                H.h2(.id("heading-segments")) { t("engagement.segments") }
                H.nav(.class("filter-tabs"), .aria(.label, t("engagement.segments"))) {
                    H.ul {
                        H.li {
                            H.a(
                                .to("/cockpit/members"), .id("segment-all"),
                                segment == nil && page.choice.saved == nil ? .aria(.current, "page") : .class("")
                            ) {
                                t("engagement.segment.all") + " (" + t.number(page.sizes.levels.values.reduce(0, +)) + ")"
                            }
                        }
                        for option in MemberSegment.allCases {
                            H.li {
                                H.a(
                                    .to("/cockpit/members?segment=\(option.rawValue)"), .id("segment-\(option.rawValue)"),
                                    segment == option ? .aria(.current, "page") : .class("")
                                ) {
                                    t("engagement.segment.\(option.rawValue)") + " (" + t.number(page.sizes.segments[option] ?? 0) + ")"
                                }
                            }
                        }
                        for saved in page.saved {
                            let id = saved.id.uuidString.lowercased()
                            H.li {
                                H.a(
                                    .to("/cockpit/members?saved=\(id)"), .id("saved-\(id)"), .class("saved-segment"),
                                    page.choice.saved?.id == saved.id ? .aria(.current, "page") : .class("saved-segment")
                                ) { saved.name }
                            }
                        }
                    }
                }
                if let segment { H.p(.class("muted"), .id("segment-definition")) { t("engagement.segment_how.\(segment.rawValue)") } }
                if let saved = page.choice.saved {
                    H.div(.class("saved-segment-header")) {
                        H.p(.class("muted"), .id("segment-definition")) { describe(saved.filter, groups: page.groups, t) }
                        GroupViews.actionButton(
                            request, "/cockpit/members/segments/\(saved.id.uuidString.lowercased())/delete", t("engagement.segment_delete"),
                            id: "segment-delete", secondary: true)
                    }
                }
                H.p(.class("cockpit-export")) {
                    t("engagement.order") + " "
                    for order in EngagementRepository.Order.allCases {
                        if order == page.order {
                            H.strong(.id("order-\(order.rawValue)")) { t("engagement.order.\(order.rawValue)") }
                        } else {
                            H.a(.to(page.link(order: order)), .id("order-\(order.rawValue)")) { t("engagement.order.\(order.rawValue)") }
                        }
                        " "
                    }
                    " · "
                    H.a(.to("/cockpit/members.csv" + (page.choice.query.isEmpty ? "" : "?" + page.choice.query)), .id("members-csv")) {
                        t("engagement.csv")
                    }
                }
                if page.standings.isEmpty {
                    H.p(.class("empty-state"), .id("members-empty")) {
                        t(page.computedAt == nil ? "engagement.empty_uncomputed" : "engagement.empty")
                    }
                } else {
                    H.p(.id("members-total")) { t.plural("engagement.members_in_list", count: page.total) }
                    table(page.standings, caption: t("engagement.list_caption"), t)
                    pager(page, t)
                    actions(request, page)
                }
                newSegment(request, page)
            }
        }
    }

    /// A saved segment's filters in words.
    static func describe(_ filter: SegmentFilter, groups: [Group], _ t: Localizer) -> String {
        var parts: [String] = []
        if let segment = filter.segment { parts.append(t("engagement.segment.\(segment.rawValue)")) }
        if let level = filter.minLevel {
            parts.append(t("engagement.filter.level_at_least", ["level": t("engagement.level.\(level.rawValue)")]))
        }
        if let days = filter.activeWithinDays { parts.append(t("engagement.filter.active_within", ["days": t.number(days)])) }
        if let days = filter.inactiveForDays { parts.append(t("engagement.filter.inactive_for", ["days": t.number(days)])) }
        if let posts = filter.minRecentPosts { parts.append(t("engagement.filter.min_posts", ["count": t.number(posts)])) }
        if let id = filter.groupID {
            parts.append(t("engagement.filter.in_group", ["group": groups.first { $0.id == id }?.name ?? t("engagement.filter.a_group")]))
        }
        if let interest = filter.interest { parts.append(t("engagement.filter.interest", ["tag": interest])) }
        if let from = filter.joinedFrom { parts.append(t("engagement.filter.joined_from", ["date": t.date(from)])) }
        if let before = filter.joinedBefore {
            parts.append(t("engagement.filter.joined_before", ["date": t.date(before.addingTimeInterval(-1))]))
        }
        return t("engagement.filter.members") + " " + parts.joined(separator: "; ")
    }

    /// What the team can do with the list on screen: message it, invite it to a group or an event.
    static func actions(_ request: Request, _ page: MembersPage) -> HTMLNode {
        let t = request.context.localizer
        func hidden() -> HTMLNode {
            .fragment([
                Forms.csrf(request),
                H.input(.type("hidden"), .name("segment"), .value(page.choice.segment?.rawValue ?? "")),
                H.input(.type("hidden"), .name("saved"), .value(page.choice.saved?.id.uuidString.lowercased() ?? "")),
            ])
        }
        let count = ["count": t.number(page.total)]
        return H.div(.class("segment-actions"), .id("segment-actions")) {
            H.h3 { t("engagement.actions", count) }
            H.details(.id("action-message"), page.form == "message" ? .open : .class("")) {
                H.summary { t("engagement.action_message") }
                let state = page.state(for: "message")
                Forms.errorSummary(state, t)
                H.form(action: .to("/cockpit/members/message"), .class("stack-form"), .id("message-form")) {
                    hidden()
                    Forms.field("subject", label: t("field.subject"), state: state, t: t, required: true, maxLength: 150)
                    Forms.textarea(
                        "message", label: t("field.message"), state: state, t: t, rows: 6, hint: t("engagement.message_hint"),
                        maxLength: 10_000)
                    Forms.submit(t("engagement.message_send", count), id: "message-submit")
                }
            }
            H.details(.id("action-invite-group"), page.form == "invite-group" ? .open : .class("")) {
                H.summary { t("engagement.action_invite_group") }
                let state = page.state(for: "invite-group")
                Forms.errorSummary(state, t)
                H.form(action: .to("/cockpit/members/invite-group"), .class("stack-form"), .id("invite-group-form")) {
                    hidden()
                    Forms.select(
                        "group", label: t("field.group"),
                        options: page.groups.filter { !$0.isArchived }.map { ($0.slug, $0.name) }, state: state, t: t,
                        hint: t("engagement.invite_group_hint"))
                    Forms.submit(t("engagement.invite_send", count), id: "invite-group-submit")
                }
            }
            H.details(.id("action-invite-event"), page.form == "invite-event" ? .open : .class("")) {
                H.summary { t("engagement.action_invite_event") }
                if page.events.isEmpty {
                    H.p(.class("empty-state")) { t("engagement.no_upcoming_events") }
                } else {
                    let state = page.state(for: "invite-event")
                    Forms.errorSummary(state, t)
                    H.form(action: .to("/cockpit/members/invite-event"), .class("stack-form"), .id("invite-event-form")) {
                        hidden()
                        Forms.select(
                            "event", label: t("field.event"),
                            options: page.events.map { ($0.id.uuidString.lowercased(), $0.title + " · " + t.date($0.startsAt)) },
                            state: state, t: t,
                            hint: t("engagement.invite_event_hint"))
                        Forms.submit(t("engagement.invite_send", count), id: "invite-event-submit")
                    }
                }
            }
        }
    }

    /// The form for a new custom segment.
    static func newSegment(_ request: Request, _ page: MembersPage) -> HTMLNode {
        let t = request.context.localizer
        let state = page.state(for: "segment")
        return H.details(.class("new-segment"), .id("new-segment"), page.form == "segment" ? .open : .class("")) {
            H.summary { t("engagement.new_segment") }
            Forms.errorSummary(state, t)
            H.form(action: .to("/cockpit/members/segments"), .class("stack-form"), .id("segment-form")) {
                Forms.csrf(request)
                Forms.field("name", label: t("field.segment_name"), state: state, t: t, required: true, maxLength: 80)
                Forms.select(
                    "level", label: t("field.level"),
                    options: [("", t("engagement.filter.any"))]
                        + EngagementLevel.allCases.map { ($0.rawValue, t("engagement.level.\($0.rawValue)")) },
                    state: state, t: t, hint: t("engagement.filter.level_hint"))
                Forms.field(
                    "active_within_days", label: t("field.active_within_days"), state: state, t: t, type: "number", extra: [.min(1)])
                Forms.field("inactive_for_days", label: t("field.inactive_for_days"), state: state, t: t, type: "number", extra: [.min(1)])
                Forms.field("min_posts", label: t("field.min_posts"), state: state, t: t, type: "number", extra: [.min(0)])
                Forms.select(
                    "group", label: t("field.group"),
                    options: [("", t("engagement.filter.any"))] + page.groups.map { ($0.slug, $0.name) }, state: state, t: t)
                Forms.field("interest", label: t("field.interest"), state: state, t: t, hint: t("engagement.filter.interest_hint"))
                Forms.field("joined_from", label: t("field.joined_from"), state: state, t: t, type: "date")
                Forms.field("joined_before", label: t("field.joined_before"), state: state, t: t, type: "date")
                Forms.submit(t("engagement.segment_save"), id: "segment-submit")
            }
        }
    }

    static func threshold(_ level: EngagementLevel, _ settings: EngagementSettings, _ t: Localizer) -> String {
        switch level {
        case .champion: t("engagement.from", ["score": score(settings.championFrom, t)])
        case .regular: t("engagement.from", ["score": score(settings.regularFrom, t)])
        case .participant: t("engagement.from", ["score": score(settings.participantFrom, t)])
        case .observer: t("engagement.below", ["score": score(settings.participantFrom, t)])
        }
    }

    /// "How is this computed?" with the weights in force.
    static func how(_ settings: EngagementSettings, _ t: Localizer) -> HTMLNode {
        H.details(.class("how"), .id("engagement-how")) {
            H.summary { t("cockpit.how") }
            H.dl {
                H.dt { t("engagement.score") }
                H.dd {
                    t("engagement.how.score")
                    H.ul {
                        for action in EngagementAction.allCases {
                            H.li { t("engagement.action.\(action.rawValue)") + ": " + t.decimal(settings.weight(action), digits: 1) }
                        }
                    }
                }
                H.dt { t("engagement.levels") }
                H.dd { t("engagement.how.levels") }
                H.dt { t("engagement.segments") }
                H.dd {
                    H.ul { for segment in MemberSegment.allCases { H.li { t("engagement.segment_how.\(segment.rawValue)") } } }
                }
            }
        }
    }

    static func table(_ standings: [MemberStanding], caption: String, _ t: Localizer) -> HTMLNode {
        H.table(.class("data-table"), .id("members-table")) {
            H.caption(.class("visually-hidden")) { caption }
            H.thead {
                H.tr {
                    for key in ["member", "level", "score", "change", "posts", "joined", "last_seen", "segments"] {
                        H.th(.scope("col")) { t("engagement.column.\(key)") }
                    }
                }
            }
            H.tbody {
                for standing in standings {
                    let change = standing.score - standing.previousScore
                    H.tr(.id("member-\(standing.member.handle)")) {
                        H.th(.scope("row"), .class("row-name")) { member(standing.member) }
                        H.td { t("engagement.level.\(standing.level.rawValue)") }
                        H.td(.class("number")) { score(standing.score, t) }
                        H.td(.class("number")) { (change > 0.05 ? "+" : "") + score(change, t) }
                        H.td(.class("number")) { t.number(standing.recentPosts) }
                        H.td { t.date(standing.joinedAt) }
                        H.td { standing.lastSeenAt.map(t.date) ?? "—" }
                        H.td { standing.segments.map { t("engagement.segment.\($0.rawValue)") }.joined(separator: ", ") }
                    }
                }
            }
        }
    }

    static func member(_ member: MemberRef) -> HTMLNode {
        H.a(.to("/members/\(member.handle)")) { member.displayName + " (@" + member.handle + ")" }
    }

    static func pager(_ page: MembersPage, _ t: Localizer) -> HTMLNode {
        let pages = max(1, (page.total + EngagementController.pageSize - 1) / EngagementController.pageSize)
        return H.nav(.class("pager"), .aria(.label, t("engagement.pages"))) {
            if page.page > 1 { H.a(.to(page.link(page: page.page - 1)), .id("page-previous")) { "← " + t("engagement.previous") } }
            H.span { t("engagement.page_of", ["page": t.number(page.page), "pages": t.number(pages)]) }
            if page.page < pages { H.a(.to(page.link(page: page.page + 1)), .id("page-next")) { t("engagement.next") + " →" } }
        }
    }

    static func settings(_ request: Request, settings: EngagementSettings, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        var shown = state
        for action in EngagementAction.allCases where shown.values["weight_\(action.rawValue)"] == nil {
            shown.values["weight_\(action.rawValue)"] = String(settings.weight(action))
        }
        for (name, value) in [
            ("champion_from", settings.championFrom), ("regular_from", settings.regularFrom),
            ("participant_from", settings.participantFrom),
        ] where shown.values[name] == nil {
            shown.values[name] = String(value)
        }
        let decimal: [HTMLAttribute] = [.step("any"), .min(0)]
        return Layout.page(request, title: t("engagement.settings"), status: status) {
            CockpitNav.bar(request, current: "/cockpit/members")
            H.p(.class("breadcrumb")) { H.a(.to("/cockpit/members")) { "← " + t("engagement.title") } }
            H.h1 { t("engagement.settings") }
            H.p(.class("lead")) { t("engagement.settings.lead") }
            Forms.errorSummary(shown, t)
            H.form(action: .to("/cockpit/members/settings"), .class("stack-form"), .id("engagement-settings-form")) {
                Forms.csrf(request)
                H.fieldset {
                    H.legend { t("engagement.weights") }
                    for action in EngagementAction.allCases {
                        Forms.field(
                            "weight_\(action.rawValue)", label: t("engagement.action.\(action.rawValue)"), state: shown, t: t,
                            type: "number",
                            required: true, hint: t("engagement.weight_hint", ["default": t.decimal(action.defaultWeight, digits: 1)]),
                            extra: decimal)
                    }
                }
                H.fieldset {
                    H.legend { t("engagement.levels") }
                    for level in [EngagementLevel.champion, .regular, .participant] {
                        Forms.field(
                            "\(level.rawValue)_from", label: t("engagement.threshold.\(level.rawValue)"), state: shown, t: t,
                            type: "number",
                            required: true, extra: decimal)
                    }
                }
                Forms.submit(t("settings.save"), id: "engagement-settings-submit")
            }
        }
    }

    // MARK: Champions

    static func champions(
        _ request: Request, report: ChampionsReport, rising: [MemberStanding], promotion: HTMLNode, status: HTTPStatus = .ok
    ) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("champions.title"), status: status) {
            CockpitNav.bar(request, current: "/cockpit/champions")
            H.div(.class("page-header")) {
                H.div {
                    H.h1 { t("champions.title") }
                    H.p(.class("lead")) {
                        t(
                            "champions.lead",
                            [
                                "from": t.date(report.since), "people": t.number(report.people),
                                "interactions": t.number(report.interactions),
                            ])
                    }
                }
            }
            championSection("helpers", t, isEmpty: report.helpers.isEmpty) {
                H.table(.class("data-table"), .id("table-helpers")) {
                    H.caption(.class("visually-hidden")) { t("champions.section.helpers") }
                    H.thead {
                        H.tr {
                            for key in ["member", "accepted", "replies"] { H.th(.scope("col")) { t("champions.column.\(key)") } }
                        }
                    }
                    H.tbody {
                        for helper in report.helpers {
                            H.tr {
                                H.th(.scope("row"), .class("row-name")) { member(helper.member) }
                                H.td(.class("number")) { t.number(helper.acceptedAnswers) }
                                H.td(.class("number")) { t.number(helper.replies) }
                            }
                        }
                    }
                }
            }
            championSection("influencers", t, isEmpty: report.influencers.isEmpty) { influence(report.influencers, id: "influencers", t) }
            championSection("bridges", t, isEmpty: report.bridges.isEmpty) { influence(report.bridges, id: "bridges", t) }
            championSection("rising", t, isEmpty: rising.isEmpty) { table(rising, caption: t("champions.section.rising"), t) }
            championSection("expertise", t, isEmpty: report.expertise.isEmpty) {
                H.table(.class("data-table"), .id("table-expertise")) {
                    H.caption(.class("visually-hidden")) { t("champions.section.expertise") }
                    H.thead {
                        H.tr {
                            for key in ["tag", "member", "answers", "questions", "z"] {
                                H.th(.scope("col")) { t("champions.column.\(key)") }
                            }
                        }
                    }
                    H.tbody {
                        for tag in report.expertise {
                            for (index, expert) in tag.experts.enumerated() {
                                H.tr {
                                    if index == 0 {
                                        H.th(.scope("row"), .class("row-name"), .rowspan(tag.experts.count)) {
                                            H.a(.to("/tags/\(tag.tagSlug)")) { tag.tagName }
                                        }
                                    }
                                    H.td { member(expert.member) }
                                    H.td(.class("number")) { t.number(expert.answers) }
                                    H.td(.class("number")) { t.number(expert.questions) }
                                    H.td(.class("number")) { t.decimal(expert.z, digits: 2) }
                                }
                            }
                        }
                    }
                }
            }
            promotion
            H.details(.class("how"), .id("champions-how")) {
                H.summary { t("cockpit.how") }
                H.dl {
                    for key in ["helpers", "degree", "pagerank", "betweenness", "rising", "expertise"] {
                        H.dt { t("champions.how_term.\(key)") }
                        H.dd { t("champions.how.\(key)") }
                    }
                }
            }
        }
    }

    static func championSection(_ id: String, _ t: Localizer, isEmpty: Bool, @HTMLBuilder content: () -> [HTMLNode]) -> HTMLNode {
        H.section(.class("cockpit-section"), .id("section-\(id)"), .aria(.labelledby, "heading-\(id)")) {
            H.h2(.id("heading-\(id)")) { t("champions.section.\(id)") }
            H.p(.class("muted")) { t("champions.intro.\(id)") }
            if isEmpty {
                H.p(.class("empty-state")) { t("champions.empty") }
            } else {
                content()
            }
        }
    }

    static func influence(_ rows: [ChampionsReport.Influencer], id: String, _ t: Localizer) -> HTMLNode {
        H.table(.class("data-table"), .id("table-\(id)")) {
            H.caption(.class("visually-hidden")) { t("champions.section.\(id)") }
            H.thead {
                H.tr {
                    for key in ["member", "degree", "pagerank", "betweenness", "groups"] {
                        H.th(.scope("col")) { t("champions.column.\(key)") }
                    }
                }
            }
            H.tbody {
                for row in rows {
                    H.tr {
                        H.th(.scope("row"), .class("row-name")) { member(row.member) }
                        H.td(.class("number")) { t.number(row.degree) }
                        H.td(.class("number")) { t.decimal(row.pageRank * 100, digits: 2) }
                        H.td(.class("number")) { t.decimal(row.betweenness, digits: 1) }
                        H.td(.class("number")) { t.number(row.groups) }
                    }
                }
            }
        }
    }
}
