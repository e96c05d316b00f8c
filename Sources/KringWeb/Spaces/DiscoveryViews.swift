import KringCore
import KringStore
import Vapor

enum DiscoveryViews {
    // MARK: Search

    static func search(_ request: Request, query: String, hits: [SearchHit], groups: [UUID: Group], handles: [UUID: String]) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: query.isEmpty ? t("search.title") : t("search.results_for", ["query": query])) {
            H.h1 { t("search.title") }
            H.element("form", [.action(.to("/search")), .method("get"), .class("search-form"), .role("search")]) {
                H.label(.for("search-q"), .class("visually-hidden")) { t("search.label") }
                H.input(.type("search"), .id("search-q"), .name("q"), .value(query), .placeholder(t("search.placeholder")))
                H.button(.type("submit"), .class("button"), .id("search-submit")) { t("members.search.submit") }
            }
            if !query.isEmpty {
                if hits.isEmpty {
                    H.p(.class("empty-state"), .id("no-results")) { t("search.none", ["query": query]) }
                } else {
                    H.p(.class("muted")) { t.plural("search.count", count: hits.count) }
                    H.ol(.class("search-results"), .id("search-results")) {
                        for hit in hits { result(hit, groups: groups, handles: handles, t: t) }
                    }
                }
            }
        }
    }

    static func result(_ hit: SearchHit, groups: [UUID: Group], handles: [UUID: String], t: Localizer) -> HTMLNode {
        let link: String
        switch hit.kind {
        case .topic, .post: link = "/t/\((hit.topicID ?? hit.refID).uuidString.lowercased())"
        case .group: link = groups[hit.refID].map { "/g/\($0.slug)" } ?? "/groups"
        case .member: link = "/members/\(handles[hit.refID] ?? "")"
        }
        return H.li(.class("search-result search-\(hit.kind.rawValue)")) {
            H.span(.class("badge")) { t("search.kind.\(hit.kind.rawValue)") }
            " "
            H.a(.to(link), .class("search-title")) {
                hit.title.isEmpty ? t("search.reply_in_topic") : hit.title
            }
            if let groupID = hit.groupID, hit.kind != .group, let group = groups[groupID] {
                H.span(.class("muted")) { " · " + group.name }
            }
            if hit.kind != .member { H.p(.class("search-snippet")) { hit.snippet } }
        }
    }

    // MARK: Tags

    static func tags(_ request: Request, tags: [(name: String, slug: String, description: String?, topics: Int)]) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("tags.title")) {
            H.h1 { t("tags.title") }
            if tags.isEmpty {
                H.p(.class("empty-state")) { t("tags.none") }
            } else {
                H.ul(.class("tag-cloud"), .id("tag-list")) {
                    for tag in tags {
                        H.li {
                            H.a(.to("/tags/\(TagLink.slug(tag.slug))"), .class("tag")) { tag.name }
                            H.span(.class("tag-count")) { t.number(tag.topics) }
                            if let description = tag.description { H.p(.class("muted")) { description } }
                        }
                    }
                }
            }
        }
    }

    static func tag(_ request: Request, tag: TagInfo, page: TopicListPage) -> Response {
        let t = request.context.localizer
        let canManage = request.decide(.viewCockpit).isAllowed
        return Layout.page(request, title: t("tags.tag", ["tag": tag.name])) {
            H.p(.class("breadcrumb")) { H.a(.to("/tags")) { "← " + t("tags.title") } }
            H.h1 { t("tags.tag", ["tag": tag.name]) }
            if let description = tag.description { H.p(.class("lead"), .id("tag-description")) { description } }
            if page.topics.isEmpty {
                H.p(.class("empty-state")) { t("tags.no_topics") }
            } else {
                TopicListView.list(page.topics, t: t)
                TopicListView.more(page, basePath: "/tags/\(TagLink.slug(tag.slug))", t: t)
            }
            if canManage {
                H.section(.class("card")) {
                    H.h2 { t("tags.manage") }
                    H.form(action: .to("/tags/\(TagLink.slug(tag.slug))"), .id("tag-form"), .class("stack-form")) {
                        Forms.csrf(request)
                        Forms.field("name", label: t("field.tag_name"), state: FormState(values: ["name": tag.name]), t: t, required: true)
                        Forms.textarea(
                            "description", label: t("field.tag_description"),
                            state: FormState(values: ["description": tag.description ?? ""]), t: t, rows: 2)
                        Forms.submit(t("settings.save"), id: "tag-submit")
                    }
                    H.form(action: .to("/tags/\(TagLink.slug(tag.slug))/merge"), .id("merge-form"), .class("stack-form")) {
                        Forms.csrf(request)
                        Forms.field(
                            "into", label: t("field.merge_into"), state: FormState(), t: t, required: true, hint: t("field.merge_into.hint")
                        )
                        Forms.submit(t("tags.merge"), id: "merge-submit", secondary: true)
                    }
                }
            }
        }
    }

    // MARK: Notifications

    static func target(of item: NotificationItem) -> String {
        if let eventID = item.eventID { return "/events/\(eventID.uuidString.lowercased())" }
        if let ideaID = item.ideaID { return "/ideas/\(ideaID.uuidString.lowercased())" }
        if let topicID = item.topicID {
            return "/t/\(topicID.uuidString.lowercased())" + (item.postNumber.map { "#post-\($0)" } ?? "")
        }
        if let slug = item.groupSlug { return item.kind == .joinRequest ? "/g/\(slug)/members" : "/g/\(slug)" }
        if item.kind == .sanction || item.kind == .contentRemoved { return "/settings/standing" }
        return "/notifications"
    }

    static func describe(_ item: NotificationItem, t: Localizer) -> String {
        t(
            "notifications.\(item.kind.rawValue)",
            [
                "actor": item.actorName ?? t("notifications.someone"), "topic": item.topicTitle ?? "", "group": item.groupName ?? "",
                "event": item.eventTitle ?? "", "idea": item.ideaTitle ?? "",
            ])
    }

    static func notifications(_ request: Request, items: [NotificationItem]) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("notifications.title")) {
            H.div(.class("page-header")) {
                H.h1 { t("notifications.title") }
                if items.contains(where: { !$0.isRead }) {
                    H.form(action: .to("/notifications/read"), .class("inline-form")) {
                        Forms.csrf(request)
                        H.button(.type("submit"), .class("button button-secondary"), .id("mark-all-read")) { t("notifications.mark_all") }
                    }
                }
            }
            H.p { H.a(.to("/settings/notifications")) { t("notifications.preferences") } }
            if items.isEmpty {
                H.p(.class("empty-state")) { t("notifications.none") }
            } else {
                H.ul(.class("notification-list"), .id("notification-list")) {
                    for item in items {
                        H.li(.class(item.isRead ? "notification" : "notification is-unread")) {
                            H.a(.to("/notifications/\(item.id.uuidString.lowercased())")) { describe(item, t: t) }
                            " "
                            H.time(.class("muted"), .datetime(t.iso(item.createdAt))) { t.dateTime(item.createdAt) }
                        }
                    }
                }
            }
        }
    }

    static func preferences(_ request: Request, preferences: [NotificationKind: NotificationPreference], mail: MailChoices) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("notifications.preferences")) {
            H.h1 { t("notifications.preferences") }
            H.p(.class("lead")) { t("notifications.preferences.lead") }
            H.form(action: .to("/settings/notifications"), .id("notification-preferences"), .class("stack-form")) {
                Forms.csrf(request)
                H.table(.class("data-table")) {
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { t("notifications.kind") }
                            H.th(.scope("col")) { t("notifications.in_app") }
                            H.th(.scope("col")) { t("notifications.email") }
                        }
                    }
                    H.tbody {
                        for kind in NotificationKind.allCases {
                            let preference = preferences[kind] ?? .standard(kind)
                            H.tr {
                                H.th(.scope("row")) { t("notifications.kind.\(kind.rawValue)") }
                                H.td {
                                    H.input(.type("hidden"), .name("app_\(kind.rawValue)"), .value("0"))
                                    H.element(
                                        "input",
                                        [
                                            .type("checkbox"), .id("app_\(kind.rawValue)"), .name("app_\(kind.rawValue)"), .value("1"),
                                            .aria(.label, t("notifications.in_app") + ": " + t("notifications.kind.\(kind.rawValue)")),
                                        ]
                                            + (preference.inApp ? [.checked] : [])
                                    ) { [] }
                                }
                                H.td {
                                    H.element(
                                        "select",
                                        [
                                            .name("email_\(kind.rawValue)"),
                                            .aria(.label, t("notifications.email") + ": " + t("notifications.kind.\(kind.rawValue)")),
                                        ]
                                    ) {
                                        for frequency in EmailFrequency.allCases {
                                            H.element(
                                                "option",
                                                frequency == preference.email
                                                    ? [.value(frequency.rawValue), .selected] : [.value(frequency.rawValue)]
                                            ) {
                                                t("notifications.email.\(frequency.rawValue)")
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                H.fieldset(.id("community-mail")) {
                    H.element("legend", []) { t("mail_lists.title") }
                    Forms.select(
                        "member_update", label: t("mail_lists.member_update"),
                        options: UpdateFrequency.allCases.map { ($0.rawValue, t("mail_lists.frequency.\($0.rawValue)")) },
                        state: FormState(values: ["member_update": mail.memberUpdate.rawValue]), t: t,
                        hint: t("mail_lists.member_update_hint"))
                    Forms.checkbox("nudges", label: t("mail_lists.nudges"), isChecked: mail.nudges, hint: t("mail_lists.nudges_hint"))
                    Forms.checkbox(
                        "announcements", label: t("mail_lists.announcements"), isChecked: mail.announcements,
                        hint: t("mail_lists.announcements_hint"))
                }
                Forms.submit(t("settings.save"), id: "preferences-submit")
            }
        }
    }

    // MARK: Landing pages and menu

    static func landingPage(_ request: Request, page: LandingPage) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: page.title) {
            H.article(.class("landing-page narrow")) {
                H.h1 { page.title }
                H.div(.class("prose")) { HTMLNode.trusted(TrustedMarkdown.html(page.body)) }
                if request.decide(.viewCockpit).isAllowed {
                    H.p { H.a(.to("/admin/pages/\(page.slug)"), .class("button button-secondary")) { t("pages.edit") } }
                }
            }
        }
    }

    static func pagesAdmin(_ request: Request, pages: [LandingPage], state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("pages.title"), status: status) {
            H.h1 { t("pages.title") }
            H.p(.class("lead")) { t("pages.lead") }
            if pages.isEmpty {
                H.p(.class("empty-state")) { t("pages.none") }
            } else {
                H.ul(.class("plain-list"), .id("page-list")) {
                    for page in pages {
                        H.li {
                            H.a(.to("/p/\(page.slug)")) { page.title }
                            H.span(.class("muted")) { " /p/\(page.slug) · " }
                            H.a(.to("/admin/pages/\(page.slug)")) { t("pages.edit") }
                            H.form(action: .to("/admin/pages/\(page.slug)/delete"), .class("inline-form")) {
                                Forms.csrf(request)
                                H.button(.type("submit"), .class("link-button danger")) { t("topics.delete") }
                            }
                        }
                    }
                }
            }
            H.h2 { state["slug"].isEmpty ? t("pages.new") : t("pages.edit") }
            Forms.errorSummary(state, t)
            H.form(action: .to("/admin/pages"), .id("page-form"), .class("stack-form")) {
                Forms.csrf(request)
                Forms.field("slug", label: t("field.page_slug"), state: state, t: t, required: true, hint: t("field.page_slug.hint"))
                Forms.field("title", label: t("field.title"), state: state, t: t, required: true)
                Forms.textarea("body", label: t("field.body"), state: state, t: t, rows: 14, hint: t("field.markdown.hint"))
                Forms.submit(t("settings.save"), id: "page-submit")
            }
        }
    }

    static func menuAdmin(_ request: Request, items: [MenuItem], state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        func action(_ item: MenuItem, _ name: String, _ label: String) -> HTMLNode {
            H.form(action: .to("/admin/menu/\(item.id.uuidString)/\(name)"), .class("inline-form")) {
                Forms.csrf(request)
                H.button(.type("submit"), .class("link-button")) { label }
            }
        }
        return Layout.page(request, title: t("menu.title"), status: status) {
            H.h1 { t("menu.title") }
            H.p(.class("lead")) { t("menu.lead") }
            if items.isEmpty {
                H.p(.class("empty-state")) { t("menu.none") }
            } else {
                H.ol(.class("plain-list"), .id("menu-items")) {
                    for item in items {
                        H.li {
                            H.strong { item.label(in: t.language) }
                            H.span(.class("muted")) { " (\(item.labelEN) / \(item.labelNL)) → \(item.path) " }
                            action(item, "up", "↑")
                            action(item, "down", "↓")
                            action(item, "delete", t("topics.delete"))
                        }
                    }
                }
            }
            Forms.errorSummary(state, t)
            H.form(action: .to("/admin/menu"), .id("menu-form"), .class("stack-form")) {
                Forms.csrf(request)
                Forms.field("label_en", label: t("field.label_en"), state: state, t: t, required: true)
                Forms.field("label_nl", label: t("field.label_nl"), state: state, t: t, required: true)
                Forms.field("path", label: t("field.menu_path"), state: state, t: t, required: true, hint: t("field.menu_path.hint"))
                Forms.submit(t("menu.add"), id: "menu-submit")
            }
        }
    }
}
