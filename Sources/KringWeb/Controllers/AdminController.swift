import KringCore
import KringStore
import Vapor

/// Administration: community settings, members and roles, approvals, invitations and the mail log.
struct AdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get(use: overview)
        admin.get("settings", use: settingsForm)
        admin.post("settings", use: saveSettings)
        admin.get("members", use: members)
        admin.post("members", ":handle", use: updateMember)
        admin.post("members", ":handle", "approve", use: approve)
        admin.post("members", ":handle", "reject", use: reject)
        admin.get("invites", use: invites)
        admin.post("invites", use: invite)
        admin.get("mail", use: mailLog)
        admin.get("mail", ":id", use: mailMessage)
        admin.post("mail", ":id", "retry", use: retryMail)
        admin.get("jobs", use: jobs)
        admin.post("jobs", ":id", "retry", use: retryJob)
    }

    // MARK: Jobs

    /// The job queue: per kind how many jobs wait, run, ran and failed, the latest runs, and the
    /// failed ones with their error and a retry button.
    @Sendable func jobs(request: Request) async throws -> Response {
        try request.authorize(.viewMailLog)
        let queue = request.repositories.jobs
        return AdminViews.jobs(
            request, counts: try await queue.counts(), depth: try await queue.depth(), failed: try await queue.list(status: .failed),
            latest: try await queue.list(limit: 30))
    }

    @Sendable func retryJob(request: Request) async throws -> Response {
        try request.authorize(.viewMailLog)
        guard let id = request.parameters.get("id", as: UUID.self), try await request.repositories.jobs.retry(id) else {
            throw Abort(.notFound)
        }
        try await request.audit("job.retry", subjectType: "job", subjectID: id, label: id.uuidString)
        return request.redirect(to: "/admin/jobs", flash: "flash.job_retried")
    }

    @Sendable func overview(request: Request) async throws -> Response {
        try request.authorize(.approveMembers)
        let repositories = request.repositories
        let figures = AdminViews.Figures(
            members: try await repositories.members.count(status: .active),
            pending: try await repositories.members.count(status: .pending),
            mailPending: try await repositories.outbox.count(status: .pending),
            mailFailed: try await repositories.outbox.count(status: .failed))
        return AdminViews.overview(request, figures: figures)
    }

    // MARK: Settings

    struct SettingsForm: Content {
        var community_name: String?
        var tagline: String?
        var default_language: String?
        var registration_mode: String?
        var read_access: String?
        var time_zone: String?
    }

    @Sendable func settingsForm(request: Request) async throws -> Response {
        try request.authorize(.editCommunitySettings)
        guard let settings = request.context.community else { throw Abort(.notFound) }
        return AdminViews.settings(request, state: FormState(values: SettingsInput.values(of: settings)))
    }

    @Sendable func saveSettings(request: Request) async throws -> Response {
        try request.authorize(.editCommunitySettings)
        let form = try request.content.decode(SettingsForm.self)
        do {
            let settings = try SettingsInput.validate(
                name: form.community_name, tagline: form.tagline, defaultLanguage: form.default_language,
                registrationMode: form.registration_mode, readAccess: form.read_access, timeZone: form.time_zone)
            let before = request.context.community.map(SettingsInput.values(of:)) ?? [:]
            try await request.repositories.community.update(settings, by: request.context.actor)
            let after = SettingsInput.values(of: settings)
            let changed = after.keys.filter { before[$0] != after[$0] }.sorted()
            try await request.audit(
                "settings.update", subjectType: "community", label: settings.name,
                before: changed.map { "\($0)=\(before[$0] ?? "")" }.joined(separator: "; "),
                after: changed.map { "\($0)=\(after[$0] ?? "")" }.joined(separator: "; "))
        } catch let failure as ValidationFailure {
            let values = [
                "community_name": form.community_name ?? "", "tagline": form.tagline ?? "",
                "default_language": form.default_language ?? "", "registration_mode": form.registration_mode ?? "",
                "read_access": form.read_access ?? "", "time_zone": form.time_zone ?? "",
            ]
            return AdminViews.settings(request, state: FormState(values: values, errors: failure.errors), status: .unprocessableEntity)
        }
        return request.redirect(to: "/admin/settings", flash: "flash.settings_saved")
    }

    // MARK: Members

    @Sendable func members(request: Request) async throws -> Response {
        try request.authorize(.approveMembers)
        let status = request.query[String.self, at: "status"].flatMap(MemberStatus.init(rawValue:))
        let search = request.query[String.self, at: "q"] ?? ""
        let page = max(1, request.query[Int.self, at: "page"] ?? 1)
        let pageSize = 50
        let members = try await request.repositories.members.list(
            status: status, search: search, limit: pageSize + 1, offset: (page - 1) * pageSize)
        return AdminViews.members(
            request, members: Array(members.prefix(pageSize)), status: status, search: search, page: page,
            hasMore: members.count > pageSize)
    }

    struct MemberForm: Content {
        var role: String?
        var is_staff: String?
        var is_bot: String?
        var cockpit_access: String?
    }

    @Sendable func updateMember(request: Request) async throws -> Response {
        try request.authorize(.assignRoles)
        let member = try await target(request)
        let form = try request.content.decode(MemberForm.self)
        let role = try CommunityRules.choice(form.role ?? member.role.rawValue, as: Role.self, field: "role")
        if member.role == .admin, role != .admin, try await request.repositories.members.countAdmins() <= 1 {
            throw Abort(.conflict, reason: request.context.localizer("admin.members.last_admin"))
        }
        func ticked(_ value: String?) -> Bool? { value.map { $0 == "1" || $0 == "on" || $0 == "true" } }
        let isStaff = ticked(form.is_staff)
        let isBot = ticked(form.is_bot)
        let cockpitAccess = ticked(form.cockpit_access)
        try await request.repositories.members.setAccount(
            of: member.id, role: role, isStaff: isStaff, isBot: isBot, cockpitAccess: cockpitAccess, by: request.context.actor)
        try await request.audit(
            "member.access", subjectType: "member", subjectID: member.id, label: "@\(member.handle)",
            before: "role=\(member.role.rawValue); staff=\(member.isStaff); bot=\(member.isBot); cockpit=\(member.cockpitAccess)",
            after:
                "role=\(role.rawValue); staff=\(isStaff ?? member.isStaff); bot=\(isBot ?? member.isBot); cockpit=\(cockpitAccess ?? member.cockpitAccess)"
        )
        return request.redirect(to: "/admin/members?q=\(member.handle)", flash: "flash.member_updated")
    }

    @Sendable func approve(request: Request) async throws -> Response {
        try request.authorize(.approveMembers)
        let member = try await target(request)
        guard member.status != .active else { return request.redirect(to: "/admin/members?status=pending") }
        try await request.repositories.writeTransaction { repositories in
            try await repositories.members.setAccount(of: member.id, status: .active, by: request.context.actor)
            try await request.mailer(repositories).accountApproved(member)
        }
        try await request.audit("member.approve", subjectType: "member", subjectID: member.id, label: "@\(member.handle)")
        return request.redirect(to: "/admin/members?status=pending", flash: "flash.member_approved")
    }

    @Sendable func reject(request: Request) async throws -> Response {
        try request.authorize(.approveMembers)
        let member = try await target(request)
        guard member.status == .pending else { throw Abort(.conflict) }
        try await request.repositories.members.setAccount(of: member.id, status: .rejected, by: request.context.actor)
        try await request.audit("member.reject", subjectType: "member", subjectID: member.id, label: "@\(member.handle)")
        return request.redirect(to: "/admin/members?status=pending", flash: "flash.member_rejected")
    }

    private func target(_ request: Request) async throws -> Member {
        guard let member = try await request.repositories.members.find(handle: request.parameters.get("handle") ?? "") else {
            throw Abort(.notFound)
        }
        return member
    }

    // MARK: Invitations

    struct InviteForm: Content {
        var emails: String?
        var note: String?
    }

    @Sendable func invites(request: Request) async throws -> Response {
        try request.authorize(.inviteMembers)
        let open = try await request.repositories.emailTokens.openInvitations()
        return AdminViews.invites(request, open: open, state: FormState())
    }

    /// Sends invitations to one or more addresses (comma, space or line separated).
    @Sendable func invite(request: Request) async throws -> Response {
        try request.authorize(.inviteMembers)
        let inviter = try request.requireMember()
        let form = try request.content.decode(InviteForm.self)
        let rawAddresses = (form.emails ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == " " || $0 == ";" || $0 == "\r" })
        let note = String((form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        var addresses: [String] = []
        do {
            for raw in rawAddresses { addresses.append(try MemberRules.email(String(raw), field: "emails")) }
            guard !addresses.isEmpty else { throw ValidationFailure(field: "emails", code: "required") }
            guard addresses.count <= 100 else { throw ValidationFailure(field: "emails", code: "too_long") }
        } catch let failure as ValidationFailure {
            let open = try await request.repositories.emailTokens.openInvitations()
            return AdminViews.invites(
                request, open: open, state: FormState(values: ["emails": form.emails ?? "", "note": note], errors: failure.errors),
                status: .unprocessableEntity)
        }
        let uniqueAddresses = Set(addresses)
        try await request.repositories.writeTransaction { repositories in
            for address in uniqueAddresses where try await repositories.members.find(email: address) == nil {
                let token = SecretToken.generate()
                try await repositories.emailTokens.create(
                    .invitation, tokenHash: SecretToken.hash(token), email: address, memberID: nil, createdByID: inviter.id,
                    lifetime: 14 * 86_400)
                try await request.mailer(repositories).invitation(to: address, from: inviter, token: token, note: note)
                try await repositories.activity.record(.inviteSent, by: inviter.actor, subjectType: "invitation")
            }
        }
        return request.redirect(to: "/admin/invites", flash: "flash.invites_sent")
    }

    // MARK: Mail log

    @Sendable func mailLog(request: Request) async throws -> Response {
        try request.authorize(.viewMailLog)
        let status = request.query[String.self, at: "status"].flatMap(OutboxMessage.Status.init(rawValue:))
        let page = max(1, request.query[Int.self, at: "page"] ?? 1)
        let messages = try await request.repositories.outbox.list(status: status, limit: 51, offset: (page - 1) * 50)
        return AdminViews.mailLog(request, messages: Array(messages.prefix(50)), status: status, page: page, hasMore: messages.count > 50)
    }

    @Sendable func mailMessage(request: Request) async throws -> Response {
        try request.authorize(.viewMailLog)
        guard let id = request.parameters.get("id", as: UUID.self), let message = try await request.repositories.outbox.find(id: id) else {
            throw Abort(.notFound)
        }
        return AdminViews.mailMessage(request, message: message)
    }

    @Sendable func retryMail(request: Request) async throws -> Response {
        try request.authorize(.viewMailLog)
        guard let id = request.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        try await request.repositories.outbox.retry(id: id)
        return request.redirect(to: "/admin/mail/\(id.uuidString)", flash: "flash.mail_retry")
    }

}

/// Checks community settings input, shared by the admin page and the API.
enum SettingsInput {
    static func validate(
        name: String?, tagline: String?, defaultLanguage: String?, registrationMode: String?, readAccess: String?, timeZone: String?
    ) throws(ValidationFailure) -> CommunitySettings {
        var errors = FieldErrorCollector()
        let name = errors.check { () throws(ValidationFailure) in try CommunityRules.name(name ?? "") }
        let tagline = errors.check { () throws(ValidationFailure) in try CommunityRules.tagline(tagline ?? "") }
        let language = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(defaultLanguage, as: Language.self, field: "default_language")
        }
        let mode = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(registrationMode, as: RegistrationMode.self, field: "registration_mode")
        }
        let access = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(readAccess, as: ReadAccess.self, field: "read_access")
        }
        let zone = errors.check { () throws(ValidationFailure) in try CommunityRules.timeZone(timeZone ?? "") }
        try errors.throwIfAny()
        guard let name, let tagline, let language, let mode, let access, let zone else { throw ValidationFailure(errors.errors) }
        return CommunitySettings(
            name: name, tagline: tagline, defaultLanguage: language, registrationMode: mode, readAccess: access, timeZone: zone)
    }

    static func values(of settings: CommunitySettings) -> [String: String] {
        [
            "community_name": settings.name, "tagline": settings.tagline, "default_language": settings.defaultLanguage.rawValue,
            "registration_mode": settings.registrationMode.rawValue, "read_access": settings.readAccess.rawValue,
            "time_zone": settings.timeZone,
        ]
    }
}
