import KringCore
import KringStore
import Vapor

enum TopicViews {
    static func list(_ request: Request, page: TopicListPage, filter: TopicFilter) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("topics.title")) {
            H.div(.class("page-header")) {
                H.h1 { t("topics.title") }
                if request.context.member != nil { H.a(.to("/topics/new"), .class("button"), .id("new-topic")) { t("topics.new_topic") } }
            }
            H.nav(.class("filter-tabs"), .aria(.label, t("topics.filter"))) {
                for option in TopicFilter.allCases {
                    let path = option == .latest ? "/topics" : "/topics?filter=\(option.rawValue)"
                    if option == filter {
                        H.a(.to(path), .class("is-current"), .aria(.current, "page")) { t("topics.filter.\(option.rawValue)") }
                    } else {
                        H.a(.to(path)) { t("topics.filter.\(option.rawValue)") }
                    }
                }
            }
            if page.topics.isEmpty {
                H.p(.class("empty-state")) { t("topics.empty.\(filter.rawValue)") }
            } else {
                TopicListView.list(page.topics, t: t)
                TopicListView.more(page, basePath: "/topics", query: filter == .latest ? [] : [("filter", filter.rawValue)], t: t)
            }
        }
    }

    static func form(_ request: Request, groups: [Group], state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let groupOptions = [(value: "", label: t("topics.community_wide"))] + groups.map { ($0.slug, $0.name) }
        let kinds = TopicKind.allCases.map { (value: $0.rawValue, label: t("topics.kind.\($0.rawValue)")) }
        return Layout.page(request, title: t("topics.new_topic"), status: status) {
            H.section(.class("narrow")) {
                H.h1 { t("topics.new_topic") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/topics"), .id("topic-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.select("group", label: t("field.group"), options: groupOptions, state: state, t: t)
                    Forms.select("kind", label: t("field.kind"), options: kinds, state: state, t: t, hint: t("field.kind.hint"))
                    Forms.field(
                        "title", label: t("field.title"), state: state, t: t, required: true, maxLength: PostRules.titleLength.upperBound)
                    Forms.textarea("body", label: t("field.body"), state: state, t: t, rows: 10, hint: t("field.markdown.hint"))
                    Forms.field("tags", label: t("field.tags"), state: state, t: t, hint: t("field.tags.hint"))
                    Forms.submit(t("topics.publish"), id: "topic-submit")
                }
            }
        }
    }

    static func page(
        _ request: Request, page: TopicPage, membership: Membership?, replyState: FormState, status: HTTPStatus = .ok, polls: [Poll] = []
    ) -> Response {
        let t = request.context.localizer
        let actor = request.context.actor
        let now = request.application.kring.clock.now()
        let inArchive = page.group?.isArchived ?? false
        let canPost =
            actor.isSignedIn && !page.isDeleted && !page.isArchived && request.context.restriction.mayPost
            && (page.group.map { GroupAccess.canPost(in: $0, actor: actor, membership: membership) } ?? true)
        let canAccept =
            page.kind == .question && PostAccess.canAcceptAnswer(topicAuthorID: page.author.id, actor: actor, inArchive: inArchive)
        let canPin = actor.has(.moderator) || (page.group.map { GroupAccess.canManage($0, actor: actor, membership: membership) } ?? false)
        let topicPath = "/t/\(page.id.uuidString.lowercased())"
        let solution = page.posts.first { $0.id == page.solutionPostID }
        return Layout.page(request, title: page.title, status: status, liveTopic: page.id) {
            H.article(.class("topic")) {
                H.header(.class("topic-header")) {
                    if let group = page.group { H.p(.class("breadcrumb")) { H.a(.to("/g/\(group.slug)")) { group.name } } }
                    H.h1(.id("topic-title")) { page.title }
                    H.p(.class("topic-badges")) {
                        if page.kind == .question {
                            if page.solutionPostID != nil {
                                H.span(.class("badge badge-solved"), .id("solved-badge")) { "✓ " + t("topics.solved") }
                            } else {
                                H.span(.class("badge badge-question")) { t("topics.question") }
                            }
                        }
                        if page.isPinned { H.span(.class("badge badge-pinned")) { t("topics.pinned") } }
                        if page.isDeleted { H.span(.class("badge badge-deleted")) { t("topics.deleted") } }
                        if page.isArchived { H.span(.class("badge badge-archived"), .id("topic-archived")) { t("groups.archived_badge") } }
                        for tag in page.tags { H.a(.to("/tags/\(TagLink.slug(tag))"), .class("tag")) { tag } }
                    }
                    if canPin {
                        GroupViews.actionButton(
                            request, "\(topicPath)/pin", page.isPinned ? t("topics.unpin") : t("topics.pin"), id: "pin-topic",
                            secondary: true)
                    }
                }
                if actor.has(.moderator) {
                    H.form(action: .to("/moderation/archive"), .class("inline-form"), .id("archive-topic-form")) {
                        Forms.csrf(request)
                        H.input(.type("hidden"), .name("topic_\(page.id.uuidString)"), .value("1"))
                        if page.isArchived { H.input(.type("hidden"), .name("restore"), .value("1")) }
                        H.button(.type("submit"), .class("button button-small button-secondary"), .id("archive-topic")) {
                            page.isArchived ? t("archive.restore_topic") : t("archive.archive_topic")
                        }
                    }
                    H.details(.class("flag-details")) {
                        H.summary { t("topics.slow_mode") }
                        H.form(action: .to("\(topicPath)/slow-mode"), .class("stack-form inline-fields"), .id("slow-mode-form")) {
                            Forms.csrf(request)
                            Forms.field(
                                "seconds", label: t("field.slow_mode_seconds"), state: FormState(), t: t, type: "number",
                                hint: t("field.slow_mode_seconds.hint"))
                            Forms.submit(t("settings.save"), id: "slow-mode-submit", secondary: true)
                        }
                    }
                }
                if let solution {
                    H.p(.class("notice notice-success"), .id("solution-link")) {
                        H.a(.fragment("post-\(solution.number)")) { t("topics.solution_by", ["name": solution.author.displayName]) }
                    }
                }
                for poll in polls { PollViews.card(request, poll: poll) }
                if canPost, actor.memberID == page.author.id || actor.has(.moderator) {
                    H.p { H.a(.to("/polls/new?topic=\(page.id.uuidString.lowercased())"), .id("add-poll")) { t("polls.add_to_topic") } }
                }
                for post in page.posts {
                    if page.lastReadBefore > 0, post.number == page.lastReadBefore + 1 {
                        H.p(.class("new-divider"), .id("new-since-last-visit")) { t("topics.new_since_visit") }
                    }
                    postView(request, page: page, post: post, canPost: canPost, canAccept: canAccept, inArchive: inArchive, now: now)
                }
                if canPost {
                    H.section(.class("reply-box"), .id("reply")) {
                        H.h2 { t("topics.reply") }
                        Forms.errorSummary(replyState, t)
                        H.form(action: .to("\(topicPath)/replies"), .id("reply-form"), .class("stack-form")) {
                            Forms.csrf(request)
                            Forms.textarea(
                                "body", label: t("field.reply"), state: replyState, t: t, rows: 6, hint: t("field.markdown.hint"))
                            Forms.submit(t("topics.reply.submit"), id: "reply-submit")
                        }
                    }
                } else if !actor.isSignedIn {
                    H.p(.class("notice")) { H.a(.to("/login?next=\(topicPath)")) { t("topics.login_to_reply") } }
                } else if inArchive {
                    H.p(.class("notice")) { t("groups.archived_notice") }
                } else if let group = page.group {
                    H.p(.class("notice")) { H.a(.to("/g/\(group.slug)")) { t("topics.join_to_reply") } }
                }
            }
        }
    }

    static func postView(_ request: Request, page: TopicPage, post: PostView, canPost: Bool, canAccept: Bool, inArchive: Bool, now: Date)
        -> HTMLNode
    {
        let t = request.context.localizer
        let actor = request.context.actor
        let topicPath = "/t/\(page.id.uuidString.lowercased())"
        let isSolution = post.id == page.solutionPostID
        var classes = "post"
        if isSolution { classes += " is-solution" }
        if post.isDeleted { classes += " is-deleted" }
        return H.section(.class(classes), .id("post-\(post.number)"), .aria(.label, t("topics.post_by", ["name": post.author.displayName])))
        {
            H.header(.class("post-header")) {
                H.span(.class("avatar"), .aria(.hidden, "true")) { MemberViews.initials(post.author.displayName) }
                H.a(.to("/members/\(post.author.handle)"), .class("post-author")) { post.author.displayName }
                if post.author.isStaff { Badges.staff(t) }
                Badges.role(post.author.role, t)
                H.a(.fragment("post-\(post.number)"), .class("post-time")) {
                    H.time(.datetime(t.iso(post.createdAt))) { t.dateTime(post.createdAt) }
                }
                if post.editedAt != nil {
                    H.a(.to("/posts/\(post.id.uuidString.lowercased())/history"), .class("post-edited")) { t("topics.edited") }
                }
                if let replyTo = post.replyToNumber {
                    H.a(.fragment("post-\(replyTo)"), .class("post-reply-to")) { t("topics.in_reply_to", ["number": String(replyTo)]) }
                }
                if isSolution { H.span(.class("badge badge-solved")) { "✓ " + t("topics.accepted_answer") } }
            }
            if post.isDeleted && post.bodyHTML.isEmpty {
                H.p(.class("muted post-deleted")) { t("topics.post_deleted") }
            } else {
                if post.isDeleted { H.p(.class("muted post-deleted")) { t("topics.post_deleted_visible") } }
                if post.isHidden { H.p(.class("notice post-hidden"), .id("hidden-\(post.number)")) { t("topics.post_hidden") } }
                H.div(.class("prose post-body")) { HTMLNode.trusted(post.trustedBody) }
            }
            H.footer(.class("post-footer")) {
                reactions(request, post: post, canReact: canPost && !post.isDeleted)
                H.div(.class("post-actions")) {
                    if canPost, !post.isDeleted {
                        H.a(.to("\(topicPath)?quote=\(post.id.uuidString.lowercased())#reply"), .class("link-button")) { t("topics.quote") }
                    }
                    if canAccept, post.number > 1, !post.isDeleted {
                        H.form(action: .to("\(topicPath)/accept"), .class("inline-form")) {
                            Forms.csrf(request)
                            if isSolution {
                                H.button(.type("submit"), .class("link-button"), .id("unaccept-\(post.number)")) { t("topics.unaccept") }
                            } else {
                                H.input(.type("hidden"), .name("post"), .value(post.id.uuidString))
                                H.button(.type("submit"), .class("link-button"), .id("accept-\(post.number)")) { t("topics.accept") }
                            }
                        }
                    }
                    if PostAccess.canEdit(
                        authorID: post.author.id, createdAt: post.createdAt, isDeleted: post.isDeleted, inArchive: inArchive, actor: actor,
                        now: now)
                    {
                        H.a(.to("/posts/\(post.id.uuidString.lowercased())/edit"), .class("link-button"), .id("edit-\(post.number)")) {
                            t("topics.edit")
                        }
                    }
                    if PostAccess.canDelete(authorID: post.author.id, isDeleted: post.isDeleted, inArchive: inArchive, actor: actor) {
                        H.form(action: .to("/posts/\(post.id.uuidString.lowercased())/delete"), .class("inline-form")) {
                            Forms.csrf(request)
                            H.button(.type("submit"), .class("link-button danger"), .id("delete-\(post.number)")) {
                                post.number == 1 ? t("topics.delete_topic") : t("topics.delete")
                            }
                        }
                    }
                    if actor.isSignedIn, actor.memberID != post.author.id, !post.isDeleted {
                        flagForm(request, action: "/posts/\(post.id.uuidString.lowercased())/flag", key: String(post.number))
                    }
                    if !post.isDeleted, request.decide(.viewCockpit).isAllowed {
                        ListeningViews.insightForm(request, postID: post.id, key: String(post.number))
                    }
                    if PostAccess.canRestore(isDeleted: post.isDeleted || (post.number == 1 && page.isDeleted), actor: actor) {
                        H.form(action: .to("/posts/\(post.id.uuidString.lowercased())/restore"), .class("inline-form")) {
                            Forms.csrf(request)
                            H.button(.type("submit"), .class("link-button"), .id("restore-\(post.number)")) { t("topics.restore") }
                        }
                    }
                }
            }
        }
    }

    /// The reaction bar: a toggle button per kind with its count; who reacted is listed beneath.
    static func reactions(_ request: Request, post: PostView, canReact: Bool) -> HTMLNode {
        let t = request.context.localizer
        let everyone = ReactionKind.allCases.compactMap { kind in post.reactions[kind].map { (kind, $0) } }
        return H.div(.class("reactions")) {
            if canReact {
                // One form, a button per kind (its name and value say which): a long topic's page stays small.
                H.form(action: .to("/posts/\(post.id.uuidString.lowercased())/react"), .class("inline-form reaction-form")) {
                    Forms.csrf(request)
                    for kind in ReactionKind.allCases {
                        let names = post.reactions[kind] ?? []
                        let label = t("reactions.\(kind.rawValue)")
                        H.element(
                            "button",
                            [
                                .type("submit"), .name("kind"), .value(kind.rawValue),
                                .class(post.viewerReactions.contains(kind) ? "reaction is-mine" : "reaction"),
                                .aria(.label, "\(label) (\(names.count))"), .id("react-\(kind.rawValue)-\(post.number)"),
                                .title(names.isEmpty ? label : names.joined(separator: ", ")),
                            ]
                        ) {
                            H.span(.aria(.hidden, "true")) { kind.symbol }
                            " " + String(names.count)
                        }
                    }
                }
            } else {
                for kind in ReactionKind.allCases {
                    if let names = post.reactions[kind], !names.isEmpty {
                        H.span(.class("reaction"), .title(names.joined(separator: ", "))) { kind.symbol + " " + String(names.count) }
                    }
                }
            }
            if !everyone.isEmpty {
                H.details(.class("reaction-names")) {
                    H.summary { t("reactions.who") }
                    H.ul(.class("plain-list")) {
                        for (kind, names) in everyone { H.li { t("reactions.\(kind.rawValue)") + ": " + names.joined(separator: ", ") } }
                    }
                }
            }
        }
    }

    static func editForm(_ request: Request, page: TopicPage, post: PostView, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("topics.edit"), status: status) {
            H.section(.class("narrow")) {
                H.p(.class("breadcrumb")) { H.a(.to("/t/\(page.id.uuidString.lowercased())")) { "← " + page.title } }
                H.h1 { t("topics.edit") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/posts/\(post.id.uuidString.lowercased())/edit"), .id("edit-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    if post.number == 1 {
                        Forms.field("title", label: t("field.title"), state: state, t: t, required: true)
                    }
                    Forms.textarea("body", label: t("field.body"), state: state, t: t, rows: 12, hint: t("field.markdown.hint"))
                    if post.number == 1 { Forms.field("tags", label: t("field.tags"), state: state, t: t, hint: t("field.tags.hint")) }
                    Forms.submit(t("settings.save"), id: "edit-submit")
                }
            }
        }
    }

    static func history(_ request: Request, page: TopicPage, post: PostView, revisions: [PostRevision]) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("topics.history")) {
            H.p(.class("breadcrumb")) { H.a(.to("/t/\(page.id.uuidString.lowercased())#post-\(post.number)")) { "← " + page.title } }
            H.h1 { t("topics.history") }
            H.section(.class("card")) {
                H.h2 { t("topics.history.current") }
                H.pre(.class("revision-body")) { post.body }
            }
            if revisions.isEmpty { H.p(.class("empty-state")) { t("topics.history.none") } }
            for revision in revisions {
                H.section(.class("card revision")) {
                    H.h2 { t("topics.history.before", ["date": t.dateTime(revision.createdAt), "name": revision.editorName ?? "?"]) }
                    if let title = revision.title { H.p { H.strong { title } } }
                    H.pre(.class("revision-body")) { revision.body }
                }
            }
        }
    }

    /// "Flag" opens a small form: a reason, an optional note. `key` keeps the ids unique on a page.
    static func flagForm(_ request: Request, action: String, key: String) -> HTMLNode {
        let t = request.context.localizer
        let reasons = FlagReason.allCases.map { (value: $0.rawValue, label: t("flags.reason.\($0.rawValue)")) }
        return H.details(.class("flag-details")) {
            H.summary(.id("flag-\(key)")) { t("flags.flag") }
            H.form(action: .to(action), .class("stack-form flag-form"), .id("flag-form-\(key)")) {
                Forms.csrf(request)
                H.label(.for("reason-\(key)")) { t("field.flag_reason") }
                H.element("select", [.id("reason-\(key)"), .name("reason")]) {
                    for reason in reasons { H.element("option", [.value(reason.value)]) { reason.label } }
                }
                H.label(.for("note-\(key)")) { t("field.flag_note") }
                H.input(.type("text"), .id("note-\(key)"), .name("note"), .maxlength(ModerationRules.reasonMaxLength))
                H.button(.type("submit"), .class("button button-small button-danger"), .id("flag-submit-\(key)")) { t("flags.send") }
            }
        }
    }
}
