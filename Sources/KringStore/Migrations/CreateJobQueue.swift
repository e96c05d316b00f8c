import FluentKit
import SQLKit

/// The job queue: scheduled and one-off work claimed by one process at a time (PostgreSQL's
/// `FOR UPDATE SKIP LOCKED`), with a lease that expires when its process dies, retries with back-off,
/// and a unique key per periodic slot so that however many processes schedule it, a slot runs once.
struct CreateJobQueue: AsyncMigration {
    var name: String { "025_CreateJobQueue" }

    func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .id()
            .field("kind", .string, .required)
            .field("unique_key", .string)
            .field("status", .string, .required)
            .field("run_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("locked_by", .string)
            .field("locked_until", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "unique_key")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "jobs_due_idx").on("jobs").column("status").column("run_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("jobs").delete()
    }
}
