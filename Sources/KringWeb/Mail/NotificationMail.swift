import KringCore
import KringStore
import Vapor

/// Mails notifications to members who chose e-mail for their kind: at once, or collected into one
/// summary a day. Runs in the background job; everything goes through the outbox.
struct NotificationMail {
    let repositories: Repositories
    let services: KringServices

    /// Sends what members want at once. Returns how many mails were queued.
    @discardableResult
    func sendImmediate() async throws -> Int {
        guard let community = try await repositories.community.settings() else { return 0 }
        let pending = try await repositories.notifications.pendingEmail(.immediately)
        for entry in pending {
            let t = localizer(for: entry.recipient, community: community)
            let summary = DiscoveryViews.describe(entry.item, t: t)
            try await repositories.outbox.enqueue(
                NewOutboxMessage(
                    kind: "notification", recipient: entry.recipient.email, recipientName: entry.recipient.displayName,
                    subject: t("mail.notification.subject", ["community": community.name, "summary": summary]),
                    bodyText: t(
                        "mail.notification.body",
                        [
                            "name": entry.recipient.displayName, "summary": summary,
                            "link": services.config.baseURL + DiscoveryViews.target(of: entry.item),
                            "settings": services.config.baseURL + "/settings/notifications",
                        ]), unsubscribeURL: UnsubscribeLink.url(memberID: entry.recipient.id, list: .notifications, services: services)))
        }
        try await repositories.notifications.markEmailed(pending.map(\.id))
        return pending.count
    }

    /// Sends one summary to each member whose oldest waiting "daily" notification is a day old.
    @discardableResult
    func sendDailySummaries() async throws -> Int {
        guard let community = try await repositories.community.settings() else { return 0 }
        let pending = try await repositories.notifications.pendingEmail(.daily)
        let now = services.clock.now()
        var sent = 0
        for entries in Dictionary(grouping: pending, by: { $0.recipient.id }).values {
            guard let first = entries.map(\.item.createdAt).min(), now.timeIntervalSince(first) >= 86_400,
                let recipient = entries.first?.recipient
            else { continue }
            let t = localizer(for: recipient, community: community)
            let lines = entries.map {
                "- " + DiscoveryViews.describe($0.item, t: t) + "\n  " + services.config.baseURL + DiscoveryViews.target(of: $0.item)
            }
            try await repositories.outbox.enqueue(
                NewOutboxMessage(
                    kind: "daily_summary", recipient: recipient.email, recipientName: recipient.displayName,
                    subject: t("mail.digest.subject", ["community": community.name]),
                    bodyText: t(
                        "mail.digest.body",
                        [
                            "name": recipient.displayName, "community": community.name, "items": lines.joined(separator: "\n"),
                            "link": services.config.baseURL + "/notifications",
                            "settings": services.config.baseURL + "/settings/notifications",
                        ]), unsubscribeURL: UnsubscribeLink.url(memberID: recipient.id, list: .notifications, services: services)))
            try await repositories.notifications.markEmailed(entries.map(\.id))
            sent += 1
        }
        return sent
    }

    private func localizer(for member: Member, community: CommunitySettings) -> Localizer {
        Localizer(
            language: member.profile.preferredLanguage ?? community.defaultLanguage, catalog: services.catalog,
            timeZone: TimeZone(identifier: community.timeZone) ?? .gmt)
    }
}

extension Application {
    var notificationMail: NotificationMail { NotificationMail(repositories: repositories, services: kring) }
}
