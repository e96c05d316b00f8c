import FluentKit
import SQLKit

/// Engagement scores, levels and segments per member, the level funnel per month (as the
/// engagement job last computed them: the members and champions pages read these instead of
/// a year of activity) and the team's saved custom segments.
struct CreateMemberEngagement: AsyncMigration {
    var name: String { "020_CreateMemberEngagement" }

    func prepare(on database: any Database) async throws {
        try await database.schema("member_engagement")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("score", .double, .required)
            .field("level", .string, .required)
            // The score and level at the end of the month 30 days ago: rising members, members at risk.
            .field("previous_score", .double, .required)
            .field("previous_level", .string, .required)
            // The member's segments as ",newcomer,lurker,": one LIKE finds a segment's members.
            .field("segments", .string, .required)
            // Topics and replies in the last 90 days.
            .field("recent_posts", .int, .required)
            .field("computed_at", .datetime, .required)
            .unique(on: "member_id")
            .create()
        try await database.schema("engagement_funnel")
            .id()
            .field("month", .string, .required)
            .field("level", .string, .required)
            .field("members", .int, .required)
            .unique(on: "month", "level")
            .create()
        try await database.schema("saved_segments")
            .id()
            .field("name", .string, .required)
            // The SegmentFilter as JSON.
            .field("filters", .string, .required)
            .field("created_by_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "member_engagement_score_idx").on("member_engagement").column("score").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["saved_segments", "engagement_funnel", "member_engagement"] { try await database.schema(table).delete() }
    }
}
