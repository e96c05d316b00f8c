import FluentKit
import SQLKit

/// All migrations, in order. Append only: a migration that has landed is never edited.
public enum KringMigrations {
    public static var all: [any AsyncMigration] {
        [
            CreateFoundation(), CreateSpaces(), CreateSearchIndex(), CreateModeration(), CreateEvents(), CreatePolls(), CreateIdeas(),
            CreateDocuments(), CreateActivityRollups(), CreateImportItems(), CreateSearchRowMap(), CreatePageViews(),
            CreateEventOrganisers(), CreateBotFlags(), CreateMemberBadges(), CreateGoals(), CreateStrategyAndReports(),
            CreateCockpitAtScale(),
            CreatePrivacy(), CreateMemberEngagement(), CreateMemberMail(), CreateContentCalendar(), CreateListening(), CreateBadgeRules(),
            CreateJobQueue(), CreateLiveTriggers(), CreateContentChangeTriggers(), CreateSearchRecency(), CreateHeldPostsIndex(),
        ]
    }
}

/// The foundation schema: community, members and their tags, sessions, tokens, outbox, activity
/// log and rate-limit counters.
struct CreateFoundation: AsyncMigration {
    var name: String { "001_CreateFoundation" }

    func prepare(on database: any Database) async throws {
        try await database.schema("community")
            .id()
            .field("name", .string, .required)
            .field("tagline", .string, .required)
            .field("default_language", .string, .required)
            .field("registration_mode", .string, .required)
            .field("read_access", .string, .required)
            .field("time_zone", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()

        try await database.schema("instance_secrets")
            .id()
            .field("name", .string, .required)
            .field("value", .string, .required)
            .unique(on: "name")
            .create()

        try await database.schema("members")
            .id()
            .field("handle", .string, .required)
            .field("display_name", .string, .required)
            .field("email", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("is_staff", .bool, .required)
            .field("status", .string, .required)
            .field("bio", .string, .required)
            .field("organisation", .string, .required)
            .field("preferred_language", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("last_seen_at", .datetime)
            .unique(on: "handle")
            .unique(on: "email")
            .create()

        try await database.schema("tags")
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "slug")
            .create()

        try await database.schema("member_tags")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("tag_id", .uuid, .required, .references("tags", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("position", .int, .required)
            .unique(on: "member_id", "tag_id", "kind")
            .create()

        try await database.schema("sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("ip_address", .string, .required)
            .field("user_agent", .string, .required)
            .unique(on: "token_hash")
            .create()

        try await database.schema("access_tokens")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("token_prefix", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()

        try await database.schema("email_tokens")
            .id()
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("email", .string, .required)
            .field("member_id", .uuid, .references("members", "id", onDelete: .cascade))
            .field("created_by_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()

        try await database.schema("outbox_messages")
            .id()
            .field("kind", .string, .required)
            .field("recipient", .string, .required)
            .field("recipient_name", .string, .required)
            .field("subject", .string, .required)
            .field("body_text", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("last_error", .string)
            .field("next_attempt_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()

        try await database.schema("activity_events")
            .id()
            .field("actor_id", .uuid)
            .field("actor_is_staff", .bool, .required)
            .field("kind", .string, .required)
            .field("subject_type", .string)
            .field("subject_id", .uuid)
            .field("group_id", .uuid)
            .field("occurred_at", .datetime, .required)
            .create()

        try await database.schema("rate_limit_counters")
            .field("bucket", .string, .required)
            .field("window_start", .int64, .required)
            .field("hits", .int, .required)
            .unique(on: "bucket", "window_start")
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "members_created_at_idx").on("members").column("created_at").run()
        try await sql.create(index: "member_tags_tag_idx").on("member_tags").column("tag_id").run()
        try await sql.create(index: "sessions_member_idx").on("sessions").column("member_id").run()
        try await sql.create(index: "access_tokens_member_idx").on("access_tokens").column("member_id").run()
        try await sql.create(index: "outbox_due_idx").on("outbox_messages").column("status").column("next_attempt_at").run()
        try await sql.create(index: "outbox_created_idx").on("outbox_messages").column("created_at").run()
        try await sql.create(index: "activity_occurred_idx").on("activity_events").column("occurred_at").run()
        try await sql.create(index: "activity_kind_occurred_idx").on("activity_events").column("kind").column("occurred_at").run()
        try await sql.create(index: "activity_actor_idx").on("activity_events").column("actor_id").column("occurred_at").run()
    }

    func revert(on database: any Database) async throws {
        for table in [
            "rate_limit_counters", "activity_events", "outbox_messages", "email_tokens", "access_tokens",
            "sessions", "member_tags", "tags", "members", "instance_secrets", "community",
        ] {
            try await database.schema(table).delete()
        }
    }
}
