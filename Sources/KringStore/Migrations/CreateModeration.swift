import FluentKit
import SQLKit

/// Flags (on posts and on profiles), held and hidden content, sanctions, blocked identities, the
/// staff action log, watched words, archiving of topics, house-rules acceptance, and the
/// community's moderation settings.
struct CreateModeration: AsyncMigration {
    var name: String { "004_CreateModeration" }

    func prepare(on database: any Database) async throws {
        try await database.schema("flags")
            .id()
            .field("post_id", .uuid, .references("posts", "id", onDelete: .cascade))
            .field("member_id", .uuid, .references("members", "id", onDelete: .cascade))
            // nil: raised by Kring itself (a watched word, a spam heuristic).
            .field("flagger_id", .uuid, .references("members", "id", onDelete: .cascade))
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

        try await database.schema("watched_words")
            .id()
            .field("pattern", .string, .required)
            .field("action", .string, .required)
            .field("case_sensitive", .bool, .required)
            .field("replacement", .string, .required)
            .field("tag", .string, .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "pattern")
            .create()

        // SQLite adds one column per ALTER TABLE.
        let columns: [(String, FieldKey, DatabaseSchema.DataType)] = [
            ("posts", "hidden_at", .datetime), ("posts", "hidden_reason", .string), ("topics", "hidden_at", .datetime),
            ("topics", "archived_at", .datetime), ("topics", "slow_mode_seconds", .int), ("members", "pending_reason", .string),
            ("members", "accepted_rules_version", .int), ("members", "registration_ip", .string),
        ]
        for (table, column, type) in columns {
            try await database.schema(table).field(column, type).update()
        }

        guard let sql = database as? any SQLDatabase else { return }
        // A column with a default, the same on SQLite and PostgreSQL.
        for (column, value) in [
            ("flag_threshold", 3), ("newcomer_held_posts", 0), ("newcomer_max_links", 2), ("posts_per_minute", 5), ("posts_per_hour", 60),
            ("rules_version", 0),
        ] {
            try await sql.raw("ALTER TABLE community ADD COLUMN \(unsafeRaw: column) INTEGER NOT NULL DEFAULT \(unsafeRaw: String(value))")
                .run()
        }
        try await sql.create(index: "flags_post_idx").on("flags").column("post_id").run()
        try await sql.create(index: "flags_member_idx").on("flags").column("member_id").run()
        try await sql.create(index: "posts_hidden_idx").on("posts").column("hidden_at").run()
        try await sql.create(index: "flags_open_idx").on("flags").column("resolved_at").column("created_at").run()
        try await sql.create(index: "flags_flagger_idx").on("flags").column("flagger_id").run()
        try await sql.create(index: "sanctions_member_idx").on("sanctions").column("member_id").run()
        try await sql.create(index: "staff_actions_created_idx").on("staff_actions").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        let community = [
            "flag_threshold", "newcomer_held_posts", "newcomer_max_links", "posts_per_minute", "posts_per_hour", "rules_version",
        ]
        for field in community { try await database.schema("community").deleteField(FieldKey(stringLiteral: field)).update() }
        for field in ["pending_reason", "accepted_rules_version", "registration_ip"] {
            try await database.schema("members").deleteField(FieldKey(stringLiteral: field)).update()
        }
        for field in ["hidden_at", "archived_at", "slow_mode_seconds"] {
            try await database.schema("topics").deleteField(FieldKey(stringLiteral: field)).update()
        }
        for field in ["hidden_at", "hidden_reason"] {
            try await database.schema("posts").deleteField(FieldKey(stringLiteral: field)).update()
        }
        for table in ["watched_words", "staff_actions", "blocked_identities", "sanctions", "flags"] {
            try await database.schema(table).delete()
        }
    }
}
