import FluentKit
import SQLKit

/// On PostgreSQL, the search documents by recency: a common word matches a tenth of a million
/// documents, and finding the newest 2,000 of them by sorting every match took 130 ms; walking this
/// index newest first stops after some 20,000 documents (11 ms). SQLite's full-text table walks its
/// row ids, which grow with time, and needs no index.
struct CreateSearchRecency: AsyncMigration {
    var name: String { "028_CreateSearchRecency" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.create(index: "search_documents_updated_idx").on("search_documents").column("updated_at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.drop(index: "search_documents_updated_idx").run()
    }
}
