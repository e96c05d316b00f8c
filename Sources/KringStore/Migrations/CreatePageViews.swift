import FluentKit
import SQLKit

/// Page views counted in aggregate: one row per calendar day (community time zone), no visitor.
struct CreatePageViews: AsyncMigration {
    var name: String { "012_CreatePageViews" }

    func prepare(on database: any Database) async throws {
        try await database.schema("page_views_daily")
            .id()
            .field("day", .string, .required)
            .field("views", .int, .required)
            .unique(on: "day")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("page_views_daily").delete()
    }
}
