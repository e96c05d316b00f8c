import FluentKit
import SQLKit

/// Goals bound to a cockpit figure or a business figure, the business figures managers enter per
/// month, and monthly snapshots of the cockpit's figures (finished months do not change, so goals
/// read them instead of recomputing a year of figures on every page).
struct CreateGoals: AsyncMigration {
    var name: String { "016_CreateGoals" }

    func prepare(on database: any Database) async throws {
        try await database.schema("goals")
            .id()
            .field("title", .string, .required)
            .field("metric", .string, .required)
            .field("group_id", .uuid, .references("groups", "id", onDelete: .setNull))
            .field("target", .double, .required)
            .field("higher_is_better", .bool, .required)
            .field("starts_at", .datetime, .required)
            .field("deadline", .datetime, .required)
            .field("owner_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_by_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("archived_at", .datetime)
            .create()
        try await database.schema("business_figures")
            .id()
            .field("name", .string, .required)
            .field("month", .string, .required)
            .field("value", .double, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "name", "month")
            .create()
        try await database.schema("metric_snapshots")
            .id()
            .field("metric_id", .string, .required)
            .field("scope", .string, .required)
            .field("month", .string, .required)
            .field("value", .double)
            .field("computed_at", .datetime, .required)
            .unique(on: "metric_id", "scope", "month")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["metric_snapshots", "business_figures", "goals"] { try await database.schema(table).delete() }
    }
}
