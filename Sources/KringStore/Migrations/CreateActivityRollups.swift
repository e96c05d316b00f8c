import FluentKit
import SQLKit

/// Daily rollups of the activity log (events per day, kind, member and group) and the state of the
/// job that keeps them, so the cockpit reads thousands of rows instead of millions.
struct CreateActivityRollups: AsyncMigration {
    var name: String { "009_CreateActivityRollups" }

    func prepare(on database: any Database) async throws {
        try await database.schema("activity_daily")
            .id()
            // The calendar day in the community's time zone, as YYYY-MM-DD.
            .field("day", .string, .required)
            .field("kind", .string, .required)
            .field("member_id", .uuid, .required)
            .field("group_id", .uuid)
            .field("is_staff", .bool, .required)
            .field("events", .int, .required)
            .create()
        try await database.schema("rollup_state")
            .id()
            .field("name", .string, .required)
            // The last day rolled up completely, and the time zone its days were cut in.
            .field("through_day", .string, .required)
            .field("time_zone", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "name")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "activity_daily_day_idx").on("activity_daily").column("day").column("kind").run()
        try await sql.create(index: "activity_daily_member_idx").on("activity_daily").column("member_id").column("day").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["rollup_state", "activity_daily"] { try await database.schema(table).delete() }
    }
}
