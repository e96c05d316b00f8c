import KringCore
import KringStore
import Vapor

enum GroupViews {
    static func visibilityBadge(_ visibility: GroupVisibility, _ t: Localizer) -> HTMLNode {
        H.span(.class("badge badge-visibility badge-\(visibility.rawValue)"), .title(t("groups.visibility.\(visibility.rawValue).hint"))) {
            t("groups.visibility.\(visibility.rawValue)")
        }
    }

    static func directory(_ request: Request, groups: [Group], viewer: Viewer, showingArchived: Bool) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("groups.title")) {
            H.div(.class("page-header")) {
                H.h1 { showingArchived ? t("groups.archived_title") : t("groups.title") }
                if request.context.member != nil { H.a(.to("/groups/new"), .class("button"), .id("new-group")) { t("groups.new") } }
            }
            H.nav(.class("filter-tabs"), .aria(.label, t("groups.title"))) {
                H.a(.to("/groups"), .class(showingArchived ? "" : "is-current")) { t("groups.active") }
                H.a(.to("/groups?archived=1"), .class(showingArchived ? "is-current" : "")) { t("groups.archived") }
            }
            if groups.isEmpty {
                H.p(.class("empty-state")) { showingArchived ? t("groups.none_archived") : t("groups.none") }
            } else {
                H.ul(.class("group-grid"), .id("group-list")) {
                    for group in groups {
                        H.li(.class("group-card")) {
                            H.h2 { H.a(.to("/g/\(group.slug)")) { group.name } }
                            H.p(.class("group-card-meta")) {
                                visibilityBadge(group.visibility, t)
                                if viewer.activeGroupIDs.contains(group.id) {
                                    H.span(.class("badge badge-member")) { t("groups.you_are_member") }
                                }
                                if viewer.invitedGroupIDs.contains(group.id) {
                                    H.span(.class("badge badge-invited")) { t("groups.invited") }
                                }
                            }
                            if !group.description.isEmpty { H.p(.class("group-card-text")) { String(group.description.prefix(180)) } }
                            H.p(.class("muted")) {
                                t.plural("groups.members", count: group.memberCount) + " · "
                                    + t.plural("groups.topics", count: group.topicCount)
                            }
                        }
                    }
                }
            }
        }
    }

    static func form(_ request: Request, group: Group?, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let options = GroupVisibility.allCases.map {
            (value: $0.rawValue, label: t("groups.visibility.\($0.rawValue)") + " — " + t("groups.visibility.\($0.rawValue).hint"))
        }
        let action = group.map { "/g/\($0.slug)/edit" } ?? "/groups"
        let title = group == nil ? t("groups.new") : t("groups.edit")
        return Layout.page(request, title: title, status: status) {
            H.section(.class("narrow")) {
                H.h1 { title }
                Forms.errorSummary(state, t)
                H.form(action: .to(action), .id("group-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.field(
                        "name", label: t("field.group_name"), state: state, t: t, required: true, maxLength: GroupRules.nameMaxLength)
                    Forms.textarea(
                        "description", label: t("field.group_description"), state: state, t: t, rows: 4, hint: t("field.markdown.hint"))
                    Forms.textarea(
                        "welcome_message", label: t("field.welcome_message"), state: state, t: t, rows: 3,
                        hint: t("field.welcome_message.hint"))
                    Forms.select("visibility", label: t("field.visibility"), options: options, state: state, t: t)
                    Forms.submit(group == nil ? t("groups.create") : t("settings.save"), id: "group-submit")
                }
                if let group {
                    H.section(.class("danger-zone")) {
                        H.h2 { t("groups.archive.title") }
                        H.p { group.isArchived ? t("groups.archive.restore_hint") : t("groups.archive.hint") }
                        H.form(action: .to("/g/\(group.slug)/\(group.isArchived ? "restore" : "archive")"), .id("archive-form")) {
                            Forms.csrf(request)
                            H.button(.type("submit"), .class("button button-secondary"), .id("archive-submit")) {
                                group.isArchived ? t("groups.restore") : t("groups.archive")
                            }
                        }
                    }
                }
            }
        }
    }

    static func page(
        _ request: Request, group: Group, membership: Membership?, canRead: Bool, topics: TopicListPage, pinned: [TopicSummary],
        people: [GroupMemberEntry], events: [Event]
    ) -> Response {
        let t = request.context.localizer
        let actor = request.context.actor
        let canManage = GroupAccess.canManage(group, actor: actor, membership: membership)
        let canPost = GroupAccess.canPost(in: group, actor: actor, membership: membership)
        let isNewMember =
            membership.map { $0.isActive && request.application.kring.clock.now().timeIntervalSince($0.createdAt) < 14 * 86_400 } ?? false
        return Layout.page(request, title: group.name) {
            H.header(.class("group-header")) {
                H.div {
                    H.h1 { group.name }
                    H.p(.class("group-card-meta")) {
                        visibilityBadge(group.visibility, t)
                        if group.isArchived { H.span(.class("badge badge-archived")) { t("groups.archived_badge") } }
                        H.span(.class("muted")) {
                            " " + t.plural("groups.members", count: group.memberCount) + " · "
                                + t.plural("groups.topics", count: group.topicCount)
                        }
                    }
                }
                H.div(.class("group-actions")) { membershipActions(request, group: group, membership: membership, canManage: canManage) }
            }
            if group.isArchived { H.p(.class("notice"), .id("archived-notice")) { t("groups.archived_notice") } }
            if isNewMember, !group.welcomeMessage.isEmpty {
                H.section(.class("welcome-box"), .id("group-welcome")) {
                    H.h2 { t("groups.welcome") }
                    H.div(.class("prose")) { HTMLNode.trusted(UserMarkdown.render(group.welcomeMessage).trusted) }
                }
            }
            H.div(.class("with-aside")) {
                H.section(.class("with-aside-main")) {
                    if !group.description.isEmpty {
                        H.div(.class("prose group-description")) { HTMLNode.trusted(UserMarkdown.render(group.description).trusted) }
                    }
                    if !canRead {
                        H.p(.class("notice"), .id("members-only")) {
                            group.visibility == .closed ? t("groups.closed_notice") : t("groups.secret_notice")
                        }
                    } else {
                        if !pinned.isEmpty {
                            H.h2 { t("groups.pinned") }
                            TopicListView.list(pinned, t: t, showGroup: false, id: "pinned-topics")
                        }
                        H.div(.class("page-header")) {
                            H.h2 { t("groups.topics_title") }
                            if canPost {
                                H.a(.to("/topics/new?group=\(group.slug)"), .class("button"), .id("new-topic")) { t("topics.new_topic") }
                            }
                        }
                        if topics.topics.isEmpty {
                            H.p(.class("empty-state")) { t("groups.no_topics") }
                        } else {
                            TopicListView.list(topics.topics, t: t, showGroup: false)
                            TopicListView.more(topics, basePath: "/g/\(group.slug)", t: t)
                        }
                    }
                }
                if canRead {
                    H.aside(.class("with-aside-side card")) {
                        H.h2 { t("events.upcoming") }
                        if events.isEmpty {
                            H.p(.class("empty-state")) { t("events.none") }
                        } else {
                            H.ul(.class("plain-list"), .id("group-events")) {
                                for event in events {
                                    H.li {
                                        H.a(.to("/events/\(event.id.uuidString.lowercased())")) { event.title }
                                        H.div(.class("muted")) { t.dateTime(event.startsAt) }
                                    }
                                }
                            }
                        }
                        if canPost { H.p { H.a(.to("/events/new?group=\(group.slug)"), .id("new-group-event")) { t("events.new") } } }
                        H.h2 { t("groups.documents") }
                        H.p { H.a(.to("/g/\(group.slug)/documents"), .id("group-documents")) { t("groups.documents_link") } }
                        H.h2 { t("groups.people") }
                        H.ul(.class("member-list compact")) {
                            for entry in people {
                                H.li(.class("member-row")) {
                                    H.a(.to("/members/\(entry.member.handle)")) { entry.member.displayName }
                                    if entry.membership.isManager { H.span(.class("badge badge-role")) { t("groups.manager") } }
                                }
                            }
                        }
                        H.p { H.a(.to("/g/\(group.slug)/members")) { t("groups.all_members") } }
                    }
                }
            }
        }
    }

    static func membershipActions(_ request: Request, group: Group, membership: Membership?, canManage: Bool) -> HTMLNode {
        let t = request.context.localizer
        return H.fragment {
            if request.context.member == nil {
                H.a(.to("/login?next=/g/\(group.slug)"), .class("button")) { t("groups.login_to_join") }
            } else if let membership {
                switch membership.status {
                case .active:
                    actionButton(request, "/g/\(group.slug)/leave", t("groups.leave"), id: "leave-group", secondary: true)
                case .requested:
                    H.span(.class("badge badge-invited"), .id("request-pending")) { t("groups.request_pending") }
                    actionButton(request, "/g/\(group.slug)/leave", t("groups.withdraw"), id: "withdraw-request", secondary: true)
                case .invited:
                    actionButton(request, "/g/\(group.slug)/invitation/accept", t("groups.accept_invitation"), id: "accept-invitation")
                    actionButton(
                        request, "/g/\(group.slug)/invitation/decline", t("groups.decline_invitation"), id: "decline-invitation",
                        secondary: true)
                }
            } else if !group.isArchived {
                switch group.visibility {
                case .open: actionButton(request, "/g/\(group.slug)/join", t("groups.join"), id: "join-group")
                case .closed: actionButton(request, "/g/\(group.slug)/join", t("groups.request"), id: "request-join")
                case .secret: HTMLNode.empty
                }
            }
            if canManage { H.a(.to("/g/\(group.slug)/edit"), .class("button button-secondary"), .id("edit-group")) { t("groups.edit") } }
        }
    }

    static func actionButton(_ request: Request, _ path: String, _ label: String, id: String, secondary: Bool = false) -> HTMLNode {
        H.form(action: .to(path), .class("inline-form")) {
            Forms.csrf(request)
            H.button(.type("submit"), .class(secondary ? "button button-secondary" : "button"), .id(id)) { label }
        }
    }

    static func members(
        _ request: Request, group: Group, canManage: Bool, active: [GroupMemberEntry], requested: [GroupMemberEntry],
        invited: [GroupMemberEntry], state: FormState, status: HTTPStatus = .ok
    ) -> Response {
        let t = request.context.localizer
        func manageButton(_ entry: GroupMemberEntry, _ action: String, _ label: String, danger: Bool = false) -> HTMLNode {
            H.form(action: .to("/g/\(group.slug)/members/\(entry.member.handle)/\(action)"), .class("inline-form")) {
                Forms.csrf(request)
                H.button(
                    .type("submit"), .class(danger ? "button button-small button-danger" : "button button-small"),
                    .id("\(action)-\(entry.member.handle)")
                ) { label }
            }
        }
        return Layout.page(request, title: t("groups.members_title", ["group": group.name]), status: status) {
            H.p(.class("breadcrumb")) { H.a(.to("/g/\(group.slug)")) { "← " + group.name } }
            H.h1 { t("groups.members_title", ["group": group.name]) }
            if canManage {
                if !requested.isEmpty {
                    H.section(.class("card"), .id("join-requests")) {
                        H.h2 { t("groups.requests") }
                        H.ul(.class("plain-list")) {
                            for entry in requested {
                                H.li {
                                    H.a(.to("/members/\(entry.member.handle)")) { entry.member.displayName }
                                    " "
                                    manageButton(entry, "approve", t("admin.members.approve"))
                                    manageButton(entry, "decline", t("admin.members.reject"), danger: true)
                                }
                            }
                        }
                    }
                }
                H.section(.class("card")) {
                    H.h2 { t("groups.invite") }
                    Forms.errorSummary(state, t)
                    H.form(action: .to("/g/\(group.slug)/invite"), .id("group-invite-form"), .class("stack-form inline-fields")) {
                        Forms.csrf(request)
                        Forms.field("invitee", label: t("field.invitee"), state: state, t: t, required: true, hint: t("field.invitee.hint"))
                        Forms.submit(t("groups.invite.send"), id: "group-invite-submit")
                    }
                    if !invited.isEmpty {
                        H.p(.class("muted")) {
                            t("groups.invited_list") + " " + invited.map { "@" + $0.member.handle }.joined(separator: ", ")
                        }
                    }
                }
            }
            H.ul(.class("member-list"), .id("group-members")) {
                for entry in active {
                    H.li(.class("member-row")) {
                        H.span(.class("avatar"), .aria(.hidden, "true")) { MemberViews.initials(entry.member.displayName) }
                        H.div(.class("member-row-text")) {
                            H.a(.to("/members/\(entry.member.handle)"), .class("member-name")) { entry.member.displayName }
                            if entry.membership.isManager { H.span(.class("badge badge-role")) { t("groups.manager") } }
                            if canManage, entry.member.id != request.context.member?.id {
                                H.div(.class("member-actions")) {
                                    if entry.membership.isManager {
                                        manageButton(entry, "demote", t("groups.demote"))
                                    } else {
                                        manageButton(entry, "promote", t("groups.promote"))
                                    }
                                    manageButton(entry, "remove", t("groups.remove"), danger: true)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
