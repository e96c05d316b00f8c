import FluentKit
import KringCore
import SQLKit

/// Group document libraries with version history, the admins' upload limits, and flags on events and
/// documents (hidden like posts once enough members flag them).
struct CreateDocuments: AsyncMigration {
    var name: String { "008_CreateDocuments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("documents")
            .id()
            .field("group_id", .uuid, .required, .references("groups", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("folder", .string, .required)
            .field("hidden_at", .datetime)
            .field("deleted_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("document_versions")
            .id()
            .field("document_id", .uuid, .required, .references("documents", "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("filename", .string, .required)
            .field("kind", .string, .required)
            .field("size", .int64, .required)
            .field("sha256", .string, .required)
            .field("storage_key", .string, .required)
            .field("uploader_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("note", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "document_id", "number")
            .create()

        // SQLite adds one column per ALTER TABLE.
        let columns: [(String, FieldKey, DatabaseSchema.DataType)] = [
            ("flags", "event_id", .uuid), ("flags", "document_id", .uuid), ("events", "hidden_at", .datetime),
        ]
        for (table, column, type) in columns {
            try await database.schema(table).field(column, type).update()
        }

        guard let sql = database as? any SQLDatabase else { return }
        let defaults = DocumentSettings()
        try await sql.raw(
            "ALTER TABLE community ADD COLUMN upload_max_bytes INTEGER NOT NULL DEFAULT \(unsafeRaw: String(defaults.maxUploadBytes))"
        ).run()
        let kinds = FileKind.allCases.filter(defaults.allowedKinds.contains).map(\.rawValue).joined(separator: ",")
        try await sql.raw("ALTER TABLE community ADD COLUMN upload_kinds TEXT NOT NULL DEFAULT '\(unsafeRaw: kinds)'").run()
        try await sql.create(index: "documents_group_idx").on("documents").column("group_id").column("folder").run()
        try await sql.create(index: "document_versions_document_idx").on("document_versions").column("document_id").run()
        try await sql.create(index: "flags_event_idx").on("flags").column("event_id").run()
        try await sql.create(index: "flags_document_idx").on("flags").column("document_id").run()
    }

    func revert(on database: any Database) async throws {
        for (table, column) in [
            ("flags", "event_id"), ("flags", "document_id"), ("events", "hidden_at"), ("community", "upload_max_bytes"),
            ("community", "upload_kinds"),
        ] {
            try await database.schema(table).deleteField(FieldKey(stringLiteral: column)).update()
        }
        for table in ["document_versions", "documents"] { try await database.schema(table).delete() }
    }
}
