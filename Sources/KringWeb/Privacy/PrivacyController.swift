import KringCore
import KringStore
import Vapor

/// The member's rights over their data (GDPR art. 15, 17, 20): download everything as a ZIP
/// archive, delete the account. Admins do both on request and choose what erasure does with
/// posts; the staff audit log records every export and erasure.
struct PrivacyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settings", "privacy", use: page)
        routes.get("settings", "privacy", "export", use: exportOwn)
        routes.post("settings", "privacy", "delete", use: deleteOwn)
        routes.get("admin", "privacy", use: adminPage)
        routes.post("admin", "privacy", use: savePolicy)
        routes.get("admin", "privacy", "export", use: exportOnRequest)
        routes.post("admin", "privacy", "erase", use: eraseOnRequest)
    }

    // MARK: The member's own

    @Sendable func page(request: Request) async throws -> Response {
        _ = try request.requireMember()
        return PrivacyViews.own(request, policy: try await request.repositories.community.erasurePolicy(), state: FormState())
    }

    @Sendable func exportOwn(request: Request) async throws -> Response {
        let member = try request.requireMember()
        return try await request.personalDataArchive(of: member)
    }

    struct DeleteForm: Content {
        var password: String?
        var confirm: String?
    }

    @Sendable func deleteOwn(request: Request) async throws -> Response {
        let member = try request.requireMember()
        try request.authorize(.editProfile(of: member.id))
        let form = try request.content.decode(DeleteForm.self)
        let policy = try await request.repositories.community.erasurePolicy()
        var state = FormState()
        let stored = try await request.repositories.members.passwordHash(of: member.id)
        if !(try await Passwords.verify(form.password ?? "", against: stored, on: request)) {
            state.errors.append(FieldError(field: "password", code: "password.wrong"))
        }
        if form.confirm != "1" { state.errors.append(FieldError(field: "confirm", code: "privacy.confirm_required")) }
        guard state.errors.isEmpty else { return PrivacyViews.own(request, policy: policy, state: state, status: .unprocessableEntity) }
        if try await request.isLastAdmin(member) {
            state.formError = request.context.localizer("privacy.last_admin")
            return PrivacyViews.own(request, policy: policy, state: state, status: .conflict)
        }
        _ = try await request.erase(member, reason: "")
        let response = request.redirect(to: "/", flash: "flash.account_erased")
        try await SignIn.end(request, on: response)
        return response
    }

    // MARK: Administration

    @Sendable func adminPage(request: Request) async throws -> Response {
        try request.authorize(.editCommunitySettings)
        return try await adminView(request, state: FormState())
    }

    private func adminView(_ request: Request, state: FormState, status: HTTPStatus = .ok) async throws -> Response {
        let recent =
            try await request.repositories.audit.list(action: "member.erase", limit: 20)
            + request.repositories.audit.list(action: "member.export", limit: 20)
        return PrivacyViews.admin(
            request, policy: try await request.repositories.community.erasurePolicy(),
            requests: recent.sorted { $0.createdAt > $1.createdAt }, state: state, status: status)
    }

    struct PolicyForm: Content {
        var erasure_policy: String?
    }

    @Sendable func savePolicy(request: Request) async throws -> Response {
        try request.authorize(.editCommunitySettings)
        let form = try request.content.decode(PolicyForm.self)
        guard let policy = form.erasure_policy.flatMap(ErasurePolicy.init(rawValue:)) else {
            return try await adminView(
                request, state: FormState(errors: [FieldError(field: "erasure_policy", code: "choice.invalid")]),
                status: .unprocessableEntity)
        }
        let before = try await request.repositories.community.erasurePolicy()
        try await request.repositories.community.setErasurePolicy(policy, by: request.context.actor)
        try await request.audit(
            "privacy.policy", subjectType: "community", label: "erasure policy", before: before.rawValue, after: policy.rawValue)
        return request.redirect(to: "/admin/privacy", flash: "flash.settings_saved")
    }

    @Sendable func exportOnRequest(request: Request) async throws -> Response {
        try request.authorize(.editCommunitySettings)
        let handle = (request.query[String.self, at: "member"] ?? "").trimmingCharacters(in: .whitespaces).trimmingPrefix("@")
        guard let member = try await request.repositories.members.find(handle: String(handle)), member.status != .erased else {
            return try await adminView(
                request,
                state: FormState(values: ["member": String(handle)], errors: [FieldError(field: "member", code: "member.unknown")]),
                status: .notFound)
        }
        try await request.audit("member.export", subjectType: "member", subjectID: member.id, label: "@\(member.handle)")
        return try await request.personalDataArchive(of: member)
    }

    struct EraseForm: Content {
        var handle: String?
        var confirm_handle: String?
        var reason: String?
    }

    @Sendable func eraseOnRequest(request: Request) async throws -> Response {
        try request.authorize(.editCommunitySettings)
        let form = try request.content.decode(EraseForm.self)
        let handle = String((form.handle ?? "").trimmingCharacters(in: .whitespaces).trimmingPrefix("@")).lowercased()
        var state = FormState(values: ["handle": handle, "reason": form.reason ?? ""])
        let member = try await request.repositories.members.find(handle: handle)
        if member == nil || member?.status == .erased {
            state.errors.append(FieldError(field: "handle", code: "member.unknown"))
        } else if member?.id == request.context.member?.id {
            state.errors.append(FieldError(field: "handle", code: "privacy.not_yourself"))
        }
        if (form.confirm_handle ?? "").trimmingCharacters(in: .whitespaces).trimmingPrefix("@").lowercased() != handle {
            state.errors.append(FieldError(field: "confirm_handle", code: "privacy.confirm_mismatch"))
        }
        let reason = (form.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.count > 500 { state.errors.append(FieldError(field: "reason", code: "too_long")) }
        guard let member, state.errors.isEmpty else {
            return try await adminView(request, state: state, status: .unprocessableEntity)
        }
        if try await request.isLastAdmin(member) {
            state.formError = request.context.localizer("privacy.last_admin")
            return try await adminView(request, state: state, status: .conflict)
        }
        let outcome = try await request.erase(member, reason: reason)
        return request.redirect(to: "/admin/privacy?erased=\(outcome.placeholderHandle)", flash: "flash.member_erased")
    }
}

extension Repositories {
    public var personalData: PersonalDataRepository { PersonalDataRepository(database: database, clock: clock) }
}

extension Request {
    /// Whether `member` is the only active administrator, who may not be erased.
    func isLastAdmin(_ member: Member) async throws -> Bool {
        guard member.role == .admin, member.status == .active else { return false }
        return try await repositories.members.countAdmins() <= 1
    }

    /// The member's data as a ZIP archive: `data.json`, a README in their language and the files
    /// they uploaded. Never cached anywhere on the way.
    func personalDataArchive(of member: Member) async throws -> Response {
        guard let export = try await repositories.personalData.export(of: member.id) else { throw Abort(.notFound) }
        let t = Localizer(
            language: member.profile.preferredLanguage ?? context.localizer.language, catalog: application.kring.catalog,
            timeZone: context.localizer.timeZone)
        var archive = ZipArchive(modified: export.exportedAt)
        var missing: [String] = []
        var files: [(String, Data)] = []
        for file in export.files {
            do { files.append((file.path, try await application.kring.fileStorage.read(key: file.storageKey))) } catch {
                logger.warning("A file for a data export could not be read", metadata: ["key": "\(file.storageKey)", "error": "\(error)"])
                missing.append(file.path)
            }
        }
        var readme = t("privacy.archive.readme", ["community": context.community?.name ?? "Kring", "handle": member.handle])
        if !missing.isEmpty { readme += "\n\n" + t("privacy.archive.missing") + "\n" + missing.joined(separator: "\n") }
        archive.add("README.txt", Data((readme + "\n").utf8))
        archive.add("data.json", try export.json())
        for (path, data) in files { archive.add(path, data) }

        let day = ISO8601DateFormatter.string(from: export.exportedAt, timeZone: .gmt, formatOptions: [.withFullDate])
        let response = Response(status: .ok, body: .init(data: archive.data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "zip")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"kring-\(member.handle)-\(day).zip\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Erases `member` by the community's policy, records it in the audit log in the same
    /// transaction, then deletes their files and mail copies and empties the figures cache.
    func erase(_ member: Member, reason: String) async throws -> ErasureOutcome {
        guard let staff = context.member else { throw Abort(.unauthorized) }
        let policy = try await repositories.community.erasurePolicy()
        let outcome = try await repositories.writeTransaction { repositories in
            let outcome = try await repositories.personalData.erase(member.id, policy: policy, by: staff.actor)
            // Someone erasing their own account appears in the log under the placeholder too.
            var recordedActor = staff
            if staff.id == member.id { recordedActor.handle = outcome.placeholderHandle }
            try await repositories.audit.record(
                "member.erase", by: recordedActor, subjectType: "member", subjectID: member.id, label: "@\(outcome.placeholderHandle)",
                reason: reason,
                after: "policy=\(policy.rawValue); posts removed=\(outcome.removedPosts); items removed=\(outcome.removedItems)")
            return outcome
        }
        for key in outcome.fileKeys {
            do { try await application.kring.fileStorage.remove(key: key) } catch {
                logger.warning("An erased member's file could not be deleted", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
        try await application.kring.mailTransport.forget(recipient: outcome.formerEmail)
        await application.kring.finishedPeriods.removeAll()
        return outcome
    }
}
