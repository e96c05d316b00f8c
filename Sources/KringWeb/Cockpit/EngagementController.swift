import KringCore
import KringStore
import Vapor

extension Repositories {
    public var engagement: EngagementRepository { EngagementRepository(database: database, clock: clock) }
    public var champions: ChampionsRepository { ChampionsRepository(database: database, clock: clock) }
}

/// Task 4, coaching members: engagement scores and levels, the segments a manager acts on, and the
/// champions page (who helps, who is central, who bridges groups, who knows what).
struct EngagementController: RouteCollection {
    static let pageSize = 50

    func boot(routes: any RoutesBuilder) throws {
        let members = routes.grouped("cockpit", "members")
        members.get(use: index)
        members.post("refresh", use: refresh)
        members.get("settings", use: settings)
        members.post("settings", use: saveSettings)
        members.post("segments", use: saveSegment)
        members.post("segments", ":segment", "delete", use: deleteSegment)
        members.post("message", use: message)
        members.post("invite-group", use: inviteToGroup)
        members.post("invite-event", use: inviteToEvent)
        routes.get("cockpit", "members.csv", use: csv)
        routes.get("cockpit", "champions", use: champions)
    }

    /// Which members a list shows: a built-in segment, a saved one, or everyone.
    struct ListChoice {
        var segment: MemberSegment?
        var saved: SavedSegment?
        var filter: SegmentFilter { saved?.filter ?? SegmentFilter(segment: segment) }
        /// The query that brings a page back to this list.
        var query: String {
            if let saved { return "saved=\(saved.id.uuidString.lowercased())" }
            return segment.map { "segment=\($0.rawValue)" } ?? ""
        }
    }

    /// The list a query or form names (`segment`, `saved`); unknown values are a 400, a saved segment that is gone a 404.
    static func listChoice(segment rawSegment: String?, saved rawSaved: String?, _ request: Request) async throws -> ListChoice {
        var choice = ListChoice()
        if let rawSaved, !rawSaved.isEmpty {
            guard let id = UUID(uuidString: rawSaved) else { throw Abort(.badRequest, reason: "The saved segment is an id.") }
            guard let saved = try await request.repositories.engagement.savedSegment(id) else { throw Abort(.notFound) }
            choice.saved = saved
            return choice
        }
        let name = rawSegment ?? ""
        guard name.isEmpty || name == "all" || MemberSegment(rawValue: name) != nil else {
            throw Abort(
                .badRequest, reason: "The segment is one of all, \(MemberSegment.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        choice.segment = MemberSegment(rawValue: name)
        return choice
    }

    /// The list, order and page a members page asks for.
    static func listQuery(_ request: Request) async throws -> (choice: ListChoice, order: EngagementRepository.Order, page: Int) {
        // Links never carry an empty choice: one that does was made by hand, and is not "everyone".
        for name in ["segment", "saved", "order"] where request.query[String.self, at: name]?.isEmpty == true {
            throw Abort(.badRequest, reason: "The \(name) may not be empty.")
        }
        let choice = try await listChoice(
            segment: request.query[String.self, at: "segment"], saved: request.query[String.self, at: "saved"], request)
        guard let order = EngagementRepository.Order(rawValue: request.query[String.self, at: "order"] ?? "score") else {
            throw Abort(.badRequest, reason: "The order is score or rising.")
        }
        let page = try request.strictQuery("page", as: Int.self) ?? 1
        guard page >= 1, page <= 100_000 else { throw Abort(.badRequest, reason: "The page is a number from 1.") }
        return (choice, order, page)
    }

    /// Scores are computed by the job; the first visit computes them so the page is never empty for no reason.
    static func ensureComputed(_ request: Request) async throws -> Date? {
        let engagement = request.repositories.engagement
        if let computed = try await engagement.computedAt() { return computed }
        try await engagement.refresh(timeZone: request.communityTimeZone)
        return try await engagement.computedAt()
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let query = try await Self.listQuery(request)
        return try await page(request, choice: query.choice, order: query.order, page: query.page)
    }

    /// The members page for a list, with a failed form's state when there is one.
    func page(
        _ request: Request, choice: ListChoice, order: EngagementRepository.Order = .score, page: Int = 1, form: String? = nil,
        state: FormState = FormState(), status: HTTPStatus = .ok
    ) async throws -> Response {
        let computedAt = try await Self.ensureComputed(request)
        let repositories = request.repositories
        let engagement = repositories.engagement
        let list = try await engagement.standings(choice.filter, order: order, limit: Self.pageSize, offset: (page - 1) * Self.pageSize)
        let viewer = try await request.viewer()
        let now = repositories.clock.now()
        return EngagementViews.index(
            request,
            .init(
                choice: choice, order: order, page: page, standings: list.rows, total: list.total, sizes: try await engagement.sizes(),
                funnel: try await engagement.funnel(), settings: try await engagement.settings(), computedAt: computedAt,
                saved: try await engagement.savedSegments(), groups: try await repositories.groups.list(for: viewer),
                events: try await repositories.events.list(viewer: viewer, from: now, limit: 50).filter { $0.cancelledAt == nil },
                form: form, state: state),
            status: status)
    }

    @Sendable func refresh(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        try await request.repositories.engagement.refresh(timeZone: request.communityTimeZone)
        return request.redirect(to: "/cockpit/members", flash: "flash.engagement_refreshed")
    }

    /// A segment's members as CSV, every one of them, for a mailing or a spreadsheet.
    @Sendable func csv(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let query = try await Self.listQuery(request)
        _ = try await Self.ensureComputed(request)
        let list = try await request.repositories.engagement.standings(query.choice.filter, order: query.order, limit: 1_000_000)
        let day = CockpitSelection.dayFormatter(request.communityTimeZone)
        let rows =
            [["handle", "name", "level", "score", "score_a_month_ago", "posts_90_days", "joined", "last_seen", "segments"]]
            + list.rows.map { standing in
                [
                    standing.member.handle, standing.member.displayName, standing.level.rawValue,
                    CockpitCSV.number(Self.rounded(standing.score)),
                    CockpitCSV.number(Self.rounded(standing.previousScore)), String(standing.recentPosts),
                    day.string(from: standing.joinedAt),
                    standing.lastSeenAt.map(day.string(from:)) ?? "", standing.segments.map(\.rawValue).joined(separator: " "),
                ]
            }
        let name = query.choice.saved.map { Self.fileName($0.name) } ?? query.choice.segment?.rawValue ?? "all"
        return CSV.response(rows, filename: "kring-members-\(name).csv")
    }

    /// A segment's name as a file name: letters, digits and dashes.
    static func fileName(_ name: String) -> String {
        let kept = name.lowercased().unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "-" }
        return String(kept).split(separator: "-").joined(separator: "-").prefix(60).description
    }

    /// Scores to two decimals: more would pretend a precision the weights do not have.
    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    @Sendable func settings(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return EngagementViews.settings(request, settings: try await request.repositories.engagement.settings(), state: FormState())
    }

    /// Weights and thresholds, checked whole: nothing is saved when one is wrong. Saving recomputes the scores.
    @Sendable func saveSettings(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        var values = try request.content.decode([String: String].self)
        values.removeValue(forKey: "_csrf")
        let engagement = request.repositories.engagement
        do {
            let settings = try EngagementSettings.parse(values, base: try await engagement.settings())
            try await engagement.setSettings(settings)
            try await engagement.refresh(timeZone: request.communityTimeZone)
            try await request.audit("engagement.settings", subjectType: "community", label: "engagement weights and levels")
            return request.redirect(to: "/cockpit/members/settings", flash: "flash.settings_saved")
        } catch let failure as ValidationFailure {
            return EngagementViews.settings(
                request, settings: try await engagement.settings(), state: FormState(values: values, errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    @Sendable func champions(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return try await Self.championsPage(request, state: FormState())
    }

    /// The champions page, with the spotlight and badge forms in `state` (their errors after a refused post).
    static func championsPage(_ request: Request, state: FormState, status: HTTPStatus = .ok) async throws -> Response {
        _ = try await Self.ensureComputed(request)
        let repositories = request.repositories
        let report = try await repositories.champions.report(now: repositories.clock.now())
        let rising = try await repositories.engagement.standings(segment: nil, order: .rising, limit: 10).rows.filter {
            $0.score > $0.previousScore
        }
        let promotion = try await SpotlightController.section(request, state: state)
        return EngagementViews.champions(request, report: report, rising: rising, promotion: promotion, status: status)
    }

    // MARK: Custom segments and actions

    /// The list a form acts on, from its hidden `segment` and `saved` fields.
    func formChoice(_ values: [String: String], _ request: Request) async throws -> ListChoice {
        try await Self.listChoice(segment: values["segment"], saved: values["saved"], request)
    }

    static func formValues(_ request: Request) throws -> [String: String] {
        var values = try request.content.decode([String: String].self)
        values.removeValue(forKey: "_csrf")
        return values
    }

    /// Saves a custom segment: a name and at least one filter.
    @Sendable func saveSegment(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let values = try Self.formValues(request)
        do {
            var errors = FieldErrorCollector()
            let name = MemberRules.singleLine(values["name"] ?? "")
            if name.isEmpty || name.count > 80 { errors.add("name", "required") }
            var filter = errors.check { () throws(ValidationFailure) in try SegmentFilter.parse(values, timeZone: request.communityTimeZone)
            }
            if let slug = values["group"].flatMap({ $0.isEmpty ? nil : $0 }) {
                let group = try await request.repositories.groups.find(slug: slug)
                if let group, try await request.viewer().canSee(group) {
                    filter?.groupID = group.id
                } else {
                    errors.add("group", "choice.invalid")
                }
            }
            if let chosen = filter, chosen.isEmpty { errors.add("level", "segment.no_filter") }
            try errors.throwIfAny()
            guard let filter else { throw Abort(.internalServerError) }
            let id = try await request.repositories.engagement.saveSegment(name: name, filter: filter, by: request.context.actor)
            try await request.audit("segment.create", subjectType: "segment", subjectID: id, label: name)
            return request.redirect(to: "/cockpit/members?saved=\(id.uuidString.lowercased())", flash: "flash.segment_saved")
        } catch let failure as ValidationFailure {
            return try await page(
                request, choice: ListChoice(), form: "segment", state: FormState(values: values, errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    @Sendable func deleteSegment(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let id = request.parameters.get("segment", as: UUID.self),
            let saved = try await request.repositories.engagement.savedSegment(id),
            try await request.repositories.engagement.deleteSegment(id)
        else { throw Abort(.notFound) }
        try await request.audit("segment.delete", subjectType: "segment", subjectID: id, label: saved.name)
        return request.redirect(to: "/cockpit/members", flash: "flash.segment_deleted")
    }

    /// Mails a message from the team to every member of the list, through the outbox.
    @Sendable func message(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let values = try Self.formValues(request)
        let choice = try await formChoice(values, request)
        let subject = MemberRules.singleLine(values["subject"] ?? "")
        let body = (values["message"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = FieldErrorCollector()
        if subject.isEmpty || subject.count > 150 { errors.add("subject", "required") }
        if body.isEmpty || body.count > 10_000 { errors.add("message", "required") }
        guard errors.errors.isEmpty else {
            return try await page(
                request, choice: choice, form: "message", state: FormState(values: values, errors: errors.errors),
                status: .unprocessableEntity)
        }
        let listed = try await request.repositories.engagement.recipients(choice.filter)
        // Members who left the announcements list are not mailed.
        let optedOut = try await request.repositories.memberMail.announcementsOff(listed.map(\.member.id))
        let recipients = listed.filter { !optedOut.contains($0.member.id) }
        let services = request.application.kring
        let sender = try request.requireMember()
        let community = request.context.community?.name ?? "Kring"
        let t = request.context.localizer
        let footer = t(
            "engagement.message.footer",
            [
                "community": community, "sender": sender.displayName,
                "link": request.application.kring.config.baseURL + "/settings/notifications",
            ])
        try await request.repositories.writeTransaction { tx in
            for recipient in recipients {
                let unsubscribe = UnsubscribeLink.url(memberID: recipient.member.id, list: .announcements, services: services)
                _ = try await tx.outbox.enqueue(
                    NewOutboxMessage(
                        kind: "segment_message", recipient: recipient.email, recipientName: recipient.member.displayName, subject: subject,
                        bodyText: body + "\n\n-- \n" + footer + "\n" + t("engagement.message.unsubscribe", ["link": unsubscribe]),
                        unsubscribeURL: unsubscribe))
            }
        }
        try await request.audit(
            "segment.message", subjectType: "segment", subjectID: choice.saved?.id,
            label: "\(subject) → \(recipients.count) (\(choice.saved?.name ?? choice.segment?.rawValue ?? "all"))")
        return request.redirect(
            to: "/cockpit/members?" + choice.query, flash: "flash.segment_messaged", values: ["count": String(recipients.count)])
    }

    /// Invites every member of the list who is not in the group yet (an invitation as from a group manager).
    @Sendable func inviteToGroup(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let values = try Self.formValues(request)
        let choice = try await formChoice(values, request)
        guard let group = try await request.repositories.groups.find(slug: values["group"] ?? ""), !group.isArchived else {
            return try await page(
                request, choice: choice, form: "invite-group",
                state: FormState(values: values, errors: [FieldError(field: "group", code: "choice.invalid")]), status: .unprocessableEntity
            )
        }
        let inviter = try request.requireMember()
        let recipients = try await request.repositories.engagement.recipients(choice.filter)
        var invited = 0
        for recipient in recipients where try await request.repositories.inviteToGroup(group, memberID: recipient.member.id, by: inviter) {
            invited += 1
        }
        try await request.audit("segment.invite_group", subjectType: "group", subjectID: group.id, label: "\(group.name) → \(invited)")
        return request.redirect(to: "/cockpit/members?" + choice.query, flash: "flash.segment_invited", values: ["count": String(invited)])
    }

    /// Invites every member of the list who may see the event and has not answered it yet.
    @Sendable func inviteToEvent(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let values = try Self.formValues(request)
        let choice = try await formChoice(values, request)
        let repositories = request.repositories
        guard let id = UUID(uuidString: values["event"] ?? ""),
            let event = try await repositories.events.find(id, viewer: try await request.viewer()),
            event.cancelledAt == nil, event.startsAt > repositories.clock.now()
        else {
            return try await page(
                request, choice: choice, form: "invite-event",
                state: FormState(values: values, errors: [FieldError(field: "event", code: "choice.invalid")]), status: .unprocessableEntity
            )
        }
        let inviter = try request.requireMember()
        let recipients = try await repositories.engagement.recipients(choice.filter)
        let answered = Set(try await repositories.events.attendees(of: event.id).map(\.member.id))
        var invited = 0
        for recipient in recipients where !answered.contains(recipient.member.id) {
            try await repositories.notifications.event(
                .eventInvitation, to: recipient.member.id, actorID: inviter.id, eventID: event.id, groupID: event.groupID)
            invited += 1
        }
        try await request.audit("segment.invite_event", subjectType: "event", subjectID: event.id, label: "\(event.title) → \(invited)")
        return request.redirect(to: "/cockpit/members?" + choice.query, flash: "flash.segment_invited", values: ["count": String(invited)])
    }
}

extension Repositories {
    /// Invites a member to a group as its managers do: membership marked invited, logged and notified
    /// in one transaction. False when they are already in it (or invited).
    func inviteToGroup(_ group: Group, memberID: UUID, by inviter: Member) async throws -> Bool {
        if let existing = try await groups.membership(of: memberID, in: group.id), existing.isActive || existing.status == .invited {
            return false
        }
        try await writeTransaction { tx in
            try await tx.groups.setMembership(group.id, memberID: memberID, role: .member, status: .invited, invitedBy: inviter.id)
            try await tx.activity.record(.groupInvited, by: inviter.actor, subjectType: "member", subjectID: memberID, groupID: group.id)
            try await tx.notifications.group(.invitation, to: memberID, actorID: inviter.id, groupID: group.id)
        }
        return true
    }
}
