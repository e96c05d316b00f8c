import KringCore
import KringStore
import Vapor

/// Groups: the directory, group pages, joining and leaving, invitations, requests and management.
struct GroupController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("groups", use: directory)
        routes.get("groups", "new", use: newForm)
        routes.post("groups", use: create)
        let group = routes.grouped("g", ":slug")
        group.get(use: show)
        group.post("join", use: join)
        group.post("leave", use: leave)
        group.post("invitation", "accept", use: acceptInvitation)
        group.post("invitation", "decline", use: declineInvitation)
        group.get("members", use: members)
        group.post("invite", use: invite)
        group.post("members", ":handle", ":action", use: manageMember)
        group.get("edit", use: editForm)
        group.post("edit", use: update)
        group.post("archive", use: archive)
        group.post("restore", use: restore)
    }

    // MARK: Directory and creation

    @Sendable func directory(request: Request) async throws -> Response {
        request.allowAnonymousPageCache()
        let viewer = try await request.viewer()
        let showArchived = request.query[String.self, at: "archived"] == "1"
        let groups = try await request.repositories.groups.list(for: viewer, archived: showArchived)
        return GroupViews.directory(request, groups: groups, viewer: viewer, showingArchived: showArchived)
    }

    struct GroupForm: Content {
        var name: String?
        var description: String?
        var welcome_message: String?
        var visibility: String?
    }

    private func validate(_ form: GroupForm) throws(ValidationFailure) -> NewGroup {
        var errors = FieldErrorCollector()
        let name = errors.check { () throws(ValidationFailure) in try GroupRules.name(form.name ?? "") }
        let description = errors.check { () throws(ValidationFailure) in try GroupRules.text(form.description ?? "", field: "description") }
        let welcome = errors.check { () throws(ValidationFailure) in
            try GroupRules.text(form.welcome_message ?? "", field: "welcome_message")
        }
        let visibility = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(form.visibility, as: GroupVisibility.self, field: "visibility")
        }
        try errors.throwIfAny()
        return NewGroup(name: name ?? "", description: description ?? "", welcomeMessage: welcome ?? "", visibility: visibility ?? .open)
    }

    private func values(_ form: GroupForm) -> [String: String] {
        [
            "name": form.name ?? "", "description": form.description ?? "", "welcome_message": form.welcome_message ?? "",
            "visibility": form.visibility ?? "",
        ]
    }

    @Sendable func newForm(request: Request) async throws -> Response {
        _ = try request.requireMember()
        return GroupViews.form(request, group: nil, state: FormState(values: ["visibility": "open"]))
    }

    @Sendable func create(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let form = try request.content.decode(GroupForm.self)
        do {
            let group = try await request.repositories.groups.create(try validate(form), by: member.actor)
            return request.redirect(to: "/g/\(group.slug)", flash: "flash.group_created")
        } catch let failure as ValidationFailure {
            return GroupViews.form(
                request, group: nil, state: FormState(values: values(form), errors: failure.errors), status: .unprocessableEntity)
        }
    }

    // MARK: The group page

    @Sendable func show(request: Request) async throws -> Response {
        request.allowAnonymousPageCache()
        let (group, membership) = try await request.visibleGroup()
        let viewer = try await request.viewer()
        let canRead = viewer.canRead(group)
        var topics = TopicListPage(topics: [], nextCursor: nil)
        var pinned: [TopicSummary] = []
        var people: [GroupMemberEntry] = []
        var events: [Event] = []
        if canRead {
            topics = try await request.repositories.topics.list(
                viewer: viewer, groupID: group.id, cursor: request.query[String.self, at: "after"], limit: 25)
            pinned = try await request.repositories.topics.list(viewer: viewer, groupID: group.id, pinnedOnly: true, limit: 10).topics
            people = try await request.repositories.groups.members(of: group.id, limit: 12)
            events = try await request.repositories.events.list(
                viewer: viewer, from: request.application.kring.clock.now(), groupID: group.id, limit: 5)
        }
        return GroupViews.page(
            request, group: group, membership: membership, canRead: canRead, topics: topics, pinned: pinned, people: people, events: events)
    }

    // MARK: Joining and leaving

    /// Open groups: join at once. Closed groups: ask; the group's managers are told.
    @Sendable func join(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let (group, membership) = try await request.visibleGroup()
        switch try await GroupMembershipActions.join(group, membership: membership, member: member, repositories: request.repositories) {
        case .joined: return request.redirect(to: "/g/\(group.slug)", flash: "flash.group_joined")
        case .requested: return request.redirect(to: "/g/\(group.slug)", flash: "flash.group_requested")
        case .alreadyMember: return request.redirect(to: "/g/\(group.slug)")
        }
    }

    @Sendable func leave(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let (group, membership) = try await request.visibleGroup()
        guard let membership else { return request.redirect(to: "/g/\(group.slug)") }
        try await GroupMembershipActions.leave(
            group, membership: membership, member: member, repositories: request.repositories, t: request.context.localizer)
        return request.redirect(to: group.visibility == .secret ? "/groups" : "/g/\(group.slug)", flash: "flash.group_left")
    }

    @Sendable func acceptInvitation(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let (group, membership) = try await request.visibleGroup()
        guard membership?.status == .invited else { throw Abort(.notFound) }
        _ = try await GroupMembershipActions.join(group, membership: membership, member: member, repositories: request.repositories)
        return request.redirect(to: "/g/\(group.slug)", flash: "flash.group_joined")
    }

    @Sendable func declineInvitation(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let (group, membership) = try await request.visibleGroup()
        guard let membership, membership.status == .invited else { throw Abort(.notFound) }
        try await GroupMembershipActions.leave(
            group, membership: membership, member: member, repositories: request.repositories, t: request.context.localizer)
        return request.redirect(to: "/groups", flash: "flash.invitation_declined")
    }

    // MARK: Members and invitations

    @Sendable func members(request: Request) async throws -> Response {
        let (group, membership) = try await request.visibleGroup()
        let viewer = try await request.viewer()
        guard viewer.canRead(group) else { throw Abort(.forbidden) }
        let canManage = GroupAccess.canManage(group, actor: request.context.actor, membership: membership)
        let repository = request.repositories.groups
        let active = try await repository.members(of: group.id)
        let requested = canManage ? try await repository.members(of: group.id, status: .requested) : []
        let invited = canManage ? try await repository.members(of: group.id, status: .invited) : []
        return GroupViews.members(
            request, group: group, canManage: canManage, active: active, requested: requested, invited: invited, state: FormState())
    }

    struct InviteForm: Content {
        var invitee: String?
    }

    /// Invites an existing member by handle or e-mail address, or someone new by e-mail (they join
    /// the community and the group by registering through the link).
    @Sendable func invite(request: Request) async throws -> Response {
        let inviter = try request.requireMember()
        let (group, membership) = try await request.visibleGroup()
        guard GroupAccess.canManage(group, actor: inviter.actor, membership: membership) else { throw Abort(.forbidden) }
        let raw = (try request.content.decode(InviteForm.self).invitee ?? "").trimmingCharacters(in: .whitespaces)
        let repositories = request.repositories
        let handle = raw.hasPrefix("@") ? String(raw.dropFirst()) : raw
        var invitee = try await repositories.members.find(handle: handle)
        if invitee == nil, raw.contains("@"), let email = try? MemberRules.email(raw) {
            invitee = try await repositories.members.find(email: email)
        }
        if let invitee, invitee.status == .active {
            if let existing = try await repositories.groups.membership(of: invitee.id, in: group.id), existing.isActive {
                return request.redirect(to: "/g/\(group.slug)/members", flash: "flash.already_member")
            }
            _ = try await repositories.inviteToGroup(group, memberID: invitee.id, by: inviter)
            return request.redirect(to: "/g/\(group.slug)/members", flash: "flash.group_invited")
        }
        guard let email = try? MemberRules.email(raw),
            request.decide(.inviteMembers).isAllowed || request.context.community?.registrationMode != .invite
        else {
            let state = FormState(values: ["invitee": raw], errors: [FieldError(field: "invitee", code: "invitee.unknown")])
            let active = try await repositories.groups.members(of: group.id)
            return GroupViews.members(
                request, group: group, canManage: true, active: active,
                requested: try await repositories.groups.members(of: group.id, status: .requested),
                invited: try await repositories.groups.members(of: group.id, status: .invited), state: state, status: .unprocessableEntity)
        }
        let token = SecretToken.generate()
        try await repositories.writeTransaction { tx in
            try await tx.emailTokens.create(
                .invitation, tokenHash: SecretToken.hash(token), email: email, memberID: nil, createdByID: inviter.id,
                lifetime: 14 * 86_400,
                groupID: group.id)
            try await request.mailer(tx).invitation(
                to: email, from: inviter, token: token, note: request.context.localizer("groups.invite.note", ["group": group.name]))
            try await tx.activity.record(.inviteSent, by: inviter.actor, subjectType: "invitation", groupID: group.id)
        }
        return request.redirect(to: "/g/\(group.slug)/members", flash: "flash.invites_sent")
    }

    /// approve / decline a request, remove a member, make or unmake a manager.
    @Sendable func manageMember(request: Request) async throws -> Response {
        let manager = try request.requireMember()
        let (group, membership) = try await request.visibleGroup()
        guard GroupAccess.canManage(group, actor: manager.actor, membership: membership) else { throw Abort(.forbidden) }
        guard let target = try await request.repositories.members.find(handle: request.parameters.get("handle") ?? ""),
            let targetMembership = try await request.repositories.groups.membership(of: target.id, in: group.id)
        else { throw Abort(.notFound) }
        let repositories = request.repositories
        switch request.parameters.get("action") ?? "" {
        case "approve":
            guard targetMembership.status == .requested else { throw Abort(.conflict) }
            try await repositories.writeTransaction { tx in
                try await tx.groups.setMembership(group.id, memberID: target.id, role: .member, status: .active, invitedBy: nil)
                try await tx.activity.record(.groupJoined, by: target.actor, subjectType: "group", subjectID: group.id, groupID: group.id)
                try await tx.notifications.group(.joinApproved, to: target.id, actorID: manager.id, groupID: group.id)
            }
        case "decline":
            guard targetMembership.status == .requested else { throw Abort(.conflict) }
            try await repositories.writeTransaction { tx in
                try await tx.groups.removeMembership(group.id, memberID: target.id)
                try await tx.notifications.group(.joinDeclined, to: target.id, actorID: manager.id, groupID: group.id)
            }
        case "remove":
            if targetMembership.isManager, try await repositories.groups.managerCount(group.id) <= 1 {
                throw Abort(.conflict, reason: request.context.localizer("groups.last_manager"))
            }
            try await repositories.groups.removeMembership(group.id, memberID: target.id)
        case "promote", "demote":
            guard targetMembership.isActive else { throw Abort(.conflict) }
            let role: GroupRole = request.parameters.get("action") == "promote" ? .manager : .member
            if role == .member, targetMembership.isManager, try await repositories.groups.managerCount(group.id) <= 1 {
                throw Abort(.conflict, reason: request.context.localizer("groups.last_manager"))
            }
            try await repositories.groups.setMembership(group.id, memberID: target.id, role: role, status: .active, invitedBy: nil)
        default:
            throw Abort(.notFound)
        }
        return request.redirect(to: "/g/\(group.slug)/members", flash: "flash.member_updated")
    }

    // MARK: Settings and archive

    private func managed(_ request: Request) async throws -> Group {
        let (group, membership) = try await request.visibleGroup()
        guard GroupAccess.canManage(group, actor: request.context.actor, membership: membership) else {
            throw request.context.member == nil ? Abort(.unauthorized) : Abort(.forbidden)
        }
        return group
    }

    @Sendable func editForm(request: Request) async throws -> Response {
        let group = try await managed(request)
        return GroupViews.form(
            request, group: group,
            state: FormState(values: [
                "name": group.name, "description": group.description, "welcome_message": group.welcomeMessage,
                "visibility": group.visibility.rawValue,
            ]))
    }

    @Sendable func update(request: Request) async throws -> Response {
        let group = try await managed(request)
        let form = try request.content.decode(GroupForm.self)
        do {
            let valid = try validate(form)
            try await request.repositories.groups.update(
                group.id, name: valid.name, description: valid.description, welcomeMessage: valid.welcomeMessage,
                visibility: valid.visibility,
                by: request.context.actor)
            return request.redirect(to: "/g/\(group.slug)", flash: "flash.group_saved")
        } catch let failure as ValidationFailure {
            return GroupViews.form(
                request, group: group, state: FormState(values: values(form), errors: failure.errors), status: .unprocessableEntity)
        }
    }

    @Sendable func archive(request: Request) async throws -> Response {
        let group = try await managed(request)
        try await request.repositories.groups.setArchived(group.id, true, by: request.context.actor)
        try await request.audit("group.archive", subjectType: "group", subjectID: group.id, label: group.name)
        return request.redirect(to: "/g/\(group.slug)", flash: "flash.group_archived")
    }

    @Sendable func restore(request: Request) async throws -> Response {
        let group = try await managed(request)
        try await request.repositories.groups.setArchived(group.id, false, by: request.context.actor)
        try await request.audit("group.restore", subjectType: "group", subjectID: group.id, label: group.name)
        return request.redirect(to: "/g/\(group.slug)", flash: "flash.group_restored")
    }
}
