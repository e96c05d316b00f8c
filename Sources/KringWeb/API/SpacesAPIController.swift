import KringCore
import KringStore
import Vapor

// MARK: Payloads

struct GroupDTO: Content {
    let slug: String
    let name: String
    let description: String
    let welcomeMessage: String
    let visibility: String
    let isArchived: Bool
    let memberCount: Int
    let topicCount: Int
    let createdAt: Date
    let lastActivityAt: Date
    /// The caller's membership: "active", "requested", "invited", or absent.
    let membership: String?
    let role: String?

    init(_ group: Group, membership: Membership?) {
        slug = group.slug
        name = group.name
        description = group.description
        welcomeMessage = membership?.isActive == true ? group.welcomeMessage : ""
        visibility = group.visibility.rawValue
        isArchived = group.isArchived
        memberCount = group.memberCount
        topicCount = group.topicCount
        createdAt = group.createdAt
        lastActivityAt = group.lastActivityAt
        self.membership = membership?.status.rawValue
        role = membership?.isActive == true ? membership?.role.rawValue : nil
    }
}

struct GroupListDTO: Content { let groups: [GroupDTO] }

struct GroupCreateRequest: Content {
    var name: String
    var description: String?
    var welcomeMessage: String?
    var visibility: String?
}

struct GroupMemberDTO: Content {
    let handle: String
    let displayName: String
    let role: String
    let since: Date
}

struct GroupMembersDTO: Content { let members: [GroupMemberDTO] }

struct MembershipResultDTO: Content {
    let status: String
}

struct AuthorDTO: Content {
    let handle: String
    let displayName: String
    let isStaff: Bool

    init(_ author: AuthorView) {
        handle = author.handle
        displayName = author.displayName
        isStaff = author.isStaff
    }
}

struct TopicSummaryDTO: Content {
    let id: UUID
    let title: String
    let kind: String
    let group: String?
    let author: String
    let tags: [String]
    let replyCount: Int
    let isPinned: Bool
    let isSolved: Bool
    let createdAt: Date
    let lastPostedAt: Date
    let unreadCount: Int?

    init(_ topic: TopicSummary) {
        id = topic.id
        title = topic.title
        kind = topic.kind.rawValue
        group = topic.groupSlug
        author = topic.authorHandle
        tags = topic.tags
        replyCount = topic.replyCount
        isPinned = topic.isPinned
        isSolved = topic.isSolved
        createdAt = topic.createdAt
        lastPostedAt = topic.lastPostedAt
        unreadCount = topic.isNew ? nil : topic.unreadCount
    }
}

struct TopicListDTO: Content {
    let topics: [TopicSummaryDTO]
    /// Pass as `after` for the next page; absent on the last page.
    let nextCursor: String?
}

struct PostDTO: Content {
    let id: UUID
    let number: Int
    let author: AuthorDTO
    let body: String
    let html: String
    let createdAt: Date
    let editedAt: Date?
    let isDeleted: Bool
    let replyToNumber: Int?
    let reactions: [String: [String]]
    let myReactions: [String]

    init(_ post: PostView) {
        id = post.id
        number = post.number
        author = AuthorDTO(post.author)
        body = post.body
        html = post.bodyHTML
        createdAt = post.createdAt
        editedAt = post.editedAt
        isDeleted = post.isDeleted
        replyToNumber = post.replyToNumber
        reactions = Dictionary(uniqueKeysWithValues: post.reactions.map { ($0.key.rawValue, $0.value) })
        myReactions = post.viewerReactions.map(\.rawValue).sorted()
    }
}

struct TopicDTO: Content {
    let id: UUID
    let title: String
    let kind: String
    let group: String?
    let author: AuthorDTO
    let tags: [String]
    let isPinned: Bool
    let isDeleted: Bool
    let acceptedAnswer: UUID?
    let createdAt: Date
    let posts: [PostDTO]

    init(_ page: TopicPage) {
        id = page.id
        title = page.title
        kind = page.kind.rawValue
        group = page.group?.slug
        author = AuthorDTO(page.author)
        tags = page.tags
        isPinned = page.isPinned
        isDeleted = page.isDeleted
        acceptedAnswer = page.solutionPostID
        createdAt = page.createdAt
        posts = page.posts.map(PostDTO.init)
    }
}

struct TopicCreateRequest: Content {
    var title: String
    var body: String
    var kind: String?
    var group: String?
    var tags: [String]?
}

struct ReplyRequest: Content {
    var body: String
    var replyTo: UUID?
}

struct AcceptRequest: Content {
    var postId: UUID?
}

struct ReactionRequest: Content {
    var kind: String
}

struct TagDTO: Content {
    let name: String
    let description: String?
    let topicCount: Int
}

struct TagListDTO: Content { let tags: [TagDTO] }

struct SearchHitDTO: Content {
    let kind: String
    let title: String
    let snippet: String
    let topicId: UUID?
    let group: String?
    let handle: String?
}

struct SearchResultDTO: Content { let results: [SearchHitDTO] }

struct NotificationDTO: Content {
    let id: UUID
    let kind: String
    let actor: String?
    let topicId: UUID?
    let topicTitle: String?
    let postNumber: Int?
    let group: String?
    let createdAt: Date
    let isRead: Bool

    init(_ item: NotificationItem) {
        id = item.id
        kind = item.kind.rawValue
        actor = item.actorHandle
        topicId = item.topicID
        topicTitle = item.topicTitle
        postNumber = item.postNumber
        group = item.groupSlug
        createdAt = item.createdAt
        isRead = item.isRead
    }
}

struct NotificationListDTO: Content {
    let notifications: [NotificationDTO]
    let unread: Int
}

struct MarkReadRequest: Content {
    var id: UUID?
}

// MARK: Routes

/// Groups, topics, replies, reactions, answers, tags, search and notifications in `/api/v1`.
/// Every read goes through the same visibility filters as the pages.
struct SpacesAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("groups", use: groups)
        api.post("groups", use: createGroup)
        api.get("groups", ":slug", use: group)
        api.get("groups", ":slug", "members", use: groupMembers)
        api.post("groups", ":slug", "join", use: join)
        api.post("groups", ":slug", "leave", use: leave)
        api.get("topics", use: topics)
        api.post("topics", use: createTopic)
        api.get("topics", ":topic", use: topic)
        api.post("topics", ":topic", "replies", use: reply)
        api.post("topics", ":topic", "accept", use: accept)
        api.post("posts", ":post", "reactions", use: addReaction)
        api.delete("posts", ":post", "reactions", ":kind", use: removeReaction)
        api.get("tags", use: tags)
        api.get("search", use: search)
        api.get("notifications", use: notifications)
        api.post("notifications", "read", use: markRead)
    }

    @Sendable func groups(request: Request) async throws -> GroupListDTO {
        let viewer = try await request.viewer()
        let groups = try await request.repositories.groups.list(
            for: viewer, archived: try request.strictQuery("archived", as: Bool.self) ?? false)
        return GroupListDTO(
            groups: groups.map { group in
                GroupDTO(group, membership: Self.membership(viewer, group))
            })
    }

    /// The viewer's membership as far as the list needs it (status only).
    static func membership(_ viewer: Viewer, _ group: Group) -> Membership? {
        guard let memberID = viewer.actor.memberID else { return nil }
        if viewer.activeGroupIDs.contains(group.id) {
            return Membership(groupID: group.id, memberID: memberID, role: .member, status: .active, createdAt: group.createdAt)
        }
        if viewer.invitedGroupIDs.contains(group.id) {
            return Membership(groupID: group.id, memberID: memberID, role: .member, status: .invited, createdAt: group.createdAt)
        }
        return nil
    }

    @Sendable func createGroup(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        try request.rejectNulls(in: ["name", "description", "welcomeMessage", "visibility"])
        let body = try request.content.decode(GroupCreateRequest.self)
        var errors = FieldErrorCollector()
        let name = errors.check { () throws(ValidationFailure) in try GroupRules.name(body.name) }
        let description = errors.check { () throws(ValidationFailure) in try GroupRules.text(body.description ?? "", field: "description") }
        let welcome = errors.check { () throws(ValidationFailure) in
            try GroupRules.text(body.welcomeMessage ?? "", field: "welcome_message")
        }
        let visibility = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(body.visibility ?? "open", as: GroupVisibility.self, field: "visibility")
        }
        try errors.throwIfAny()
        let group = try await request.repositories.groups.create(
            NewGroup(name: name ?? "", description: description ?? "", welcomeMessage: welcome ?? "", visibility: visibility ?? .open),
            by: member.actor)
        let membership = try await request.repositories.groups.membership(of: member.id, in: group.id)
        return try await GroupDTO(group, membership: membership).encodeResponse(status: .created, for: request)
    }

    @Sendable func group(request: Request) async throws -> GroupDTO {
        let (group, membership) = try await request.visibleGroup()
        return GroupDTO(group, membership: membership)
    }

    @Sendable func groupMembers(request: Request) async throws -> GroupMembersDTO {
        let (group, _) = try await request.visibleGroup()
        guard try await request.viewer().canRead(group) else { throw Abort(.forbidden, reason: "Only members see who is in this group.") }
        let members = try await request.repositories.groups.members(of: group.id)
        return GroupMembersDTO(
            members: members.map {
                GroupMemberDTO(
                    handle: $0.member.handle, displayName: $0.member.displayName, role: $0.membership.role.rawValue,
                    since: $0.membership.createdAt)
            })
    }

    @Sendable func join(request: Request) async throws -> MembershipResultDTO {
        let member = try request.requireMember()
        let (group, membership) = try await request.visibleGroup()
        switch try await GroupMembershipActions.join(group, membership: membership, member: member, repositories: request.repositories) {
        case .joined, .alreadyMember:
            let now = try await request.repositories.groups.membership(of: member.id, in: group.id)
            return MembershipResultDTO(status: now?.status.rawValue ?? "active")
        case .requested:
            return MembershipResultDTO(status: MembershipStatus.requested.rawValue)
        }
    }

    @Sendable func leave(request: Request) async throws -> HTTPStatus {
        let member = try request.requireMember()
        let (group, membership) = try await request.visibleGroup()
        guard let membership else { throw Abort(.notFound, reason: "You are not in this group.") }
        try await GroupMembershipActions.leave(
            group, membership: membership, member: member, repositories: request.repositories, t: request.context.localizer)
        return .noContent
    }

    @Sendable func topics(request: Request) async throws -> TopicListDTO {
        let viewer = try await request.viewer()
        var groupID: UUID?
        if let slug = request.query[String.self, at: "group"] {
            guard let group = try await request.repositories.groups.find(slug: slug), viewer.canSee(group) else { throw Abort(.notFound) }
            groupID = group.id
        }
        let filter =
            try request.query[String.self, at: "filter"].map { try CommunityRules.choice($0, as: TopicFilter.self, field: "filter") }
            ?? .latest
        let limit = try request.strictQuery("limit", as: Int.self) ?? 30
        guard (1...100).contains(limit) else { throw Abort(.badRequest, reason: "limit must be between 1 and 100.") }
        let page = try await request.repositories.topics.list(
            viewer: viewer, filter: filter, groupID: groupID, tag: request.query[String.self, at: "tag"],
            cursor: request.query[String.self, at: "after"],
            limit: limit)
        return TopicListDTO(topics: page.topics.map(TopicSummaryDTO.init), nextCursor: page.nextCursor)
    }

    @Sendable func createTopic(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        try request.rejectNulls(in: ["title", "body", "kind", "group", "tags"])
        let body = try request.content.decode(TopicCreateRequest.self)
        var errors = FieldErrorCollector()
        let title = errors.check { () throws(ValidationFailure) in try PostRules.title(body.title) }
        let text = errors.check { () throws(ValidationFailure) in try PostRules.body(body.body) }
        let kind = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(body.kind ?? "discussion", as: TopicKind.self, field: "kind")
        }
        let tags = errors.check { () throws(ValidationFailure) in try MemberRules.tags(body.tags ?? [], field: "tags") }
        try errors.throwIfAny()
        var group: Group?
        if let slug = body.group {
            let viewer = try await request.viewer()
            guard let found = try await request.repositories.groups.find(slug: slug), viewer.canSee(found) else {
                throw Abort(.notFound, reason: "No such group.")
            }
            let membership = try await request.repositories.groups.membership(of: member.id, in: found.id)
            guard GroupAccess.canPost(in: found, actor: member.actor, membership: membership) else {
                throw Abort(.forbidden, reason: "Only members of the group post in it, and archived groups are read-only.")
            }
            group = found
        }
        let plan = try await PostingGuard.check(request, member: member, body: text ?? "", title: title, topicID: nil)
        let id = try await request.repositories.topics.create(
            NewTopic(
                groupID: group?.id, title: plan.title ?? title ?? "", kind: kind ?? .discussion, body: plan.body,
                tags: (tags ?? []) + plan.tags),
            rendered: UserMarkdown.render(plan.body), by: member)
        try await PostingGuard.apply(
            plan, postID: try await request.repositories.topics.postID(topicID: id, number: 1), repositories: request.repositories)
        return try await topicDTO(request, id: id).encodeResponse(status: .created, for: request)
    }

    private func topicDTO(_ request: Request, id: UUID) async throws -> TopicDTO {
        guard
            let page = try await request.repositories.topics.page(
                topicID: id, viewer: try await request.viewer(), render: UserMarkdown.renderer, currentRenderVersion: UserMarkdown.version)
        else { throw Abort(.notFound, reason: "No such topic.") }
        return TopicDTO(page)
    }

    @Sendable func topic(request: Request) async throws -> TopicDTO {
        guard let id = request.parameters.get("topic", as: UUID.self) else { throw Abort(.notFound) }
        return try await topicDTO(request, id: id)
    }

    @Sendable func reply(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        guard let id = request.parameters.get("topic", as: UUID.self),
            let page = try await request.repositories.topics.page(
                topicID: id, viewer: try await request.viewer(), render: UserMarkdown.renderer, currentRenderVersion: UserMarkdown.version,
                posts: .none),
            !page.isDeleted
        else { throw Abort(.notFound, reason: "No such topic.") }
        guard !page.isArchived else { throw Abort(.conflict, reason: "The topic is archived.") }
        if let group = page.group {
            let membership = try await request.repositories.groups.membership(of: member.id, in: group.id)
            guard GroupAccess.canPost(in: group, actor: member.actor, membership: membership) else {
                throw Abort(.forbidden, reason: "Only members of the group reply, and archived groups are read-only.")
            }
        }
        try request.rejectNulls(in: ["body", "replyTo"])
        let body = try request.content.decode(ReplyRequest.self)
        let text = try PostRules.body(body.body)
        let plan = try await PostingGuard.check(request, member: member, body: text, topicID: page.id)
        let number = try await request.repositories.topics.reply(
            to: page.id, body: plan.body, rendered: UserMarkdown.render(plan.body), replyTo: body.replyTo, by: member)
        try await PostingGuard.apply(
            plan, postID: try await request.repositories.topics.postID(topicID: page.id, number: number), repositories: request.repositories
        )
        let updated = try await request.repositories.topics.page(
            topicID: page.id, viewer: try await request.viewer(), render: UserMarkdown.renderer, currentRenderVersion: UserMarkdown.version,
            posts: .number(number))
        guard let post = updated.map(TopicDTO.init)?.posts.first(where: { $0.number == number }) else {
            throw Abort(.internalServerError)
        }
        return try await post.encodeResponse(status: .created, for: request)
    }

    @Sendable func accept(request: Request) async throws -> TopicDTO {
        let member = try request.requireMember()
        let dto = try await topic(request: request)
        guard
            let page = try await request.repositories.topics.page(
                topicID: dto.id, viewer: try await request.viewer(), render: UserMarkdown.renderer,
                currentRenderVersion: UserMarkdown.version)
        else { throw Abort(.notFound) }
        guard PostAccess.canAcceptAnswer(topicAuthorID: page.author.id, actor: member.actor, inArchive: page.group?.isArchived ?? false)
        else {
            throw Abort(.forbidden, reason: "Only the asker or a moderator chooses the answer.")
        }
        let body = try request.content.decode(AcceptRequest.self)
        do {
            try await request.repositories.topics.acceptAnswer(topicID: page.id, postID: body.postId, by: member.actor)
        } catch TopicError.notAQuestion {
            throw Abort(.conflict, reason: "Only questions have accepted answers.")
        } catch TopicError.notFound {
            throw Abort(.notFound, reason: "No such reply in this topic.")
        }
        return try await topicDTO(request, id: page.id)
    }

    /// The post named in the path, if the viewer may read it and react to it.
    private func reactablePost(_ request: Request) async throws -> (PostView, Member) {
        let member = try request.requireContributor()
        guard let postID = request.parameters.get("post", as: UUID.self),
            let context = try await request.repositories.topics.context(ofPost: postID),
            let page = try await request.repositories.topics.page(
                topicID: context.topicID, viewer: try await request.viewer(), render: UserMarkdown.renderer,
                currentRenderVersion: UserMarkdown.version),
            let post = page.posts.first(where: { $0.id == postID }), !post.isDeleted
        else { throw Abort(.notFound, reason: "No such post.") }
        guard !page.isArchived else { throw Abort(.conflict, reason: "The topic is archived.") }
        if let group = page.group {
            let membership = try await request.repositories.groups.membership(of: member.id, in: group.id)
            guard GroupAccess.canPost(in: group, actor: member.actor, membership: membership) else { throw Abort(.forbidden) }
        }
        return (post, member)
    }

    @Sendable func addReaction(request: Request) async throws -> HTTPStatus {
        let (post, member) = try await reactablePost(request)
        let kind = try CommunityRules.choice(try request.content.decode(ReactionRequest.self).kind, as: ReactionKind.self, field: "kind")
        try await request.repositories.topics.react(postID: post.id, kind: kind, on: true, by: member)
        return .noContent
    }

    @Sendable func removeReaction(request: Request) async throws -> HTTPStatus {
        let (post, member) = try await reactablePost(request)
        let kind = try CommunityRules.choice(request.parameters.get("kind"), as: ReactionKind.self, field: "kind")
        try await request.repositories.topics.react(postID: post.id, kind: kind, on: false, by: member)
        return .noContent
    }

    @Sendable func tags(request: Request) async throws -> TagListDTO {
        TagListDTO(
            tags: try await request.repositories.topics.tagCounts(viewer: try await request.viewer()).map {
                TagDTO(name: $0.name, description: $0.description, topicCount: $0.topics)
            })
    }

    @Sendable func search(request: Request) async throws -> SearchResultDTO {
        let query = request.query[String.self, at: "q"] ?? ""
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationFailure(field: "q", code: "required") }
        guard query.count <= 200 else { throw ValidationFailure(field: "q", code: "too_long") }
        let hits = try await request.repositories.search.search(query, viewer: try await request.viewer())
        let groups = try await request.repositories.groups.find(ids: Array(Set(hits.compactMap(\.groupID))))
        let handles = try await request.repositories.members.handles(of: hits.filter { $0.kind == .member }.map(\.refID))
        return SearchResultDTO(
            results: hits.map { hit in
                SearchHitDTO(
                    kind: hit.kind.rawValue, title: hit.title, snippet: hit.kind == .member ? "" : hit.snippet, topicId: hit.topicID,
                    group: hit.groupID.flatMap { groups[$0]?.slug }, handle: hit.kind == .member ? handles[hit.refID] : nil)
            })
    }

    @Sendable func notifications(request: Request) async throws -> NotificationListDTO {
        _ = try request.requireMember()
        let items = try await request.repositories.notifications.list(for: try await request.viewer())
        return NotificationListDTO(
            notifications: items.map(NotificationDTO.init),
            unread: try await request.repositories.notifications.visibleUnreadCount(for: try await request.viewer()))
    }

    @Sendable func markRead(request: Request) async throws -> HTTPStatus {
        let member = try request.requireMember()
        try request.rejectNulls(in: ["id"])
        let body = try request.content.decode(MarkReadRequest.self)
        try await request.repositories.notifications.markRead(body.id, for: member.id)
        return .noContent
    }
}
