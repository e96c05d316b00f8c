import FluentKit

/// What an import brought in, by the source's own ids, so that running it again adds only what is new.
struct CreateImportItems: AsyncMigration {
    var name: String { "010_CreateImportItems" }

    func prepare(on database: any Database) async throws {
        try await database.schema("import_items")
            .id()
            .field("source", .string, .required)
            .field("kind", .string, .required)
            .field("external_id", .string, .required)
            .field("local_id", .uuid, .required)
            .unique(on: "source", "kind", "external_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("import_items").delete()
    }
}
