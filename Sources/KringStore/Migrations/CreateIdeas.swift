import FluentKit
import SQLKit

/// Departments with liaisons, ideas with votes, comments, tags and official responses.
struct CreateIdeas: AsyncMigration {
    var name: String { "007_CreateIdeas" }

    func prepare(on database: any Database) async throws {
        try await database.schema("departments")
            .id()
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "name")
            .create()
        try await database.schema("department_liaisons")
            .id()
            .field("department_id", .uuid, .required, .references("departments", "id", onDelete: .cascade))
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .unique(on: "department_id", "member_id")
            .create()
        try await database.schema("ideas")
            .id()
            .field("author_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("status", .string, .required)
            .field("department_id", .uuid, .references("departments", "id", onDelete: .setNull))
            .field("vote_count", .int, .required)
            .field("comment_count", .int, .required)
            .field("routed_at", .datetime)
            .field("first_response_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("idea_votes")
            .id()
            .field("idea_id", .uuid, .required, .references("ideas", "id", onDelete: .cascade))
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "idea_id", "member_id")
            .create()
        try await database.schema("idea_tags")
            .id()
            .field("idea_id", .uuid, .required, .references("ideas", "id", onDelete: .cascade))
            .field("tag_id", .uuid, .required, .references("tags", "id", onDelete: .cascade))
            .unique(on: "idea_id", "tag_id")
            .create()
        try await database.schema("idea_comments")
            .id()
            .field("idea_id", .uuid, .required, .references("ideas", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("body", .string, .required)
            .field("body_html", .string, .required)
            .field("is_official", .bool, .required)
            .field("status", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("notifications").field("idea_id", .uuid).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "ideas_status_idx").on("ideas").column("status").column("created_at").run()
        try await sql.create(index: "idea_comments_idea_idx").on("idea_comments").column("idea_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notifications").deleteField("idea_id").update()
        for table in ["idea_comments", "idea_tags", "idea_votes", "ideas", "department_liaisons", "departments"] {
            try await database.schema(table).delete()
        }
    }
}
