import FluentKit
import SQLKit

/// Events, RSVPs with waitlist and check-in, and personal calendar feed tokens.
struct CreateEvents: AsyncMigration {
    var name: String { "005_CreateEvents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("events")
            .id()
            .field("group_id", .uuid, .references("groups", "id", onDelete: .cascade))
            .field("organiser_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("time_zone", .string, .required)
            .field("location", .string, .required)
            .field("online_url", .string, .required)
            .field("capacity", .int)
            .field("going_count", .int, .required)
            .field("waitlist_count", .int, .required)
            .field("cancelled_at", .datetime)
            .field("reminder_sent_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()

        try await database.schema("rsvps")
            .id()
            .field("event_id", .uuid, .required, .references("events", "id", onDelete: .cascade))
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("waitlisted_at", .datetime)
            .field("checked_in_at", .datetime)
            .unique(on: "event_id", "member_id")
            .create()

        try await database.schema("members").field("calendar_token", .string).update()
        try await database.schema("notifications").field("event_id", .uuid).update()

        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "events_starts_idx").on("events").column("starts_at").run()
        try await sql.create(index: "events_group_idx").on("events").column("group_id").column("starts_at").run()
        try await sql.create(index: "rsvps_member_idx").on("rsvps").column("member_id").run()
        try await sql.create(index: "rsvps_event_status_idx").on("rsvps").column("event_id").column("status").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notifications").deleteField("event_id").update()
        try await database.schema("members").deleteField("calendar_token").update()
        try await database.schema("rsvps").delete()
        try await database.schema("events").delete()
    }
}
