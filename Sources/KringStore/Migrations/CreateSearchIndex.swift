import FluentKit
import SQLKit

/// The full-text search index. `search_documents` holds one row per searchable thing (topic, reply,
/// group, member) with what it may be seen through (group, topic). The text index itself differs per
/// database: SQLite gets an FTS5 table over words stemmed in Swift (Dutch and English Snowball), PostgreSQL
/// a `tsvector` column built with its `dutch` and `english` text search configurations and a GIN index.
struct CreateSearchIndex: AsyncMigration {
    var name: String { "003_CreateSearchIndex" }

    func prepare(on database: any Database) async throws {
        try await database.schema("search_documents")
            .id()
            .field("kind", .string, .required)
            .field("ref_id", .uuid, .required)
            .field("group_id", .uuid)
            .field("topic_id", .uuid)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "kind", "ref_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "search_documents_group_idx").on("search_documents").column("group_id").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE search_documents ADD COLUMN tsv tsvector").run()
            try await sql.raw("CREATE INDEX search_documents_tsv_idx ON search_documents USING GIN (tsv)").run()
        } else {
            try await sql.raw("CREATE VIRTUAL TABLE search_fts USING fts5(doc_id UNINDEXED, terms, tokenize = 'unicode61')").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase, sql.dialect.name != "postgresql" {
            try await sql.raw("DROP TABLE IF EXISTS search_fts").run()
        }
        try await database.schema("search_documents").delete()
    }
}
