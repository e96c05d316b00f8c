import KringCore
import KringStore
import Vapor

/// The review queue, sanctions, the flag threshold, the staff action log and a member's own standing.
struct ModerationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let moderation = routes.grouped("moderation")
        moderation.get(use: queue)
        moderation.post("posts", ":post", ":decision", use: decide)
        moderation.post("profiles", ":handle", ":decision", use: decideProfile)
        moderation.post("events", ":id", ":decision", use: decideContent)
        moderation.post("documents", ":id", ":decision", use: decideContent)
        moderation.post("rules", "publish", use: publishRules)
        moderation.get("members", ":handle", use: member)
        moderation.post("members", ":handle", "sanctions", use: impose)
        moderation.post("sanctions", ":id", "lift", use: lift)
        moderation.post("settings", use: saveSettings)
        routes.get("admin", "audit", use: audit)
        routes.get("admin", "audit.csv", use: auditCSV)
        routes.get("settings", "standing", use: standing)
        routes.post("settings", "standing", "appeal", use: appeal)
        routes.get("appeal", ":token", use: appealForm)
        routes.post("appeal", ":token", use: appealByLink)
    }

    // MARK: Queue

    @Sendable func queue(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let repositories = request.repositories
        let sanctions = try await repositories.sanctions.inForce()
        let now = request.application.kring.clock.now()
        let data = ModerationViews.QueueData(
            items: try await repositories.moderation.queue(), profiles: try await repositories.moderation.profileQueue(),
            content: try await repositories.moderation.contentQueue(),
            pendingMembers: request.decide(.approveMembers).isAllowed
                ? try await repositories.members.list(status: .pending, limit: 100) : [],
            sanctions: sanctions, handles: try await repositories.members.handles(of: sanctions.map(\.memberID)),
            settings: try await repositories.community.moderationSettings(),
            health: try await repositories.moderation.health(since: now.addingTimeInterval(-30 * 86_400)))
        return ModerationViews.queue(request, data: data)
    }

    struct DecisionForm: Content {
        var note: String?
    }

    @Sendable func decide(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        guard let postID = request.parameters.get("post", as: UUID.self),
            let decision = request.parameters.get("decision").flatMap(ReviewDecision.init(rawValue:)),
            let context = try await request.repositories.topics.context(ofPost: postID)
        else { throw Abort(.notFound) }
        let note = try ModerationRules.reason((try? request.content.decode(DecisionForm.self).note) ?? "", field: "note", required: false)
        try await request.repositories.moderation.decide(postID: postID, decision, by: request.context.actor)
        try await request.audit(
            "flags.\(decision.rawValue)", subjectType: "post", subjectID: postID,
            label: "#\(context.number) in topic \(context.topicID.uuidString.lowercased())",
            reason: note)
        return request.redirect(to: "/moderation", flash: "flash.review_done")
    }

    // MARK: Members and sanctions

    private func target(_ request: Request) async throws -> Member {
        guard let member = try await request.repositories.members.find(handle: request.parameters.get("handle") ?? "") else {
            throw Abort(.notFound)
        }
        return member
    }

    @Sendable func member(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let member = try await target(request)
        let history = try await request.repositories.sanctions.history(of: member.id)
        let reliability = try await request.repositories.moderation.reliability(of: [member.id])[member.id]
        return ModerationViews.member(
            request, member: member, history: history, reliability: reliability, state: FormState(values: ["kind": "warning"]))
    }

    struct SanctionForm: Content {
        var kind: String?
        var days: String?
        var reason: String?
    }

    /// Imposes a sanction. Nobody sanctions themselves or someone of their own rank or higher.
    @Sendable func impose(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let moderator = try request.requireMember()
        let member = try await target(request)
        guard member.id != moderator.id, member.role < moderator.role else {
            throw Abort(.forbidden, reason: request.context.localizer("sanctions.rank"))
        }
        let form = try request.content.decode(SanctionForm.self)
        var errors = FieldErrorCollector()
        let kind = errors.check { () throws(ValidationFailure) in try CommunityRules.choice(form.kind, as: SanctionKind.self, field: "kind")
        }
        let days = errors.check { () throws(ValidationFailure) in try ModerationRules.days(form.days) } ?? nil
        let reason = errors.check { () throws(ValidationFailure) in try ModerationRules.reason(form.reason ?? "") }
        guard errors.errors.isEmpty, let kind, let reason else {
            let history = try await request.repositories.sanctions.history(of: member.id)
            let state = FormState(
                values: ["kind": form.kind ?? "", "days": form.days ?? "", "reason": form.reason ?? ""], errors: errors.errors)
            return ModerationViews.member(
                request, member: member, history: history, reliability: nil, state: state, status: .unprocessableEntity)
        }
        let sanction = try await request.repositories.writeTransaction { repositories in
            let sanction = try await repositories.sanctions.impose(kind, on: member, reason: reason, days: days, by: moderator.actor)
            try await SanctionMail(request: request, repositories: repositories).send(sanction, to: member)
            return sanction
        }
        try await request.audit(
            "sanction.\(kind.rawValue)", subjectType: "member", subjectID: member.id, label: "@\(member.handle)", reason: reason,
            after: days.map { "\($0) days" } ?? "until lifted")
        _ = sanction
        return request.redirect(to: "/moderation/members/\(member.handle)", flash: "flash.sanction_imposed")
    }

    @Sendable func lift(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        guard let id = request.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let sanction = try await request.repositories.sanctions.lift(id, by: request.context.actor)
        let handle = try await request.repositories.members.handles(of: [sanction.memberID])[sanction.memberID] ?? ""
        try await request.audit(
            "sanction.lift", subjectType: "member", subjectID: sanction.memberID, label: "@\(handle)", before: sanction.kind.rawValue,
            after: "lifted")
        return request.redirect(to: "/moderation/members/\(handle)", flash: "flash.sanction_lifted")
    }

    struct SettingsForm: Content {
        var flag_threshold: String?
        var newcomer_held_posts: String?
        var newcomer_max_links: String?
        var posts_per_minute: String?
        var posts_per_hour: String?
    }

    @Sendable func saveSettings(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(SettingsForm.self)
        var errors = FieldErrorCollector()
        func number(_ raw: String?, _ field: String, _ range: ClosedRange<Int>) -> Int {
            guard let value = raw.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), range.contains(value) else {
                errors.add(field, "number.invalid")
                return range.lowerBound
            }
            return value
        }
        let before = try await request.repositories.community.moderationSettings()
        var settings = before
        settings.flagThreshold = number(form.flag_threshold, "flag_threshold", 1...50)
        settings.newcomerHeldPosts = number(form.newcomer_held_posts, "newcomer_held_posts", 0...50)
        settings.newcomerMaxLinks = number(form.newcomer_max_links, "newcomer_max_links", 0...100)
        settings.postsPerMinute = number(form.posts_per_minute, "posts_per_minute", 1...600)
        settings.postsPerHour = number(form.posts_per_hour, "posts_per_hour", 1...10_000)
        try errors.throwIfAny()
        try await request.repositories.community.setModerationSettings(settings)
        try await request.audit(
            "settings.moderation", subjectType: "community", label: "moderation settings", before: "\(before)", after: "\(settings)")
        return request.redirect(to: "/moderation", flash: "flash.settings_saved")
    }

    /// Raises the house rules' version after a material change: every member accepts again before posting.
    @Sendable func publishRules(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        var settings = try await request.repositories.community.moderationSettings()
        settings.rulesVersion += 1
        try await request.repositories.community.setModerationSettings(settings)
        try await request.audit(
            "rules.publish", subjectType: "community", label: "house rules", before: String(settings.rulesVersion - 1),
            after: String(settings.rulesVersion))
        return request.redirect(to: "/moderation", flash: "flash.rules_published")
    }

    @Sendable func decideProfile(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let member = try await target(request)
        let agreed: Bool
        switch request.parameters.get("decision") {
        case "keep": agreed = false
        case "clear": agreed = true
        default: throw Abort(.notFound)
        }
        try await request.repositories.moderation.decide(profileOf: member.id, agreed: agreed, by: request.context.actor)
        try await request.audit(
            agreed ? "profile.clear" : "profile.keep", subjectType: "member", subjectID: member.id, label: "@\(member.handle)",
            before: agreed ? member.profile.bio : "", after: agreed ? "" : "")
        return request.redirect(to: "/moderation", flash: "flash.review_done")
    }

    /// Settles the flags on an event or a document: keep (show it) or hide.
    @Sendable func decideContent(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        guard let id = request.parameters.get("id", as: UUID.self), let decision = request.parameters.get("decision"),
            ["keep", "hide"].contains(decision)
        else { throw Abort(.notFound) }
        let content: FlaggableContent = request.url.path.hasPrefix("/moderation/events/") ? .event(id) : .document(id)
        try await request.repositories.moderation.decide(content, hide: decision == "hide", by: request.context.actor)
        try await request.audit("flags.\(decision)", subjectType: content.subjectType, subjectID: id, label: content.subjectType)
        return request.redirect(to: "/moderation", flash: "flash.review_done")
    }

    // MARK: The staff action log

    @Sendable func audit(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let action = request.query[String.self, at: "action"]
        let actor = request.query[String.self, at: "actor"]
        let page = max(1, request.query[Int.self, at: "page"] ?? 1)
        let entries = try await request.repositories.audit.list(action: action, actorHandle: actor, limit: 101, offset: (page - 1) * 100)
        return ModerationViews.audit(
            request, entries: Array(entries.prefix(100)), actions: try await request.repositories.audit.actions(), action: action ?? "",
            actor: actor ?? "", page: page, hasMore: entries.count > 100)
    }

    @Sendable func auditCSV(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let entries = try await request.repositories.audit.list(
            action: request.query[String.self, at: "action"], actorHandle: request.query[String.self, at: "actor"], limit: 100_000)
        var csv = "time,actor,action,subject_type,subject,reason,before,after\r\n"
        for entry in entries {
            let fields = [
                entry.createdAt.formatted(.iso8601), entry.actorHandle, entry.action, entry.subjectType, entry.subjectLabel, entry.reason,
                entry.before,
                entry.after,
            ]
            csv += fields.map(CSV.field).joined(separator: ",") + "\r\n"
        }
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"kring-staff-actions.csv\"")
        return response
    }

    // MARK: A member's own standing

    @Sendable func standing(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let history = try await request.repositories.sanctions.history(of: member.id)
        return ModerationViews.standing(request, history: history, state: FormState())
    }

    struct AppealForm: Content {
        var text: String?
    }

    /// Sends the member's appeal to the community managers and administrators by e-mail.
    @Sendable func appeal(request: Request) async throws -> Response {
        let member = try request.requireMember()
        return try await sendAppeal(request, from: member, done: "/settings/standing")
    }

    /// The appeal form reached from the sanction e-mail, for members who cannot log in.
    @Sendable func appealForm(request: Request) async throws -> Response {
        guard try await appealToken(request) != nil else { return AccountViews.resetInvalid(request) }
        return ModerationViews.appealByLink(request, token: request.parameters.get("token") ?? "", state: FormState())
    }

    @Sendable func appealByLink(request: Request) async throws -> Response {
        guard let member = try await appealToken(request) else { return AccountViews.resetInvalid(request) }
        return try await sendAppeal(request, from: member, done: "/")
    }

    private func appealToken(_ request: Request) async throws -> Member? {
        let token = request.parameters.get("token") ?? ""
        guard let record = try await request.repositories.emailTokens.valid(.appeal, tokenHash: SecretToken.hash(token)),
            let memberID = record.memberID
        else { return nil }
        return try await request.repositories.members.find(id: memberID)
    }

    private func sendAppeal(_ request: Request, from member: Member, done: String) async throws -> Response {
        let form = try request.content.decode(AppealForm.self)
        let text: String
        do {
            text = try ModerationRules.reason(form.text ?? "", field: "text")
        } catch {
            let state = FormState(values: ["text": form.text ?? ""], errors: error.errors)
            if done == "/" {
                return ModerationViews.appealByLink(
                    request, token: request.parameters.get("token") ?? "", state: state, status: .unprocessableEntity)
            }
            let history = try await request.repositories.sanctions.history(of: member.id)
            return ModerationViews.standing(request, history: history, state: state, status: .unprocessableEntity)
        }
        try await request.repositories.writeTransaction { repositories in
            for manager in try await repositories.members.team() where manager.role >= .manager {
                try await repositories.outbox.enqueue(
                    NewOutboxMessage(
                        kind: "appeal", recipient: manager.email, recipientName: manager.displayName,
                        subject: "Appeal from @\(member.handle)",
                        bodyText: "\(member.displayName) (@\(member.handle)) appeals:\n\n\(text)\n\n"
                            + request.application.kring.config.baseURL + "/moderation/members/\(member.handle)\n"))
            }
        }
        return request.redirect(to: done, flash: "flash.appeal_sent")
    }
}

/// Writes one CSV field (RFC 4180), defusing spreadsheet formulas.
enum CSV {
    /// A CSV download: the rows with RFC 4180 fields and CRLF lines, as an attachment.
    static func response(_ rows: [[String]], filename: String) -> Response {
        let body = rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return response
    }

    static func field(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Tells a member about a sanction, in their language, with how to appeal.
struct SanctionMail {
    let request: Request
    let repositories: Repositories

    func send(_ sanction: Sanction, to member: Member) async throws {
        guard let community = request.context.community else { return }
        let services = request.application.kring
        let t = Localizer(
            language: member.profile.preferredLanguage ?? community.defaultLanguage, catalog: services.catalog,
            timeZone: TimeZone(identifier: community.timeZone) ?? .gmt)
        let token = SecretToken.generate()
        try await repositories.emailTokens.create(
            .appeal, tokenHash: SecretToken.hash(token), email: member.email, memberID: member.id, createdByID: sanction.createdByID,
            lifetime: max(30 * 86_400, (sanction.endsAt ?? .distantFuture).timeIntervalSinceNow.clamped(to: 0...(365 * 86_400))))
        try await repositories.outbox.enqueue(
            NewOutboxMessage(
                kind: "sanction", recipient: member.email, recipientName: member.displayName,
                subject: t("mail.sanction.subject", ["community": community.name, "kind": t("sanctions.kind.\(sanction.kind.rawValue)")]),
                bodyText: t(
                    "mail.sanction.body",
                    [
                        "name": member.displayName, "kind": t("sanctions.kind.\(sanction.kind.rawValue)"), "reason": sanction.reason,
                        "until": SanctionText.until(sanction, t: t), "link": services.config.baseURL + "/appeal/\(token)",
                    ])))
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
