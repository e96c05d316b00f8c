import Foundation
import KringCore
import KringStore
import Vapor

/// The server's background work, through the database job queue (`JobQueue`) so that however many
/// Kring processes share the database, each slot of each periodic job runs in exactly one of them:
///
/// - `tick` (every few seconds): event reminders, notification mail, scheduled content-calendar
///   items, the listening job and outbox delivery;
/// - `rollup` (every ten minutes): finished days of the activity log rolled up for the cockpit,
///   and the last finished month's figures stored once;
/// - `hourly`: reports of periods just ended, the advice rules, engagement scores and segments, rule
///   badges, the member update and nudges that are due, and clearing expired sessions, old
///   rate-limit windows and finished jobs.
///
/// Every process schedules the slots (a unique key lets one row in per slot) and works the queue;
/// only the page-view counter, which lives in each process's memory, is flushed by each itself.
final class BackgroundJobs: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?
    /// This process in the queue's `locked_by`: host and process id.
    static let worker =
        (ProcessInfo.processInfo.hostName.isEmpty ? "kring" : ProcessInfo.processInfo.hostName) + ":"
        + String(ProcessInfo.processInfo.processIdentifier)

    func didBootAsync(_ application: Application) async throws {
        let interval = application.kring.config.mailInterval
        guard interval > 0 else { return }
        task = Task { [application] in
            while !Task.isCancelled {
                do {
                    try await application.pageViews.flush(to: application.db)
                    let queue = application.repositories.jobs
                    try await queue.schedulePeriodic(JobRunner.tick, every: interval)
                    try await queue.schedulePeriodic(JobRunner.rollup, every: 600)
                    try await queue.schedulePeriodic(JobRunner.hourly, every: 3600)
                    try await JobRunner(application: application).work(worker: Self.worker)
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

extension Repositories {
    public var jobs: JobQueue { JobQueue(database: database, clock: clock) }
}

/// Runs queued jobs by kind.
struct JobRunner {
    static let tick = "tick"
    static let rollup = "rollup"
    static let hourly = "hourly"
    /// At most this many jobs per pass, so a backlog does not starve the page-view flush.
    static let perPass = 20

    let application: Application

    /// Claims and runs due jobs until none is left (or `perPass` ran). Returns how many ran.
    @discardableResult
    func work(worker: String) async throws -> Int {
        let queue = application.repositories.jobs
        var ran = 0
        while ran < Self.perPass, let job = try await queue.claim(worker: worker) {
            do {
                try await run(job.kind)
                try await queue.complete(job.id)
            } catch {
                application.logger.warning("Job failed", metadata: ["kind": "\(job.kind)", "error": "\(error)"])
                try await queue.fail(job.id, attempts: job.attempts, error: "\(error)")
            }
            ran += 1
        }
        return ran
    }

    func run(_ kind: String) async throws {
        let repositories = application.repositories
        switch kind {
        case Self.tick:
            // Reminders a day ahead become notifications, which the mailer sends as members chose.
            _ = try await repositories.events.takeDueReminders(within: 86_400)
            try await application.notificationMail.sendImmediate()
            try await application.notificationMail.sendDailySummaries()
            try await application.contentPublisher.publishDue()
            try await application.listeningJob.run()
            try await application.outboxDelivery.deliverDue()
        case Self.rollup:
            guard let community = try await repositories.community.settings() else { return }
            let zone = TimeZone(identifier: community.timeZone) ?? .gmt
            try await repositories.rollups.catchUp(timeZone: zone)
            try await repositories.storeLastMonthSnapshot(timeZone: zone)
        case Self.hourly:
            if let community = try await repositories.community.settings() {
                let zone = TimeZone(identifier: community.timeZone) ?? .gmt
                try await repositories.generateDueReports(timeZone: zone)
                try await repositories.refreshAdvice(timeZone: zone)
                try await repositories.engagement.refresh(timeZone: zone)
                try await repositories.badges.applyRules(at: application.kring.clock.now())
                try await application.listMail.sendMemberUpdates()
                try await application.listMail.sendNudges()
            }
            try await repositories.sessions.purgeExpired()
            try await repositories.rateLimits.purgeOld()
            try await repositories.jobs.purge(olderThan: 86_400)
        default:
            throw Abort(.internalServerError, reason: "No job kind \(kind)")
        }
    }
}
