import KringCore
import KringStore
import Vapor

enum IdeaViews {
    static func statusBadge(_ status: IdeaStatus, _ t: Localizer) -> HTMLNode {
        H.span(.class("badge badge-idea badge-idea-\(status.rawValue)")) { t("ideas.status.\(status.rawValue)") }
    }

    static func list(_ request: Request, ideas: [Idea], departments: [Department], status: IdeaStatus?, newest: Bool) -> Response {
        let t = request.context.localizer
        let names = Dictionary(uniqueKeysWithValues: departments.map { ($0.id, $0.name) })
        return Layout.page(request, title: t("ideas.title")) {
            H.div(.class("page-header")) {
                H.h1 { t("ideas.title") }
                if request.context.member != nil { H.a(.to("/ideas/new"), .class("button"), .id("new-idea")) { t("ideas.new") } }
            }
            H.p(.class("lead")) { t("ideas.lead") }
            H.nav(.class("filter-tabs"), .aria(.label, t("ideas.filter"))) {
                H.a(.to("/ideas"), .class(status == nil && !newest ? "is-current" : "")) { t("ideas.popular") }
                H.a(.to("/ideas?sort=new"), .class(newest ? "is-current" : "")) { t("ideas.newest") }
                for option in IdeaStatus.allCases {
                    H.a(.to("/ideas?status=\(option.rawValue)"), .class(status == option ? "is-current" : "")) {
                        t("ideas.status.\(option.rawValue)")
                    }
                }
            }
            if ideas.isEmpty {
                H.p(.class("empty-state")) { t("ideas.none") }
            } else {
                H.ul(.class("topic-list"), .id("idea-list")) {
                    for idea in ideas {
                        H.li(.class("topic-row")) {
                            H.div(.class("topic-row-main")) {
                                H.a(.to("/ideas/\(idea.id.uuidString.lowercased())"), .class("topic-title")) { idea.title }
                                statusBadge(idea.status, t)
                                H.div(.class("topic-meta")) {
                                    if let department = idea.departmentID.flatMap({ names[$0] }) { department + " · " }
                                    t.plural("ideas.comments", count: idea.commentCount)
                                    for tag in idea.tags {
                                        " "
                                        H.span(.class("tag tag-small")) { tag }
                                    }
                                }
                            }
                            H.div(.class("topic-row-stats")) {
                                H.span(.class("reply-count")) { t.plural("ideas.votes", count: idea.voteCount) }
                            }
                        }
                    }
                }
            }
        }
    }

    static func form(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("ideas.new"), status: status) {
            H.section(.class("narrow")) {
                H.h1 { t("ideas.new") }
                H.p(.class("lead")) { t("ideas.new.lead") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/ideas"), .id("idea-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.field("title", label: t("field.title"), state: state, t: t, required: true)
                    Forms.textarea(
                        "description", label: t("field.description"), state: state, t: t, rows: 8, hint: t("field.markdown.hint"))
                    Forms.field("tags", label: t("field.tags"), state: state, t: t, hint: t("field.tags.hint"))
                    Forms.submit(t("ideas.submit"), id: "idea-submit")
                }
            }
        }
    }

    static func page(
        _ request: Request, idea: Idea, author: Member?, department: Department?, departments: [Department], voted: Bool,
        comments: [IdeaComment],
        state: FormState, status: HTTPStatus = .ok
    ) -> Response {
        let t = request.context.localizer
        let actor = request.context.actor
        let path = "/ideas/\(idea.id.uuidString.lowercased())"
        let mayRespond = IdeaAccess.mayRespond(actor, department: department)
        let official = comments.filter(\.isOfficial)
        return Layout.page(request, title: idea.title, status: status) {
            H.article(.class("idea")) {
                H.p(.class("breadcrumb")) { H.a(.to("/ideas")) { "← " + t("ideas.title") } }
                H.h1(.id("idea-title")) { idea.title }
                H.p(.class("topic-badges")) {
                    statusBadge(idea.status, t)
                    if let department { H.span(.class("badge"), .id("idea-department")) { department.name } }
                    for tag in idea.tags { H.span(.class("tag")) { tag } }
                }
                if let author { H.p(.class("muted")) { t("ideas.by", ["name": author.displayName, "date": t.date(idea.createdAt)]) } }
                H.div(.class("prose post")) { HTMLNode.trusted(UserMarkdown.render(idea.description).trusted) }
                H.div(.class("review-actions")) {
                    H.span(.id("idea-votes")) { t.plural("ideas.votes", count: idea.voteCount) }
                    if actor.isSignedIn, request.context.restriction.mayPost {
                        GroupViews.actionButton(
                            request, "\(path)/vote", voted ? t("ideas.unvote") : t("ideas.vote"), id: "vote-idea", secondary: voted)
                    }
                }
                if !official.isEmpty {
                    H.section(.class("card official-responses"), .id("official-responses")) {
                        H.h2 { t("ideas.responses") }
                        for response in official { commentView(response, t: t) }
                    }
                }
                if actor.has(.manager) {
                    H.form(action: .to("\(path)/route"), .class("review-actions"), .id("route-form")) {
                        Forms.csrf(request)
                        H.label(.for("department")) { t("ideas.route") }
                        H.element("select", [.id("department"), .name("department")]) {
                            for option in departments {
                                H.element(
                                    "option",
                                    option.id == idea.departmentID
                                        ? [.value(option.id.uuidString), .selected] : [.value(option.id.uuidString)]
                                ) {
                                    option.name
                                }
                            }
                        }
                        H.button(.type("submit"), .class("button button-small button-secondary"), .id("route-submit")) {
                            t("ideas.route.submit")
                        }
                    }
                    if departments.isEmpty { H.p(.class("muted")) { H.a(.to("/admin/departments")) { t("ideas.departments.none") } } }
                }
                H.section {
                    H.h2 { t("ideas.discussion") }
                    let discussion = comments.filter { !$0.isOfficial }
                    if discussion.isEmpty { H.p(.class("empty-state"), .id("idea-discussion-empty")) { t("ideas.discussion.none") } }
                    for comment in discussion { commentView(comment, t: t) }
                    if actor.isSignedIn, request.context.restriction.mayPost {
                        Forms.errorSummary(state, t)
                        H.form(action: .to("\(path)/comments"), .id("idea-comment-form"), .class("stack-form")) {
                            Forms.csrf(request)
                            Forms.textarea("body", label: t("field.reply"), state: state, t: t, rows: 4)
                            if mayRespond {
                                Forms.checkbox("official", label: t("ideas.official"), isChecked: false, hint: t("ideas.official.hint"))
                                Forms.select(
                                    "status", label: t("ideas.new_status"),
                                    options: [(value: "", label: t("ideas.status.unchanged"))]
                                        + idea.status.next.map { ($0.rawValue, t("ideas.status.\($0.rawValue)")) },
                                    state: state, t: t)
                            }
                            Forms.submit(t("topics.reply.submit"), id: "idea-comment-submit")
                        }
                    }
                }
            }
        }
    }

    static func commentView(_ comment: IdeaComment, t: Localizer) -> HTMLNode {
        H.div(.class(comment.isOfficial ? "post is-solution" : "post")) {
            H.p(.class("post-header")) {
                H.strong { comment.author.displayName }
                if comment.author.isStaff { Badges.staff(t) }
                H.span(.class("post-time")) { t.dateTime(comment.createdAt) }
                if let status = comment.status { statusBadge(status, t) }
            }
            H.div(.class("prose")) { HTMLNode.trusted(UserMarkdown.render(comment.body).trusted) }
        }
    }

    static func departments(_ request: Request, departments: [Department], handles: [UUID: String], state: FormState) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("ideas.departments")) {
            H.h1 { t("ideas.departments") }
            H.p(.class("lead")) { t("ideas.departments.lead") }
            for department in departments {
                H.section(.class("card"), .id("department-\(department.id.uuidString)")) {
                    H.h2 { department.name }
                    if !department.description.isEmpty { H.p { department.description } }
                    H.p {
                        t("ideas.liaisons") + ": "
                            + (department.liaisonIDs.isEmpty
                                ? t("ideas.liaisons.none")
                                : department.liaisonIDs.compactMap { handles[$0].map { "@" + $0 } }.joined(separator: ", "))
                    }
                    H.form(action: .to("/admin/departments/\(department.id.uuidString)/liaisons"), .class("review-actions")) {
                        Forms.csrf(request)
                        H.label(.for("handle-\(department.id.uuidString)"), .class("visually-hidden")) { t("field.handle") }
                        H.input(.type("text"), .id("handle-\(department.id.uuidString)"), .name("handle"), .placeholder("@handle"))
                        H.button(.type("submit"), .class("button button-small button-secondary")) { t("ideas.liaisons.add") }
                    }
                }
            }
            H.section(.class("card")) {
                H.h2 { t("ideas.departments.add") }
                H.form(action: .to("/admin/departments"), .id("department-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.field("name", label: t("field.name"), state: state, t: t, required: true)
                    Forms.textarea("description", label: t("field.description"), state: state, t: t, rows: 2)
                    Forms.submit(t("settings.save"), id: "department-submit")
                }
            }
        }
    }
}
