import FluentKit
import SQLKit

/// What the cockpit needs at a hundred thousand members: DAU, WAU and MAU per finished day; each member's first day back after
/// their join day and first day with a post after it, kept by the rollup job so that join cohorts
/// read one row per member instead of probing a year of activity for every one of them; and
/// covering indexes on the daily rollups, so that distinct members per day are read from the
/// index alone (by kind for the community, by group with a group chosen).
struct CreateCockpitAtScale: AsyncMigration {
    var name: String { "018_CreateCockpitAtScale" }

    func prepare(on database: any Database) async throws {
        try await database.schema("member_first_days")
            .field("member_id", .uuid, .required)
            // `visit` or `post`: what the member did again.
            .field("kind", .string, .required)
            // The day (YYYY-MM-DD, in the rollups' time zone) they first did it after the join day.
            .field("day", .string, .required)
            .unique(on: "member_id", "kind")
            .create()
        try await database.schema("visitors_daily")
            .field("day", .string, .required)
            // `community`, or the group's id.
            .field("scope", .string, .required)
            .field("dau", .int, .required)
            .field("wau", .int, .required)
            .field("mau", .int, .required)
            .unique(on: "scope", "day")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "member_first_days_day_idx").on("member_first_days").column("day").run()
        try await sql.create(index: "members_joined_cover_idx").on("members").column("created_at").column("status").column("id").run()
        try await sql.create(index: "posts_created_cover_idx").on("posts")
            .column("created_at").column("author_id").column("topic_id").column("post_number").column("deleted_at").column("hidden_at")
            .run()
        try await sql.create(index: "activity_daily_kind_day_cover_idx").on("activity_daily")
            .column("kind").column("day").column("member_id").column("is_staff").column("is_bot").column("group_id").run()
        try await sql.create(index: "activity_daily_group_day_cover_idx").on("activity_daily")
            .column("group_id").column("day").column("member_id").column("kind").column("is_staff").column("is_bot").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("member_first_days").delete()
        try await database.schema("visitors_daily").delete()
        guard let sql = database as? any SQLDatabase else { return }
        for index in [
            "activity_daily_kind_day_cover_idx", "activity_daily_group_day_cover_idx", "members_joined_cover_idx",
            "posts_created_cover_idx",
        ] {
            try await sql.drop(index: index).run()
        }
    }
}
