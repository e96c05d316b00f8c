import FluentKit
import SQLKit

/// Co-organisers of events, besides the member who created the event; and each event's revision
/// (iCalendar's SEQUENCE, so calendar apps take changes and cancellations).
struct CreateEventOrganisers: AsyncMigration {
    var name: String { "013_CreateEventOrganisers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("event_organisers")
            .id()
            .field("event_id", .uuid, .required, .references("events", "id", onDelete: .cascade))
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .unique(on: "event_id", "member_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE events ADD COLUMN revision INTEGER NOT NULL DEFAULT 0").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("events").deleteField("revision").update()
        try await database.schema("event_organisers").delete()
    }
}
