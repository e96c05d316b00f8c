import FluentKit

/// Co-organisers of events, besides the member who created the event.
struct CreateEventOrganisers: AsyncMigration {
    var name: String { "013_CreateEventOrganisers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("event_organisers")
            .id()
            .field("event_id", .uuid, .required, .references("events", "id", onDelete: .cascade))
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .unique(on: "event_id", "member_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("event_organisers").delete()
    }
}
