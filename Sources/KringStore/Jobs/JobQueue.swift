import FluentKit
import Foundation
import KringCore
import SQLKit

/// One job in the queue, as the admin page shows it.
public struct QueuedJob: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending, running, done, failed
    }

    public let id: UUID
    public let kind: String
    public let uniqueKey: String?
    public let status: Status
    public let runAt: Date
    public let attempts: Int
    public let lockedBy: String?
    public let lastError: String?
    public let createdAt: Date
    public let finishedAt: Date?
}

/// The database job queue. Work is scheduled as rows; a process claims the oldest due one
/// (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so processes never wait for each other; SQLite has one
/// writer and one process) under a lease. At least once: a job whose process died is claimed again
/// when its lease runs out, so jobs are written to be idempotent. Failures retry after 1, 2, 4 …
/// minutes and give up after `maxAttempts`.
public struct JobQueue: Sendable {
    public static let maxAttempts = 5
    /// How long a claim lasts before another process may take the job over.
    public static let lease: TimeInterval = 15 * 60

    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    private var sql: any SQLDatabase { database as! any SQLDatabase }

    /// Schedules the slot of a periodic job (`every` seconds, slots aligned to the epoch) if no
    /// process did yet: every process calls this, the unique key lets one row in.
    public func schedulePeriodic(_ kind: String, every interval: TimeInterval) async throws {
        let now = clock.now()
        let slot = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / interval).rounded(.down) * interval)
        try await enqueue(kind, at: slot, uniqueKey: kind + "@" + ISO8601DateFormatter().string(from: slot))
    }

    /// Adds a job; with a `uniqueKey` that exists already, nothing happens.
    public func enqueue(_ kind: String, at runAt: Date? = nil, uniqueKey: String? = nil) async throws {
        try await sql.raw(
            """
            INSERT INTO jobs (id, kind, unique_key, status, run_at, attempts, created_at)
            VALUES (\(bind: UUID()), \(bind: kind), \(bind: uniqueKey), 'pending', \(bind: runAt ?? clock.now()), 0, \(bind: clock.now()))
            ON CONFLICT DO NOTHING
            """
        ).run()
    }

    /// Claims the oldest due job for `worker` (pending, or running with an expired lease), or nil.
    public func claim(worker: String) async throws -> (id: UUID, kind: String, attempts: Int)? {
        let now = clock.now()
        let skipLocked: SQLQueryString = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        return try await sql.raw(
            """
            UPDATE jobs SET status = 'running', locked_by = \(bind: worker), locked_until = \(bind: now.addingTimeInterval(Self.lease)),
                            attempts = attempts + 1
            WHERE id = (SELECT id FROM jobs WHERE run_at <= \(bind: now)
                        AND (status = 'pending' OR (status = 'running' AND locked_until < \(bind: now)))
                        ORDER BY run_at LIMIT 1 \(skipLocked))
            RETURNING id, kind, attempts
            """
        ).first().map { row in
            (
                try row.decodeUUID(column: "id"), try row.decode(column: "kind", as: String.self),
                try row.decode(column: "attempts", as: Int.self)
            )
        }
    }

    public func complete(_ id: UUID) async throws {
        try await sql.raw(
            "UPDATE jobs SET status = 'done', finished_at = \(bind: clock.now()), locked_until = NULL, last_error = NULL WHERE id = \(bind: id)"
        ).run()
    }

    /// Records a failure: back to pending after a back-off, or failed for good after the last attempt.
    public func fail(_ id: UUID, attempts: Int, error: String) async throws {
        let message = String(error.prefix(1_000))
        if attempts >= Self.maxAttempts {
            try await sql.raw(
                """
                UPDATE jobs SET status = 'failed', finished_at = \(bind: clock.now()), locked_until = NULL, last_error = \(bind: message)
                WHERE id = \(bind: id)
                """
            ).run()
        } else {
            let retryAt = clock.now().addingTimeInterval(60 * pow(2, Double(attempts - 1)))
            try await sql.raw(
                """
                UPDATE jobs SET status = 'pending', run_at = \(bind: retryAt), locked_until = NULL, last_error = \(bind: message)
                WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    /// Puts a failed job back for an immediate attempt.
    @discardableResult
    public func retry(_ id: UUID) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE jobs SET status = 'pending', run_at = \(bind: clock.now()), attempts = 0, finished_at = NULL
            WHERE id = \(bind: id) AND status = 'failed' RETURNING id
            """
        ).first() != nil
    }

    /// Forgets finished jobs older than `age` (periodic slots would pile up otherwise).
    public func purge(olderThan age: TimeInterval) async throws {
        try await sql.raw("DELETE FROM jobs WHERE status = 'done' AND finished_at < \(bind: clock.now().addingTimeInterval(-age))").run()
    }

    /// Jobs due and not taken: the queue's depth.
    public func depth() async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending' AND run_at <= \(bind: clock.now())").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    public func counts() async throws -> [String: [QueuedJob.Status: Int]] {
        var result: [String: [QueuedJob.Status: Int]] = [:]
        for row in try await sql.raw("SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status").all() {
            let status = QueuedJob.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending
            result[try row.decode(column: "kind", as: String.self), default: [:]][status] = try row.decode(column: "n", as: Int.self)
        }
        return result
    }

    /// The latest jobs, newest first; optionally one status.
    public func list(status: QueuedJob.Status? = nil, limit: Int = 50) async throws -> [QueuedJob] {
        let condition: SQLQueryString = status.map { "WHERE status = \(bind: $0.rawValue)" } ?? ""
        return try await sql.raw(
            """
            SELECT id, kind, unique_key, status, run_at, attempts, locked_by, last_error, created_at, finished_at FROM jobs \(condition)
            ORDER BY run_at DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            QueuedJob(
                id: try row.decodeUUID(column: "id"), kind: try row.decode(column: "kind", as: String.self),
                uniqueKey: try row.decode(column: "unique_key", as: String?.self),
                status: QueuedJob.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                runAt: try row.decode(column: "run_at", as: Date.self), attempts: try row.decode(column: "attempts", as: Int.self),
                lockedBy: try row.decode(column: "locked_by", as: String?.self),
                lastError: try row.decode(column: "last_error", as: String?.self),
                createdAt: try row.decode(column: "created_at", as: Date.self),
                finishedAt: try row.decode(column: "finished_at", as: Date?.self))
        }
    }
}
