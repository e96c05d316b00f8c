import KringCore
import KringStore
import Vapor

/// Topics and replies: lists, the topic page, writing, editing, deleting, reactions and answers.
struct TopicController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("topics", use: latest)
        routes.get("topics", "new", use: newForm)
        routes.post("topics", use: create)
        let topic = routes.grouped("t", ":topic")
        topic.get(use: show)
        topic.post("replies", use: reply)
        topic.post("accept", use: accept)
        topic.post("pin", use: pin)
        let post = routes.grouped("posts", ":post")
        post.get("edit", use: editForm)
        post.post("edit", use: edit)
        post.post("delete", use: delete)
        post.post("restore", use: restore)
        post.get("history", use: history)
        post.post("react", use: react)
        post.post("flag", use: flag)
    }

    // MARK: Lists

    @Sendable func latest(request: Request) async throws -> Response {
        request.allowAnonymousPageCache()
        let viewer = try await request.viewer()
        let filter = request.query[String.self, at: "filter"].flatMap(TopicFilter.init(rawValue:)) ?? .latest
        let page = try await request.repositories.topics.list(
            viewer: viewer, filter: filter, cursor: request.query[String.self, at: "after"])
        return TopicViews.list(request, page: page, filter: filter)
    }

    // MARK: Writing

    struct TopicForm: Content {
        var group: String?
        var title: String?
        var kind: String?
        var body: String?
        var tags: String?
    }

    /// Groups the member may start a topic in.
    private func postableGroups(_ request: Request) async throws -> [Group] {
        guard let member = request.context.member else { return [] }
        let groups =
            member.role >= .moderator
            ? try await request.repositories.groups.list(for: try await request.viewer())
            : try await request.repositories.groups.groups(of: member.id)
        return groups.filter { !$0.isArchived }
    }

    @Sendable func newForm(request: Request) async throws -> Response {
        _ = try request.requireMember()
        let groups = try await postableGroups(request)
        let state = FormState(values: [
            "group": request.query[String.self, at: "group"] ?? "", "kind": request.query[String.self, at: "kind"] ?? "discussion",
        ])
        return TopicViews.form(request, groups: groups, state: state)
    }

    @Sendable func create(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let form = try request.content.decode(TopicForm.self)
        let groups = try await postableGroups(request)
        var errors = FieldErrorCollector()
        let title = errors.check { () throws(ValidationFailure) in try PostRules.title(form.title ?? "") }
        let body = errors.check { () throws(ValidationFailure) in try PostRules.body(form.body ?? "") }
        let kind = errors.check { () throws(ValidationFailure) in try CommunityRules.choice(form.kind, as: TopicKind.self, field: "kind") }
        let tags = errors.check { () throws(ValidationFailure) in try MemberRules.tags(form.tags ?? "", field: "tags") }
        var group: Group?
        if let slug = form.group, !slug.isEmpty {
            group = groups.first { $0.slug == slug }
            if group == nil { errors.add("group", "group.not_allowed") }
        }
        guard errors.errors.isEmpty, let title, let body, let kind else {
            let state = FormState(
                values: [
                    "group": form.group ?? "", "title": form.title ?? "", "kind": form.kind ?? "", "body": form.body ?? "",
                    "tags": form.tags ?? "",
                ], errors: errors.errors)
            return TopicViews.form(request, groups: groups, state: state, status: .unprocessableEntity)
        }
        let plan: PostingPlan
        do {
            plan = try await PostingGuard.check(request, member: member, body: body, title: title, topicID: nil)
        } catch let failure as ValidationFailure {
            let state = FormState(
                values: ["group": form.group ?? "", "title": title, "kind": kind.rawValue, "body": body, "tags": form.tags ?? ""],
                errors: failure.errors)
            return TopicViews.form(request, groups: groups, state: state, status: .unprocessableEntity)
        }
        let id = try await request.repositories.topics.create(
            NewTopic(groupID: group?.id, title: plan.title ?? title, kind: kind, body: plan.body, tags: (tags ?? []) + plan.tags),
            rendered: UserMarkdown.render(plan.body),
            by: member)
        try await PostingGuard.apply(
            plan, postID: try await request.repositories.topics.postID(topicID: id, number: 1), repositories: request.repositories)
        let path = "/t/\(id.uuidString.lowercased())"
        return plan.holdReason == nil ? request.redirect(to: path) : request.redirect(to: path, flash: "flash.post_held")
    }

    // MARK: The topic page

    /// Loads the topic for the viewer or answers 404 (also for topics in groups they may not read).
    private func page(_ request: Request, posts: TopicPostSelection = .all) async throws -> TopicPage {
        guard let id = request.parameters.get("topic", as: UUID.self),
            let page = try await request.repositories.topics.page(
                topicID: id, viewer: try await request.viewer(), render: UserMarkdown.renderer, currentRenderVersion: UserMarkdown.version,
                posts: posts)
        else { throw Abort(.notFound) }
        return page
    }

    @Sendable func show(request: Request) async throws -> Response {
        request.allowAnonymousPageCache()
        let page = try await page(request)
        var quote: String?
        if let quoteID = request.query[UUID.self, at: "quote"], let post = page.posts.first(where: { $0.id == quoteID }), !post.isDeleted {
            quote =
                post.body.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n")
                + "\n\n@\(post.author.handle) "
        }
        if let member = request.context.member, page.lastPostNumber > page.lastReadBefore {
            try await request.repositories.topics.markRead(topicID: page.id, memberID: member.id, upTo: page.lastPostNumber)
        }
        let membership =
            try await page.group.asyncMap { group in
                try await request.context.member.asyncMap { try await request.repositories.groups.membership(of: $0.id, in: group.id) }
                    ?? nil
            } ?? nil
        let polls = try await request.repositories.polls.polls(ofTopic: page.id, viewer: try await request.viewer())
        return TopicViews.page(
            request, page: page, membership: membership, replyState: FormState(values: ["body": quote ?? ""]), polls: polls)
    }

    struct ReplyForm: Content {
        var body: String?
        var reply_to: UUID?
    }

    private func canPost(_ request: Request, in page: TopicPage) async throws -> Bool {
        guard let member = request.context.member, !page.isDeleted, !page.isArchived else { return false }
        guard let group = page.group else { return true }
        let membership = try await request.repositories.groups.membership(of: member.id, in: group.id)
        return GroupAccess.canPost(in: group, actor: member.actor, membership: membership)
    }

    @Sendable func reply(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let page = try await page(request, posts: .none)
        guard try await canPost(request, in: page) else { throw Abort(.forbidden) }
        let form = try request.content.decode(ReplyForm.self)
        do {
            let body = try PostRules.body(form.body ?? "")
            let plan = try await PostingGuard.check(request, member: member, body: body, topicID: page.id)
            let number = try await request.repositories.topics.reply(
                to: page.id, body: plan.body, rendered: UserMarkdown.render(plan.body), replyTo: form.reply_to, by: member)
            try await PostingGuard.apply(
                plan, postID: try await request.repositories.topics.postID(topicID: page.id, number: number),
                repositories: request.repositories)
            let path = "/t/\(page.id.uuidString.lowercased())#post-\(number)"
            return plan.holdReason == nil ? request.redirect(to: path) : request.redirect(to: path, flash: "flash.post_held")
        } catch let failure as ValidationFailure {
            let membership =
                try await page.group.asyncMap { try await request.repositories.groups.membership(of: member.id, in: $0.id) } ?? nil
            return TopicViews.page(
                request, page: try await self.page(request), membership: membership,
                replyState: FormState(values: ["body": form.body ?? ""], errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    struct AcceptForm: Content {
        var post: UUID?
    }

    @Sendable func accept(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let page = try await page(request, posts: .none)
        guard PostAccess.canAcceptAnswer(topicAuthorID: page.author.id, actor: member.actor, inArchive: page.group?.isArchived ?? false)
        else {
            throw Abort(.forbidden)
        }
        let form = try request.content.decode(AcceptForm.self)
        do {
            try await request.repositories.topics.acceptAnswer(topicID: page.id, postID: form.post, by: member.actor)
        } catch TopicError.notAQuestion {
            throw Abort(.conflict)
        } catch TopicError.notFound {
            throw Abort(.notFound)
        }
        return request.redirect(
            to: "/t/\(page.id.uuidString.lowercased())", flash: form.post == nil ? "flash.answer_cleared" : "flash.answer_accepted")
    }

    @Sendable func pin(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let page = try await page(request, posts: .none)
        let membership = try await page.group.asyncMap { try await request.repositories.groups.membership(of: member.id, in: $0.id) } ?? nil
        let canPin =
            member.role >= .moderator
            || (page.group.map { GroupAccess.canManage($0, actor: member.actor, membership: membership) } ?? false)
        guard canPin else { throw Abort(.forbidden) }
        try await request.repositories.topics.setPinned(topicID: page.id, !page.isPinned, by: member.actor)
        return request.redirect(to: "/t/\(page.id.uuidString.lowercased())")
    }

    // MARK: One post

    /// The post named in the path, if the viewer may read its topic.
    private func post(_ request: Request) async throws -> (page: TopicPage, post: PostView) {
        guard let postID = request.parameters.get("post", as: UUID.self),
            let context = try await request.repositories.topics.context(ofPost: postID),
            let page = try await request.repositories.topics.page(
                topicID: context.topicID, viewer: try await request.viewer(), render: UserMarkdown.renderer,
                currentRenderVersion: UserMarkdown.version, posts: .id(postID)),
            let post = page.posts.first(where: { $0.id == postID })
        else { throw Abort(.notFound) }
        return (page, post)
    }

    struct EditForm: Content {
        var title: String?
        var body: String?
        var tags: String?
    }

    private func mayEdit(_ request: Request, _ page: TopicPage, _ post: PostView) throws {
        let member = try request.requireContributor()
        guard
            PostAccess.canEdit(
                authorID: post.author.id, createdAt: post.createdAt, isDeleted: post.isDeleted, inArchive: page.group?.isArchived ?? false,
                actor: member.actor, now: request.application.kring.clock.now())
        else { throw Abort(.forbidden) }
    }

    @Sendable func editForm(request: Request) async throws -> Response {
        let (page, post) = try await post(request)
        try mayEdit(request, page, post)
        let state = FormState(values: ["title": page.title, "body": post.body, "tags": page.tags.joined(separator: ", ")])
        return TopicViews.editForm(request, page: page, post: post, state: state)
    }

    @Sendable func edit(request: Request) async throws -> Response {
        let (page, post) = try await post(request)
        try mayEdit(request, page, post)
        let form = try request.content.decode(EditForm.self)
        let isOpening = post.number == 1
        var errors = FieldErrorCollector()
        let body = errors.check { () throws(ValidationFailure) in try PostRules.body(form.body ?? "") }
        let title = isOpening ? errors.check { () throws(ValidationFailure) in try PostRules.title(form.title ?? "") } : nil
        let tags = isOpening ? errors.check { () throws(ValidationFailure) in try MemberRules.tags(form.tags ?? "", field: "tags") } : nil
        guard errors.errors.isEmpty, let body else {
            let state = FormState(
                values: ["title": form.title ?? "", "body": form.body ?? "", "tags": form.tags ?? ""], errors: errors.errors)
            return TopicViews.editForm(request, page: page, post: post, state: state, status: .unprocessableEntity)
        }
        let editor = try request.requireMember()
        let plan: PostingPlan
        do {
            plan = try await PostingGuard.check(request, member: editor, body: body, title: title, topicID: page.id, isEdit: true)
        } catch let failure as ValidationFailure {
            let state = FormState(values: ["title": form.title ?? "", "body": body, "tags": form.tags ?? ""], errors: failure.errors)
            return TopicViews.editForm(request, page: page, post: post, state: state, status: .unprocessableEntity)
        }
        try await request.repositories.topics.edit(
            postID: post.id, body: plan.body, rendered: UserMarkdown.render(plan.body), title: plan.title ?? title,
            tags: tags.map { $0 + plan.tags },
            by: request.context.actor)
        try await PostingGuard.apply(plan, postID: post.id, repositories: request.repositories)
        if post.author.id != request.context.member?.id {
            try await request.audit(
                "post.edit", subjectType: "post", subjectID: post.id, label: "#\(post.number) in “\(page.title)” by @\(post.author.handle)",
                before: post.body, after: body)
        }
        return request.redirect(to: "/t/\(page.id.uuidString.lowercased())#post-\(post.number)")
    }

    @Sendable func delete(request: Request) async throws -> Response {
        let (page, post) = try await post(request)
        guard
            PostAccess.canDelete(
                authorID: post.author.id, isDeleted: post.isDeleted, inArchive: page.group?.isArchived ?? false,
                actor: request.context.actor)
        else { throw Abort(.forbidden) }
        try await request.repositories.topics.delete(postID: post.id, by: request.context.actor)
        if post.author.id != request.context.member?.id {
            try await request.audit(
                "post.delete", subjectType: "post", subjectID: post.id,
                label: "#\(post.number) in “\(page.title)” by @\(post.author.handle)",
                before: post.body)
        }
        if post.number == 1 {
            return request.redirect(to: page.group.map { "/g/\($0.slug)" } ?? "/topics", flash: "flash.topic_deleted")
        }
        return request.redirect(to: "/t/\(page.id.uuidString.lowercased())", flash: "flash.post_deleted")
    }

    @Sendable func restore(request: Request) async throws -> Response {
        let (page, post) = try await post(request)
        guard PostAccess.canRestore(isDeleted: post.isDeleted || page.isDeleted, actor: request.context.actor) else {
            throw Abort(.forbidden)
        }
        try await request.repositories.topics.restore(postID: post.id, by: request.context.actor)
        try await request.audit(
            "post.restore", subjectType: "post", subjectID: post.id, label: "#\(post.number) in “\(page.title)” by @\(post.author.handle)")
        return request.redirect(to: "/t/\(page.id.uuidString.lowercased())#post-\(post.number)", flash: "flash.post_restored")
    }

    @Sendable func history(request: Request) async throws -> Response {
        let (page, post) = try await post(request)
        let revisions = try await request.repositories.topics.revisions(of: post.id)
        return TopicViews.history(request, page: page, post: post, revisions: revisions)
    }

    struct ReactForm: Content {
        var kind: String?
    }

    /// Toggles the viewer's reaction of one kind.
    @Sendable func react(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let (page, post) = try await post(request)
        guard try await canPost(request, in: page), !post.isDeleted else { throw Abort(.forbidden) }
        let kind = try CommunityRules.choice(try request.content.decode(ReactForm.self).kind, as: ReactionKind.self, field: "kind")
        try await request.repositories.topics.react(postID: post.id, kind: kind, on: !post.viewerReactions.contains(kind), by: member)
        return request.redirect(to: "/t/\(page.id.uuidString.lowercased())#post-\(post.number)")
    }

    /// Flags a post for the moderators; enough distinct flags hide it until one of them decides.
    @Sendable func flag(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let (page, post) = try await post(request)
        guard post.author.id != member.id, !post.isDeleted else { throw Abort(.forbidden) }
        let input = try await request.flagInput()
        let hidden = try await request.repositories.moderation.flag(
            postID: post.id, by: member, reason: input.reason, note: input.note, threshold: input.threshold)
        return request.redirect(to: "/t/\(page.id.uuidString.lowercased())", flash: hidden ? "flash.flagged_hidden" : "flash.flagged")
    }
}
