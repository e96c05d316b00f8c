import FluentKit
import SQLKit

/// Listening: each post's sentiment (computed by the listening job, with its ISO week and label so
/// trends are a GROUP BY), the team's watched terms and their mentions, and the insights board.
struct CreateListening: AsyncMigration {
    var name: String { "023_CreateListening" }

    func prepare(on database: any Database) async throws {
        try await database.schema("post_sentiment")
            .id()
            .field("post_id", .uuid, .required, .references("posts", "id", onDelete: .cascade))
            .field("topic_id", .uuid, .required)
            .field("group_id", .uuid)
            .field("language", .string, .required)
            .field("score", .double, .required)
            .field("label", .string, .required)
            .field("week", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "post_id")
            .create()
        try await database.schema("watched_terms")
            .id()
            .field("term", .string, .required)
            .field("kind", .string, .required)
            .field("alerts", .bool, .required)
            .field("created_by_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "term", "kind")
            .create()
        try await database.schema("term_mentions")
            .id()
            .field("term_id", .uuid, .required, .references("watched_terms", "id", onDelete: .cascade))
            .field("post_id", .uuid, .required, .references("posts", "id", onDelete: .cascade))
            .field("topic_id", .uuid, .required)
            .field("group_id", .uuid)
            .field("label", .string, .required)
            .field("week", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "term_id", "post_id")
            .create()
        try await database.schema("insights")
            .id()
            .field("post_id", .uuid, .required, .references("posts", "id", onDelete: .cascade))
            .field("topic_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("note", .string, .required)
            .field("status", .string, .required)
            .field("outcome", .string)
            .field("created_by_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "post_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "post_sentiment_week_idx").on("post_sentiment").column("week").run()
        try await sql.create(index: "term_mentions_term_idx").on("term_mentions").column("term_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["insights", "term_mentions", "watched_terms", "post_sentiment"] { try await database.schema(table).delete() }
    }
}
