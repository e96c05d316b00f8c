import KringCore
import KringStore
import Vapor

/// The team's settings for the member update: whether it goes out, and their note at its top.
struct MemberUpdateSettings: Sendable, Equatable {
    static let enabledSetting = "member_update.enabled"
    static let noteSetting = "member_update.note"
    static let noteMaxLength = 2_000

    var enabled: Bool
    var note: String
}

extension Repositories {
    func memberUpdateSettings() async throws -> MemberUpdateSettings {
        let stored = try await strategy.settings(prefix: "member_update.")
        return MemberUpdateSettings(
            enabled: stored[MemberUpdateSettings.enabledSetting] != "off", note: stored[MemberUpdateSettings.noteSetting] ?? "")
    }

    func nudgePolicy() async throws -> NudgePolicy {
        let stored = try await strategy.settings(prefix: "nudges.")
        let standard = NudgePolicy.standard
        return NudgePolicy(
            enabled: stored["nudges.enabled"].map { $0 == "on" } ?? standard.enabled,
            minimumDaysBetween: stored["nudges.days"].flatMap(Int.init) ?? standard.minimumDaysBetween,
            maximumUnanswered: stored["nudges.max"].flatMap(Int.init) ?? standard.maximumUnanswered)
    }

    func setNudgePolicy(_ policy: NudgePolicy) async throws {
        try await strategy.setSettings([
            "nudges.enabled": policy.enabled ? "on" : "off", "nudges.days": String(policy.minimumDaysBetween),
            "nudges.max": String(policy.maximumUnanswered),
        ])
    }
}

/// Mail to members from the lists they may leave with one click: the monthly member update (or the
/// weekly digest), and the nudge to members at risk. Each member gets only what they may read, in
/// their language; the send log keeps every mail to once per member and period.
struct ListMail {
    let repositories: Repositories
    let services: KringServices

    /// How long after its period an update still goes out (a server that was down catches up; a new
    /// installation does not mail last year's news).
    static func sendWindow(_ frequency: UpdateFrequency) -> TimeInterval {
        frequency == .weekly ? 2 * 86_400 : 7 * 86_400
    }

    /// Sends the update of the period just ended to everyone due one. Returns how many went out.
    @discardableResult
    func sendMemberUpdates() async throws -> Int {
        guard let community = try await repositories.community.settings() else { return 0 }
        let settings = try await repositories.memberUpdateSettings()
        guard settings.enabled else { return 0 }
        let zone = TimeZone(identifier: community.timeZone) ?? .gmt
        let now = services.clock.now()
        let founded = try await repositories.community.createdAt() ?? now
        var sent = 0
        for frequency in [UpdateFrequency.monthly, .weekly] {
            // A period the community did not live through whole is not reported on.
            guard let period = UpdatePeriod.previous(frequency, before: now, in: zone), founded <= period.start,
                now.timeIntervalSince(period.end) < Self.sendWindow(frequency)
            else { continue }
            sent += try await send(period, note: settings.note, community: community)
        }
        return sent
    }

    /// Sends `period`'s update to the members who want it at that frequency and did not get it yet.
    @discardableResult
    func send(_ period: UpdatePeriod, note: String, community: CommunitySettings) async throws -> Int {
        let recipients = try await repositories.memberMail.updateRecipients(period.frequency, period: period.key)
        guard !recipients.isEmpty else { return 0 }
        let candidates = try await repositories.memberMail.digestCandidates(from: period.start, to: period.end)
        let groups = try await repositories.memberMail.activeGroups(of: recipients.map(\.id))
        var sent = 0
        for batch in recipients.chunked(200) {
            sent += try await repositories.writeTransaction { tx in
                var queued = 0
                for recipient in batch {
                    let content = candidates.visible(to: recipient.id, activeGroups: groups[recipient.id] ?? [])
                    // Nothing they may read happened: no mail — except the monthly update carrying the team's note.
                    guard !content.isEmpty || (!note.isEmpty && period.frequency == .monthly) else { continue }
                    guard try await tx.memberMail.claimSend(.memberUpdate, period: period.key, to: recipient.id) else { continue }
                    try await tx.outbox.enqueue(
                        update(for: recipient, period: period, content: content, note: note, community: community))
                    queued += 1
                }
                return queued
            }
        }
        return sent
    }

    /// One member's update: the team's note, the period's best topics, coming events and newcomers.
    func update(for recipient: ListRecipient, period: UpdatePeriod, content: DigestCandidates, note: String, community: CommunitySettings)
        -> NewOutboxMessage
    {
        let t = localizer(recipient, community: community)
        let base = services.config.baseURL
        let periodName =
            period.frequency == .weekly
            ? t("member_update.week", ["date": t.date(period.start)]) : t.month(period.start)
        var sections: [String] = [t("mail.greeting", ["name": recipient.displayName])]
        if !note.isEmpty { sections.append(note) }
        if !content.topics.isEmpty {
            sections.append(
                t("member_update.best", ["period": periodName]) + "\n"
                    + content.topics.map {
                        "- " + $0.title + " (" + t.plural("member_update.replies", count: $0.replies) + ")\n  " + base + "/t/"
                            + $0.id.uuidString.lowercased()
                    }.joined(separator: "\n"))
        }
        if !content.events.isEmpty {
            sections.append(
                t("member_update.events") + "\n"
                    + content.events.map {
                        "- " + t.dateTime($0.startsAt) + " — " + $0.title + "\n  " + base + "/events/" + $0.id.uuidString.lowercased()
                    }.joined(separator: "\n"))
        }
        if !content.newcomers.isEmpty {
            sections.append(
                t("member_update.newcomers") + "\n"
                    + content.newcomers.map { "- " + $0.displayName + " (@" + $0.handle + ")\n  " + base + "/members/" + $0.handle }
                    .joined(separator: "\n"))
        }
        let unsubscribe = UnsubscribeLink.url(memberID: recipient.id, list: .memberUpdate, services: services)
        sections.append(
            "-- \n"
                + t(
                    "member_update.footer",
                    [
                        "community": community.name, "frequency": t("member_update.frequency.\(period.frequency.rawValue)"),
                        "settings": base + "/settings/notifications", "unsubscribe": unsubscribe,
                    ]))
        return NewOutboxMessage(
            kind: "member_update", recipient: recipient.email, recipientName: recipient.displayName,
            subject: t("member_update.subject", ["community": community.name, "period": periodName]),
            bodyText: sections.joined(separator: "\n\n"), unsubscribeURL: unsubscribe)
    }

    // MARK: Nudges

    /// Mails members at risk of dropping out, as the team's nudge policy allows. Returns how many went out.
    @discardableResult
    func sendNudges() async throws -> Int {
        guard let community = try await repositories.community.settings() else { return 0 }
        let policy = try await repositories.nudgePolicy()
        guard policy.enabled else { return 0 }
        let now = services.clock.now()
        let candidates = try await repositories.memberMail.nudgeCandidates()
        let history = try await repositories.memberMail.sends(.nudges, to: candidates.map(\.id))
        let due = candidates.filter { policy.allows(sentAt: history[$0.id] ?? [], lastSeen: $0.lastSeenAt, now: now) }
        guard !due.isEmpty else { return 0 }
        // What happened in their groups in the last month: the reason to come back.
        let news = try await repositories.memberMail.digestCandidates(from: now.addingTimeInterval(-30 * 86_400), to: now)
        let groups = try await repositories.memberMail.activeGroups(of: due.map(\.id))
        let period = LocalDay.key(of: now, in: TimeZone(identifier: community.timeZone) ?? .gmt)
        var sent = 0
        for batch in due.chunked(200) {
            sent += try await repositories.writeTransaction { tx in
                var queued = 0
                for recipient in batch {
                    guard try await tx.memberMail.claimSend(.nudges, period: period, to: recipient.id) else { continue }
                    let content = news.visible(to: recipient.id, activeGroups: groups[recipient.id] ?? [], topicLimit: 3, eventLimit: 2)
                    try await tx.outbox.enqueue(nudge(for: recipient, content: content, community: community))
                    queued += 1
                }
                return queued
            }
        }
        return sent
    }

    func nudge(for recipient: ListRecipient, content: DigestCandidates, community: CommunitySettings) -> NewOutboxMessage {
        let t = localizer(recipient, community: community)
        let base = services.config.baseURL
        var sections = [t("mail.greeting", ["name": recipient.displayName]), t("nudge.intro", ["community": community.name])]
        let items =
            content.topics.map { "- " + $0.title + "\n  " + base + "/t/" + $0.id.uuidString.lowercased() }
            + content.events.map {
                "- " + t.dateTime($0.startsAt) + " — " + $0.title + "\n  " + base + "/events/" + $0.id.uuidString.lowercased()
            }
        if !items.isEmpty { sections.append(t("nudge.news") + "\n" + items.joined(separator: "\n")) }
        sections.append(t("nudge.invite", ["link": base + "/"]))
        let unsubscribe = UnsubscribeLink.url(memberID: recipient.id, list: .nudges, services: services)
        sections.append("-- \n" + t("nudge.footer", ["community": community.name, "unsubscribe": unsubscribe]))
        return NewOutboxMessage(
            kind: "nudge", recipient: recipient.email, recipientName: recipient.displayName,
            subject: t("nudge.subject", ["community": community.name]), bodyText: sections.joined(separator: "\n\n"),
            unsubscribeURL: unsubscribe)
    }

    private func localizer(_ recipient: ListRecipient, community: CommunitySettings) -> Localizer {
        Localizer(
            language: recipient.preferredLanguage.flatMap(Language.init(rawValue:)) ?? community.defaultLanguage,
            catalog: services.catalog, timeZone: TimeZone(identifier: community.timeZone) ?? .gmt)
    }
}

extension Application {
    var listMail: ListMail { ListMail(repositories: repositories, services: kring) }
}
