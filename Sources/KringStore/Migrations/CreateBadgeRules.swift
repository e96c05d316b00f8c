import FluentKit

/// Badge rules: the badges the job awards by itself when members reach a count.
struct CreateBadgeRules: AsyncMigration {
    var name: String { "024_CreateBadgeRules" }

    func prepare(on database: any Database) async throws {
        try await database.schema("badge_rules")
            .id()
            .field("name", .string, .required)
            .field("level", .string, .required)
            .field("metric", .string, .required)
            .field("threshold", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("badge_rules").delete()
    }
}
