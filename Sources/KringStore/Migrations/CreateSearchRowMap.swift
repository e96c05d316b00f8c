import FluentKit
import SQLKit

/// SQLite's FTS5 table cannot index its `doc_id` column, so finding a document's row to replace or
/// remove it meant reading the whole index. This map from document id to FTS row id makes that a
/// lookup. (PostgreSQL keeps its `tsvector` in the documents table and needs nothing.)
struct CreateSearchRowMap: AsyncMigration {
    var name: String { "011_CreateSearchRowMap" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name != "postgresql" else { return }
        try await sql.raw("CREATE TABLE search_fts_map (doc_id TEXT PRIMARY KEY NOT NULL, fts_rowid INTEGER NOT NULL)").run()
        try await sql.raw("INSERT OR REPLACE INTO search_fts_map (doc_id, fts_rowid) SELECT doc_id, rowid FROM search_fts").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name != "postgresql" else { return }
        try await sql.raw("DROP TABLE IF EXISTS search_fts_map").run()
    }
}
