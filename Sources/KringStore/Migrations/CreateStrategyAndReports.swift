import FluentKit
import SQLKit

/// Tasks 1–3 of the community manager: the versioned strategy canvas, periodic reports (drafts
/// and published ones), the advice inbox, dated maturity assessments, the success log, settings
/// for all of them, and the grant that lets a member read the cockpit without being a manager.
struct CreateStrategyAndReports: AsyncMigration {
    var name: String { "017_CreateStrategyAndReports" }

    func prepare(on database: any Database) async throws {
        try await database.schema("strategy_versions")
            .id()
            .field("version", .int, .required)
            .field("canvas", .string, .required)
            .field("editor_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "version")
            .create()
        try await database.schema("reports")
            .id()
            .field("kind", .string, .required)
            .field("period_start", .datetime, .required)
            .field("period_end", .datetime, .required)
            .field("status", .string, .required)
            .field("content", .string, .required)
            .field("evaluation", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("published_at", .datetime)
            .field("published_by_id", .uuid, .references("members", "id", onDelete: .setNull))
            .unique(on: "kind", "period_start")
            .create()
        try await database.schema("advice_items")
            .id()
            .field("rule", .string, .required)
            .field("subject_key", .string, .required)
            .field("details", .string, .required)
            .field("link", .string, .required)
            .field("status", .string, .required)
            .field("assignee_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("snoozed_until", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("closed_at", .datetime)
            .unique(on: "rule", "subject_key")
            .create()
        try await database.schema("maturity_assessments")
            .id()
            .field("answers", .string, .required)
            .field("evidence", .string, .required)
            .field("note", .string, .required)
            .field("created_by_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("success_stories")
            .id()
            .field("title", .string, .required)
            .field("story", .string, .required)
            .field("value", .string, .required)
            .field("evidence", .string, .required)
            .field("occurred_on", .datetime, .required)
            .field("created_by_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("cockpit_settings")
            .id()
            .field("name", .string, .required)
            .field("value", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "name")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE members ADD COLUMN cockpit_access BOOLEAN NOT NULL DEFAULT false").run()
        try await sql.create(index: "advice_items_status_idx").on("advice_items").column("status").run()
        try await sql.create(index: "success_stories_occurred_idx").on("success_stories").column("occurred_on").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("members").deleteField("cockpit_access").update()
        for table in ["cockpit_settings", "success_stories", "maturity_assessments", "advice_items", "reports", "strategy_versions"] {
            try await database.schema(table).delete()
        }
    }
}
