import FluentKit
import SQLKit

/// Flags, hidden content, sanctions, blocked identities, the staff action log and the community's
/// flag threshold.
struct CreateModeration: AsyncMigration {
    var name: String { "004_CreateModeration" }

    func prepare(on database: any Database) async throws {
        try await database.schema("flags")
            .id()
            .field("post_id", .uuid, .required, .references("posts", "id", onDelete: .cascade))
            .field("flagger_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("reason", .string, .required)
            .field("note", .string, .required)
            .field("created_at", .datetime, .required)
            .field("resolved_at", .datetime)
            .field("resolution", .string)
            .field("resolved_by_id", .uuid)
            .create()

        try await database.schema("sanctions")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("reason", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime)
            .field("created_by_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("lifted_at", .datetime)
            .field("lifted_by_id", .uuid)
            .create()

        try await database.schema("blocked_identities")
            .id()
            .field("kind", .string, .required)
            .field("value", .string, .required)
            .field("sanction_id", .uuid, .references("sanctions", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "kind", "value")
            .create()

        try await database.schema("staff_actions")
            .id()
            .field("actor_id", .uuid)
            .field("actor_handle", .string, .required)
            .field("action", .string, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .uuid)
            .field("subject_label", .string, .required)
            .field("reason", .string, .required)
            .field("before_value", .string, .required)
            .field("after_value", .string, .required)
            .field("created_at", .datetime, .required)
            .create()

        try await database.schema("posts").field("hidden_at", .datetime).update()
        try await database.schema("topics").field("hidden_at", .datetime).update()
        guard let sql = database as? any SQLDatabase else { return }
        // A column with a default, the same on SQLite and PostgreSQL.
        try await sql.raw("ALTER TABLE community ADD COLUMN flag_threshold INTEGER NOT NULL DEFAULT 3").run()
        try await sql.create(index: "flags_post_idx").on("flags").column("post_id").run()
        try await sql.create(index: "flags_open_idx").on("flags").column("resolved_at").column("created_at").run()
        try await sql.create(index: "flags_flagger_idx").on("flags").column("flagger_id").run()
        try await sql.create(index: "sanctions_member_idx").on("sanctions").column("member_id").run()
        try await sql.create(index: "staff_actions_created_idx").on("staff_actions").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("community").deleteField("flag_threshold").update()
        try await database.schema("topics").deleteField("hidden_at").update()
        try await database.schema("posts").deleteField("hidden_at").update()
        for table in ["staff_actions", "blocked_identities", "sanctions", "flags"] { try await database.schema(table).delete() }
    }
}
