import Vapor

/// The server's background work: publishing scheduled content-calendar items, mailing notifications and delivering the outbox every few seconds; every ten minutes,
/// rolling finished days of the activity log up for the cockpit; hourly, drafting the reports of periods just ended,
/// checking the advice rules for the action inbox, recomputing engagement scores and segments, awarding rule badges, sending the member update and nudges that are due, clearing expired sessions and old rate-limit windows. Started
/// after boot, stopped at shutdown.
final class BackgroundJobs: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?

    func didBootAsync(_ application: Application) async throws {
        let interval = application.kring.config.mailInterval
        guard interval > 0 else { return }
        task = Task { [application] in
            var lastMaintenance = Date.distantPast
            var lastRollup = Date.distantPast
            while !Task.isCancelled {
                do {
                    // Reminders a day ahead become notifications, which the mailer sends as members chose.
                    _ = try await application.repositories.events.takeDueReminders(within: 86_400)
                    try await application.notificationMail.sendImmediate()
                    try await application.notificationMail.sendDailySummaries()
                    // Scheduled content-calendar items go out within a tick of their moment.
                    try await application.contentPublisher.publishDue()
                    // New posts' sentiment and watched terms, and the alerts they raise.
                    try await application.listeningJob.run()
                    try await application.outboxDelivery.deliverDue()
                    try await application.pageViews.flush(to: application.db)
                    if Date().timeIntervalSince(lastRollup) > 600, let community = try await application.repositories.community.settings() {
                        try await application.repositories.rollups.catchUp(timeZone: TimeZone(identifier: community.timeZone) ?? .gmt)
                        lastRollup = Date()
                    }
                    if Date().timeIntervalSince(lastMaintenance) > 3600 {
                        if let community = try await application.repositories.community.settings() {
                            let zone = TimeZone(identifier: community.timeZone) ?? .gmt
                            try await application.repositories.generateDueReports(timeZone: zone)
                            try await application.repositories.refreshAdvice(timeZone: zone)
                            try await application.repositories.engagement.refresh(timeZone: zone)
                            try await application.repositories.badges.applyRules(at: Date())
                            try await application.listMail.sendMemberUpdates()
                            try await application.listMail.sendNudges()
                        }
                        try await application.repositories.sessions.purgeExpired()
                        try await application.repositories.rateLimits.purgeOld()
                        lastMaintenance = Date()
                    }
                } catch {
                    application.logger.warning("Background job failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        _ = await task?.value
        try? await application.pageViews.flush(to: application.db)
    }
}
