import FluentKit
import SQLKit

/// The content calendar: planned posts, announcements and events with owner, status, target group
/// and moment; the job publishes scheduled ones when their moment comes.
struct CreateContentCalendar: AsyncMigration {
    var name: String { "022_CreateContentCalendar" }

    func prepare(on database: any Database) async throws {
        try await database.schema("content_items")
            .id()
            .field("title", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("owner_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("group_id", .uuid, .references("groups", "id", onDelete: .setNull))
            .field("scheduled_at", .datetime)
            .field("body", .string, .required)
            .field("event_starts_at", .datetime)
            .field("event_ends_at", .datetime)
            .field("location", .string, .required)
            .field("notes", .string, .required)
            .field("published_as", .string)
            .field("published_at", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "content_items_scheduled_idx").on("content_items").column("status").column("scheduled_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("content_items").delete()
    }
}
