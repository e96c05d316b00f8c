import FluentKit
import SQLKit

/// Badges members earned: imported with a community's history now, granted by hand or by rule later.
struct CreateMemberBadges: AsyncMigration {
    var name: String { "015_CreateMemberBadges" }

    func prepare(on database: any Database) async throws {
        try await database.schema("member_badges")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("level", .string, .required)
            .field("awarded_at", .datetime, .required)
            .field("source", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "member_badges_member_idx").on("member_badges").column("member_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("member_badges").delete()
    }
}
