import KringCore
import KringStore
import Vapor

/// The team's mail to members in the cockpit: the monthly member update (its note, a preview as any
/// member would get it, sending it now) and the nudges to members at risk (off until the team turns
/// them on, with their frequency caps).
struct MemberMailController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let mail = routes.grouped("cockpit", "mail")
        mail.get(use: index)
        mail.post("update", use: saveUpdate)
        mail.post("update", "send", use: sendNow)
        mail.post("nudges", use: saveNudges)
    }

    /// What the page shows besides its forms.
    struct Overview {
        var settings: MemberUpdateSettings
        var policy: NudgePolicy
        var period: UpdatePeriod
        var frequencies: [UpdateFrequency: Int]
        var sentForPeriod: Int
        var atRisk: Int
        var nudgesLastMonth: Int
        var preview: (member: Member, message: NewOutboxMessage)?
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return try await page(request, state: FormState())
    }

    func page(_ request: Request, state: FormState, status: HTTPStatus = .ok) async throws -> Response {
        let repositories = request.repositories
        guard let community = request.context.community else { throw Abort(.notFound) }
        let zone = TimeZone(identifier: community.timeZone) ?? .gmt
        let now = repositories.clock.now()
        guard let period = UpdatePeriod.previous(.monthly, before: now, in: zone) else { throw Abort(.internalServerError) }
        let settings = try await repositories.memberUpdateSettings()
        let policy = try await repositories.nudgePolicy()
        // The preview: as the member named in ?preview=, else as the manager looking.
        let handle = (try? request.query.get(String.self, at: "preview"))?.trimmingCharacters(in: CharacterSet(charactersIn: "@ "))
        var previewed = try request.requireMember()
        var unknownPreview = false
        if let handle, !handle.isEmpty {
            if let member = try await repositories.members.find(handle: handle.lowercased()), member.status == .active {
                previewed = member
            } else {
                unknownPreview = true
            }
        }
        // The preview is what "send now" sends: last month's update.
        let candidates = try await repositories.memberMail.digestCandidates(from: period.start, to: period.end)
        let groups = try await repositories.memberMail.activeGroups(of: [previewed.id])
        let recipient = ListRecipient(
            id: previewed.id, handle: previewed.handle, displayName: previewed.displayName, email: previewed.email,
            preferredLanguage: previewed.profile.preferredLanguage?.rawValue, lastSeenAt: nil)
        var preview = request.application.listMail.update(
            for: recipient, period: period,
            content: candidates.visible(to: previewed.id, activeGroups: previewed.actor.has(.admin) ? [] : groups[previewed.id] ?? []),
            note: settings.note, community: community)
        // The member's own one-click link is theirs, not the team's.
        if let link = preview.unsubscribeURL {
            preview.bodyText = preview.bodyText.replacingOccurrences(
                of: link, with: request.application.kring.config.baseURL + "/unsubscribe/…")
        }
        var shown = state
        if unknownPreview { shown.errors.append(FieldError(field: "preview", code: "invitee.unknown")) }
        if shown.values.isEmpty {
            shown.values = [
                "note": settings.note, "nudge_days": String(policy.minimumDaysBetween), "nudge_max": String(policy.maximumUnanswered),
                "preview": previewed.handle,
            ]
        }
        let overview = Overview(
            settings: settings, policy: policy, period: period, frequencies: try await repositories.memberMail.updateFrequencyCounts(),
            sentForPeriod: try await repositories.memberMail.sentCount(.memberUpdate, period: period.key),
            atRisk: try await repositories.engagement.sizes().segments[.atRisk] ?? 0,
            nudgesLastMonth: try await repositories.memberMail.sentCount(.nudges, since: now.addingTimeInterval(-30 * 86_400)),
            preview: (previewed, preview))
        return MemberMailViews.index(request, overview: overview, state: shown, status: status)
    }

    struct UpdateForm: Content {
        var update_enabled: String?
        var note: String?
    }

    @Sendable func saveUpdate(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(UpdateForm.self)
        let note = (form.note ?? "").replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= MemberUpdateSettings.noteMaxLength else {
            return try await page(
                request, state: FormState(values: ["note": note], errors: [FieldError(field: "note", code: "too_long")]),
                status: .unprocessableEntity)
        }
        try await request.repositories.strategy.setSettings([
            MemberUpdateSettings.enabledSetting: form.update_enabled == "1" ? "on" : "off", MemberUpdateSettings.noteSetting: note,
        ])
        try await request.audit("member_update.settings", subjectType: "community", label: form.update_enabled == "1" ? "on" : "off")
        return request.redirect(to: "/cockpit/mail", flash: "flash.settings_saved")
    }

    /// Sends last month's update now to everyone who wants it monthly and has not had it.
    @Sendable func sendNow(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let community = try await request.repositories.community.settings(),
            let period = UpdatePeriod.previous(
                .monthly, before: request.repositories.clock.now(), in: TimeZone(identifier: community.timeZone) ?? .gmt)
        else { throw Abort(.notFound) }
        let settings = try await request.repositories.memberUpdateSettings()
        let sent = try await request.application.listMail.send(period, note: settings.note, community: community)
        try await request.audit("member_update.send", subjectType: "community", label: "\(period.key) → \(sent)")
        return request.redirect(to: "/cockpit/mail", flash: "flash.member_update_sent", values: ["count": String(sent)])
    }

    struct NudgeForm: Content {
        var nudges_enabled: String?
        var nudge_days: String?
        var nudge_max: String?
    }

    @Sendable func saveNudges(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(NudgeForm.self)
        var errors = FieldErrorCollector()
        let days = Int(form.nudge_days ?? "")
        let maximum = Int(form.nudge_max ?? "")
        if days.map({ !NudgePolicy.daysRange.contains($0) }) ?? true { errors.add("nudge_days", "number.range") }
        if maximum.map({ !NudgePolicy.unansweredRange.contains($0) }) ?? true { errors.add("nudge_max", "number.range") }
        guard errors.errors.isEmpty, let days, let maximum else {
            return try await page(
                request,
                state: FormState(values: ["nudge_days": form.nudge_days ?? "", "nudge_max": form.nudge_max ?? ""], errors: errors.errors),
                status: .unprocessableEntity)
        }
        let policy = NudgePolicy(enabled: form.nudges_enabled == "1", minimumDaysBetween: days, maximumUnanswered: maximum)
        try await request.repositories.setNudgePolicy(policy)
        try await request.audit(
            "nudges.settings", subjectType: "community", label: "\(policy.enabled ? "on" : "off"), \(days) days, \(maximum)×")
        return request.redirect(to: "/cockpit/mail", flash: "flash.settings_saved")
    }
}

enum MemberMailViews {
    static func index(_ request: Request, overview: MemberMailController.Overview, state: FormState, status: HTTPStatus) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("member_mail.title"), status: status) {
            CockpitNav.bar(request, current: "/cockpit/mail")
            H.h1 { t("member_mail.title") }
            H.p(.class("lead")) { t("member_mail.lead") }
            Forms.errorSummary(state, t)
            H.section(.class("cockpit-section"), .id("section-update"), .aria(.labelledby, "heading-update")) {
                H.h2(.id("heading-update")) { t("member_update.title") }
                H.p(.class("muted")) { t("member_update.lead") }
                H.ul(.class("figures-inline"), .id("update-figures")) {
                    for frequency in UpdateFrequency.allCases {
                        H.li(.id("frequency-\(frequency.rawValue)")) {
                            t("mail_lists.frequency.\(frequency.rawValue)") + ": " + t.number(overview.frequencies[frequency] ?? 0)
                        }
                    }
                    H.li(.id("update-sent")) {
                        t.plural("member_update.sent", count: overview.sentForPeriod, ["period": t.month(overview.period.start)])
                    }
                }
                H.form(action: .to("/cockpit/mail/update"), .class("stack-form"), .id("update-form")) {
                    Forms.csrf(request)
                    Forms.checkbox("update_enabled", label: t("member_update.enabled"), isChecked: overview.settings.enabled)
                    Forms.textarea(
                        "note", label: t("field.note"), state: state, t: t, rows: 5, hint: t("member_update.note_hint"),
                        maxLength: MemberUpdateSettings.noteMaxLength)
                    Forms.submit(t("settings.save"), id: "update-submit")
                }
                H.form(action: .to("/cockpit/mail/update/send"), .id("update-send-form")) {
                    Forms.csrf(request)
                    Forms.submit(
                        t("member_update.send_now", ["period": t.month(overview.period.start)]), id: "update-send", secondary: true)
                }
                if let preview = overview.preview {
                    H.h3 { t("member_update.preview", ["name": preview.member.displayName]) }
                    H.element("form", [.action(.to("/cockpit/mail")), .method("get"), .class("inline-form"), .id("preview-form")]) {
                        Forms.field("preview", label: t("member_update.preview_as"), state: state, t: t)
                        Forms.submit(t("member_update.show_preview"), id: "preview-submit", secondary: true)
                    }
                    H.div(.class("mail-preview"), .id("update-preview")) {
                        H.p { H.strong { preview.message.subject } }
                        H.element("pre", [.class("mail-preview-body")]) { preview.message.bodyText }
                    }
                }
            }
            H.section(.class("cockpit-section"), .id("section-nudges"), .aria(.labelledby, "heading-nudges")) {
                H.h2(.id("heading-nudges")) { t("nudges.title") }
                H.p(.class("muted")) { t("nudges.lead") }
                H.ul(.class("figures-inline"), .id("nudge-figures")) {
                    H.li(.id("nudge-at-risk")) { t.plural("nudges.at_risk", count: overview.atRisk) }
                    H.li(.id("nudge-sent")) { t.plural("nudges.sent", count: overview.nudgesLastMonth) }
                }
                H.form(action: .to("/cockpit/mail/nudges"), .class("stack-form"), .id("nudge-form")) {
                    Forms.csrf(request)
                    Forms.checkbox(
                        "nudges_enabled", label: t("nudges.enabled"), isChecked: overview.policy.enabled, hint: t("nudges.enabled_hint"))
                    Forms.field(
                        "nudge_days", label: t("field.nudge_days"), state: state, t: t, type: "number", hint: t("nudges.days_hint"),
                        extra: [.min(NudgePolicy.daysRange.lowerBound), .max(NudgePolicy.daysRange.upperBound)])
                    Forms.field(
                        "nudge_max", label: t("field.nudge_max"), state: state, t: t, type: "number", hint: t("nudges.max_hint"),
                        extra: [.min(NudgePolicy.unansweredRange.lowerBound), .max(NudgePolicy.unansweredRange.upperBound)])
                    Forms.submit(t("settings.save"), id: "nudge-submit")
                }
            }
        }
    }
}
