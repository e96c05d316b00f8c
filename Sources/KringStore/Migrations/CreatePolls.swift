import FluentKit
import SQLKit

/// Polls with their options and votes.
struct CreatePolls: AsyncMigration {
    var name: String { "006_CreatePolls" }

    func prepare(on database: any Database) async throws {
        try await database.schema("polls")
            .id()
            .field("topic_id", .uuid, .references("topics", "id", onDelete: .cascade))
            .field("group_id", .uuid, .references("groups", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("question", .string, .required)
            .field("allows_multiple", .bool, .required)
            .field("is_anonymous", .bool, .required)
            .field("results_visibility", .string, .required)
            .field("closes_at", .datetime)
            .field("closed_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("poll_options")
            .id()
            .field("poll_id", .uuid, .required, .references("polls", "id", onDelete: .cascade))
            .field("label", .string, .required)
            .field("position", .int, .required)
            .create()
        try await database.schema("poll_votes")
            .id()
            .field("poll_id", .uuid, .required, .references("polls", "id", onDelete: .cascade))
            .field("option_id", .uuid, .required, .references("poll_options", "id", onDelete: .cascade))
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "poll_id", "option_id", "member_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "polls_topic_idx").on("polls").column("topic_id").run()
        try await sql.create(index: "poll_votes_poll_idx").on("poll_votes").column("poll_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["poll_votes", "poll_options", "polls"] { try await database.schema(table).delete() }
    }
}
